/**
 * Deep belief net (Hinton, Osindero & Teh 2006): a stack of RBMs trained greedily, one layer
 * at a time. The lowest RBM models the data; once trained it is frozen and its feature
 * probabilities p(h | v) (or samples of them) become the "data" of the next RBM, and so on.
 *
 * The result is a generative model whose top two layers form an undirected associative
 * memory (the top RBM) and whose lower layers are directed, top-down: to generate, run a long
 * Gibbs chain in the top RBM, then one pass down through the generative weights W of the
 * lower RBMs. With `labels`, the top RBM's visible layer is [penultimate features, one-hot
 * label], so the chain can be clamped to a class and the label can be read off by free energy.
 *
 * The same weights initialise a discriminative net: `toClassifier` returns a Sequential of
 * sigmoid Dense layers holding each RBM's W and hidden biases (the recognition pass) plus a
 * new output layer, and `unroll` the deep autoencoder with decoder weights Wᵀ.
 */

import { registerModel, type SavedModel, type SavedModelReader, saveModel } from "../../io/model.js";
import type { ActivationName } from "../../nn/activations.js";
import { Dense } from "../../nn/dense.js";
import { Dropout } from "../../nn/dropout.js";
import type { Layer } from "../../nn/layer.js";
import { softplus } from "../../ops/activations.js";
import { add, addScalar } from "../../ops/elementwise.js";
import { matmul } from "../../ops/matmul.js";
import { bernoulli } from "../../ops/random.js";
import { sum } from "../../ops/reduce.js";
import { Rng } from "../../tensor/random.js";
import { formatShape, ShapeError } from "../../tensor/shape.js";
import { type Tensor, zeros } from "../../tensor/tensor.js";
import { type Callback, ModelCheckpoint, setTensors, type TrainableModel } from "../../train/callbacks.js";
import { type DivergenceOptions, fitLoop } from "../../train/loop.js";
import { Sequential } from "../../train/sequential.js";
import { checkRows, checkUnitRange, visibleMean } from "../rbm/core.js";
import { legacyRbmCallbacks, RBM, type RBMOptions, type RbmEpochLogs, rbmHistory } from "../rbm/rbm.js";
import { DbnDream } from "./dream.js";

/** Options of one layer's RBM (its sizes come from the DBN's layer list). */
export type LayerRbmOptions = Omit<RBMOptions, "visible" | "hidden">;

/**
 * RBM options given as one object (for every RBM) or as one per RBM, spelt out per RBM;
 * `who` names the caller in the error for an array of the wrong length.
 */
export function perRbmOptions(who: string, per: LayerRbmOptions | readonly LayerRbmOptions[] | undefined, count: number): LayerRbmOptions[] {
  if (!Array.isArray(per)) return new Array<LayerRbmOptions>(count).fill((per as LayerRbmOptions | undefined) ?? {});
  if (per.length !== count) throw new RangeError(`${who}: rbm options must be one object or an array of ${count} (one per RBM); got ${per.length}`);
  return per.map((o) => o ?? {});
}

export interface DBNOptions {
  /** Units per layer, data first: [784, 500, 500, 2000] is three RBMs 784-500, 500-500, 500-2000. */
  layers: readonly number[];
  /** RBM options for every layer (one object) or per layer (an array as long as the RBM list). */
  rbm?: LayerRbmOptions | readonly LayerRbmOptions[];
  /** Label units joined to the top RBM's visible layer (Hinton et al. 2006); 0 for none. Default 0. */
  labels?: number;
  /** Seed of layer i's RBM is seed + i unless its options give one. Default 0. */
  seed?: number;
}

export interface DbnLayerInfo {
  /** 0-based index of the RBM in the stack. */
  layer: number;
  visible: number;
  hidden: number;
  /** Epochs this call will train (0 when a resumed layer is already done). */
  epochs: number;
}

/** A Keras-style callback that may also hear when each layer's training begins and ends. */
export interface PretrainCallback extends Callback {
  onLayerBegin?(info: DbnLayerInfo): void | Promise<void>;
  onLayerEnd?(info: DbnLayerInfo & { history: RbmEpochLogs[] }): void | Promise<void>;
}

/** The DBN's own callback shape (before the shared loop); `callbacks` still accepts one such object. */
export interface DbnCallbacks {
  onLayerBegin?(info: DbnLayerInfo): void | Promise<void>;
  onBatchEnd?(info: { layer: number; epoch: number; batch: number; batches: number; reconstructionError: number }): void;
  onEpochEnd?(layer: number, logs: RbmEpochLogs): void | Promise<void>;
  onLayerEnd?(info: DbnLayerInfo & { history: RbmEpochLogs[] }): void | Promise<void>;
}

export interface DbnPretrainOptions {
  /** Epochs per layer in total, counting epochs trained before (so a loaded stack resumes). One number or one per layer. Default 10. */
  epochs?: number | readonly number[];
  batchSize?: number;
  /**
   * What each layer passes up as the next layer's data: "mean", the probabilities p(h | v)
   * (Hinton & Salakhutdinov 2006), or "sample", binary states drawn afresh every epoch.
   * Default "mean".
   */
  propagate?: "mean" | "sample";
  /** The images are probabilities: the first RBM sees each batch binarised afresh (RbmFitOptions.sampleData). */
  sampleData?: boolean;
  /** One-hot labels [n, classes] for a DBN with `labels`: the top RBM learns [features, label]. */
  labels?: Tensor;
  /**
   * Keras-style callbacks, given to each layer's training in turn (ProgressBar, EarlyStopping on
   * "reconstructionError", CSVLogger; a ModelCheckpoint saves the whole stack), or one
   * DbnCallbacks object.
   */
  callbacks?: readonly PretrainCallback[] | DbnCallbacks;
  /** A folder to save the whole stack into after every epoch (resume with loadDbn + pretrain). */
  checkpoint?: string;
  /** Each layer's divergence stop (RbmFitOptions.divergence, docs/training.md); false: never. Default on. */
  divergence?: DivergenceOptions | false;
}

/** pretrain's options resolved. */
interface PretrainPlan {
  epochs: number[];
  batchSize: number;
  propagate: "mean" | "sample";
  sampleData: boolean;
  labels: Tensor | undefined;
  callbacks: PretrainCallback[];
  legacy: DbnCallbacks[];
  checkpoint: string | undefined;
  divergence: DivergenceOptions | false | undefined;
}

export interface DbnSampleOptions {
  /** Number of chains, i.e. images. Default 100 (or one per entry of `label`). */
  n?: number;
  /** Alternating Gibbs steps in the top RBM. Default 1000. */
  gibbsSteps?: number;
  /** Clamp the label units (DBN with labels): one class for all chains, or one per chain. */
  label?: number | ArrayLike<number>;
  /** Start the chains from the up-pass of these images (else random penultimate states). */
  init?: Tensor;
  /** "sample" (default): binary images; "mean": p(v | h1), the usual picture. */
  output?: "sample" | "mean";
  seed?: number;
}

export interface ClassifierOptions {
  classes: number;
  /** Default "softmax". */
  outputActivation?: ActivationName;
  /** Seed of the output layer's initial weights (and of the dropout masks). Default the DBN's seed. */
  seed?: number;
  name?: string;
  /**
   * Dropout rates for fine-tuning (Srivastava et al. 2014 fine-tune pretrained DBNs this way):
   * `input` before the first layer, `hidden` after every pretrained layer. Default none.
   */
  dropout?: { input?: number; hidden?: number };
}

/**
 * The pretrained layers with dropout for fine-tuning: `input` before the first, `hidden` after
 * each (the masks seeded from `seed`). Shared by the DBN's and the DBM's classifiers.
 */
export function withDropout(pretrained: readonly Layer[], dropout: ClassifierOptions["dropout"], seed: number): Layer[] {
  const { input = 0, hidden = 0 } = dropout ?? {};
  const mask = (rate: number, i: number): Layer[] => (rate > 0 ? [new Dropout(rate, { seed: seed + 1000 + i, name: `dropout_${i}` })] : []);
  return pretrained.flatMap((layer, i): Layer[] => [...mask(i === 0 ? input : 0, 0), layer, ...mask(hidden, i + 1)]);
}

const positiveInt = (name: string, x: unknown, min = 1): number => {
  if (typeof x !== "number" || !Number.isInteger(x) || x < min) throw new RangeError(`DBN: ${name} must be an integer >= ${min}, got ${String(x)}`);
  return x;
};

/** Rows of a and b side by side: [n, p] and [n, q] → [n, p + q]. */
export function joinColumns(a: Tensor, b: Tensor, out?: Tensor): Tensor {
  if (a.rows !== b.rows) throw new ShapeError(`joinColumns: ${formatShape(a.shape)} and ${formatShape(b.shape)} have different row counts`);
  const n = a.rows;
  const p = a.cols;
  const q = b.cols;
  const y = out ?? zeros([n, p + q]);
  for (let r = 0; r < n; r++) {
    y.data.set(a.data.subarray(r * p, (r + 1) * p), r * (p + q));
    y.data.set(b.data.subarray(r * q, (r + 1) * q), r * (p + q) + p);
  }
  return y;
}

/** Wᵀ as a new tensor (the decoder's kernel from an encoder's). */
export function transpose(w: Tensor): Tensor {
  const [m, n] = w.shape;
  const t = zeros([n, m]);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) t.data[j * m + i] = w.data[i * n + j];
  return t;
}

export class DBN implements TrainableModel {
  /** The RBMs, lowest first. rbms[i] models layer i given layer i + 1. */
  readonly rbms: RBM[];
  /** Units per layer, data first. */
  readonly layers: readonly number[];
  /** Label units joined to the top RBM (0: none). */
  readonly labels: number;
  readonly seed: number;
  /**
   * Generative weights of the directed layers once `untie` has split them from the
   * recognition weights (the up-down algorithm learns the two apart): generativeW[i] replaces
   * rbms[i].W in the top-down pass p(layer i | layer i + 1). Null while they are tied.
   */
  generativeW: Tensor[] | null = null;
  /** Set by a callback (EarlyStopping) to end up-down training after the current epoch. */
  stopTraining = false;
  /** Epochs of up-down fine-tuning so far, and its generator (null before the first): saved, so up-down resumes. */
  upDownEpochs = 0;
  upDownRng: Rng | null = null;
  private readonly rng: Rng;

  /** `rbms`: trained RBMs to wrap instead of new ones (see fromRbms). */
  constructor(options: DBNOptions, rbms?: readonly RBM[]) {
    const layers = options.layers;
    if (!Array.isArray(layers) || layers.length < 2)
      throw new RangeError(`DBN: layers must list at least two layer sizes, e.g. [784, 500, 500, 2000]; got ${JSON.stringify(layers)}`);
    for (const [i, u] of layers.entries()) positiveInt(`layers[${i}]`, u);
    const labels = positiveInt("labels", options.labels ?? 0, 0);
    const seed = options.seed ?? 0;
    if (!Number.isFinite(seed)) throw new RangeError(`DBN: seed must be a finite number, got ${seed}`);
    const count = layers.length - 1;
    const per = perRbmOptions("DBN", options.rbm, count);
    this.rbms = rbms === undefined ? [] : [...rbms];
    for (let i = this.rbms.length; i < count; i++) {
      const o = per[i];
      const top = i === count - 1;
      this.rbms.push(new RBM({ ...o, visible: layers[i] + (top ? labels : 0), hidden: layers[i + 1], seed: o.seed ?? seed + i }));
    }
    this.layers = [...layers];
    this.labels = labels;
    this.seed = seed;
    this.rng = new Rng(seed + 7919);
  }

  /** A DBN around trained RBMs (e.g. loaded from disk); their sizes must chain. */
  static fromRbms(rbms: readonly RBM[], options: { labels?: number; seed?: number } = {}): DBN {
    if (rbms.length === 0) throw new RangeError("DBN.fromRbms: needs at least one RBM");
    const labels = options.labels ?? 0;
    const layers = [rbms[0].visible, ...rbms.map((r) => r.hidden)];
    rbms.forEach((r, i) => {
      const expected = layers[i] + (i === rbms.length - 1 ? labels : 0);
      if (r.visible !== expected)
        throw new ShapeError(
          `DBN.fromRbms: RBM ${i + 1} has ${r.visible} visible units; the layer below has ${layers[i]}${labels > 0 && i === rbms.length - 1 ? ` (+ ${labels} labels)` : ""}`,
        );
    });
    return new DBN({ layers, labels, seed: options.seed ?? rbms[0].options.seed }, rbms);
  }

  /**
   * Unties the directed layers (Hinton, Osindero & Teh 2006, §5): each lower RBM's W keeps
   * the recognition (up) role and a copy becomes the generative (down) weights. The top RBM
   * stays undirected. Nothing changes until one of the two is trained; a no-op when untied.
   */
  untie(): void {
    if (this.generativeW === null) this.generativeW = this.rbms.slice(0, -1).map((r) => r.W.clone());
  }

  /** E[layer i | layer i + 1 = h], through the generative weights (the RBM's W while tied). [n, layers[i]]. */
  generateLayer(i: number, h: Tensor, out?: Tensor): Tensor {
    const rbm = this.rbms[i];
    const G = this.generativeW?.[i];
    return G === undefined
      ? rbm.generate(h, out)
      : visibleMean({ W: G, a: rbm.a, b: rbm.b, visibleUnits: rbm.visibleUnits, hiddenUnits: rbm.hiddenUnits, downScale: rbm.downScale }, h, out);
  }

  /** The top RBM (with the label units in its visible layer when `labels` > 0). */
  get top(): RBM {
    return this.rbms[this.rbms.length - 1];
  }

  /** Units of the penultimate layer (the top RBM's visible layer without the labels). */
  get penultimate(): number {
    return this.layers[this.layers.length - 2];
  }

  /**
   * Greedy layer-wise pretraining (Hinton, Osindero & Teh 2006): train the bottom RBM on the
   * data, then each RBM on the features p(h | v) of the one below (with "sample", on binary
   * states drawn from them afresh each epoch; the labels joined to the top RBM's input). Each
   * RBM trains until it has `epochs` epochs in total, so the layers of a loaded, partly trained
   * stack continue where they stopped. Resolves to every layer's epoch logs.
   */
  async pretrain(data: Tensor, options: DbnPretrainOptions = {}): Promise<RbmEpochLogs[][]> {
    const plan = this.pretrainPlan(data, options);
    const history: RbmEpochLogs[][] = [];
    let x = data; // the data of layer i: the images, then p(h | v) of the layer below
    for (const [i, rbm] of this.rbms.entries()) {
      history.push(await this.pretrainLayer(i, x, plan));
      if (i < this.rbms.length - 1) x = rbm.transform(x);
    }
    return history;
  }

  /** Trains RBM i for its remaining epochs on x (the layer below's features), as the plan says. */
  private async pretrainLayer(i: number, x: Tensor, plan: PretrainPlan): Promise<RbmEpochLogs[]> {
    const rbm = this.rbms[i];
    const epochs = Math.max(0, plan.epochs[i] - rbm.epochsTrained);
    const info: DbnLayerInfo = { layer: i, visible: rbm.visible, hidden: rbm.hidden, epochs };
    for (const c of [...plan.callbacks, ...plan.legacy]) await c.onLayerBegin?.(info);
    let history: RbmEpochLogs[] = [];
    if (epochs > 0) {
      const atTop = i === this.rbms.length - 1 && plan.labels !== undefined;
      const withLabels = (v: Tensor, out?: Tensor): Tensor => (atTop && plan.labels !== undefined ? joinColumns(v, plan.labels, out) : v);
      const loop = { model: this.layerView(rbm), epochs, callbacks: this.layerCallbacks(i, plan), divergence: plan.divergence };
      if (plan.propagate === "mean" || i === 0) {
        history = rbmHistory(await fitLoop({ ...rbm.loopOptions(withLabels(x), plan.batchSize, i === 0 && plan.sampleData), ...loop }));
      } else {
        // fresh binary states of the layer below each epoch, written into one reused buffer
        const states = zeros(x.shape);
        const input = withLabels(bernoulli(x, this.rng, states));
        const options = rbm.loopOptions(input, plan.batchSize);
        let first = true;
        const resample = (): void => {
          if (!first) withLabels(bernoulli(x, this.rng, states), input);
          first = false;
        };
        const step = { ...options.step, beginEpoch: (e: number) => (resample(), options.step.beginEpoch?.(e)) };
        history = rbmHistory(await fitLoop({ ...options, step, ...loop }));
      }
    }
    for (const c of [...plan.callbacks, ...plan.legacy]) await c.onLayerEnd?.({ ...info, history });
    return history;
  }

  /** What the callbacks of layer i's training act on: that RBM, but a checkpoint saves the whole stack. */
  private layerView(rbm: RBM): TrainableModel {
    return {
      get stopTraining() {
        return rbm.stopTraining;
      },
      set stopTraining(stop: boolean) {
        rbm.stopTraining = stop;
      },
      getWeights: () => rbm.getWeights(),
      setWeights: (w) => rbm.setWeights(w),
      save: (dir) => this.save(dir),
    };
  }

  /** Layer i's callbacks: the caller's, the DbnCallbacks ones told the layer, then the checkpoint. */
  private layerCallbacks(i: number, plan: PretrainPlan): Callback[] {
    const legacy = plan.legacy.map((c) =>
      legacyRbmCallbacks({ onBatchEnd: (b) => c.onBatchEnd?.({ layer: i, ...b }), onEpochEnd: (logs) => c.onEpochEnd?.(i, logs) }),
    );
    const checkpoint = plan.checkpoint === undefined ? [] : [new ModelCheckpoint({ dir: plan.checkpoint })];
    return [...plan.callbacks, ...legacy, ...checkpoint];
  }

  /** pretrain's options, checked and resolved. */
  private pretrainPlan(data: Tensor, options: DbnPretrainOptions): PretrainPlan {
    this.checkData("DBN.pretrain", data, "data");
    const L = this.rbms.length;
    const epochs = typeof options.epochs === "object" ? [...options.epochs] : new Array<number>(L).fill(options.epochs ?? 10);
    if (epochs.length !== L) throw new RangeError(`DBN.pretrain: epochs must be one number or ${L} numbers (one per RBM); got ${epochs.length}`);
    for (const [i, e] of epochs.entries()) positiveInt(`pretrain epochs[${i}]`, e, 0);
    const batchSize = positiveInt("pretrain batchSize", options.batchSize ?? 100);
    const propagate = options.propagate ?? "mean";
    if (propagate !== "mean" && propagate !== "sample")
      throw new RangeError(`DBN.pretrain: propagate must be "mean" or "sample", got ${JSON.stringify(propagate)}`);
    if (this.labels > 0) {
      if (options.labels === undefined)
        throw new RangeError(`DBN.pretrain: this DBN has ${this.labels} label units; pass labels (one-hot [n, ${this.labels}])`);
      checkRows("DBN.pretrain", options.labels, this.labels, "labels");
      checkUnitRange("DBN.pretrain", options.labels, "bernoulli", "labels");
      if (options.labels.rows !== data.rows) throw new ShapeError(`DBN.pretrain: ${data.rows} data rows but ${options.labels.rows} label rows`);
    } else if (options.labels !== undefined)
      throw new RangeError("DBN.pretrain: labels given but the DBN has no label units (construct it with { labels: classes })");
    const given = options.callbacks;
    const callbacks = Array.isArray(given) ? [...(given as readonly PretrainCallback[])] : [];
    const legacy = given === undefined || Array.isArray(given) ? [] : [given as DbnCallbacks];
    const { checkpoint, divergence } = options;
    return { epochs, batchSize, propagate, sampleData: options.sampleData === true, labels: options.labels, callbacks, legacy, checkpoint, divergence };
  }

  /** Refuses data the first RBM's visible units cannot take (shape, then range): once per call, before any pass. */
  checkData(what: string, x: Tensor, name: string): void {
    checkRows(what, x, this.layers[0], name);
    checkUnitRange(what, x, this.rbms[0].visibleUnits, name);
  }

  /**
   * The recognition (up) pass: p(h | v) through the first `depth` RBMs. Default depth: the whole
   * stack, or all but the top RBM when it has label units (its input would need a label).
   */
  transform(x: Tensor, depth = this.labels > 0 ? this.rbms.length - 1 : this.rbms.length): Tensor {
    this.checkData("DBN.transform", x, "x");
    const max = this.labels > 0 ? this.rbms.length - 1 : this.rbms.length;
    if (!Number.isInteger(depth) || depth < 0 || depth > max) throw new RangeError(`DBN.transform: depth must be an integer in [0, ${max}], got ${depth}`);
    let h = x;
    for (let i = 0; i < depth; i++) h = this.rbms[i].transform(h);
    return h;
  }

  /**
   * Generation: alternating Gibbs sampling in the top RBM (label units clamped when `label` is
   * given, else sampled from their softmax), then one top-down pass through the directed
   * layers, sampling binary states at each layer. Returns images [n, layers[0]].
   */
  sample(options: DbnSampleOptions = {}): Tensor {
    const steps = positiveInt("sample gibbsSteps", options.gibbsSteps ?? 1000, 0);
    return this.dream(options).step(steps).images(options.output);
  }

  /**
   * The generative chain itself (DbnDream), to step and look at as it goes: `n` chains started
   * from `init`'s up-pass or at random, the label units clamped to `label` when given.
   */
  dream(options: Omit<DbnSampleOptions, "gibbsSteps" | "output"> = {}): DbnDream {
    const rng = options.seed === undefined ? this.rng : new Rng(options.seed);
    const labels = this.chainLabels(options);
    const n = labels?.length ?? options.init?.rows ?? positiveInt("sample n", options.n ?? 100);
    if (options.init !== undefined && options.init.rows !== n)
      throw new ShapeError(`DBN.sample: init has ${options.init.rows} rows but ${n} chains were asked for`);
    return new DbnDream(this, n, labels, options.init, rng);
  }

  /**
   * Label scores of a DBN with label units: −F([pen(x), e_c]) for each class c, the top RBM's
   * negative free energy with the label clamped (higher is more probable). [n, classes].
   */
  labelScores(x: Tensor): Tensor {
    if (this.labels === 0) throw new Error("DBN.labelScores: the DBN has no label units (construct it with { labels: classes })");
    const pen = this.transform(x);
    const P = this.penultimate;
    const C = this.labels;
    const top = this.top;
    const n = x.rows;
    const base = matmul(pen, top.W.sliceRows(0, P));
    add(base, top.b, base);
    const penBias = matmul(pen, top.a.sliceRows(0, P).reshape(P, 1)); // [n, 1]
    const scratch = zeros(base.shape);
    const col = zeros([n]);
    const scores = zeros([n, C]);
    for (let c = 0; c < C; c++) {
      add(base, top.W.row(P + c), scratch);
      sum(softplus(scratch, scratch), 1, col);
      addScalar(col, top.a.data[P + c], col);
      for (let r = 0; r < n; r++) scores.data[r * C + c] = col.data[r] + penBias.data[r];
    }
    return scores;
  }

  /** Generative classification by the top RBM's free energy with each label clamped. */
  classify(x: Tensor): Int32Array {
    const s = this.labelScores(x);
    const C = this.labels;
    const out = new Int32Array(x.rows);
    for (let r = 0; r < x.rows; r++) {
      let best = 0;
      for (let c = 1; c < C; c++) if (s.data[r * C + c] > s.data[r * C + best]) best = c;
      out[r] = best;
    }
    return out;
  }

  /**
   * The recognition pass as unbuilt Dense layers: sigmoid for Bernoulli hidden units, linear
   * for Gaussian ones. `copyWeights` fills them once their model is built.
   */
  private encoderLayers(): Dense[] {
    return this.rbms.map((rbm, i) => new Dense(rbm.hidden, { activation: rbm.hiddenUnits === "bernoulli" ? "sigmoid" : "linear", name: `rbm_${i + 1}` }));
  }

  /** Copies each RBM's W (label rows left out) and hidden biases into the model's encoder layers (found by name). */
  private copyEncoderWeights(model: Sequential): void {
    this.rbms.forEach((rbm, i) => {
      const dense = model.layers.find((l) => l.name === `rbm_${i + 1}`) as Dense;
      dense.kernel.value.assign(rbm.W.sliceRows(0, this.layers[i]));
      dense.bias?.value.assign(rbm.b);
    });
  }

  /** The stack as a feed-forward net computing exactly `transform` through all RBMs (labels left out). */
  toSequential(name = "dbn"): Sequential {
    const model = new Sequential(this.encoderLayers(), { inputShape: [this.layers[0]], seed: this.seed, name }).build();
    this.copyEncoderWeights(model);
    return model;
  }

  /**
   * A classifier initialised from the RBMs (Hinton & Salakhutdinov 2006): the encoder layers
   * plus a new, randomly initialised output layer of `classes` units. Fine-tune it with fit;
   * fit's `frozen` option keeps the pretrained layers fixed (protocol b).
   */
  toClassifier(options: ClassifierOptions): Sequential {
    const classes = positiveInt("toClassifier classes", options.classes);
    const output = new Dense(classes, { activation: options.outputActivation ?? "softmax", name: "output" });
    const seed = options.seed ?? this.seed;
    const stack = withDropout(this.encoderLayers(), options.dropout, seed);
    const model = new Sequential([...stack, output], {
      inputShape: [this.layers[0]],
      seed,
      name: options.name ?? "dbn_classifier",
    }).build();
    this.copyEncoderWeights(model);
    return model;
  }

  /**
   * The deep autoencoder of Hinton & Salakhutdinov (2006): the encoder layers, then decoder
   * layers in reverse order with kernels Wᵀ and biases a (the RBMs' generative direction).
   * The weights start tied but are separate copies, so fine-tuning unties them.
   */
  unroll(name = "dbn_autoencoder"): Sequential {
    const L = this.rbms.length;
    const decoder: Dense[] = [];
    for (let i = L - 1; i >= 0; i--) {
      const units = this.rbms[i].visibleUnits;
      decoder.push(new Dense(this.layers[i], { activation: units === "bernoulli" ? "sigmoid" : "linear", name: `rbm_${i + 1}_decoder` }));
    }
    const model = new Sequential([...this.encoderLayers(), ...decoder], { inputShape: [this.layers[0]], seed: this.seed, name }).build();
    this.copyEncoderWeights(model);
    decoder.forEach((dense, k) => {
      const i = L - 1 - k;
      const V = this.layers[i];
      dense.kernel.value.assign(transpose((this.generativeW?.[i] ?? this.rbms[i].W).sliceRows(0, V)));
      dense.bias?.value.assign(this.rbms[i].a.sliceRows(0, V));
    });
    return model;
  }

  /** Copies of every RBM's W, a, b (lowest first), then the untied generative weights. */
  getWeights(): Tensor[] {
    return this.parameters().map((t) => t.clone());
  }

  setWeights(weights: readonly Tensor[]): void {
    setTensors("DBN.setWeights", this.parameters(), weights);
  }

  private parameters(): Tensor[] {
    return [...this.rbms.flatMap((r) => [r.W, r.a, r.b]), ...(this.generativeW ?? [])];
  }

  /**
   * What saveModel writes: the layer sizes, labels and seed, each RBM as it saves itself (its
   * tensors under "rbm1.", "rbm2.", ...: rbm1.W, rbm1.velocity.W, ...), and once untied the
   * generative weights G1, G2, ... [layers[i] (+ labels), layers[i + 1]] of the directed layers.
   */
  toSaved(): SavedModel {
    const rbms = this.rbms.map((r) => r.toSaved());
    return {
      className: "DBN",
      config: { layers: [...this.layers], labels: this.labels, seed: this.seed, rbms: rbms.map((r) => r.config) },
      state: {
        rbms: rbms.map((r) => r.state),
        rng: [...this.rng.state],
        ...(this.upDownRng === null ? {} : { upDownEpochs: this.upDownEpochs, upDownRng: [...this.upDownRng.state] }),
      },
      tensors: [
        ...rbms.flatMap((r, i) => r.tensors.map(([name, t]) => [`rbm${i + 1}.${name}`, t] as const)),
        ...(this.generativeW ?? []).map((g, i) => [`G${i + 1}`, g] as const),
      ],
    };
  }

  /** Rebuilds a saved DBN (see toSaved): its RBMs resume pretraining where they stopped. */
  static fromSaved(saved: SavedModelReader): DBN {
    const { layers, labels, seed, rbms } = saved.config;
    const states = saved.state.rbms;
    if (!Array.isArray(rbms) || rbms.length === 0) saved.fail(`"config.rbms" must list the configs of the RBMs`);
    if (states !== undefined && (!Array.isArray(states) || states.length !== (rbms as unknown[]).length))
      saved.fail(`"state.rbms" must list one state per RBM (${(rbms as unknown[]).length})`);
    const parts = (rbms as unknown[]).map((config, i) => RBM.fromSaved(saved.part("RBM", config, (states as unknown[] | undefined)?.[i], `rbm${i + 1}.`)));
    const dbn = DBN.fromRbms(parts, { labels: labels as number, seed: seed as number });
    if (!Array.isArray(layers) || layers.join("-") !== dbn.layers.join("-"))
      saved.fail(`"config.layers" ${JSON.stringify(layers)} does not match the saved RBMs (${dbn.layers.join("-")})`);
    const rng = saved.rngState("rng");
    if (rng !== undefined) dbn.rng.state.set(rng);
    const upDownRng = saved.rngState("upDownRng");
    if (upDownRng !== undefined) {
      dbn.upDownRng = new Rng();
      dbn.upDownRng.state.set(upDownRng);
      dbn.upDownEpochs = saved.count("upDownEpochs");
    }
    if (saved.optionalTensor("G1", parts[0].W.shape) !== undefined) {
      dbn.untie();
      for (const [i, g] of (dbn.generativeW as Tensor[]).entries()) saved.into(`G${i + 1}`, g);
    }
    return dbn;
  }

  /** Writes the whole stack as dir/model.json and dir/model.safetensors (see saveModel). */
  async save(dir: string, training?: Record<string, unknown>): Promise<void> {
    await saveModel(this, dir, training);
  }

  private chainLabels(options: DbnSampleOptions): Int32Array | null {
    if (options.label === undefined) return null;
    if (this.labels === 0) throw new RangeError("DBN.sample: label given but the DBN has no label units");
    const n = options.n;
    const list = typeof options.label === "number" ? new Int32Array(n ?? 100).fill(options.label) : Int32Array.from(options.label);
    if (typeof options.label !== "number" && n !== undefined && n !== list.length)
      throw new RangeError(`DBN.sample: n is ${n} but ${list.length} labels were given`);
    for (const c of list)
      if (!Number.isInteger(c) || c < 0 || c >= this.labels) throw new RangeError(`DBN.sample: label ${c} is outside 0..${this.labels - 1}`);
    return list;
  }
}

registerModel("DBN", DBN.fromSaved);
