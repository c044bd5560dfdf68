/**
 * Deep Boltzmann machine (Salakhutdinov & Hinton, AISTATS 2009): layers v = h0, h1, ..., hL
 * of binary units with symmetric weights between neighbouring layers only, all undirected:
 *   E(v, h) = −Σ_l b_lᵀh_l − Σ_l h_lᵀ W_l h_{l+1}
 * so each unit hears both the layer below and the layer above:
 *   p(h_l = 1 | rest) = σ(b_l + h_{l−1} W_{l−1} + h_{l+1} W_lᵀ).
 *
 * Learning (their algorithm 1): the data-dependent statistics come from a factorised
 * mean-field posterior q(h | v) (fixed-point iteration of the equation above with means μ),
 * the model's statistics from persistent Gibbs chains (PCD), and
 *   ΔW_l = ε (⟨μ_l μ_{l+1}ᵀ⟩_data − ⟨h_l h_{l+1}ᵀ⟩_chains − λ W_l).
 *
 * Pretraining is a DBN's greedy stack with the doubled-input trick: the bottom RBM counts its
 * visible layer twice going up (p(h1 | v) = σ(2 vW + b)), the top RBM its hidden layer twice
 * going down, middle RBMs both, so that when the RBMs are joined each layer gets half of its
 * input from below and half from above, as in the DBM.
 *
 * Label units (Salakhutdinov's MNIST model): a softmax group y of `labels` units joined to the
 * top layer, E gains −yᵀU h_L − cᵀy. Joint training clamps y to the one-hot label in the
 * positive phase and samples it in the chains, so the top layer learns features that predict
 * the label; the classifier's inputs are then computed without y (as in his code).
 *
 * The even layers (v, h2, ...) and the odd layers (h1, h3, ...) are conditionally independent
 * given each other, so the DBM is an RBM between those two groups with a block-structured W:
 * `asRbm` builds it, and the RBM's exact log Z and AIS compute the DBM's partition function.
 */

import { batchIndices, gatherRows } from "../../data/batch.js";
import { hasSavedModel, loadSavedAs, registerModel, type SavedModel, type SavedModelReader, saveModel } from "../../io/model.js";
import type { ActivationName } from "../../nn/activations.js";
import { Dense } from "../../nn/dense.js";
import { sigmoid, softmax } from "../../ops/activations.js";
import { add, axpby, mul } from "../../ops/elementwise.js";
import { matmul } from "../../ops/matmul.js";
import { bernoulli } from "../../ops/random.js";
import { mean, sumAll } from "../../ops/reduce.js";
import { Rng } from "../../tensor/random.js";
import { fillNormal, type Tensor, zeros } from "../../tensor/tensor.js";
import { Sequential } from "../../train/sequential.js";
import { type ClassifierOptions, DBN, joinColumns, type LayerRbmOptions, perRbmOptions, sampleOneHot, transpose, withDropout } from "../dbn/dbn.js";
import { type AisOptions, type AisResult, aisLogZ, baseRateBiases } from "../rbm/ais.js";
import { accumulatePhase, checkRows, type RbmParams, type RbmStats, zeroStats } from "../rbm/core.js";
import { exactLogZ } from "../rbm/partition.js";
import type { RBM, RbmEpochLogs } from "../rbm/rbm.js";

/** Most mean-field iterations of the read-outs (labelProbabilities, classifierInputs): Salakhutdinov's mf_class runs 50. */
export const READOUT_MEAN_FIELD_STEPS = 50;

export interface DBMOptions {
  /** Units per layer, data first, at least two hidden layers: [784, 500, 1000]. */
  layers: readonly number[];
  /** ε of joint training. Default 0.001. */
  learningRate?: number;
  /**
   * ε shrinks by this factor every epoch, ε_e = max(ε · decay^e, minLearningRate). Default 1
   * (constant). Salakhutdinov's code divides ε by 1.000015 every update: 0.991 an epoch of 600.
   */
  learningRateDecay?: number;
  /** The floor of the decayed ε. Default 0 (Salakhutdinov's code: 1e-4). */
  minLearningRate?: number;
  /** Momentum after `momentumEpochs` epochs (default 0.9; 0.5 before). */
  momentum?: number;
  initialMomentum?: number;
  momentumEpochs?: number;
  /** L2 cost on the weights. Default 2e-4. */
  weightDecay?: number;
  /** Persistent Gibbs chains (fantasy particles). Default 100. */
  chains?: number;
  /** Gibbs sweeps of the chains per update. Default 1 (Salakhutdinov & Hinton: 5). */
  gibbsSteps?: number;
  /** Most mean-field iterations per batch. Default 10. */
  meanFieldSteps?: number;
  /** Mean-field stops early when no μ changes by more than this. Default 1e-5. */
  meanFieldTolerance?: number;
  /** Standard deviation of the initial weights (before pretraining). Default 0.01. */
  initStd?: number;
  /** Softmax label units joined to the top layer (0: none, the default). */
  labels?: number;
  /**
   * Sparsity penalty of Salakhutdinov's DBM code: each hidden layer's running mean activity
   * q̄_l (damped by `sparsityDamping`) is pulled toward its target by a cost × (q̄_l − target)
   * on the layer's total input (its bias and both its weight matrices). Default 0 (off); his
   * MNIST code: 0.001.
   */
  sparsityCost?: number;
  /** Target mean activity of each hidden layer (one number for all). Default [0.2, 0.1, 0.1, ...] (his h1, h2). */
  sparsityTarget?: number | readonly number[];
  /** Damping of the running mean activity. Default 0.9. */
  sparsityDamping?: number;
  /**
   * End each update's Gibbs sweeps with one mean-field step on the chains' even hidden layers
   * (h2, h4, ...): h_l = σ(p(h_{l−1}) W_{l−1} + p(h_{l+1}) W_lᵀ + b_l) from the odd layers'
   * probabilities (and the labels' p(y)), used in the model statistics and kept as the chains'
   * state, as Salakhutdinov's dbm_mf.m does. Default false (the chains stay binary Gibbs chains).
   */
  chainMeanStep?: boolean;
  seed?: number;
}

export type ResolvedDBMOptions = Required<Omit<DBMOptions, "sparsityTarget">> & { layers: number[]; sparsityTarget: number[] };

export interface MeanFieldOptions {
  maxIterations?: number;
  tolerance?: number;
  /** One-hot labels [n, labels] clamped on the label units (a DBM with labels); without them the label units are left out. */
  labels?: Tensor;
}

export interface MeanFieldResult {
  /** μ_1 ... μ_L: q(h_l = 1 | v) for every hidden layer, each [n, units]. */
  mu: Tensor[];
  iterations: number;
  /** Largest change of any μ in the last iteration (the fixed-point residual). */
  change: number;
}

export interface DbmEpochLogs {
  epoch: number;
  /** Mean squared error per image of p(v | μ1) against v. */
  reconstructionError: number;
  /** Mean-field iterations per batch, averaged. */
  meanFieldIterations: number;
  momentum: number;
  /** ε in force during the epoch. */
  learningRate: number;
  seconds: number;
}

export interface DbmFitOptions {
  epochs?: number;
  batchSize?: number;
  /**
   * The data are probabilities (grey levels in [0, 1]): every batch is binarised afresh,
   * v ~ Bernoulli(x), as in Salakhutdinov's code, so each epoch sees new binary images.
   * Default false: the data are used as they are (binary).
   */
  sampleData?: boolean;
  /** One-hot labels [n, labels] of the data rows: required by a DBM with label units. */
  labels?: Tensor;
  callbacks?: { onEpochEnd?(logs: DbmEpochLogs): void | Promise<void> };
}

export interface DbmPretrainOptions {
  epochs?: number | readonly number[];
  batchSize?: number;
  /** Options of every pretraining RBM (one object) or per RBM, bottom first; the doubling factors are set by the DBM. */
  rbm?: LayerRbmOptions | readonly LayerRbmOptions[];
  /**
   * What each RBM passes up: "mean", p(h | v) (default), or "sample", binary states drawn
   * afresh every epoch (Salakhutdinov's rbm_l2.m trains the top RBM on sampled h1).
   */
  propagate?: "mean" | "sample";
  /** The images are probabilities: the bottom RBM sees each batch binarised afresh. */
  sampleData?: boolean;
  /** One-hot labels [n, labels] for a DBM with label units: the top RBM learns [h_{L−1}, y]. */
  labels?: Tensor;
  callbacks?: { onEpochEnd?(layer: number, logs: RbmEpochLogs): void | Promise<void> };
  /** A folder for the pretraining DBN, saved after every epoch; a stack already there is loaded and resumed. */
  checkpoint?: string;
}

export interface BoundResult {
  /** Mean over rows of the variational lower bound on log p(v), in nats. */
  bound: number;
  logZ: number;
  /** −E_q[E(v, h)] + H(q), averaged: the bound before subtracting log Z. */
  meanNegEnergyPlusEntropy: number;
  ais?: AisResult;
}

const check = (name: string, x: unknown, ok: (v: number) => boolean, range: string): number => {
  if (typeof x !== "number" || !Number.isFinite(x) || !ok(x)) throw new RangeError(`DBM: ${name} must be ${range}, got ${String(x)}`);
  return x;
};
const int = (name: string, x: unknown, min: number): number => check(name, x, (v) => Number.isInteger(v) && v >= min, `an integer >= ${min}`);
const frac = (name: string, x: unknown): number => check(name, x, (v) => v >= 0 && v < 1, "a number in [0, 1)");
const flag = (name: string, x: unknown): boolean => {
  if (typeof x !== "boolean") throw new RangeError(`DBM: ${name} must be true or false, got ${String(x)}`);
  return x;
};

/**
 * The options that only steer joint training. A saved DBM can go on under other values of these
 * (`retune`); the rest (layers, labels, chains, initStd, seed) shaped its weights and chains.
 */
export const DBM_TRAINING_OPTIONS = [
  "learningRate",
  "learningRateDecay",
  "minLearningRate",
  "momentum",
  "initialMomentum",
  "momentumEpochs",
  "weightDecay",
  "gibbsSteps",
  "meanFieldSteps",
  "meanFieldTolerance",
  "sparsityCost",
  "sparsityTarget",
  "sparsityDamping",
  "chainMeanStep",
] as const;
export type DbmTrainingOptions = Pick<DBMOptions, (typeof DBM_TRAINING_OPTIONS)[number]>;

export function resolveDbmOptions(o: DBMOptions): ResolvedDBMOptions {
  if (!Array.isArray(o.layers) || o.layers.length < 3)
    throw new RangeError(`DBM: layers must list the data size and at least two hidden layers, e.g. [784, 500, 1000]; got ${JSON.stringify(o.layers)}`);
  return {
    layers: o.layers.map((u, i) => int(`layers[${i}]`, u, 1)),
    learningRate: check("learningRate", o.learningRate ?? 0.001, (v) => v > 0 && v <= 10, "a number in (0, 10]"),
    learningRateDecay: check("learningRateDecay", o.learningRateDecay ?? 1, (v) => v > 0 && v <= 1, "a number in (0, 1]"),
    minLearningRate: check("minLearningRate", o.minLearningRate ?? 0, (v) => v >= 0, "a number >= 0"),
    momentum: frac("momentum", o.momentum ?? 0.9),
    initialMomentum: frac("initialMomentum", o.initialMomentum ?? 0.5),
    momentumEpochs: int("momentumEpochs", o.momentumEpochs ?? 5, 0),
    weightDecay: check("weightDecay", o.weightDecay ?? 2e-4, (v) => v >= 0 && v <= 1, "a number in [0, 1]"),
    chains: int("chains", o.chains ?? 100, 1),
    gibbsSteps: int("gibbsSteps", o.gibbsSteps ?? 1, 1),
    meanFieldSteps: int("meanFieldSteps", o.meanFieldSteps ?? 10, 1),
    meanFieldTolerance: check("meanFieldTolerance", o.meanFieldTolerance ?? 1e-5, (v) => v >= 0, "a number >= 0"),
    initStd: check("initStd", o.initStd ?? 0.01, (v) => v >= 0 && v <= 10, "a number in [0, 10]"),
    labels: int("labels", o.labels ?? 0, 0),
    sparsityCost: check("sparsityCost", o.sparsityCost ?? 0, (v) => v >= 0 && v <= 1, "a number in [0, 1]"),
    sparsityTarget: sparsityTargets(o.sparsityTarget, o.layers.length - 1),
    sparsityDamping: frac("sparsityDamping", o.sparsityDamping ?? 0.9),
    chainMeanStep: flag("chainMeanStep", o.chainMeanStep ?? false),
    seed: check("seed", o.seed ?? 0, () => true, "a finite number"),
  };
}

/** One target activity per hidden layer, each in (0, 1): a number for all, or a list as long as the hidden layers. */
function sparsityTargets(t: number | readonly number[] | undefined, hidden: number): number[] {
  const list = t === undefined ? Array.from({ length: hidden }, (_, l) => (l === 0 ? 0.2 : 0.1)) : typeof t === "number" ? Array(hidden).fill(t) : [...t];
  if (list.length !== hidden) throw new RangeError(`DBM: sparsityTarget must give one target per hidden layer (${hidden}), got ${list.length}`);
  return list.map((x, l) => check(`sparsityTarget[${l}]`, x, (v) => v > 0 && v < 1, "a number in (0, 1)"));
}

/**
 * A chain of binary layers (weights[k] joins layer k to k + 1) as one RBM between its even
 * layers (visible block) and its odd layers (hidden block).
 */
export function chainAsRbm(weights: readonly Tensor[], biases: readonly Tensor[]): RbmParams {
  const sizes = biases.map((b) => b.size);
  const even = sizes.map((_, l) => l).filter((l) => l % 2 === 0);
  const odd = sizes.map((_, l) => l).filter((l) => l % 2 === 1);
  const offset = (group: number[]): Map<number, number> => {
    const m = new Map<number, number>();
    let at = 0;
    for (const l of group) {
      m.set(l, at);
      at += sizes[l];
    }
    return m;
  };
  const ev = offset(even);
  const od = offset(odd);
  const V = even.reduce((s, l) => s + sizes[l], 0);
  const H = odd.reduce((s, l) => s + sizes[l], 0);
  const W = zeros([V, H]);
  weights.forEach((w, k) => {
    // w is [sizes[k], sizes[k+1]]; one of k, k+1 is even
    const [lo, hi] = [k, k + 1];
    const lowerEven = lo % 2 === 0;
    const rows = lowerEven ? (ev.get(lo) as number) : (ev.get(hi) as number);
    const cols = lowerEven ? (od.get(hi) as number) : (od.get(lo) as number);
    for (let i = 0; i < sizes[lo]; i++) {
      for (let j = 0; j < sizes[hi]; j++) {
        const x = w.data[i * sizes[hi] + j];
        if (lowerEven) W.data[(rows + i) * H + cols + j] = x;
        else W.data[(rows + j) * H + cols + i] = x;
      }
    }
  });
  const a = zeros([V]);
  for (const l of even) a.data.set(biases[l].data, ev.get(l));
  const b = zeros([H]);
  for (const l of odd) b.data.set(biases[l].data, od.get(l));
  return { W, a, b, visibleUnits: "bernoulli", hiddenUnits: "bernoulli" };
}

interface FieldBuffers {
  mu: Tensor[];
  /** vW_0, h1's input from the clamped data. */
  vW0: Tensor;
  /** Flat scratch for one layer's new means. */
  next: Tensor;
}

export class DBM {
  private resolved: ResolvedDBMOptions;
  readonly layers: readonly number[];
  /** W[l] joins layer l to layer l + 1: [layers[l], layers[l + 1]]. */
  readonly W: Tensor[];
  /** biases[l] of layer l (biases[0]: the visible biases). */
  readonly biases: Tensor[];
  /** Label units: U joins them to the top layer [labels, top units], c their biases; null without labels. */
  readonly U: Tensor | null;
  readonly c: Tensor | null;
  epochsTrained = 0;
  updates = 0;
  private readonly rng: Rng;
  private readonly velocity: RbmStats[];
  private readonly labelVelocity: RbmStats | null;
  /** q̄_l, the damped mean activity of hidden layer l + 1 that the sparsity penalty watches. */
  private readonly meanActivity: Tensor[];
  private chains: Tensor[] | null = null;
  /** The chains' label states (one-hot), with the layers' chains. */
  private labelChain: Tensor | null = null;
  private readonly fieldBuffers = new Map<number, FieldBuffers>();

  constructor(options: DBMOptions) {
    this.resolved = resolveDbmOptions(options);
    const { layers, initStd, seed } = this.resolved;
    this.layers = layers;
    this.rng = new Rng(seed);
    this.W = layers.slice(0, -1).map((n, l) => {
      const w = zeros([n, layers[l + 1]]);
      fillNormal(w.data, this.rng, 0, initStd);
      return w;
    });
    this.biases = layers.map((n) => zeros([n]));
    this.velocity = layers.slice(0, -1).map((n, l) => zeroStats(n, layers[l + 1]));
    const C = this.options.labels;
    const top = layers[layers.length - 1];
    this.U = C > 0 ? zeros([C, top]) : null;
    if (this.U !== null) fillNormal(this.U.data, this.rng, 0, initStd);
    this.c = C > 0 ? zeros([C]) : null;
    this.labelVelocity = C > 0 ? zeroStats(C, top) : null;
    this.meanActivity = this.options.sparsityTarget.map((t, l) => {
      const q = zeros([layers[l + 1]]);
      q.data.fill(t);
      return q;
    });
  }

  get options(): ResolvedDBMOptions {
    return this.resolved;
  }

  /**
   * Goes on training under other joint-training options (a resumed run that switches to
   * momentum 0.9, say). Only DBM_TRAINING_OPTIONS may change; undefined entries keep their
   * value. Returns the options that changed, with their old and new values.
   */
  retune(changes: DbmTrainingOptions): { option: string; from: unknown; to: unknown }[] {
    const given = Object.entries(changes).filter(([, x]) => x !== undefined);
    const fixed = given.map(([k]) => k).filter((k) => !(DBM_TRAINING_OPTIONS as readonly string[]).includes(k));
    if (fixed.length > 0)
      throw new RangeError(
        `DBM.retune: ${fixed.join(", ")} cannot change after construction (the weights and chains were made for them); it can change ${DBM_TRAINING_OPTIONS.join(", ")}`,
      );
    const before = this.resolved;
    this.resolved = resolveDbmOptions({ ...before, ...Object.fromEntries(given) });
    const after = this.resolved as unknown as Record<string, unknown>;
    const old = before as unknown as Record<string, unknown>;
    return given.map(([k]) => ({ option: k, from: old[k], to: after[k] })).filter((c) => JSON.stringify(c.from) !== JSON.stringify(c.to));
  }

  /** Number of label units (0: none). */
  get labels(): number {
    return this.options.labels;
  }

  /** Parity of the label group in the even/odd split: they sit one above the top layer. */
  private get labelParity(): number {
    return (this.depth + 1) % 2;
  }

  /** Checks one-hot labels for n rows when the DBM has label units (and refuses them when it has none). */
  private checkLabels(where: string, labels: Tensor | undefined, n: number): Tensor | null {
    const C = this.labels;
    if (C === 0) {
      if (labels !== undefined) throw new RangeError(`${where}: labels given but the DBM has no label units (construct it with { labels: classes })`);
      return null;
    }
    if (labels === undefined) throw new RangeError(`${where}: this DBM has ${C} label units; pass labels (one-hot [n, ${C}])`);
    checkRows(where, labels, C, "labels");
    if (labels.rows !== n) throw new RangeError(`${where}: ${n} data rows but ${labels.rows} label rows`);
    return labels;
  }

  /** The generator's four state words (saved with the DBM, so a resumed fit draws the same numbers). */
  get rngState(): Uint32Array {
    return this.rng.state;
  }

  /** Number of hidden layers L. */
  get depth(): number {
    return this.layers.length - 1;
  }

  /**
   * Greedy pretraining by a DBN whose RBMs double the input of the layers that will hear two
   * neighbours (Salakhutdinov & Hinton 2009, §3.1), then joins them: W_l from RBM l, and each
   * inner layer's bias the mean of the two RBMs' biases for it (its two half-inputs). Returns
   * the DBN, whose per-layer logs show the progress.
   */
  async pretrain(data: Tensor, options: DbmPretrainOptions = {}): Promise<DBN> {
    const L = this.depth;
    const rbm = perRbmOptions("DBM.pretrain", options.rbm, L).map((o, l) => ({ ...o, upScale: l < L - 1 ? 2 : 1, downScale: l > 0 ? 2 : 1 }));
    const labels = this.checkLabels("DBM.pretrain", options.labels, data.rows) ?? undefined;
    const dbn =
      (await this.savedStack(options.checkpoint)) ??
      new DBN({ layers: this.layers, rbm, seed: this.options.seed, labels: this.labels > 0 ? this.labels : undefined });
    const cb = options.callbacks;
    await dbn.pretrain(data, {
      epochs: options.epochs,
      batchSize: options.batchSize,
      sampleData: options.sampleData,
      propagate: options.propagate,
      labels,
      callbacks: cb?.onEpochEnd ? { onEpochEnd: cb.onEpochEnd } : undefined,
      checkpoint: options.checkpoint,
    });
    // the top RBM's visible layer is [h_{L−1}, y] when there are labels: its first rows are W_{L−1}, the rest U
    const below = (r: RBM, t: Tensor): Tensor => t.sliceRows(0, r.visible - (r === dbn.top ? this.labels : 0));
    for (const [l, r] of dbn.rbms.entries()) this.W[l].assign(below(r, r.W));
    this.biases[0].assign(below(dbn.rbms[0], dbn.rbms[0].a));
    for (let l = 1; l < L; l++) {
      this.biases[l].assign(dbn.rbms[l - 1].b);
      axpby(0.5, below(dbn.rbms[l], dbn.rbms[l].a), 0.5, this.biases[l]);
    }
    this.biases[L].assign(dbn.rbms[L - 1].b);
    if (this.U !== null && this.c !== null) {
      const { top } = dbn;
      const P = top.visible - this.labels;
      this.U.assign(top.W.sliceRows(P, top.visible));
      this.c.assign(top.a.sliceRows(P, top.visible));
    }
    return dbn;
  }

  /** The pretraining stack saved in dir, checked to be this DBM's doubled RBMs, or null when there is none. */
  private async savedStack(dir: string | undefined): Promise<DBN | null> {
    if (dir === undefined) return null;
    if (!(await hasSavedModel(dir))) return null;
    const dbn = await loadSavedAs(dir, DBN);
    const L = this.depth;
    const fits =
      dbn.layers.join("-") === this.layers.join("-") &&
      dbn.labels === this.labels &&
      dbn.rbms.every((r, l) => r.options.upScale === (l < L - 1 ? 2 : 1) && r.options.downScale === (l > 0 ? 2 : 1));
    if (!fits)
      throw new Error(
        `DBM.pretrain: the stack in ${dir} (${dbn.layers.join("-")}, ${dbn.labels} labels) is not this DBM's doubled pretraining stack (${this.layers.join("-")}, ${this.labels} labels)`,
      );
    return dbn;
  }

  /**
   * p(h_l = 1 | neighbours) = σ(b_l + x_{l−1} W_{l−1} + x_{l+1} W_lᵀ) into out, from the
   * states (or means) x of all layers; `upScale` doubles the input from below (the
   * recognition pass that starts mean-field before the layer above has a value); `below`,
   * when given, is that input x_{l−1}W_{l−1} already computed; `y`, the label states, adds
   * yU to the top layer's input.
   */
  private layerMean(x: readonly Tensor[], l: number, out: Tensor, fromBelowOnly = false, upScale = 1, below?: Tensor, y?: Tensor | null): Tensor {
    const L = this.depth;
    if (below !== undefined) {
      out.assign(below);
      if (upScale !== 1) axpby(upScale - 1, below, 1, out);
    } else if (l > 0) matmul(x[l - 1], this.W[l - 1], { out, alpha: upScale });
    if (l < L && !fromBelowOnly) matmul(x[l + 1], this.W[l], { transB: true, out, beta: l > 0 ? 1 : 0 });
    if (l === L && y !== undefined && y !== null && this.U !== null) matmul(y, this.U, { out, beta: 1 });
    add(out, this.biases[l], out);
    return sigmoid(out, out);
  }

  /** p(y | h_L) = softmax(h_L Uᵀ + c) into out. */
  private labelMean(top: Tensor, out: Tensor): Tensor {
    if (this.U === null || this.c === null) throw new Error("DBM: no label units");
    matmul(top, this.U, { transB: true, out });
    add(out, this.c, out);
    return softmax(out, out);
  }

  /**
   * Mean-field posterior q(h | v): starts from the doubled recognition pass, then updates
   * μ_1, ..., μ_L in turn from their neighbours until no entry changes by more than the
   * tolerance or the iterations run out. The μ tensors are buffers reused for this batch size.
   */
  meanField(v: Tensor, options: MeanFieldOptions = {}): MeanFieldResult {
    checkRows("DBM.meanField", v, this.layers[0], "v");
    const maxIterations = int("meanField maxIterations", options.maxIterations ?? this.options.meanFieldSteps, 0);
    const tolerance = check("meanField tolerance", options.tolerance ?? this.options.meanFieldTolerance, (x) => x >= 0, "a number >= 0");
    const L = this.depth;
    const y = options.labels === undefined ? null : this.checkLabels("DBM.meanField", options.labels, v.rows);
    const buf = this.fieldsFor(v.rows);
    const x = [v, ...buf.mu];
    // v is clamped, so h1's input from below, vW_0, is the same in every iteration: once
    const vW0 = matmul(v, this.W[0], { out: buf.vW0 });
    for (let l = 1; l <= L; l++) this.layerMean(x, l, buf.mu[l - 1], true, l < L ? 2 : 1, l === 1 ? vW0 : undefined, y);
    let change = Number.POSITIVE_INFINITY;
    let iterations = 0;
    while (iterations < maxIterations && change > tolerance) {
      change = 0;
      for (let l = 1; l <= L; l++) {
        const mu = buf.mu[l - 1];
        const next = this.layerMean(x, l, buf.next.sliceRows(0, mu.size).reshape(mu.shape), false, 1, l === 1 ? vW0 : undefined, y);
        for (let i = 0; i < mu.size; i++) {
          const d = Math.abs(next.data[i] - mu.data[i]);
          if (d > change) change = d;
        }
        mu.assign(next);
      }
      iterations++;
    }
    return { mu: buf.mu, iterations, change };
  }

  /** ε for the epoch after `epochsTrained` epochs: ε · decay^e, held at minLearningRate. */
  learningRateAt(epoch: number): number {
    const o = this.options;
    return Math.max(o.learningRate * o.learningRateDecay ** epoch, o.minLearningRate);
  }

  /**
   * One Gibbs sweep of all layers: even layers (v, h2, ...) given the odd ones, then odd layers
   * given the even ones. Afterwards scratch[l] of each odd layer holds p(h_l = 1 | even states),
   * the means its new states were drawn from. The labels, one above the top layer, take their
   * turn with their parity: y ~ softmax(h_L Uᵀ + c) (yScratch: those probabilities), unless
   * `clampLabels`.
   */
  private gibbsSweep(x: Tensor[], rng: Rng, scratch: Tensor[], y: Tensor | null = null, yScratch: Tensor | null = null, clampLabels = false): void {
    const L = this.depth;
    for (const parity of [0, 1]) {
      for (let l = parity; l <= L; l += 2) bernoulli(this.layerMean(x, l, scratch[l], false, 1, undefined, y), rng, x[l]);
      if (y !== null && yScratch !== null && !clampLabels && parity === this.labelParity) sampleOneHot(this.labelMean(x[L], yScratch), rng, y);
    }
  }

  /**
   * The `chainMeanStep` option: after the sweeps, each even hidden layer of the chains becomes
   * its conditional mean given the odd layers' probabilities and, on the top layer, the labels'
   * p(y) (yProbs, drawn with the odd layers when the top is even). negative: the chains' even
   * states beside the odd layers' probabilities from the last sweep (scratch), as `fit` uses
   * them for the statistics; its even entries are the chains' own tensors, updated in place.
   */
  private chainMeanStep(negative: Tensor[], scratch: Tensor[], yProbs: Tensor | null): void {
    const y = this.labelParity === 1 ? yProbs : null;
    for (let l = 2; l <= this.depth; l += 2) negative[l].assign(this.layerMean(negative, l, scratch[l], false, 1, undefined, y));
  }

  /** Joint training: mean-field positive phase, persistent-chain negative phase. */
  async fit(data: Tensor, options: DbmFitOptions = {}): Promise<DbmEpochLogs[]> {
    checkRows("DBM.fit", data, this.layers[0], "data");
    const o = this.options;
    const epochs = int("fit epochs", options.epochs ?? 10, 0);
    const batchSize = int("fit batchSize", options.batchSize ?? 100, 1);
    const L = this.depth;
    const M = o.chains;
    const labels = this.checkLabels("DBM.fit", options.labels, data.rows);
    const chains = this.chainsFrom(data, labels);
    const chainScratch = this.layers.map((n) => zeros([M, n]));
    const yChain = this.labelChain;
    const yScratch = labels === null ? null : zeros([M, this.labels]);
    const yBatch = labels === null ? null : zeros([Math.min(batchSize, data.rows), this.labels]);
    const batch = zeros([Math.min(batchSize, data.rows), this.layers[0]]);
    const sampled = options.sampleData === true ? zeros(batch.shape) : null;
    const recon = zeros([Math.min(batchSize, data.rows), this.layers[0]]);
    const history: DbmEpochLogs[] = [];
    for (let e = 0; e < epochs; e++) {
      const start = performance.now();
      const momentum = this.epochsTrained < o.momentumEpochs ? o.initialMomentum : o.momentum;
      const eps = this.learningRateAt(this.epochsTrained);
      let err = 0;
      let iters = 0;
      let batches = 0;
      for (const idx of batchIndices(data.rows, batchSize, { shuffle: true, rng: this.rng })) {
        const x0 = gatherRows(data, idx, batch);
        const n = x0.rows;
        const v = sampled === null ? x0 : bernoulli(x0, this.rng, sampled.sliceRows(0, n));
        const y = labels === null || yBatch === null ? undefined : gatherRows(labels, idx, yBatch);
        // positive phase: mean-field statistics ⟨μ_l μ_{l+1}ᵀ⟩ (labels clamped)
        const mf = this.meanField(v, { labels: y });
        iters += mf.iterations;
        const x = [v, ...mf.mu];
        for (let l = 0; l < L; l++) accumulatePhase(this.velocity[l], x[l], x[l + 1], eps / n, momentum);
        if (y !== undefined && this.labelVelocity !== null) accumulatePhase(this.labelVelocity, y, x[L], eps / n, momentum);
        if (o.sparsityCost > 0) this.sparsityPenalty(x, eps);
        // negative phase: the persistent chains. Given the even layers the odd ones are
        // independent, so their pair statistics use p(h_odd | even states) in place of the
        // binary states (Rao-Blackwellised: the same expectation with less noise)
        for (let k = 0; k < o.gibbsSteps; k++) this.gibbsSweep(chains, this.rng, chainScratch, yChain, yScratch);
        const negative = chains.map((c, l) => (l % 2 === 1 ? chainScratch[l] : c));
        if (o.chainMeanStep) this.chainMeanStep(negative, chainScratch, yScratch);
        for (let l = 0; l < L; l++) accumulatePhase(this.velocity[l], negative[l], negative[l + 1], -eps / M, 1);
        if (yChain !== null && yScratch !== null && this.labelVelocity !== null) {
          accumulatePhase(this.labelVelocity, this.labelParity === 1 ? yScratch : yChain, negative[L], -eps / M, 1);
        }
        // step: W_l and every layer's bias (layer 0 from the first pair, layer l + 1 from pair l)
        for (let l = 0; l < L; l++) {
          const vel = this.velocity[l];
          if (o.weightDecay > 0) axpby(-eps * o.weightDecay, this.W[l], 1, vel.dW);
          axpby(1, vel.dW, 1, this.W[l]);
          if (l === 0) axpby(1, vel.da, 1, this.biases[0]);
          axpby(1, vel.db, 1, this.biases[l + 1]);
        }
        // U and the label biases c (the top layer's bias already moved with pair L − 1)
        if (this.U !== null && this.c !== null && this.labelVelocity !== null && labels !== null) {
          const vel = this.labelVelocity;
          if (o.weightDecay > 0) axpby(-eps * o.weightDecay, this.U, 1, vel.dW);
          axpby(1, vel.dW, 1, this.U);
          axpby(1, vel.da, 1, this.c);
        }
        // progress: p(v | μ1) against v
        const r = recon.sliceRows(0, n);
        matmul(mf.mu[0], this.W[0], { transB: true, out: r });
        add(r, this.biases[0], r);
        sigmoid(r, r);
        axpby(1, v, -1, r);
        let s = 0;
        for (let i = 0; i < r.size; i++) s += r.data[i] * r.data[i];
        err += s;
        batches++;
        this.updates++;
      }
      if (![...this.W, ...(this.U === null ? [] : [this.U])].every((w) => w.data.every(Number.isFinite)))
        throw new Error(`DBM.fit: weights became non-finite in epoch ${this.epochsTrained + 1}; lower learningRate (now ${o.learningRate})`);
      this.epochsTrained++;
      const logs: DbmEpochLogs = {
        epoch: this.epochsTrained,
        reconstructionError: err / data.rows,
        meanFieldIterations: iters / batches,
        momentum,
        learningRate: eps,
        seconds: (performance.now() - start) / 1e3,
      };
      history.push(logs);
      await options.callbacks?.onEpochEnd?.(logs);
    }
    return history;
  }

  /**
   * Adds −ε · ∂penalty to the velocities (Salakhutdinov's DBM code): with s_l = cost · (q̄_l −
   * target_l) for hidden layer l, where q̄_l is the damped batch mean of μ_l, the bias b_l moves
   * by −ε s_l and each weight matrix into layer l by −ε (mean of the neighbour's activity) ⊗ s_l,
   * as if s_l were a gradient on the layer's total input. x: [v, μ_1, ..., μ_L] of the batch.
   */
  private sparsityPenalty(x: readonly Tensor[], eps: number): void {
    const o = this.options;
    const L = this.depth;
    const means = x.map((t) => mean(t, 0).reshape([1, t.cols]));
    for (let l = 1; l <= L; l++) {
      const q = this.meanActivity[l - 1];
      axpby(1 - o.sparsityDamping, means[l].reshape([q.size]), o.sparsityDamping, q);
      const s = zeros([1, q.size]);
      for (let i = 0; i < q.size; i++) s.data[i] = o.sparsityCost * (q.data[i] - o.sparsityTarget[l - 1]);
      const below = this.velocity[l - 1];
      axpby(-eps, s.reshape([q.size]), 1, below.db);
      matmul(means[l - 1], s, { transA: true, alpha: -eps, beta: 1, out: below.dW });
      if (l < L) matmul(s, means[l + 1], { transA: true, alpha: -eps, beta: 1, out: this.velocity[l].dW });
    }
  }

  /**
   * Samples by Gibbs sampling over all layers from random states; returns the visible means (or
   * samples). A DBM with labels samples them too, or holds them at `label` (class-conditional
   * samples).
   */
  sample(options: { n?: number; steps?: number; seed?: number; output?: "mean" | "sample"; label?: number } = {}): Tensor {
    const n = int("sample n", options.n ?? 100, 1);
    const steps = int("sample steps", options.steps ?? 1000, 1);
    const rng = options.seed === undefined ? this.rng : new Rng(options.seed);
    const C = this.labels;
    if (options.label !== undefined && !(C > 0 && Number.isInteger(options.label) && options.label >= 0 && options.label < C))
      throw new RangeError(
        C === 0 ? "DBM.sample: label given but the DBM has no label units" : `DBM.sample: label must be an integer in [0, ${C - 1}], got ${options.label}`,
      );
    const x = this.layers.map((u) => zeros([n, u]));
    for (const t of x) for (let i = 0; i < t.size; i++) t.data[i] = rng.nextFloat() < 0.5 ? 1 : 0;
    const scratch = this.layers.map((u) => zeros([n, u]));
    const y = C > 0 ? zeros([n, C]) : null;
    if (y !== null) for (let r = 0; r < n; r++) y.data[r * C + (options.label ?? rng.int(C))] = 1;
    const yScratch = C > 0 ? zeros([n, C]) : null;
    for (let k = 0; k < steps; k++) this.gibbsSweep(x, rng, scratch, y, yScratch, options.label !== undefined);
    if (options.output === "sample") return x[0];
    return this.layerMean(x, 0, scratch[0]);
  }

  /** The DBM as an RBM between its even layers (v, h2, ...) and odd layers (h1, h3, ...). */
  asRbm(): RbmParams {
    if (this.labels > 0)
      throw new Error("DBM: log Z, the likelihood bound and the even/odd RBM view are for DBMs without label units (the label group is a softmax)");
    return chainAsRbm(this.W, this.biases);
  }

  /**
   * log Z: exact when the smaller of the even/odd groups has at most 25 units, else AIS on the
   * even/odd RBM (base rate from `baseData` for the visible units, uniform for the others).
   */
  logZ(options: AisOptions & { method?: "exact" | "ais" } = {}): { logZ: number; method: "exact" | "ais"; ais?: AisResult } {
    const rbm = this.asRbm();
    const method = options.method ?? (Math.min(rbm.W.shape[0], rbm.W.shape[1]) <= 25 ? "exact" : "ais");
    if (method === "exact") return { logZ: exactLogZ(rbm), method };
    let baseBiases = options.baseBiases;
    if (baseBiases === undefined && options.baseData !== undefined) {
      baseBiases = zeros([rbm.W.shape[0]]);
      baseBiases.data.set(baseRateBiases(options.baseData).data, 0); // v comes first in the even block
    }
    const ais = aisLogZ(rbm, { ...options, baseData: undefined, baseBiases });
    return { logZ: ais.logZ, method, ais };
  }

  /**
   * The variational lower bound log p(v) ≥ Σ_h q(h) (−E(v, h)) + H(q) − log Z with the
   * mean-field q, averaged over the rows of data. log Z is exact or from AIS (see logZ),
   * or given.
   */
  logLikelihoodBound(data: Tensor, options: AisOptions & { method?: "exact" | "ais"; logZ?: number; meanField?: MeanFieldOptions } = {}): BoundResult {
    checkRows("DBM.logLikelihoodBound", data, this.layers[0], "data");
    const z = options.logZ === undefined ? this.logZ({ ...options, baseData: options.baseData ?? data }) : { logZ: options.logZ };
    const { mu } = this.meanField(data, { maxIterations: 50, tolerance: 1e-7, ...options.meanField });
    const x = [data, ...mu];
    const n = data.rows;
    let total = 0;
    for (let l = 0; l <= this.depth; l++) {
      // bias terms b_lᵀμ_l and pair terms μ_lᵀ W_l μ_{l+1}, summed over rows
      total += sumAll(matmul(x[l], this.biases[l].reshape(this.layers[l], 1)));
      if (l < this.depth) total += sumAll(mul(matmul(x[l], this.W[l]), x[l + 1]));
      if (l > 0) {
        const m = x[l].data;
        for (let i = 0; i < m.length; i++) {
          const p = Math.min(1 - 1e-12, Math.max(1e-12, m[i]));
          total -= p * Math.log(p) + (1 - p) * Math.log(1 - p);
        }
      }
    }
    const mean = total / n;
    return { bound: mean - z.logZ, logZ: z.logZ, meanNegEnergyPlusEntropy: mean, ...("ais" in z && z.ais ? { ais: z.ais } : {}) };
  }

  /** Exact mean log p(v) by enumeration, for tiny models (odd or even hidden groups ≤ 25 units). */
  exactLogLikelihood(data: Tensor): number {
    checkRows("DBM.exactLogLikelihood", data, this.layers[0], "data");
    const logZ = exactLogZ(this.asRbm());
    const n = data.rows;
    const b1 = zeros([this.layers[1]]);
    let total = 0;
    for (let r = 0; r < n; r++) {
      const v = data.sliceRows(r, r + 1);
      // with v clamped, h1..hL is a chain whose first layer's bias gains vW_0
      matmul(v, this.W[0], { out: b1.reshape(1, b1.size) });
      add(b1, this.biases[1], b1);
      const sub = chainAsRbm(this.W.slice(1), [b1, ...this.biases.slice(2)]);
      let av = 0;
      for (let i = 0; i < v.size; i++) av += v.data[i] * this.biases[0].data[i];
      total += av + exactLogZ(sub);
    }
    return total / n - logZ;
  }

  /**
   * p(y | μ_L) = softmax(μ_L Uᵀ + c) for a DBM with labels, with μ from mean-field on x alone
   * (the labels left out): the label the top layer's features point to. [n, labels].
   */
  labelProbabilities(x: Tensor, meanField: Omit<MeanFieldOptions, "labels"> = {}): Tensor {
    if (this.labels === 0) throw new Error("DBM.labelProbabilities: the DBM has no label units (construct it with { labels: classes })");
    checkRows("DBM.labelProbabilities", x, this.layers[0], "x");
    const out = zeros([x.rows, this.labels]);
    this.meanFieldByChunks(x, meanField, (_rows, mu, start, end) => this.labelMean(mu[this.depth - 1], out.sliceRows(start, end)));
    return out;
  }

  /** [v, q(h2 | v)]: the data with the mean-field marginals of h2, the classifier's input. */
  classifierInputs(x: Tensor, meanField: Omit<MeanFieldOptions, "labels"> = {}): Tensor {
    const out = zeros([x.rows, this.layers[0] + this.layers[2]]);
    this.meanFieldByChunks(x, meanField, (rows, mu, start, end) => joinColumns(rows, mu[1], out.sliceRows(start, end)));
    return out;
  }

  /**
   * Mean-field on x in blocks of 500 rows (bounded buffers for any n): each block's rows, μ and
   * row range. Read-outs run mean-field to convergence, not the few iterations of a training
   * step: by default up to 50 (Salakhutdinov's mf_class), stopping at the tolerance.
   */
  private meanFieldByChunks(x: Tensor, options: MeanFieldOptions, each: (rows: Tensor, mu: Tensor[], start: number, end: number) => void): void {
    const mf = { ...options, maxIterations: options.maxIterations ?? READOUT_MEAN_FIELD_STEPS };
    for (let start = 0; start < x.rows; start += 500) {
      const end = Math.min(x.rows, start + 500);
      const rows = x.sliceRows(start, end);
      each(rows, this.meanField(rows, mf).mu, start, end);
    }
  }

  /**
   * The discriminative net of Salakhutdinov & Hinton (2009, §4): input [v, q(h2)], first layer
   * σ(vW_0 + q(h2)W_1ᵀ + b_1) (kernel [W_0; W_1ᵀ]), then σ(h_l W_l + b_{l+1}) up the stack,
   * then a new output layer. Feed it classifierInputs(x). `dropout` as for DBN.toClassifier
   * (Srivastava et al. 2014 fine-tune DBMs with it too).
   */
  toClassifier(options: { classes: number; outputActivation?: ActivationName; seed?: number; dropout?: ClassifierOptions["dropout"] }): Sequential {
    const L = this.depth;
    const hidden: Dense[] = [];
    for (let l = 1; l <= L; l++) hidden.push(new Dense(this.layers[l], { activation: "sigmoid", name: `dbm_h${l}` }));
    const output = new Dense(int("toClassifier classes", options.classes, 1), { activation: options.outputActivation ?? "softmax", name: "output" });
    const V = this.layers[0];
    const seed = options.seed ?? this.options.seed;
    const model = new Sequential([...withDropout(hidden, options.dropout, seed), output], {
      inputShape: [V + this.layers[2]],
      seed,
      name: "dbm_classifier",
    }).build();
    hidden[0].kernel.value.sliceRows(0, V).assign(this.W[0]);
    hidden[0].kernel.value.sliceRows(V, V + this.layers[2]).assign(transpose(this.W[1]));
    hidden.forEach((d, i) => {
      if (i > 0) d.kernel.value.assign(this.W[i]);
      d.bias?.value.assign(this.biases[i + 1]);
    });
    return model;
  }

  /** Buffers of the chains, started from data rows (and their labels) passed up (sampled) the first time. */
  private chainsFrom(data: Tensor, labels: Tensor | null): Tensor[] {
    if (this.chains !== null && (labels === null || this.labelChain !== null)) return this.chains;
    const M = this.options.chains;
    const idx = Uint32Array.from({ length: M }, (_, i) => i % data.rows);
    const v = gatherRows(data, idx);
    const y = labels === null ? undefined : gatherRows(labels, idx);
    const { mu } = this.meanField(v, { maxIterations: 0, labels: y });
    this.chains = [bernoulli(v, this.rng), ...mu.map((m) => bernoulli(m, this.rng))];
    this.labelChain = y ?? null;
    return this.chains;
  }

  private fieldsFor(n: number): FieldBuffers {
    let b = this.fieldBuffers.get(n);
    if (b === undefined) {
      const widest = Math.max(...this.layers.slice(1));
      b = { mu: this.layers.slice(1).map((u) => zeros([n, u])), vW0: zeros([n, this.layers[1]]), next: zeros([n * widest]) };
      this.fieldBuffers.set(n, b);
    }
    return b;
  }

  /** Parameters for saving. */
  config(): ResolvedDBMOptions & { epochsTrained: number; updates: number } {
    return { ...this.options, epochsTrained: this.epochsTrained, updates: this.updates };
  }

  /**
   * Everything a resumed `fit` needs, by name: the weights W1.. and biases b0.., and once
   * training has started the momentum buffers and the persistent chains (without them a
   * resumed run would restart its fantasy particles from data and lose its velocity).
   */
  namedTensors(): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [l, w] of this.W.entries()) out.push([`W${l + 1}`, w]);
    for (const [l, b] of this.biases.entries()) out.push([`b${l}`, b]);
    if (this.U !== null && this.c !== null) out.push(["U", this.U], ["c", this.c]);
    if (this.updates > 0) {
      this.velocity.forEach((v, l) => {
        out.push([`velocity.W${l + 1}`, v.dW], [`velocity.a${l + 1}`, v.da], [`velocity.b${l + 1}`, v.db]);
      });
      if (this.labelVelocity !== null) out.push(["velocity.U", this.labelVelocity.dW], ["velocity.c", this.labelVelocity.da]);
      if (this.options.sparsityCost > 0) for (const [l, q] of this.meanActivity.entries()) out.push([`sparsity.q${l + 1}`, q]);
    }
    for (const [l, c] of (this.chains ?? []).entries()) out.push([`chains.h${l}`, c]);
    if (this.labelChain !== null) out.push(["chains.y", this.labelChain]);
    return out;
  }

  /**
   * Sets the tensors `namedTensors` lists from `get(name, shape)`, which returns the saved
   * values (checked against shape by the caller) or undefined when absent; weights and
   * biases are required, momentum and chains optional.
   */
  restoreTensors(get: (name: string, shape: readonly number[]) => Float32Array | undefined, where: string): void {
    const need = (name: string, t: Tensor): void => {
      const data = get(name, t.shape);
      if (data === undefined) throw new Error(`${where}: tensor "${name}" is missing`);
      t.data.set(data);
    };
    for (const [l, w] of this.W.entries()) need(`W${l + 1}`, w);
    for (const [l, b] of this.biases.entries()) need(`b${l}`, b);
    if (this.U !== null && this.c !== null) {
      need("U", this.U);
      need("c", this.c);
    }
    const optional = (name: string, t: Tensor): void => {
      const data = get(name, t.shape);
      if (data !== undefined) t.data.set(data);
    };
    this.velocity.forEach((v, l) => {
      optional(`velocity.W${l + 1}`, v.dW);
      optional(`velocity.a${l + 1}`, v.da);
      optional(`velocity.b${l + 1}`, v.db);
    });
    if (this.labelVelocity !== null) {
      optional("velocity.U", this.labelVelocity.dW);
      optional("velocity.c", this.labelVelocity.da);
    }
    for (const [l, q] of this.meanActivity.entries()) optional(`sparsity.q${l + 1}`, q);
    const M = this.options.chains;
    const chains = this.layers.map((n, l) => get(`chains.h${l}`, [M, n]));
    if (chains.every((c) => c !== undefined)) {
      this.chains = chains.map((c, l) => {
        const t = zeros([M, this.layers[l]]);
        t.data.set(c as Float32Array);
        return t;
      });
      const y = this.labels > 0 ? get("chains.y", [M, this.labels]) : undefined;
      if (y !== undefined) {
        this.labelChain = zeros([M, this.labels]);
        this.labelChain.data.set(y);
      }
    }
  }

  /** What saveModel writes: the options, the counters, the generator's state and namedTensors(). */
  toSaved(): SavedModel {
    return {
      className: "DBM",
      config: { ...this.options },
      state: { epochsTrained: this.epochsTrained, updates: this.updates, rng: [...this.rng.state] },
      tensors: this.namedTensors(),
    };
  }

  /** Rebuilds a saved DBM, which resumes fit bit for bit. */
  static fromSaved(saved: SavedModelReader): DBM {
    const dbm = new DBM(saved.config as unknown as DBMOptions); // validates every option again
    dbm.restoreTensors((name, shape) => saved.optionalTensor(name, shape), saved.files.weights);
    dbm.epochsTrained = saved.count("epochsTrained");
    dbm.updates = saved.count("updates");
    const rng = saved.rngState("rng");
    if (rng !== undefined) dbm.rng.state.set(rng);
    return dbm;
  }

  /** Writes dir/model.json and dir/model.safetensors (see saveModel). */
  async save(dir: string, training?: Record<string, unknown>): Promise<void> {
    await saveModel(this, dir, training);
  }
}

registerModel("DBM", DBM.fromSaved);
