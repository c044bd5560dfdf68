/**
 * The one training loop. Every trainable model — Sequential, RBM, each layer of a DBN's
 * greedy pretraining, DBM, Boltzmann machine, perceptron, up-down — runs its epochs here and
 * only supplies the update for one mini-batch:
 *
 *   for epoch e = initialEpoch … initialEpoch + epochs − 1   (until a callback sets stopTraining)
 *     constants ← model.beginEpoch(e)              per-epoch constants (momentum, ε, k of CD-k)
 *     for each batch B of a fresh permutation (the model's seeded Rng)
 *       batchLogs ← model.trainStep(B, b, e)         one update; figures are means over B's rows
 *       stop with a message if a figure is not finite, or if an error figure exploded
 *     stop with a message if a weight left the sane range (divergence)
 *     epochLogs ← the row-weighted means of the batch figures and the epoch's constants;
 *     model.endEpoch(e, epochLogs)
 *
 * and the Keras callback protocol around it (onTrainBegin, onEpochBegin, onBatchEnd,
 * onEpochEnd, onTrainEnd, stopTraining), so ProgressBar, EarlyStopping, ModelCheckpoint and
 * the loggers work for every model. The loop is written once, as a generator that yields
 * whatever the callbacks return; `fitLoop` awaits those values, `fitLoopSync` runs models whose
 * fit is synchronous (perceptron, Boltzmann machine) and refuses an asynchronous callback.
 */
import { batchCount, batchIndices } from "../data/batch.js";
import type { Rng } from "../tensor/random.js";
import type { Tensor } from "../tensor/tensor.js";
import type { Callback, Logs, TrainableModel } from "./callbacks.js";

export interface History {
  /** Epoch numbers (0-based) that ran. */
  epoch: number[];
  /** Per log key ("loss", "accuracy", "val_loss", "reconstructionError", ...), one value per epoch. */
  history: Record<string, number[]>;
  /** Wall-clock seconds of each epoch (batches and endEpoch; not the callbacks). */
  seconds: number[];
}

/** What a model gives the loop: the update of one batch, and optional epoch hooks. */
export interface TrainingStep {
  /**
   * One update from the training rows `rows` (indices into the data, a view valid during the
   * call): batch `batch` (0-based) of epoch `epoch`. Returns the batch's figures as means over
   * its rows (e.g. { loss }, { reconstructionError }).
   */
  trainStep(rows: Uint32Array, batch: number, epoch: number): Logs;
  /** Before the epoch's first batch; returns figures that hold for the whole epoch (learning rate, momentum). */
  beginEpoch?(epoch: number): Logs | undefined;
  /** After the epoch's last batch, before the callbacks: may add figures (validation) or check the weights. */
  endEpoch?(epoch: number, logs: Logs): void;
}

export interface LoopOptions {
  /** Names the training in messages, e.g. "RBM.fit". */
  what: string;
  /** What callbacks act on: stopTraining, weights, save. */
  model: TrainableModel;
  step: TrainingStep;
  /** Training rows. */
  rows: number;
  epochs: number;
  /** The epoch to count from, e.g. the epochs trained before (resumed training). Default 0. */
  initialEpoch?: number;
  batchSize: number;
  /** Draw a fresh permutation each epoch from rng (default true). */
  shuffle?: boolean;
  /** The model's seeded generator for the permutations. */
  rng: Rng;
  callbacks?: readonly Callback[];
  /** Whether the epoch logs carry validation figures (for callbacks' onTrainBegin). */
  validation?: boolean;
  /** Appended to the message when a figure stops being finite or diverges, e.g. "lower learningRate (now 0.1)". */
  advice?: string;
  /** The divergence stop's thresholds, or false to train on whatever the figures do. Default on, DIVERGENCE's values. */
  divergence?: DivergenceOptions | false;
  /**
   * The figures that measure an error (loss, reconstructionError, kl), batch or epoch figures:
   * the divergence stop watches them. Default ["loss"]. Bounded figures (accuracy, errorRate) are left out.
   */
  errorFigures?: readonly string[];
  /** The model's weights by name, read by the divergence stop at each epoch's end; none when absent. */
  weights?: () => Iterable<readonly [string, Tensor]>;
}

/**
 * When training has diverged: an error figure whose moving average (over about an epoch of
 * rows) exceeds `factor` times its first non-zero value in this training, or a weight whose
 * magnitude exceeds `maxWeight` (or is not finite) at an epoch's end (docs/training.md).
 */
export interface DivergenceOptions {
  /** Default 1e3. */
  factor?: number;
  /** Default 1e4. */
  maxWeight?: number;
}

/** The defaults of the divergence stop. */
export const DIVERGENCE: Readonly<Required<DivergenceOptions>> = Object.freeze({ factor: 1e3, maxWeight: 1e4 });

function* loop(o: LoopOptions): Generator<unknown, History, void> {
  const initialEpoch = o.initialEpoch ?? 0;
  if (!Number.isInteger(o.epochs) || o.epochs < 0) throw new RangeError(`${o.what}: epochs must be an integer >= 0; got ${o.epochs}`);
  if (!Number.isInteger(o.batchSize) || o.batchSize < 1) throw new RangeError(`${o.what}: batchSize must be an integer >= 1; got ${o.batchSize}`);
  const callbacks = o.callbacks ?? [];
  const watch = divergenceWatch(o);
  const batches = batchCount(o.rows, o.batchSize);
  const history: History = { epoch: [], history: {}, seconds: [] };
  o.model.stopTraining = false;
  for (const c of callbacks) c.setModel?.(o.model);
  const info = {
    epochs: initialEpoch + o.epochs,
    initialEpoch,
    samples: o.rows,
    batchSize: o.batchSize,
    batchesPerEpoch: batches,
    validation: o.validation === true,
  };
  for (const c of callbacks) yield c.onTrainBegin?.(info);
  let logs: Logs = {};
  for (let epoch = initialEpoch; epoch < initialEpoch + o.epochs && !o.model.stopTraining; epoch++) {
    const start = performance.now();
    const constants = o.step.beginEpoch?.(epoch) ?? {};
    for (const c of callbacks) yield c.onEpochBegin?.(epoch);
    const sums: Logs = {};
    let b = 0;
    for (const rows of batchIndices(o.rows, o.batchSize, { shuffle: o.shuffle ?? true, rng: o.rng })) {
      const batchLogs = o.step.trainStep(rows, b, epoch);
      for (const [k, v] of Object.entries(batchLogs)) {
        if (!Number.isFinite(v)) throw nonFinite(o, k, v, epoch, b, batches);
        sums[k] = (sums[k] ?? 0) + v * rows.length;
      }
      watch?.batch(batchLogs, rows.length / o.rows, `epoch ${epoch + 1}, batch ${b + 1} of ${batches}`);
      for (const c of callbacks) yield c.onBatchEnd?.(b, batchLogs);
      b++;
    }
    logs = {};
    for (const [k, s] of Object.entries(sums)) logs[k] = s / o.rows;
    Object.assign(logs, constants);
    watch?.weights(`the end of epoch ${epoch + 1}`);
    o.step.endEpoch?.(epoch, logs);
    watch?.epoch(logs, `the end of epoch ${epoch + 1}`);
    history.epoch.push(epoch);
    history.seconds.push((performance.now() - start) / 1e3);
    for (const [k, v] of Object.entries(logs)) (history.history[k] ??= []).push(v);
    for (const c of callbacks) yield c.onEpochEnd?.(epoch, logs);
  }
  for (const c of callbacks) yield c.onTrainEnd?.(logs);
  return history;
}

function nonFinite(o: LoopOptions, key: string, value: number, epoch: number, batch: number, batches: number): Error {
  const advice = o.advice === undefined ? "" : `; ${o.advice}`;
  return new Error(`${o.what}: ${key} became ${value} at epoch ${epoch + 1}, batch ${batch + 1} of ${batches}; training stopped${advice}`);
}

interface DivergenceWatch {
  /** After a batch that holds `share` of the epoch's rows. */
  batch(logs: Logs, share: number, where: string): void;
  /** The figures only epochs log. */
  epoch(logs: Logs, where: string): void;
  /** The model's weights, at an epoch's end. */
  weights(where: string): void;
}

/**
 * The divergence stop of one training: throws, naming the quantity, where and the advice, once
 * a watched figure's moving average or a weight runs away. The average spans about one epoch of
 * rows (each batch moves it by its share of the epoch's rows), so one noisy small batch does not
 * stop training but an explosion does within a batch or two; it is compared with the figure's
 * first non-zero value. A figure that only epochs log (kl) is its own average. The stop only
 * reads, so a run that does not diverge trains exactly as without it. Null when switched off.
 */
function divergenceWatch(o: LoopOptions): DivergenceWatch | null {
  if (o.divergence === false) return null;
  const factor = o.divergence?.factor ?? DIVERGENCE.factor;
  const maxWeight = o.divergence?.maxWeight ?? DIVERGENCE.maxWeight;
  if (!(factor > 1)) throw new RangeError(`${o.what}: divergence.factor must be a number > 1; got ${factor}`);
  if (!(maxWeight > 0)) throw new RangeError(`${o.what}: divergence.maxWeight must be a number > 0; got ${maxWeight}`);
  const watched = o.errorFigures ?? ["loss"];
  const first = new Map<string, number>();
  const average = new Map<string, number>();
  const perBatch = new Set<string>(); // figures the batches log, watched there
  const advice = o.advice === undefined ? "" : `; ${o.advice}`;
  const stop = (what: string): Error => new Error(`${o.what}: training diverged: ${what}; training stopped${advice} (or set divergence: false to train on)`);
  const watch = (key: string, value: number, share: number, where: string): void => {
    const v = Math.abs(value);
    const ref = first.get(key);
    const before = average.get(key);
    if (ref === undefined || before === undefined) {
      if (v > 0) {
        first.set(key, v);
        average.set(key, v);
      }
      return;
    }
    const mean = before + share * (v - before);
    average.set(key, mean);
    if (mean > factor * ref)
      throw stop(
        `${key} averages ${mean.toPrecision(3)} at ${where} (this value ${v.toPrecision(3)}), over ${factor} times its first value ${ref.toPrecision(3)}`,
      );
  };
  return {
    batch(logs, share, where) {
      for (const key of watched) {
        if (!(key in logs)) continue;
        perBatch.add(key);
        watch(key, logs[key], share, where);
      }
    },
    epoch(logs, where) {
      for (const key of watched) if (key in logs && !perBatch.has(key)) watch(key, logs[key], 1, where);
    },
    weights(where) {
      for (const [name, t] of o.weights?.() ?? []) {
        const d = t.data;
        for (let i = 0; i < d.length; i++) {
          if (!(Math.abs(d[i]) <= maxWeight))
            throw stop(`weight ${name}[${i}] is ${Number.isFinite(d[i]) ? d[i].toPrecision(3) : d[i]} at ${where}, beyond ±${maxWeight}`);
        }
      }
    },
  };
}

const isThenable = (v: unknown): v is PromiseLike<unknown> => typeof (v as PromiseLike<unknown> | null)?.then === "function";

/** Runs the loop, awaiting the callbacks that return promises. */
export async function fitLoop(options: LoopOptions): Promise<History> {
  const run = loop(options);
  for (let r = run.next(); ; ) {
    if (r.done) return r.value;
    const v = r.value;
    r = run.next(isThenable(v) ? void (await v) : undefined);
  }
}

/** Runs the loop synchronously (for models whose fit returns its result directly). */
export function fitLoopSync(options: LoopOptions): History {
  const run = loop(options);
  for (let r = run.next(); ; r = run.next()) {
    if (r.done) return r.value;
    if (isThenable(r.value)) {
      throw new Error(`${options.what} runs synchronously, but a callback returned a promise; use callbacks that finish their work before returning`);
    }
  }
}

/** The epoch logs of a History, one object per epoch that ran. */
export function epochLogs(history: History): Logs[] {
  return history.epoch.map((_, i) => Object.fromEntries(Object.entries(history.history).map(([k, v]) => [k, v[i]])));
}
