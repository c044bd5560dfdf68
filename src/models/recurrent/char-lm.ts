/**
 * A character-level language model (Karpathy's char-rnn; Graves 2013): a text's characters
 * become ids, and the net
 *   Embedding(V, e) → LSTM(u, stateful) × L → TimeDistributed(Dense(V, softmax))
 * reads c_1 … c_T and outputs at every step p(c_{t+1} | c_1 … c_t), trained on the
 * cross-entropy −Σ_t log p(c_{t+1} | …), reported as bits per character (its mean in log₂).
 *
 * Training is truncated BPTT over contiguous chunks (k₁ = k₂ = T = `steps`): the text is cut
 * into B streams (B = batchSize), one per batch row, and batch c holds chunk c of every stream,
 * so the LSTMs, being stateful, start each chunk in the state the previous chunk ended in.
 * Gradients stop at the chunk boundary but the state does not: the model conditions on the
 * whole stream so far, and every character is a target exactly once per epoch. The price is
 * no shuffling (the batches must come in order); the states are reset at each epoch's start.
 * Fixed independent windows would shuffle but start every window from a zero state, so the
 * first characters of each window are predicted without context, at training and at test.
 *
 * The one-hot targets of the whole text would not fit in memory ([chars, V] floats), so each
 * batch's targets are made as it comes, and the batches run through the shared loop (fitLoop)
 * with Sequential.trainOnBatch. Sampling runs the same weights in a net of one step.
 */
import { CharVocabulary } from "../../data/text.js";
import { registerModel, type SavedModel, type SavedModelReader, saveModel } from "../../io/model.js";
import { Dense } from "../../nn/dense.js";
import { Embedding } from "../../nn/embedding.js";
import type { Layer } from "../../nn/layer.js";
import { LSTM } from "../../nn/lstm.js";
import { Recurrent } from "../../nn/recurrent.js";
import { layerFromConfig } from "../../nn/registry.js";
import { TimeDistributed } from "../../nn/time-distributed.js";
import { Adam } from "../../optim/adam.js";
import type { Optimizer } from "../../optim/optimizer.js";
import { Rng } from "../../tensor/random.js";
import { formatShape, ShapeError } from "../../tensor/shape.js";
import { type Tensor, zeros } from "../../tensor/tensor.js";
import type { Callback, TrainableModel } from "../../train/callbacks.js";
import { fitLoop, type History } from "../../train/loop.js";
import { Sequential } from "../../train/sequential.js";

export interface CharLMOptions {
  /** The characters, in id order (CharVocabulary.of(text).chars). */
  vocabulary: readonly string[];
  /** LSTM units per layer. Default 128. */
  units?: number;
  /** Stacked LSTM layers. Default 2. */
  layers?: number;
  /** Embedding size e. Default 32. */
  embedding?: number;
  /** T: characters per chunk, the BPTT truncation. Default 100. */
  steps?: number;
  /** Default Adam, learning rate 0.002, clipNorm 5. */
  optimizer?: Optimizer;
  /** Seeds the initialisation. Default 0. */
  seed?: number;
}

/** The options as saved in model.json (all but the optimiser, which the compiled model keeps). */
interface ResolvedOptions {
  vocabulary: string[];
  units: number;
  layers: number;
  embedding: number;
  steps: number;
  seed: number;
}

export interface CharLMFitOptions {
  /** Default 1. */
  epochs?: number;
  /** B: parallel streams of the text, one per batch row. Default 32. */
  batchSize?: number;
  /** A held-out text whose bits per character are logged after every epoch (val_bitsPerChar). */
  validationText?: string;
  callbacks?: Callback[];
}

export interface SampleOptions {
  /** Characters to generate. */
  length: number;
  /** τ > 0: p_i ∝ p_i^{1/τ}; below 1 sharper (more likely, more repetitive), above 1 flatter. Default 1. */
  temperature?: number;
  /** Text fed in first, whose continuation is sampled (default: a newline, or character 0 if the vocabulary has none). */
  prime?: string;
  /** Seeds the draws. Default 0. */
  seed?: number;
}

const LN2 = Math.LN2;

function assertInteger(value: unknown, option: string, min: number, max = 2 ** 24): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max)
    throw new RangeError(`CharLM: ${option} must be an integer in [${min}, ${max}]; got ${JSON.stringify(value)}`);
  return value;
}

function resolve(o: CharLMOptions): ResolvedOptions {
  if (o === null || typeof o !== "object") throw new TypeError("CharLM: options must be { vocabulary, units, layers, ... }");
  const vocabulary = new CharVocabulary(o.vocabulary).chars;
  const seed = o.seed ?? 0;
  if (!Number.isFinite(seed)) throw new RangeError(`CharLM: seed must be a finite number; got ${seed}`);
  return {
    vocabulary: [...vocabulary],
    units: assertInteger(o.units ?? 128, "units", 1),
    layers: assertInteger(o.layers ?? 2, "layers", 1, 16),
    embedding: assertInteger(o.embedding ?? 32, "embedding", 1),
    steps: assertInteger(o.steps ?? 100, "steps", 1),
    seed,
  };
}

/** The recurrent net for chunks of `steps` characters. */
function buildModel(o: ResolvedOptions, optimizer: Optimizer): Sequential {
  const V = o.vocabulary.length;
  const layers: Layer[] = [new Embedding(V, o.embedding, { name: "embedding" })];
  for (let l = 0; l < o.layers; l++) layers.push(new LSTM(o.units, { returnSequences: true, stateful: true, name: `lstm${l + 1}` }));
  layers.push(new TimeDistributed(new Dense(V, { activation: "softmax" }), { name: "output" }));
  const model = new Sequential(layers, { inputShape: [o.steps], seed: o.seed, name: "char_lm" }).build();
  return model.compile({ loss: "categoricalCrossentropy", optimizer });
}

/** Forgets the carried state of every recurrent layer (a new text, a new epoch). */
function resetStates(model: Sequential): void {
  for (const l of model.layers) if (l instanceof Recurrent) l.resetStates();
}

/**
 * Where each of B streams starts and how long it is, covering positions 0 … n − 1 of a text
 * (each stream reads its characters and predicts the next, so a stream of length m scores m
 * targets). The first B − 1 have ⌊n / B⌋ characters, the last the rest.
 */
function streamBounds(n: number, streams: number): { start: number[]; length: number[] } {
  const m = Math.floor(n / streams);
  const start = Array.from({ length: streams }, (_, i) => i * m);
  const length = start.map((_, i) => (i === streams - 1 ? n - i * m : m));
  return { start, length };
}

export class CharLM implements TrainableModel {
  /** Set by a callback to end fit after the current epoch. */
  stopTraining = false;
  /** The net of `steps` characters, trained by trainOnBatch. */
  readonly model: Sequential;
  readonly options: Readonly<ResolvedOptions>;
  readonly vocabulary: CharVocabulary;
  private stepNet: Sequential | null = null;

  constructor(options: CharLMOptions, model?: Sequential) {
    this.options = resolve(options);
    this.vocabulary = new CharVocabulary(this.options.vocabulary);
    this.model = model ?? buildModel(this.options, options.optimizer ?? new Adam({ learningRate: 0.002, clipNorm: 5 }));
    const V = this.vocabulary.size;
    const { steps } = this.options;
    if (this.model.inputShape.join() !== `${steps}` || this.model.outputShape.join() !== `${steps},${V}`)
      throw new ShapeError(
        `CharLM: the model ${formatShape(this.model.inputShape)} → ${formatShape(this.model.outputShape)} does not match steps ${steps} and a vocabulary of ${V} characters`,
      );
  }

  getWeights(): Tensor[] {
    return this.model.getWeights();
  }

  setWeights(weights: readonly Tensor[]): void {
    this.model.setWeights(weights);
  }

  /** The characters of a text as the model's ids; a character outside the vocabulary fails naming `what`. */
  encode(text: string, what = "text"): Int32Array {
    return this.vocabulary.encode(text, `CharLM: ${what}`);
  }

  /**
   * Trains on `text` by truncated BPTT over contiguous chunks (see the top of this file): B
   * streams of ⌊(n − 1) / (B·T)⌋ chunks each; the few characters past the last whole chunk are
   * not trained on. Logs per epoch: loss (nats per character) and bitsPerChar, and
   * val_bitsPerChar with a validationText.
   */
  async fit(text: string, options: CharLMFitOptions = {}): Promise<History> {
    const T = this.options.steps;
    const B = options.batchSize ?? 32;
    if (!Number.isInteger(B) || B < 1) throw new RangeError(`CharLM.fit: batchSize must be an integer >= 1; got ${B}`);
    const ids = this.encode(text, "fit text");
    const chunks = Math.floor((ids.length - 1) / (B * T));
    if (chunks < 1)
      throw new RangeError(
        `CharLM.fit: the text has ${ids.length} characters; batchSize ${B} streams of steps ${T} need at least batchSize·steps + 1 = ${B * T + 1}`,
      );
    if (options.validationText !== undefined) this.encode(options.validationText, "validationText");
    const V = this.vocabulary.size;
    const m = chunks * T; // characters per stream
    // row c·B + i holds chunk c of stream i: batch c (rows taken in order) continues batch c − 1
    const x = zeros([chunks * B, T]);
    const next = new Int32Array(chunks * B * T);
    for (let c = 0; c < chunks; c++) {
      for (let i = 0; i < B; i++) {
        const row = (c * B + i) * T;
        for (let s = 0; s < T; s++) {
          const p = i * m + c * T + s;
          x.data[row + s] = ids[p];
          next[row + s] = ids[p + 1];
        }
      }
    }
    const yBatch = zeros([B, T, V]);
    const model = this.model;
    const optimizer = model.optimizer as Optimizer;
    return fitLoop({
      what: "CharLM.fit",
      model: this, // callbacks (ModelCheckpoint, EarlyStopping) act on the CharLM
      rows: chunks * B,
      epochs: options.epochs ?? 1,
      initialEpoch: model.epochsTrained,
      batchSize: B,
      shuffle: false, // the streams must come in order: each batch starts in the state the last one left
      rng: new Rng(this.options.seed),
      callbacks: options.callbacks ?? [],
      validation: options.validationText !== undefined,
      advice: `try a smaller learning rate (now ${optimizer.learningRate})`,
      weights: () => model.namedParams().map(([name, p]) => [name, p.value] as const),
      step: {
        beginEpoch: (epoch) => {
          optimizer.setEpoch(epoch);
          resetStates(model);
          return undefined;
        },
        trainStep: (rows, batch, epoch) => {
          const first = rows[0];
          yBatch.data.fill(0);
          for (let k = 0; k < B * T; k++) yBatch.data[k * V + next[first * T + k]] = 1;
          const loss = model.trainOnBatch(x.sliceRows(first, first + B), yBatch, epoch, batch) / T; // the loss sums over the T steps
          return { loss, bitsPerChar: loss / LN2 };
        },
        endEpoch: (_epoch, logs) => {
          model.epochsTrained++;
          if (options.validationText !== undefined) logs.val_bitsPerChar = this.bitsPerChar(options.validationText);
          resetStates(model);
        },
      },
    });
  }

  /**
   * Bits per character on a text: −1/(n − 1) Σ_{t=1}^{n−1} log₂ p(c_t | c_0 … c_{t−1}), every
   * position but the first scored once. The text is read as `batchSize` contiguous streams
   * (each starting from a zero state) in chunks of `steps`, the state carried across chunks.
   */
  bitsPerChar(text: string, options: { batchSize?: number } = {}): number {
    const ids = this.encode(text, "bitsPerChar text");
    if (ids.length < 2) throw new RangeError(`CharLM.bitsPerChar: the text needs at least 2 characters; got ${ids.length}`);
    const wanted = options.batchSize ?? 32;
    if (!Number.isInteger(wanted) || wanted < 1) throw new RangeError(`CharLM.bitsPerChar: batchSize must be an integer >= 1; got ${wanted}`);
    const T = this.options.steps;
    const V = this.vocabulary.size;
    const targets = ids.length - 1;
    const B = Math.min(wanted, Math.max(1, Math.floor(targets / T)));
    const { start, length } = streamBounds(targets, B);
    const chunks = Math.ceil(Math.max(...length) / T);
    const x = zeros([B, T]);
    let nats = 0;
    resetStates(this.model);
    for (let c = 0; c < chunks; c++) {
      x.data.fill(0); // past a stream's end: any id; those outputs are not scored
      for (let i = 0; i < B; i++) for (let s = 0; s < T && c * T + s < length[i]; s++) x.data[i * T + s] = ids[start[i] + c * T + s];
      const p = this.model.forward(x, false);
      for (let i = 0; i < B; i++) {
        for (let s = 0; s < T && c * T + s < length[i]; s++) {
          const target = ids[start[i] + c * T + s + 1];
          nats -= Math.log(Math.max(p.data[(i * T + s) * V + target], 1e-30));
        }
      }
    }
    resetStates(this.model);
    return nats / targets / LN2;
  }

  /** The same weights in a net of one step, stateful, for sampling character by character. */
  private oneStepNet(): Sequential {
    if (this.stepNet === null) {
      const layers = this.model.layers.map((l) => layerFromConfig(l.config()));
      this.stepNet = new Sequential(layers, { inputShape: [1], name: "char_lm_step" }).build();
    }
    this.stepNet.setWeights(this.model.getWeights());
    return this.stepNet;
  }

  /**
   * `length` characters drawn one at a time from p(c_{t+1} | c_1 … c_t) sharpened by the
   * temperature τ (p_i^{1/τ}, renormalised), after reading the prime. Returns the generated
   * characters only (not the prime). The same seed gives the same text.
   */
  sample(options: SampleOptions): string {
    if (options === null || typeof options !== "object") throw new TypeError("CharLM.sample: options must be { length, temperature, prime, seed }");
    const { length, temperature = 1, prime, seed = 0 } = options;
    if (!Number.isInteger(length) || length < 0) throw new RangeError(`CharLM.sample: length must be an integer >= 0; got ${JSON.stringify(length)}`);
    if (typeof temperature !== "number" || !(temperature > 0) || !Number.isFinite(temperature))
      throw new RangeError(`CharLM.sample: temperature must be a number > 0 (1 samples the model as it is); got ${JSON.stringify(temperature)}`);
    if (!Number.isFinite(seed)) throw new RangeError(`CharLM.sample: seed must be a finite number; got ${seed}`);
    if (prime !== undefined && typeof prime !== "string") throw new TypeError(`CharLM.sample: prime must be a string; got ${JSON.stringify(prime)}`);
    const start = prime === undefined || prime === "" ? [this.vocabulary.has("\n") ? this.vocabulary.encode("\n")[0] : 0] : this.encode(prime, "sample prime");
    const net = this.oneStepNet();
    const rng = new Rng(seed);
    const V = this.vocabulary.size;
    const x = zeros([1, 1]);
    resetStates(net);
    let p: Tensor = zeros([1, 1, V]);
    for (const id of start) {
      x.data[0] = id;
      p = net.forward(x, false);
    }
    const out = new Int32Array(length);
    const weights = new Float64Array(V);
    for (let k = 0; k < length; k++) {
      out[k] = drawWithTemperature(p.data, temperature, rng, weights);
      x.data[0] = out[k];
      p = net.forward(x, false);
    }
    resetStates(net);
    return this.vocabulary.decode(out);
  }

  /** The Sequential's saved form, tagged CharLM with its options (the vocabulary among them). */
  toSaved(): SavedModel {
    const saved = this.model.toSaved();
    return { ...saved, className: "CharLM", config: { ...saved.config, charLM: { ...this.options } } };
  }

  /** Writes model.json and model.safetensors into dir (the one save format; loadModel reads it back). */
  async save(dir: string, training?: Record<string, unknown>): Promise<void> {
    await saveModel(this, dir, training);
  }

  static fromSaved(saved: SavedModelReader): CharLM {
    const o = saved.options<CharLMOptions>("charLM", "the character model's options");
    const model = Sequential.fromSaved(saved);
    return saved.build(() => new CharLM(o, model));
  }
}

/** i ~ p_i^{1/τ} / Σ_j p_j^{1/τ}, computed as exp((log p_i − max_j log p_j) / τ). */
function drawWithTemperature(p: Float32Array, temperature: number, rng: Rng, weights: Float64Array): number {
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < weights.length; i++) {
    weights[i] = Math.log(Math.max(p[i], 1e-30));
    if (weights[i] > max) max = weights[i];
  }
  let total = 0;
  for (let i = 0; i < weights.length; i++) {
    weights[i] = Math.exp((weights[i] - max) / temperature);
    total += weights[i];
  }
  let u = rng.nextFloat() * total;
  for (let i = 0; i < weights.length; i++) {
    u -= weights[i];
    if (u < 0) return i;
  }
  return weights.length - 1;
}

registerModel("CharLM", (saved) => CharLM.fromSaved(saved));
