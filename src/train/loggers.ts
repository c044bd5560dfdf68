/**
 * Loggers: callbacks that keep every epoch's logs in a file, one row per epoch — CSV for a
 * spreadsheet or a plot, JSON lines for a program. They work for every model that trains on
 * the shared loop (an RBM's reconstructionError, a DBM's bound, an MLP's loss and val_loss).
 * The file is rewritten whole and atomically after each epoch, so an interrupted run leaves
 * the rows up to its last finished epoch and never a half-written line.
 */
import { fileExists, readFileText, writeFileAtomic } from "../io/files.js";
import type { Callback, Logs } from "./callbacks.js";

export interface FileLoggerOptions {
  /** The file to write. */
  path: string;
  /** Keep the rows already in the file (a resumed run) instead of starting it afresh. Default false. */
  append?: boolean;
}

/** The shared part: collect one row per epoch, rewrite the file after each. */
abstract class FileLogger implements Callback {
  readonly path: string;
  private readonly append: boolean;
  /** The file's text before the first training this logger saw (kept when appending). */
  private kept: string | null = null;
  protected readonly rows: { epoch: number; logs: Logs }[] = [];

  constructor(options: FileLoggerOptions, what: string) {
    if (typeof options?.path !== "string" || options.path === "") throw new RangeError(`${what}: path must be a non-empty file name`);
    this.path = options.path;
    this.append = options.append ?? false;
  }

  /** Only the first training truncates (or keeps) the file: a DBN's layers, trained one after another, log into one file. */
  async onTrainBegin(): Promise<void> {
    if (this.kept !== null) return;
    this.kept = this.append && (await fileExists(this.path)) ? await readFileText(this.path) : "";
  }

  async onEpochEnd(epoch: number, logs: Logs): Promise<void> {
    this.rows.push({ epoch, logs: { ...logs } });
    await writeFileAtomic(this.path, this.render(this.kept ?? ""));
  }

  /** The whole file: what was kept, then this training's rows. */
  protected abstract render(kept: string): string;
}

/** Every epoch's logs as one JSON object per line: {"epoch": 0, "loss": 0.31, ...}. */
export class JsonLinesLogger extends FileLogger {
  constructor(options: FileLoggerOptions) {
    super(options, "JsonLinesLogger");
  }

  protected render(kept: string): string {
    return kept + this.rows.map((r) => `${JSON.stringify({ epoch: r.epoch, ...r.logs })}\n`).join("");
  }
}

/** Every epoch's logs as a CSV row under a header "epoch,<key>,...". The keys are those of the first epoch (plus any that appear later). */
export class CSVLogger extends FileLogger {
  constructor(options: FileLoggerOptions) {
    super(options, "CSVLogger");
  }

  protected render(kept: string): string {
    const keys = [...new Set(this.rows.flatMap((r) => Object.keys(r.logs)))];
    const header = ["epoch", ...keys].join(",");
    const lines = this.rows.map((r) => [r.epoch, ...keys.map((k) => r.logs[k] ?? "")].join(","));
    // an appended file keeps its header; a new one starts with it
    const head = kept === "" ? `${header}\n` : kept;
    return head + lines.map((l) => `${l}\n`).join("");
  }
}
