/**
 * `--checkpoint-every N` and `--resume` of the train commands. Layout of OUT/checkpoint/:
 *
 *   epoch-<E>/model.json, model.safetensors   the model after E epochs (its training state included)
 *   checkpoint.json                           which epoch-<E> is the last whole one, and the run's settings
 *
 * A save writes epoch-<E>/ first and then checkpoint.json (each file atomically), and only then
 * removes older epoch folders, so a process killed at any moment leaves checkpoint.json
 * naming a complete pair. `--resume` loads that pair after checking that every option that
 * changes the numbers (all but --epochs, --out, --quiet, these two and a command's own free ones)
 * and the training data are those of the checkpoint; the model carries its optimiser,
 * generators and chains, so the resumed run ends with the weights of an uninterrupted one. A
 * command that trains several models keeps one such folder per model (CheckpointLayout:
 * `train dbn`'s checkpoint/pretrained and checkpoint/baseline).
 */
import { readdir, rm } from "node:fs/promises";
import { fileExists, joinPath, readFileText, writeFileAtomic } from "../io/files.js";
import { crc32 } from "../io/png.js";
import type { Tensor } from "../tensor/tensor.js";
import type { Callback, TrainableModel } from "../train/callbacks.js";
import type { Sequential } from "../train/sequential.js";
import { UsageError } from "./args.js";
import { interruptible, noteCheckpoint } from "./signals.js";

export const checkpointOptions = {
  "checkpoint-every": { type: "number", description: "save a checkpoint into OUT/checkpoint every N epochs", integer: true, min: 1 },
  resume: { type: "boolean", description: "continue the run in OUT/checkpoint (same options; --epochs is the total)" },
} as const;

/** Options that leave the trained numbers as they are, so a resume may change them. */
const FREE_OPTIONS = ["epochs", "out", "quiet", "checkpoint-every", "resume", "help"];

/** Where a command's checkpoint lives and what it need not match: `train dbn` keeps one per fine-tuned net. */
export interface CheckpointLayout {
  /** The folder under OUT. Default "checkpoint". */
  folder?: string;
  /** Options besides FREE_OPTIONS that a resume may change (the command's epoch total, say). */
  free?: readonly string[];
}

/** Generator states a command keeps outside the model (an Augmenter's), saved beside it. */
export type ExtraState = Record<string, number[]>;

interface CheckpointRecord {
  command: string;
  /** Epochs trained when it was saved; the model is in `folder`. */
  epoch: number;
  folder: string;
  every: number;
  settings: Record<string, string>;
  extra: ExtraState;
}

/** "bundled MNIST, 500 x 784, CRC-32 1234567": tells two data sets apart by their bytes. */
export function describeTrainingData(source: string, tensors: readonly Tensor[]): string {
  const crc = tensors.map((t) =>
    crc32(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength))
      .toString(16)
      .padStart(8, "0"),
  );
  return `${source} MNIST, ${tensors[0].shape.join(" x ")}, CRC-32 ${crc.join(" ")}`;
}

/** The checkpoint of one train command's run: what it must match, where it lives, how often it is saved. */
export class RunCheckpoint {
  readonly dir: string;
  /** Epochs between saves (0: none): --checkpoint-every, or on --resume without it the checkpoint's. */
  every: number;
  private readonly settings: Record<string, string>;

  /**
   * `options` are the command's parsed options; `data` describes the training data
   * (describeTrainingData), so a different data set under the same options is caught too.
   */
  constructor(
    readonly command: string,
    out: string,
    private readonly options: { "checkpoint-every"?: number; resume: boolean } & Record<string, unknown>,
    data: string,
    layout: CheckpointLayout = {},
  ) {
    this.dir = joinPath(out, layout.folder ?? "checkpoint");
    this.every = options["checkpoint-every"] ?? 0;
    this.settings = { command };
    const free = new Set([...FREE_OPTIONS, ...(layout.free ?? [])]);
    for (const [name, value] of Object.entries(options)) if (!free.has(name)) this.settings[`--${name}`] = value === undefined ? "(default)" : String(value);
    this.settings.data = data;
  }

  private get recordPath(): string {
    return joinPath(this.dir, "checkpoint.json");
  }

  /**
   * With --resume: the checkpoint's model (loaded by `load`) and the state kept beside it, after
   * checking the settings; else null. A fresh run with --checkpoint-every refuses to write over
   * another run's checkpoint. `optional`: with --resume and no checkpoint yet, null (a later
   * stage of the run, which the stopped run had not reached) instead of an error.
   */
  async resume<M>(load: (dir: string) => Promise<M>, optional = false): Promise<{ model: M; epoch: number; extra: ExtraState } | null> {
    const exists = await fileExists(this.recordPath);
    if (!this.options.resume) {
      if (exists && this.every > 0) {
        throw new UsageError(`${this.dir} holds a checkpoint already; add --resume to continue it, or remove that folder to start over`);
      }
      return null;
    }
    if (!exists && optional) return null;
    if (!exists) throw new UsageError(`--resume: no checkpoint to continue in ${this.dir} (${this.recordPath} not found); write one with --checkpoint-every N`);
    const record = JSON.parse(await readFileText(this.recordPath)) as CheckpointRecord;
    this.checkSettings(record.settings);
    if (this.options["checkpoint-every"] === undefined) this.every = record.every;
    const model = await load(joinPath(this.dir, record.folder));
    noteCheckpoint(this.describe(record.epoch));
    console.log(`resuming ${this.dir} after epoch ${record.epoch}`);
    return { model, epoch: record.epoch, extra: record.extra };
  }

  private checkSettings(saved: Record<string, string>): void {
    const names = new Set([...Object.keys(saved), ...Object.keys(this.settings)]);
    const differ = [...names]
      .filter((n) => saved[n] !== this.settings[n])
      .map((n) => `${n} ${this.settings[n] ?? "(none)"} (checkpoint: ${saved[n] ?? "(none)"})`);
    if (differ.length > 0) {
      throw new UsageError(
        `--resume: the checkpoint in ${this.dir} was trained with other settings: ${differ.join("; ")}; give the checkpoint's settings, or leave out --resume and remove ${this.dir} to start over`,
      );
    }
  }

  private describe(epoch: number): string {
    return `${this.dir} (after epoch ${epoch}; continue with --resume)`;
  }

  /**
   * The callbacks of the run: the saver when checkpoints are on, and in every case the hook
   * that lets SIGINT/SIGTERM stop training between batches. `extra` gives the state kept
   * outside the model at the moment of each save.
   */
  callbacks(extra: () => ExtraState = () => ({})): Callback[] {
    if (this.every === 0) return [interruptible()];
    let model: TrainableModel | null = null;
    const saver: Callback = {
      setModel: (m) => {
        model = m;
      },
      onEpochEnd: async (epoch) => {
        const trained = epoch + 1;
        if (model?.save === undefined || trained % this.every !== 0) return;
        const folder = `epoch-${trained}`;
        await model.save(joinPath(this.dir, folder));
        const record: CheckpointRecord = { command: this.command, epoch: trained, folder, every: this.every, settings: this.settings, extra: extra() };
        await writeFileAtomic(this.recordPath, `${JSON.stringify(record, null, 2)}\n`);
        noteCheckpoint(this.describe(trained));
        await this.removeFoldersBut(folder);
      },
    };
    // the saver first: a signal during its save is handled after the save is whole
    return [saver, interruptible()];
  }

  /** Older epoch folders, and any a killed process left half written. */
  private async removeFoldersBut(keep: string): Promise<void> {
    for (const name of await readdir(this.dir)) {
      if (name.startsWith("epoch-") && name !== keep) await rm(joinPath(this.dir, name), { recursive: true, force: true });
    }
  }
}

/**
 * The epoch options of a Sequential's fit that trains it to `total` epochs: a new model from
 * the seed, a resumed one from its epoch count with no seed (so fit continues the saved
 * shuffling, transform and dropout streams).
 */
export function epochsToRun(
  model: Pick<Sequential, "epochsTrained">,
  total: number,
  seed: number | undefined,
): { epochs: number; initialEpoch?: number; seed?: number } {
  const trained = model.epochsTrained;
  return trained === 0 ? { epochs: total, seed } : { epochs: Math.max(0, total - trained), initialEpoch: trained };
}
