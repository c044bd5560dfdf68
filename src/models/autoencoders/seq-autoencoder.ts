/**
 * LSTM encoder-decoder for sequences: the lectures' "autoencoder combined with LSTM, for
 * encoding and decoding sequences" (Sutskever, Vinyals & Le 2014; Srivastava, Mansimov &
 * Salakhutdinov 2015). For a string x_1 … x_L over K symbols (one-hot):
 *   encoder  an LSTM reads x_1 … x_L; its final state (h_L, c_L) is the code
 *   decoder  an LSTM started from (h_0, c_0) = (h_L, c_L) reads GO, y_1, …, y_{L−1} (teacher
 *            forcing: the true previous symbol) and at step t a softmax over the K symbols,
 *            p(y_t | y_<t, x) = softmax(h_t V + b_V), predicts y_t
 *   target   y = x ("copy") or y_t = x_{L+1−t} ("reverse")
 *   loss     J = −1/R Σ log p(y_t | y_<t, x) over the R real steps of the batch
 * Backward: the decoder's BPTT ends in dJ/dh_0, dJ/dc_0 (its initialStateGrads), which is the
 * gradient arriving at the encoder's final state (setFinalStateGrads): the only way the encoder
 * learns. Variable lengths come padded at the end with a mask: the encoder carries its state
 * over the padding (so the code is the state at the real end) and the decoder's padded steps
 * are left out of J. Greedy decoding (reconstruct) feeds back the decoder's own most probable
 * symbol, one step at a time, for as many steps as the sequence is long (the length is given,
 * not predicted: there is no end symbol). Training runs in the one loop (fitLoop), Adam by default.
 */

import { gatherRows } from "../../data/batch.js";
import { registerModel, type SavedModel, type SavedModelReader, saveModel } from "../../io/model.js";
import { Dense } from "../../nn/dense.js";
import type { Layer, Param } from "../../nn/layer.js";
import { Loss } from "../../nn/losses.js";
import { LSTM } from "../../nn/lstm.js";
import * as ops from "../../ops/index.js";
import { Adam } from "../../optim/adam.js";
import type { Optimizer, OptimizerConfig } from "../../optim/optimizer.js";
import { optimizerOfSaved, optimizerState, paramAndSlotTensors, restoreOptimizer } from "../../optim/saved.js";
import { Rng } from "../../tensor/random.js";
import { formatShape, ShapeError } from "../../tensor/shape.js";
import { type Tensor, zeros } from "../../tensor/tensor.js";
import { type Callback, setTensors, type TrainableModel } from "../../train/callbacks.js";
import { type DivergenceOptions, fitLoop, type History } from "../../train/loop.js";

export const SEQUENCE_TASKS = ["copy", "reverse"] as const;
export type SequenceTask = (typeof SEQUENCE_TASKS)[number];

export interface SeqAutoencoderOptions {
  /** K: the alphabet is 0 … K − 1 (at least 2). */
  symbols: number;
  /** Units of the encoder LSTM: the size of the code (h, c). Default 64. */
  units?: number;
  /** Units of the decoder LSTM: it starts from the encoder's state, so it must equal units (the default). */
  decoderUnits?: number;
  /** What the decoder outputs: the sequence ("copy", default) or the sequence reversed ("reverse"). */
  task?: SequenceTask;
  /** Default Adam with learning rate 1e-3 and clipNorm 1 (BPTT through two LSTMs). */
  optimizer?: Optimizer;
  /** Seeds initialisation and shuffling. Default 0. */
  seed?: number;
}

type ResolvedOptions = Required<Omit<SeqAutoencoderOptions, "optimizer" | "decoderUnits">>;

export interface SeqAutoencoderFitOptions {
  /** Default 1. */
  epochs?: number;
  /** Default 64. */
  batchSize?: number;
  shuffle?: boolean;
  callbacks?: Callback[];
  divergence?: DivergenceOptions | false;
}

/** Per-symbol and whole-sequence accuracy of greedy reconstructions. */
export interface SequenceAccuracy {
  /** Share of the real steps whose symbol came out right. */
  symbols: number;
  /** Share of the sequences that came out right at every step. */
  sequences: number;
}

function resolve(o: SeqAutoencoderOptions): ResolvedOptions {
  if (o === null || typeof o !== "object") throw new TypeError("SeqAutoencoder: options must be an object ({ symbols, units, task, ... })");
  const integer = (value: unknown, option: string, min: number, max: number): number => {
    if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max)
      throw new RangeError(`SeqAutoencoder: ${option} must be an integer in [${min}, ${max}]; got ${JSON.stringify(value)}`);
    return value;
  };
  const symbols = integer(o.symbols, "symbols", 2, 65536);
  const units = integer(o.units ?? 64, "units", 1, 65536);
  const decoderUnits = integer(o.decoderUnits ?? units, "decoderUnits", 1, 65536);
  if (decoderUnits !== units)
    throw new RangeError(
      `SeqAutoencoder: decoderUnits (${decoderUnits}) must equal units (${units}): the decoder LSTM starts from the encoder's final state (h, c) of ${units} units each`,
    );
  const task = o.task ?? "copy";
  if (!(SEQUENCE_TASKS as readonly string[]).includes(task))
    throw new RangeError(`SeqAutoencoder: task must be one of ${SEQUENCE_TASKS.join(", ")}; got ${JSON.stringify(task)}`);
  const seed = o.seed ?? 0;
  if (!Number.isFinite(seed)) throw new RangeError(`SeqAutoencoder: seed must be a finite number; got ${seed}`);
  return { symbols, units, task, seed };
}

export class SeqAutoencoder implements TrainableModel {
  readonly options: Readonly<ResolvedOptions>;
  readonly optimizer: Optimizer;
  /** Reads the one-hot symbols; its final state is the code. */
  readonly encoder: LSTM;
  /** Reads GO and the previous symbols (K + 1 one-hot inputs), started from the code. */
  readonly decoder: LSTM;
  /** V, b_V: the decoder's h_t → the logits of the K symbols. */
  readonly output: Dense;
  epochsTrained = 0;
  stopTraining = false;
  private readonly rng: Rng;
  private readonly named: [string, Param][];
  private readonly loss = new Loss("categoricalCrossentropy");
  private readonly buffers = new Map<string, Tensor>();

  constructor(options: SeqAutoencoderOptions) {
    const o = resolve(options);
    this.options = o;
    this.optimizer = options.optimizer ?? new Adam({ learningRate: 1e-3, clipNorm: 1 });
    this.rng = new Rng(o.seed);
    this.encoder = new LSTM(o.units, { name: "encoder" });
    this.encoder.build([1, o.symbols], this.rng);
    this.decoder = new LSTM(o.units, { returnSequences: true, name: "decoder" });
    this.decoder.build([1, o.symbols + 1], this.rng);
    this.output = new Dense(o.symbols, { name: "output" });
    this.output.build([o.units], this.rng);
    const layers: Layer[] = [this.encoder, this.decoder, this.output];
    this.named = layers.flatMap((l) => l.params().map((p): [string, Param] => [`${l.name}.${p.name}`, p]));
  }

  /** K. */
  get symbols(): number {
    return this.options.symbols;
  }

  /** GO, the decoder's first input: the extra (K + 1)-th one-hot position. */
  private get go(): number {
    return this.options.symbols;
  }

  /** Every param, in the order encoder, decoder, output. */
  params(): Param[] {
    return this.named.map(([, p]) => p);
  }

  /** Every param with its name as saved, "<layer>.<param>" (e.g. "encoder.kernel"). */
  namedParams(): [string, Param][] {
    return [...this.named];
  }

  /** What the decoder must output for ids [n, T] under mask: the ids themselves or each real part reversed (0 in the padding). */
  targets(ids: Tensor, mask: Tensor | null = null): Tensor {
    const m = this.checkBatch(ids, mask, "targets");
    if (this.options.task === "copy") return ids;
    const [n, T] = ids.shape;
    const y = zeros([n, T]);
    for (let b = 0; b < n; b++) {
      const L = realLength(m, b, T);
      for (let t = 0; t < L; t++) y.data[b * T + t] = ids.data[b * T + L - 1 - t];
    }
    return y;
  }

  /** The code: the encoder's final state [h, c], each [n, units], for ids [n, T] under mask (copies). */
  encode(ids: Tensor, mask: Tensor | null = null): Tensor[] {
    const m = this.checkBatch(ids, mask, "encode");
    this.encodeBatch(ids, m, false);
    return this.encoder.finalStates().map((s) => s.clone());
  }

  /** J on ids [n, T] under mask (1 real step, 0 padding; null: all real), teacher-forced. */
  sequenceLoss(ids: Tensor, mask: Tensor | null = null): number {
    const m = this.checkBatch(ids, mask, "sequenceLoss");
    return this.forwardLoss(ids, m, false).loss;
  }

  /** J on ids [n, T] under mask, with dJ/dθ left in every param's grad (zeroed first). */
  gradients(ids: Tensor, mask: Tensor | null = null): number {
    const m = this.checkBatch(ids, mask, "gradients");
    for (const p of this.params()) p.grad.data.fill(0);
    const { loss, rows } = this.forwardLoss(ids, m, true);
    this.backward(ids.shape[0], ids.shape[1], rows);
    return loss;
  }

  /** One step of the optimiser on a batch; returns its J. */
  trainBatch(ids: Tensor, mask: Tensor | null = null): number {
    const loss = this.gradients(ids, mask);
    this.optimizer.step(this.params());
    return loss;
  }

  /** Trains on ids [n, T] (with their mask for variable lengths) in the one training loop; J logged as "loss". */
  async fit(ids: Tensor, mask: Tensor | null = null, options: SeqAutoencoderFitOptions = {}): Promise<History> {
    const m = this.checkBatch(ids, mask, "fit");
    const batchSize = options.batchSize ?? 64;
    return fitLoop({
      what: "SeqAutoencoder.fit",
      model: this,
      step: {
        beginEpoch: (epoch) => {
          this.optimizer.setEpoch(epoch);
          return { learningRate: this.optimizer.learningRate };
        },
        trainStep: (rows) => {
          const T = ids.shape[1];
          const idsBatch = gatherRows(ids, rows, this.scratch("ids", [rows.length, T]));
          return { loss: this.trainBatch(idsBatch, gatherRows(m, rows, this.scratch("mask", [rows.length, T]))) };
        },
        endEpoch: () => {
          this.epochsTrained++;
        },
      },
      rows: ids.shape[0],
      epochs: options.epochs ?? 1,
      initialEpoch: this.epochsTrained,
      batchSize,
      shuffle: options.shuffle ?? true,
      rng: this.rng,
      callbacks: options.callbacks,
      advice: `lower the learning rate (now ${this.optimizer.learningRate})`,
      divergence: options.divergence,
      weights: () => this.named.map(([name, p]): [string, Tensor] => [name, p.value]),
    });
  }

  /**
   * Greedy decoding: the code of each sequence, then the decoder one step at a time from GO,
   * each step fed the symbol it chose before. Returns the ids [n, T] it outputs (0 in the padding).
   */
  reconstruct(ids: Tensor, mask: Tensor | null = null, batchSize = 256): Tensor {
    const m = this.checkBatch(ids, mask, "reconstruct");
    const [n, T] = ids.shape;
    const out = zeros([n, T]);
    for (let start = 0; start < n; start += batchSize) {
      const rows = Uint32Array.from({ length: Math.min(batchSize, n - start) }, (_, i) => start + i);
      const guess = this.decodeGreedy(gatherRows(ids, rows), gatherRows(m, rows));
      out.data.set(guess.data, start * T);
    }
    return out;
  }

  /** Per-symbol and whole-sequence accuracy of reconstruct against the task's targets. */
  accuracy(ids: Tensor, mask: Tensor | null = null): SequenceAccuracy {
    const m = this.checkBatch(ids, mask, "accuracy");
    const [n, T] = ids.shape;
    const y = this.targets(ids, m);
    const guess = this.reconstruct(ids, m);
    let right = 0;
    let real = 0;
    let whole = 0;
    for (let b = 0; b < n; b++) {
      let allRight = true;
      for (let t = 0; t < T; t++) {
        if (m.data[b * T + t] === 0) continue;
        real++;
        if (guess.data[b * T + t] === y.data[b * T + t]) right++;
        else allRight = false;
      }
      if (allRight) whole++;
    }
    return { symbols: right / Math.max(1, real), sequences: whole / n };
  }

  getWeights(): Tensor[] {
    return this.params().map((p) => p.value.clone());
  }

  setWeights(weights: readonly Tensor[]): void {
    setTensors(
      "SeqAutoencoder.setWeights",
      this.params().map((p) => p.value),
      weights,
    );
  }

  /** Writes model.json + model.safetensors: options, optimiser, counters, every param, the optimiser's slots. */
  async save(dir: string, training?: Record<string, unknown>): Promise<void> {
    await saveModel(this, dir, training);
  }

  toSaved(): SavedModel {
    return {
      className: "SeqAutoencoder",
      config: { ...this.options, optimizer: this.optimizer.config() },
      state: { epochsTrained: this.epochsTrained, rng: [...this.rng.state], ...optimizerState(this.optimizer) },
      tensors: paramAndSlotTensors(this.named, this.optimizer),
    };
  }

  static fromSaved(saved: SavedModelReader): SeqAutoencoder {
    const { optimizer, ...options } = saved.config as unknown as SeqAutoencoderOptions & { optimizer?: OptimizerConfig };
    const model = new SeqAutoencoder({ ...options, optimizer: optimizerOfSaved(saved, optimizer, "config.optimizer") });
    for (const [name, p] of model.named) saved.into(name, p.value);
    model.epochsTrained = saved.count("epochsTrained");
    const rng = saved.rngState("rng");
    if (rng !== undefined) model.rng.state.set(rng);
    restoreOptimizer(saved, model.optimizer, model.named);
    return model;
  }

  // ---- the passes ---------------------------------------------------------------------

  /** The encoder over one-hot ids under mask; its final state is then the code. */
  private encodeBatch(ids: Tensor, mask: Tensor, training: boolean): void {
    const [n, T] = ids.shape;
    this.encoder.setMask(mask);
    this.encoder.forward(oneHot(ids, mask, this.symbols, this.scratch("x", [n, T, this.symbols])), training);
  }

  /**
   * Teacher-forced forward: code, decoder from it over GO, y_1 … y_{T−1}, and the softmax at the
   * real steps only (their rows b·T + t of the decoder's output); J against the targets there.
   */
  private forwardLoss(ids: Tensor, mask: Tensor, training: boolean): { loss: number; rows: Uint32Array } {
    const [n, T] = ids.shape;
    const K = this.symbols;
    this.encodeBatch(ids, mask, training);
    const y = this.targets(ids, mask);
    this.decoder.setInitialState(this.encoder.finalStates());
    this.decoder.setMask(mask);
    const h = this.decoder.forward(this.teacherInputs(y, mask), training);
    const rows = realRows(mask);
    const hReal = gatherRows(h.reshape([n * T, this.options.units]), rows, this.scratch("hReal", [rows.length, this.options.units]));
    const z = this.output.forward(hReal, training);
    const p = ops.softmax(z, this.scratch("p", [rows.length, K]));
    const target = oneHot(gatherRows(y.reshape([n * T, 1]), rows, this.scratch("yReal", [rows.length, 1])), null, K, this.scratch("t", [rows.length, K]));
    const loss = this.loss.value(p, target, z);
    if (training) this.loss.gradient(p, target, this.scratch("dz", [rows.length, K]), true);
    return { loss, rows };
  }

  /** dJ/dz (left by forwardLoss) back through V, the decoder (BPTT), the state hand-off and the encoder (BPTT). */
  private backward(n: number, T: number, rows: Uint32Array): void {
    const u = this.options.units;
    const dhReal = this.output.backward(this.scratch("dz", [rows.length, this.symbols]));
    const dh = this.scratch("dh", [n * T, u]);
    dh.data.fill(0); // padded steps are not in J
    for (let i = 0; i < rows.length; i++) dh.data.set(dhReal.data.subarray(i * u, (i + 1) * u), rows[i] * u);
    this.decoder.backward(dh.reshape([n, T, u]), false);
    // the decoder's dJ/d(h_0, c_0) is the gradient at the encoder's final state
    this.encoder.setFinalStateGrads(this.decoder.initialStateGrads());
    const noOutputGrad = this.scratch("dhEncoder", [n, u]);
    noOutputGrad.data.fill(0); // the encoder's h_L reaches J only through the hand-off above
    this.encoder.backward(noOutputGrad, false);
    this.encoder.setFinalStateGrads(null);
  }

  /** The decoder's inputs under teacher forcing: GO at step 1, the true y_{t−1} after, one-hot [n, T, K + 1]. */
  private teacherInputs(y: Tensor, mask: Tensor): Tensor {
    const [n, T] = y.shape;
    const K1 = this.symbols + 1;
    const x = this.scratch("decoderInputs", [n, T, K1]);
    x.data.fill(0);
    for (let b = 0; b < n; b++) {
      for (let t = 0; t < T && mask.data[b * T + t] !== 0; t++) x.data[(b * T + t) * K1 + (t === 0 ? this.go : y.data[b * T + t - 1])] = 1;
    }
    return x;
  }

  /** Greedy decoding of one batch (see reconstruct). */
  private decodeGreedy(ids: Tensor, mask: Tensor): Tensor {
    const [n, T] = ids.shape;
    const K1 = this.symbols + 1;
    this.encodeBatch(ids, mask, false);
    let state = this.encoder.finalStates().map((s) => s.clone());
    const out = zeros([n, T]);
    const input = zeros([n, 1, K1]);
    let previous: Int32Array = new Int32Array(n).fill(this.go);
    this.decoder.setMask(null);
    for (let t = 0; t < T; t++) {
      input.data.fill(0);
      for (let b = 0; b < n; b++) input.data[b * K1 + previous[b]] = 1;
      this.decoder.setInitialState(state);
      const h = this.decoder.forward(input, false);
      state = this.decoder.finalStates().map((s) => s.clone());
      previous = ops.argmax(this.output.forward(h.reshape([n, this.options.units]), false));
      for (let b = 0; b < n; b++) if (mask.data[b * T + t] !== 0) out.data[b * T + t] = previous[b];
    }
    return out;
  }

  /** A scratch tensor by name and shape, reused while the shape stays (one per batch size in practice). */
  private scratch(name: string, shape: readonly number[]): Tensor {
    const key = `${name}:${shape.join("x")}`;
    let t = this.buffers.get(key);
    if (t === undefined) {
      t = zeros(shape);
      this.buffers.set(key, t);
    }
    return t;
  }

  /** ids [n, T] of symbols in 0 … K − 1 at the real steps; mask [n, T] of 0/1 with the padding at the end (null: all real). */
  private checkBatch(ids: Tensor, mask: Tensor | null, what: string): Tensor {
    const where = `SeqAutoencoder.${what}`;
    if (ids.rank !== 2 || ids.shape[0] < 1 || ids.shape[1] < 1)
      throw new ShapeError(`${where}: ids must be [sequences, steps] of symbol ids; got ${formatShape(ids.shape)}`);
    const [n, T] = ids.shape;
    if (mask !== null && (mask.rank !== 2 || mask.shape[0] !== n || mask.shape[1] !== T))
      throw new ShapeError(`${where}: the mask must be [sequences, steps] = ${formatShape([n, T])} like ids; got ${formatShape(mask.shape)}`);
    const m = mask ?? allReal(n, T);
    for (let b = 0; b < n; b++) {
      for (let t = 0; t < T; t++) {
        const keep = m.data[b * T + t];
        if (keep !== 0 && keep !== 1) throw new RangeError(`${where}: the mask must hold 0 (padding) or 1 (real step); got ${keep} at [${b}, ${t}]`);
        if (keep === 1 && t > 0 && m.data[b * T + t - 1] === 0)
          throw new RangeError(`${where}: sequence ${b} has a real step at ${t} after padding; pad at the end only`);
        const id = ids.data[b * T + t];
        if (keep === 1 && !(Number.isInteger(id) && id >= 0 && id < this.symbols))
          throw new RangeError(`${where}: symbol ids must be integers in [0, ${this.symbols - 1}] (symbols = ${this.symbols}); got ${id} at [${b}, ${t}]`);
      }
      if (m.data[b * T] === 0) throw new RangeError(`${where}: sequence ${b} is empty (its mask is 0 at step 0); every sequence needs at least one symbol`);
    }
    return m;
  }
}

/** A mask [n, T] of ones. */
function allReal(n: number, T: number): Tensor {
  const m = zeros([n, T]);
  m.data.fill(1);
  return m;
}

/** The length of row b's real part (its mask's ones come first). */
function realLength(mask: Tensor, b: number, T: number): number {
  let L = 0;
  while (L < T && mask.data[b * T + L] !== 0) L++;
  return L;
}

/** Indices b·T + t of the real steps, in order. */
function realRows(mask: Tensor): Uint32Array {
  let count = 0;
  for (let i = 0; i < mask.size; i++) if (mask.data[i] !== 0) count++;
  const rows = new Uint32Array(count);
  for (let i = 0, k = 0; i < mask.size; i++) if (mask.data[i] !== 0) rows[k++] = i;
  return rows;
}

/** out [..., K]: the one-hot rows of ids [...] (all zero where the mask, if given, is 0). */
function oneHot(ids: Tensor, mask: Tensor | null, K: number, out: Tensor): Tensor {
  out.data.fill(0);
  for (let i = 0; i < ids.size; i++) if (mask === null || mask.data[i] !== 0) out.data[i * K + ids.data[i]] = 1;
  return out;
}

registerModel("SeqAutoencoder", SeqAutoencoder.fromSaved);
