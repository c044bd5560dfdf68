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
 *
 * The formulas are plain functions in core.ts and the options live in options.ts; this class
 * holds the state (parameters, momentum, persistent chains, buffers) and composes them.
 */

import { gatherRows } from "../../data/batch.js";
import { hasSavedModel, loadSavedAs, registerModel, type SavedModel, type SavedModelReader, saveModel } from "../../io/model.js";
import type { ActivationName } from "../../nn/activations.js";
import { Dense } from "../../nn/dense.js";
import { axpby } from "../../ops/elementwise.js";
import { bernoulli } from "../../ops/random.js";
import { Rng } from "../../tensor/random.js";
import { fillNormal, type Tensor, zeros } from "../../tensor/tensor.js";
import { type Callback, callbackList, type Logs, setTensors, type TrainableModel } from "../../train/callbacks.js";
import { type DivergenceOptions, epochLogs, fitLoop, type TrainingStep } from "../../train/loop.js";
import { Sequential } from "../../train/sequential.js";
import { type ClassifierOptions, DBN, joinColumns, type LayerRbmOptions, perRbmOptions, transpose, withDropout } from "../dbn/dbn.js";
import { type AisOptions, type AisResult, aisLogZ, baseRateBiases } from "../rbm/ais.js";
import { accumulatePhase, checkRows, checkUnitRange, type RbmParams, type RbmStats, zeroStats } from "../rbm/core.js";
import { exactLogZ } from "../rbm/partition.js";
import type { RBM, RbmEpochLogs } from "../rbm/rbm.js";
import {
  accumulatePairs,
  applyVelocity,
  type ChainLabels,
  chainAsRbm,
  chainMeanStep,
  exactLogLikelihood as exactMeanLogLikelihood,
  gibbsSweep,
  labelMean,
  labelParity,
  layerMean,
  type MeanFieldBuffers,
  type MeanFieldResult,
  meanFieldBuffers,
  meanField as meanFieldPosterior,
  negEnergyPlusEntropy,
  pretrainingScales,
  reconstructionSquaredError,
  sparsityPenalty,
} from "./core.js";
import {
  checkInt,
  checkNumber,
  type DBMOptions,
  type DbmOptionChange,
  type DbmTrainingOptions,
  learningRateAt,
  momentumAt,
  type ResolvedDBMOptions,
  resolveDbmOptions,
  retuneOptions,
} from "./options.js";

export type { MeanFieldResult } from "./core.js";
// the names this module exported before the split, kept so that existing imports still work
export { chainAsRbm } from "./core.js";
export type { DBMOptions, DbmTrainingOptions, ResolvedDBMOptions } from "./options.js";
export { DBM_TRAINING_OPTIONS, resolveDbmOptions } from "./options.js";

/** Most mean-field iterations of the read-outs (labelProbabilities, classifierInputs): Salakhutdinov's mf_class runs 50. */
export const READOUT_MEAN_FIELD_STEPS = 50;

export interface MeanFieldOptions {
  maxIterations?: number;
  tolerance?: number;
  /** One-hot labels [n, labels] clamped on the label units (a DBM with labels); without them the label units are left out. */
  labels?: Tensor;
}

/** What one joint-training update reports (`trainStep`). */
export interface DbmStepLogs {
  /** Mean squared error per image of p(v | μ1) against v, over this batch. */
  reconstructionError: number;
  /** Mean-field iterations this batch took. */
  meanFieldIterations: number;
  momentum: number;
  /** ε of this update. */
  learningRate: number;
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

function dbmEpochLogs(logs: Logs, epoch: number, seconds: number): DbmEpochLogs {
  const { reconstructionError, meanFieldIterations, momentum, learningRate } = logs;
  return { epoch: epoch + 1, reconstructionError, meanFieldIterations, momentum, learningRate, seconds };
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
  /** Keras-style callbacks (logs: reconstructionError, meanFieldIterations, momentum, learningRate), or one { onEpochEnd(logs: DbmEpochLogs) } object. */
  callbacks?: readonly Callback[] | { onEpochEnd?(logs: DbmEpochLogs): void | Promise<void> };
  /** Stop when the reconstruction error explodes or a weight leaves ±maxWeight (docs/training.md); false: never. Default on. */
  divergence?: DivergenceOptions | false;
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
  /** Keras-style callbacks given to each RBM's training in turn, or one { onEpochEnd(layer, logs: RbmEpochLogs) } object. */
  callbacks?: readonly Callback[] | { onEpochEnd?(layer: number, logs: RbmEpochLogs): void | Promise<void> };
  /** A folder for the pretraining DBN, saved after every epoch; a stack already there is loaded and resumed. */
  checkpoint?: string;
  /** Each RBM's divergence stop (RbmFitOptions.divergence, docs/training.md); false: never. Default on. */
  divergence?: DivergenceOptions | false;
}

export interface BoundResult {
  /** Mean over rows of the variational lower bound on log p(v), in nats. */
  bound: number;
  logZ: number;
  /** −E_q[E(v, h)] + H(q), averaged: the bound before subtracting log Z. */
  meanNegEnergyPlusEntropy: number;
  ais?: AisResult;
}

/** Scratch of the persistent chains' updates, [chains, units] per layer; allocated once. */
interface ChainScratch {
  /** p(x_l = 1 | the other parity) of each layer, from the last sweep. */
  means: Tensor[];
  /** p(y | h_L) of the chains' labels, or null without label units. */
  labelProbabilities: Tensor | null;
}

export class DBM implements TrainableModel {
  private resolved: ResolvedDBMOptions;
  readonly layers: readonly number[];
  /** W[l] joins layer l to layer l + 1: [layers[l], layers[l + 1]]. */
  readonly W: Tensor[];
  /** biases[l] of layer l (biases[0]: the visible biases). */
  readonly biases: Tensor[];
  /** Label units: U joins them to the top layer [labels, top units], c their biases; null without labels. */
  readonly U: Tensor | null;
  readonly c: Tensor | null;
  /** Epochs of joint training so far: the counter that ε's decay and the momentum switch read. */
  epochsTrained = 0;
  updates = 0;
  /** Set by a callback (EarlyStopping) to end fit after the current epoch. */
  stopTraining = false;
  /** The generator of every random draw the DBM makes (chains, binarised data, shuffling by `fit`). */
  readonly rng: Rng;
  private readonly velocity: RbmStats[];
  private readonly labelVelocity: RbmStats | null;
  /** q̄_l, the damped mean activity of hidden layer l + 1 that the sparsity penalty watches. */
  private readonly meanActivity: Tensor[];
  private chains: Tensor[] | null = null;
  /** The chains' label states (one-hot), with the layers' chains. */
  private labelChain: Tensor | null = null;
  private readonly fieldBuffers = new Map<number, MeanFieldBuffers>();
  private chainScratch: ChainScratch | null = null;
  /** p(v | μ1) of a batch, as many rows as the largest batch so far. */
  private reconstruction: Tensor | null = null;

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
  retune(changes: DbmTrainingOptions): DbmOptionChange[] {
    const { options, changed } = retuneOptions(this.resolved, changes);
    this.resolved = options;
    return changed;
  }

  /** Number of label units (0: none). */
  get labels(): number {
    return this.options.labels;
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
    checkUnitRange(where, labels, "bernoulli", "labels");
    if (labels.rows !== n) throw new RangeError(`${where}: ${n} data rows but ${labels.rows} label rows`);
    return labels;
  }

  /** Refuses data the binary visible layer cannot take (shape, then values in [0, 1]): once per call, before any pass. */
  private checkData(where: string, x: Tensor, name: string): void {
    checkRows(where, x, this.layers[0], name);
    checkUnitRange(where, x, "bernoulli", name);
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
    this.checkData("DBM.pretrain", data, "data");
    const rbm = perRbmOptions("DBM.pretrain", options.rbm, L).map((o, l) => ({ ...o, ...pretrainingScales(l, L) }));
    const labels = this.checkLabels("DBM.pretrain", options.labels, data.rows) ?? undefined;
    const dbn =
      (await this.savedStack(options.checkpoint)) ??
      new DBN({ layers: this.layers, rbm, seed: this.options.seed, labels: this.labels > 0 ? this.labels : undefined });
    await dbn.pretrain(data, {
      epochs: options.epochs,
      batchSize: options.batchSize,
      sampleData: options.sampleData,
      propagate: options.propagate,
      labels,
      callbacks: options.callbacks, // a DbnCallbacks-shaped object or Keras callbacks, as DBN.pretrain takes them
      checkpoint: options.checkpoint,
      divergence: options.divergence,
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
      dbn.rbms.every((r, l) => {
        const { upScale, downScale } = pretrainingScales(l, L);
        return r.options.upScale === upScale && r.options.downScale === downScale;
      });
    if (!fits)
      throw new Error(
        `DBM.pretrain: the stack in ${dir} (${dbn.layers.join("-")}, ${dbn.labels} labels) is not this DBM's doubled pretraining stack (${this.layers.join("-")}, ${this.labels} labels)`,
      );
    return dbn;
  }

  /**
   * Mean-field posterior q(h | v): starts from the doubled recognition pass, then updates
   * μ_1, ..., μ_L in turn from their neighbours until no entry changes by more than the
   * tolerance or the iterations run out. The μ tensors are buffers reused for this batch size.
   */
  meanField(v: Tensor, options: MeanFieldOptions = {}): MeanFieldResult {
    this.checkData("DBM.meanField", v, "v");
    const maxIterations = checkInt("meanField maxIterations", options.maxIterations ?? this.options.meanFieldSteps, 0);
    const tolerance = checkNumber("meanField tolerance", options.tolerance ?? this.options.meanFieldTolerance, (x) => x >= 0, "a number >= 0");
    const labels = options.labels === undefined ? null : this.checkLabels("DBM.meanField", options.labels, v.rows);
    return meanFieldPosterior(this, v, this.fieldsFor(v.rows), { maxIterations, tolerance, labels });
  }

  /** ε for the epoch after `epoch` epochs: ε · decay^e, held at minLearningRate. */
  learningRateAt(epoch: number): number {
    return learningRateAt(this.options, epoch);
  }

  /**
   * Joint training: for every epoch, shuffled mini-batches (binarised afresh with `sampleData`),
   * each one `trainStep`. The chains start from the first rows of data the first time.
   */
  async fit(data: Tensor, options: DbmFitOptions = {}): Promise<DbmEpochLogs[]> {
    this.checkData("DBM.fit", data, "data");
    const epochs = checkInt("fit epochs", options.epochs ?? 10, 0);
    const batchSize = checkInt("fit batchSize", options.batchSize ?? 100, 1);
    const labels = this.checkLabels("DBM.fit", options.labels, data.rows);
    this.startChains(data, labels ?? undefined);
    const rows = Math.min(batchSize, data.rows);
    const batch = zeros([rows, this.layers[0]]);
    const yBatch = labels === null ? undefined : zeros([rows, this.labels]);
    let iterations = 0; // mean-field iterations this epoch, and its batches
    let batches = 0;
    const step: TrainingStep = {
      beginEpoch: (epoch) => {
        iterations = 0;
        batches = 0;
        return { momentum: momentumAt(this.options, epoch), learningRate: this.learningRateAt(epoch) };
      },
      trainStep: (idx) => {
        const v = gatherRows(data, idx, batch);
        if (options.sampleData === true) bernoulli(v, this.rng, v);
        const logs = this.trainStep(v, labels === null ? undefined : gatherRows(labels, idx, yBatch));
        iterations += logs.meanFieldIterations;
        batches++;
        return { reconstructionError: logs.reconstructionError };
      },
      endEpoch: (epoch, logs) => {
        if (![...this.W, ...(this.U === null ? [] : [this.U])].every((w) => w.data.every(Number.isFinite)))
          throw new Error(`DBM.fit: weights became non-finite in epoch ${epoch + 1}; lower learningRate (now ${this.options.learningRate})`);
        logs.meanFieldIterations = iterations / batches;
        this.epochsTrained++;
      },
    };
    let start = 0; // of the epoch, for the DbmEpochLogs callback's seconds
    const history = await fitLoop({
      what: "DBM.fit",
      model: this,
      step,
      rows: data.rows,
      epochs,
      initialEpoch: this.epochsTrained,
      batchSize,
      rng: this.rng,
      callbacks: callbackList(options.callbacks, (legacy) => ({
        onEpochBegin: () => void (start = performance.now()),
        onEpochEnd: (e, logs) => legacy.onEpochEnd?.(dbmEpochLogs(logs, e, (performance.now() - start) / 1e3)),
      })),
      advice: `lower learningRate (now ${this.options.learningRate})`,
      divergence: options.divergence,
      errorFigures: ["reconstructionError"],
      weights: () => this.namedParameters(),
    });
    return epochLogs(history).map((logs, i) => dbmEpochLogs(logs, history.epoch[i], history.seconds[i]));
  }

  /** Copies of W_l, the biases, then U and c when there are label units (the callbacks' view). */
  getWeights(): Tensor[] {
    return this.parameters().map((t) => t.clone());
  }

  setWeights(weights: readonly Tensor[]): void {
    setTensors("DBM.setWeights", this.parameters(), weights);
  }

  /** The weights W1.. and biases b0.., then U and c with label units, by their saved names. */
  private namedParameters(): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [l, w] of this.W.entries()) out.push([`W${l + 1}`, w]);
    for (const [l, b] of this.biases.entries()) out.push([`b${l}`, b]);
    if (this.U !== null && this.c !== null) out.push(["U", this.U], ["c", this.c]);
    return out;
  }

  private parameters(): Tensor[] {
    return [...this.W, ...this.biases, ...(this.U === null || this.c === null ? [] : [this.U, this.c])];
  }

  /**
   * One update of joint training (Salakhutdinov & Hinton's algorithm 1) on a batch v of binary
   * rows (with their one-hot labels when the DBM has label units):
   *   positive phase  ⟨μ_l μ_{l+1}ᵀ⟩_data from mean-field with v (and y) clamped
   *   negative phase  ⟨x_l x_{l+1}ᵀ⟩_model from `gibbsSteps` sweeps of the persistent chains
   *   velocity ← momentum · velocity + ε (data − model − λ W) (− the sparsity penalty); W += velocity
   * ε and momentum follow the schedules at `epochsTrained`, which the epoch loop advances. The
   * chains start from this batch when none run yet (`fit` starts them from the data set first).
   */
  trainStep(v: Tensor, labels?: Tensor): DbmStepLogs {
    checkRows("DBM.trainStep", v, this.layers[0], "v");
    const y = this.checkLabels("DBM.trainStep", labels, v.rows);
    const momentum = momentumAt(this.options, this.epochsTrained);
    const eps = this.learningRateAt(this.epochsTrained);
    const chains = this.startChains(v, y ?? undefined);
    const mf = this.positivePhase(v, y, eps, momentum);
    this.negativePhase(chains, eps);
    applyVelocity(this, this.velocity, this.labelVelocity, eps, this.options.weightDecay);
    this.updates++;
    const error = reconstructionSquaredError(this, v, mf.mu[0], this.reconstructionFor(v.rows));
    return { reconstructionError: error / v.rows, meanFieldIterations: mf.iterations, momentum, learningRate: eps };
  }

  /**
   * velocity ← momentum · velocity + ε ⟨μ_l μ_{l+1}ᵀ⟩_data (and ε ⟨y μ_Lᵀ⟩_data), with μ from
   * mean-field on the batch (labels clamped), then the sparsity penalty on μ. Returns the
   * mean-field result.
   */
  private positivePhase(v: Tensor, y: Tensor | null, eps: number, momentum: number): MeanFieldResult {
    const o = this.options;
    const n = v.rows;
    const mf = this.meanField(v, { labels: y ?? undefined });
    const x = [v, ...mf.mu];
    accumulatePairs(this.velocity, x, eps / n, momentum);
    if (y !== null && this.labelVelocity !== null) accumulatePhase(this.labelVelocity, y, x[this.depth], eps / n, momentum);
    if (o.sparsityCost > 0)
      sparsityPenalty(this.velocity, this.meanActivity, x, eps, { cost: o.sparsityCost, target: o.sparsityTarget, damping: o.sparsityDamping });
    return mf;
  }

  /**
   * velocity ← velocity − ε ⟨x_l x_{l+1}ᵀ⟩_model after `gibbsSteps` sweeps of the persistent
   * chains (and the chain mean step when asked). Given the even layers the odd ones are
   * independent, so the odd layers enter the statistics as p(h_odd | even states) in place of
   * their binary states (Rao-Blackwellised: the same expectation with less noise); so do the
   * labels when they sit on the odd side.
   */
  private negativePhase(chains: Tensor[], eps: number): void {
    const o = this.options;
    const L = this.depth;
    const scratch = this.chainScratchBuffers();
    const chainLabels: ChainLabels | null =
      this.labelChain === null || scratch.labelProbabilities === null ? null : { y: this.labelChain, probabilities: scratch.labelProbabilities };
    for (let k = 0; k < o.gibbsSteps; k++) gibbsSweep(this, chains, scratch.means, this.rng, chainLabels);
    const negative = chains.map((c, l) => (l % 2 === 1 ? scratch.means[l] : c));
    if (o.chainMeanStep) chainMeanStep(this, negative, scratch.means, scratch.labelProbabilities);
    accumulatePairs(this.velocity, negative, -eps / o.chains, 1);
    if (chainLabels !== null && this.labelVelocity !== null) {
      const yModel = labelParity(this) === 1 ? chainLabels.probabilities : chainLabels.y;
      accumulatePhase(this.labelVelocity, yModel, negative[L], -eps / o.chains, 1);
    }
  }

  /**
   * Samples by Gibbs sampling over all layers from random states; returns the visible means (or
   * samples). A DBM with labels samples them too, or holds them at `label` (class-conditional
   * samples).
   */
  sample(options: { n?: number; steps?: number; seed?: number; output?: "mean" | "sample"; label?: number } = {}): Tensor {
    const n = checkInt("sample n", options.n ?? 100, 1);
    const steps = checkInt("sample steps", options.steps ?? 1000, 1);
    const rng = options.seed === undefined ? this.rng : new Rng(options.seed);
    const C = this.labels;
    if (options.label !== undefined && !(C > 0 && Number.isInteger(options.label) && options.label >= 0 && options.label < C))
      throw new RangeError(
        C === 0 ? "DBM.sample: label given but the DBM has no label units" : `DBM.sample: label must be an integer in [0, ${C - 1}], got ${options.label}`,
      );
    const x = this.layers.map((u) => zeros([n, u]));
    for (const t of x) for (let i = 0; i < t.size; i++) t.data[i] = rng.nextFloat() < 0.5 ? 1 : 0;
    const scratch = this.layers.map((u) => zeros([n, u]));
    let labels: ChainLabels | null = null;
    if (C > 0) {
      const y = zeros([n, C]);
      for (let r = 0; r < n; r++) y.data[r * C + (options.label ?? rng.int(C))] = 1;
      labels = { y, probabilities: zeros([n, C]), clamped: options.label !== undefined };
    }
    for (let k = 0; k < steps; k++) gibbsSweep(this, x, scratch, rng, labels);
    if (options.output === "sample") return x[0];
    return layerMean(this, x, 0, scratch[0]);
  }

  /** The DBM as an RBM between its even layers (v, h2, ...) and odd layers (h1, h3, ...). */
  asRbm(): RbmParams {
    this.refuseLabels();
    return chainAsRbm(this.W, this.biases);
  }

  private refuseLabels(): void {
    if (this.labels > 0)
      throw new Error("DBM: log Z, the likelihood bound and the even/odd RBM view are for DBMs without label units (the label group is a softmax)");
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
    this.checkData("DBM.logLikelihoodBound", data, "data");
    const z = options.logZ === undefined ? this.logZ({ ...options, baseData: options.baseData ?? data }) : { logZ: options.logZ };
    const { mu } = this.meanField(data, { maxIterations: 50, tolerance: 1e-7, ...options.meanField });
    const mean = negEnergyPlusEntropy(this, [data, ...mu]);
    return { bound: mean - z.logZ, logZ: z.logZ, meanNegEnergyPlusEntropy: mean, ...("ais" in z && z.ais ? { ais: z.ais } : {}) };
  }

  /** Exact mean log p(v) by enumeration, for tiny models (odd or even hidden groups ≤ 25 units). */
  exactLogLikelihood(data: Tensor): number {
    this.checkData("DBM.exactLogLikelihood", data, "data");
    this.refuseLabels();
    return exactMeanLogLikelihood(this, data);
  }

  /**
   * p(y | μ_L) = softmax(μ_L Uᵀ + c) for a DBM with labels, with μ from mean-field on x alone
   * (the labels left out): the label the top layer's features point to. [n, labels].
   */
  labelProbabilities(x: Tensor, meanField: Omit<MeanFieldOptions, "labels"> = {}): Tensor {
    if (this.labels === 0) throw new Error("DBM.labelProbabilities: the DBM has no label units (construct it with { labels: classes })");
    this.checkData("DBM.labelProbabilities", x, "x");
    const out = zeros([x.rows, this.labels]);
    this.meanFieldByChunks(x, meanField, (_rows, mu, start, end) => labelMean(this, mu[this.depth - 1], out.sliceRows(start, end)));
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
    const output = new Dense(checkInt("toClassifier classes", options.classes, 1), { activation: options.outputActivation ?? "softmax", name: "output" });
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

  /**
   * Starts the persistent chains from the first `chains` rows of data (cycled), passed up by the
   * recognition pass and sampled, unless they run already (a DBM with labels whose chains lack
   * them starts afresh). `fit` calls it before its first shuffle; a loop that drives `trainStep`
   * itself calls it first to start the chains from the whole data set. Returns the chains.
   */
  startChains(data: Tensor, labels?: Tensor): Tensor[] {
    checkRows("DBM.startChains", data, this.layers[0], "data");
    const y = this.checkLabels("DBM.startChains", labels, data.rows);
    if (this.chains !== null && (y === null || this.labelChain !== null)) return this.chains;
    const M = this.options.chains;
    const idx = Uint32Array.from({ length: M }, (_, i) => i % data.rows);
    const v = gatherRows(data, idx);
    const yChain = y === null ? undefined : gatherRows(y, idx);
    const { mu } = this.meanField(v, { maxIterations: 0, labels: yChain });
    this.chains = [bernoulli(v, this.rng), ...mu.map((m) => bernoulli(m, this.rng))];
    this.labelChain = yChain ?? null;
    return this.chains;
  }

  private fieldsFor(n: number): MeanFieldBuffers {
    let b = this.fieldBuffers.get(n);
    if (b === undefined) {
      b = meanFieldBuffers(this.layers, n);
      this.fieldBuffers.set(n, b);
    }
    return b;
  }

  private chainScratchBuffers(): ChainScratch {
    const M = this.options.chains;
    this.chainScratch ??= { means: this.layers.map((u) => zeros([M, u])), labelProbabilities: this.labels > 0 ? zeros([M, this.labels]) : null };
    return this.chainScratch;
  }

  private reconstructionFor(n: number): Tensor {
    if (this.reconstruction === null || this.reconstruction.rows < n) this.reconstruction = zeros([n, this.layers[0]]);
    return this.reconstruction.sliceRows(0, n);
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
    const out = this.namedParameters();
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
