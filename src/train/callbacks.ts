/**
 * Callbacks carry everything around the training loop (progress, early stopping,
 * checkpoints), so the loop itself stays short. Logs hold "loss", each metric, and with
 * validation "val_loss" and "val_<metric>".
 */
import { formatShape, ShapeError, shapesEqual } from "../tensor/shape.js";
import type { Tensor } from "../tensor/tensor.js";

export type Logs = Record<string, number>;

/** What a callback may touch of the model being trained. */
export interface TrainableModel {
  /** Set to true to end fit after the current epoch. */
  stopTraining: boolean;
  /** Copies of every param value, in params() order. */
  getWeights(): Tensor[];
  setWeights(weights: readonly Tensor[]): void;
  /** Writes the model (and its training state) to a folder; ModelCheckpoint needs it. */
  save?(dir: string): Promise<void>;
}

/**
 * A fit's `callbacks` option as a list: an array of Keras-style callbacks as it is, or one
 * object in a model's own earlier callback shape, wrapped by `adapt` so it keeps working.
 */
export function callbackList<Legacy extends object>(given: readonly Callback[] | Legacy | undefined, adapt: (legacy: Legacy) => Callback): Callback[] {
  if (given === undefined) return [];
  return Array.isArray(given) ? [...given] : [adapt(given as Legacy)];
}

/** Copies `weights` into `targets` after checking their count and shapes (a model's setWeights). */
export function setTensors(what: string, targets: readonly Tensor[], weights: readonly Tensor[]): void {
  if (weights.length !== targets.length) throw new RangeError(`${what}: got ${weights.length} tensors for ${targets.length}`);
  targets.forEach((t, i) => {
    if (!shapesEqual(t.shape, weights[i].shape))
      throw new ShapeError(`${what}: tensor ${i} has shape ${formatShape(weights[i].shape)} but needs ${formatShape(t.shape)}`);
    t.assign(weights[i]);
  });
}

export interface TrainBeginInfo {
  epochs: number;
  /** The epoch fit starts at (0 unless initialEpoch was given). */
  initialEpoch: number;
  samples: number;
  batchSize: number;
  batchesPerEpoch: number;
  validation: boolean;
}

export interface Callback {
  /** Called once before onTrainBegin with the model being trained. */
  setModel?(model: TrainableModel): void;
  onTrainBegin?(info: TrainBeginInfo): void | Promise<void>;
  onEpochBegin?(epoch: number): void | Promise<void>;
  /** After each batch, with that batch's loss and metrics (no validation). */
  onBatchEnd?(batch: number, logs: Logs): void | Promise<void>;
  /** After each epoch with the epoch's mean loss and metrics and the validation figures. */
  onEpochEnd?(epoch: number, logs: Logs): void | Promise<void>;
  onTrainEnd?(logs: Logs): void | Promise<void>;
}

export type MonitorMode = "min" | "max" | "auto";

/** "auto" watches accuracies upwards and everything else (losses) downwards. */
function resolveMode(mode: MonitorMode, monitor: string): "min" | "max" {
  if (mode !== "auto") return mode;
  return /acc/.test(monitor) ? "max" : "min";
}

function assertMode(mode: string, where: string): MonitorMode {
  if (mode !== "min" && mode !== "max" && mode !== "auto") throw new RangeError(`${where}: mode must be one of min, max, auto; got ${JSON.stringify(mode)}`);
  return mode;
}

function monitored(logs: Logs, monitor: string, where: string): number {
  const v = logs[monitor];
  if (v === undefined) {
    throw new Error(
      `${where}: monitor "${monitor}" is not in the epoch logs (have: ${Object.keys(logs).join(", ")}); monitor one of those (validation figures such as "val_loss" need validationData or validationSplit in fit)`,
    );
  }
  return v;
}

/** Tracks the best value of a monitored figure. */
class Best {
  value: number;
  constructor(
    readonly mode: "min" | "max",
    readonly minDelta: number,
  ) {
    this.value = mode === "min" ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
  }
  improves(v: number): boolean {
    return this.mode === "min" ? v < this.value - this.minDelta : v > this.value + this.minDelta;
  }
}

export interface EarlyStoppingOptions {
  /** Default "val_loss". */
  monitor?: string;
  /** Epochs without improvement before stopping (default 0). */
  patience?: number;
  /** Smallest change that counts as improvement (default 0). */
  minDelta?: number;
  mode?: MonitorMode;
  /** At the end of training, put back the weights of the best epoch (default false). */
  restoreBestWeights?: boolean;
}

/** Stops training when the monitored figure has not improved for `patience` epochs. */
export class EarlyStopping implements Callback {
  readonly monitor: string;
  readonly patience: number;
  readonly restoreBestWeights: boolean;
  /** The epoch training stopped after (0-based), or null if it ran to the end. */
  stoppedEpoch: number | null = null;
  bestEpoch = -1;
  private readonly mode: "min" | "max";
  private readonly minDelta: number;
  private best: Best;
  private wait = 0;
  private bestWeights: Tensor[] | null = null;
  private model: TrainableModel | null = null;
  private lastEpoch = -1;

  constructor(options: EarlyStoppingOptions = {}) {
    this.monitor = options.monitor ?? "val_loss";
    this.patience = options.patience ?? 0;
    if (!Number.isInteger(this.patience) || this.patience < 0) throw new RangeError(`EarlyStopping: patience must be an integer >= 0; got ${this.patience}`);
    this.minDelta = Math.abs(options.minDelta ?? 0);
    this.mode = resolveMode(assertMode(options.mode ?? "auto", "EarlyStopping"), this.monitor);
    this.restoreBestWeights = options.restoreBestWeights ?? false;
    this.best = new Best(this.mode, this.minDelta);
  }

  setModel(model: TrainableModel): void {
    this.model = model;
  }

  onTrainBegin(): void {
    this.best = new Best(this.mode, this.minDelta);
    this.wait = 0;
    this.stoppedEpoch = null;
    this.bestEpoch = -1;
    this.bestWeights = null;
  }

  onEpochEnd(epoch: number, logs: Logs): void {
    const v = monitored(logs, this.monitor, "EarlyStopping");
    this.lastEpoch = epoch;
    if (this.best.improves(v)) {
      this.best.value = v;
      this.bestEpoch = epoch;
      this.wait = 0;
      if (this.restoreBestWeights && this.model !== null) this.snapshot(this.model);
      return;
    }
    this.wait++;
    if (this.wait > this.patience && this.model !== null) {
      this.model.stopTraining = true;
      this.stoppedEpoch = epoch;
    }
  }

  onTrainEnd(): void {
    if (this.restoreBestWeights && this.bestWeights !== null && this.model !== null && this.bestEpoch !== this.lastEpoch) {
      this.model.setWeights(this.bestWeights);
    }
  }

  private snapshot(model: TrainableModel): void {
    const current = model.getWeights();
    if (this.bestWeights === null || this.bestWeights.length !== current.length) {
      this.bestWeights = current;
      return;
    }
    for (let i = 0; i < current.length; i++) this.bestWeights[i].assign(current[i]);
  }
}

export interface ModelCheckpointOptions {
  /** Folder the model is saved to (model.json + model.safetensors), overwritten atomically. */
  dir: string;
  /** Default "val_loss" (used with saveBestOnly). */
  monitor?: string;
  /** Save only when the monitored figure improves (default false: every epoch). */
  saveBestOnly?: boolean;
  mode?: MonitorMode;
}

/** Saves the model at the end of epochs (every epoch, or only the best ones). */
export class ModelCheckpoint implements Callback {
  readonly dir: string;
  readonly monitor: string;
  readonly saveBestOnly: boolean;
  /** Epochs (0-based) after which the model was saved. */
  readonly savedEpochs: number[] = [];
  private best: Best;
  private model: TrainableModel | null = null;

  constructor(options: ModelCheckpointOptions) {
    if (typeof options?.dir !== "string" || options.dir === "") throw new RangeError("ModelCheckpoint: dir must be a non-empty path");
    this.dir = options.dir;
    this.monitor = options.monitor ?? "val_loss";
    this.saveBestOnly = options.saveBestOnly ?? false;
    this.best = new Best(resolveMode(assertMode(options.mode ?? "auto", "ModelCheckpoint"), this.monitor), 0);
  }

  setModel(model: TrainableModel): void {
    this.model = model;
  }

  /** Each training starts its own best (a DBN's layers train one after another, each with its own error scale). */
  onTrainBegin(): void {
    this.best = new Best(this.best.mode, 0);
  }

  async onEpochEnd(epoch: number, logs: Logs): Promise<void> {
    if (this.model === null) return;
    if (this.saveBestOnly) {
      const v = monitored(logs, this.monitor, "ModelCheckpoint");
      if (!this.best.improves(v)) return;
      this.best.value = v;
    }
    if (this.model.save === undefined) throw new Error("ModelCheckpoint: this model has no save method");
    await this.model.save(this.dir);
    this.savedEpochs.push(epoch);
  }
}

/** A callback from plain functions, e.g. new LambdaCallback({ onEpochEnd: (e, logs) => ... }). */
export class LambdaCallback implements Callback {
  constructor(hooks: Omit<Callback, "setModel">) {
    Object.assign(this, hooks);
  }
}
