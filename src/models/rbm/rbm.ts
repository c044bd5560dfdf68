/**
 * Restricted Boltzmann machine: a layer of visible units v and a layer of hidden units h with
 * symmetric weights W between the layers and none within them, trained by contrastive
 * divergence (CD-k, Hinton 2002) or persistent contrastive divergence (PCD, Tieleman 2008).
 *
 *   positive phase  ⟨v h⟩_data  = v0ᵀ p(h | v0) / n
 *   negative phase  ⟨v h⟩_model ≈ vkᵀ p(h | vk) / n   (vk: k Gibbs steps from v0, or the fantasy chains)
 *   ΔW ← momentum ΔW + ε (⟨v h⟩_data − ⟨v h⟩_model − λ W);  W ← W + ΔW   (same for a, b without λ)
 *
 * Defaults follow Hinton's "A practical guide to training RBMs" (2010): W ~ N(0, 0.01²),
 * hidden biases 0, visible biases log(p/(1 − p)) from the data, momentum 0.5 for the first
 * epochs then 0.9, weight decay 2e-4, probabilities (not samples) for the statistics and the
 * reconstructions, sampled hidden states to drive the chain.
 */

import { gatherRows } from "../../data/batch.js";
import { registerModel, type SavedModel, type SavedModelReader, saveModel } from "../../io/model.js";
import { axpby } from "../../ops/elementwise.js";
import { bernoulli } from "../../ops/random.js";
import { sumAll } from "../../ops/reduce.js";
import { Rng } from "../../tensor/random.js";
import { checkTensorSize } from "../../tensor/shape.js";
import { fillNormal, fromArray, type Tensor, zeros } from "../../tensor/tensor.js";
import type { Callback, Logs, TrainableModel } from "../../train/callbacks.js";
import { callbackList, setTensors } from "../../train/callbacks.js";
import { type DivergenceOptions, epochLogs, fitLoop, type History, type LoopOptions, type TrainingStep } from "../../train/loop.js";
import {
  accumulatePhase,
  type ChainBuffers,
  chainBuffers,
  checkRows,
  checkVisible,
  freeEnergy,
  type GibbsOptions,
  gibbsFromHidden,
  hiddenMean,
  type RbmParams,
  type RbmStats,
  sampleUnits,
  squaredError,
  type UnitType,
  visibleMean,
  zeroStats,
} from "./core.js";
import { type LogLikelihoodOptions, type LogLikelihoodResult, rbmLogLikelihood } from "./partition.js";

export interface RBMOptions {
  /** Number of visible units (784 for MNIST). */
  visible: number;
  /** Number of hidden units. */
  hidden: number;
  /** "bernoulli" (binary, default) or "gaussian" (unit variance: standardise the data first). */
  visibleUnits?: UnitType;
  /** "bernoulli" (default) or "gaussian" (linear units with unit noise, e.g. a deep autoencoder's code layer). */
  hiddenUnits?: UnitType;
  /** ε. Default 0.1 for binary units, 0.01 with Gaussian visible units, 0.001 with Gaussian hidden units. */
  learningRate?: number;
  /** Momentum after the first `momentumEpochs` epochs. Default 0.9. */
  momentum?: number;
  /** Momentum for the first `momentumEpochs` epochs. Default 0.5. */
  initialMomentum?: number;
  /** Epochs at the initial momentum. Default 5. */
  momentumEpochs?: number;
  /** L2 weight cost λ on W (not on biases). Default 2e-4. */
  weightDecay?: number;
  /** k of CD-k, or the Gibbs steps per update of the persistent chains. Default 1. */
  cdSteps?: number;
  /**
   * Every this many epochs k grows by `cdSteps` and ε shrinks in proportion: in epoch e (from
   * 1) k = cdSteps · ⌈e / cdGrowEvery⌉ and ε = learningRate · cdSteps / k, so the longer
   * chains follow the model more closely as it sharpens while the steps get finer
   * (Salakhutdinov's rbm_l2.m for the DBM's top RBM: 20). 0 keeps k and ε fixed. Default 0.
   */
  cdGrowEvery?: number;
  /** Number of persistent fantasy chains (PCD); 0 means ordinary CD. Default 0. */
  persistent?: number;
  /** Sample hidden states to drive the chain (true, default) or use their means (mean-field). */
  sampleHidden?: boolean;
  /** Sample visible reconstructions (true) or use p(v | h) (false, default). PCD chains always sample. */
  sampleVisible?: boolean;
  /** Target mean activation of hidden units (Lee et al. 2008); 0 disables the penalty. Default 0. */
  sparsityTarget?: number;
  /** Weight of the sparsity penalty on the hidden biases. Default 0 (off). */
  sparsityCost?: number;
  /** Decay of the running estimate of hidden activations for the sparsity penalty. Default 0.95. */
  sparsityDecay?: number;
  /** Standard deviation of the initial weights. Default 0.01. */
  initStd?: number;
  /** Seed of every random choice (initial weights, sampling, shuffling). Default 0. */
  seed?: number;
  /** Factor on W in p(h | v): 2 for a DBM's bottom RBM (doubled visible layer, tied weights). Default 1. */
  upScale?: number;
  /** Factor on W in p(v | h): 2 for a DBM's top RBM (doubled hidden layer). Default 1. */
  downScale?: number;
}

export type ResolvedRBMOptions = Required<RBMOptions>;

export interface RbmEpochLogs {
  /** 1-based epoch number over the model's lifetime. */
  epoch: number;
  /** Mean over images of Σ_i (v0_i − p(v_i | h0))², h0 sampled: the usual progress figure. */
  reconstructionError: number;
  momentum: number;
  /** k of CD-k and ε in force this epoch (they change under `cdGrowEvery`). */
  cdSteps: number;
  learningRate: number;
  seconds: number;
}

/** The RBM's own callback shape (before the shared loop); `callbacks` still accepts one such object. */
export interface RbmCallbacks {
  onBatchEnd?(info: { epoch: number; batch: number; batches: number; reconstructionError: number }): void;
  onEpochEnd?(logs: RbmEpochLogs): void | Promise<void>;
}

function rbmEpochLogs(logs: Logs, epoch: number, seconds: number): RbmEpochLogs {
  const { reconstructionError, momentum, cdSteps, learningRate } = logs;
  return { epoch: epoch + 1, reconstructionError, momentum, cdSteps, learningRate, seconds };
}

/** A loop History as the RBM's per-epoch logs (epochs counted from 1 over the model's life). */
export function rbmHistory(history: History): RbmEpochLogs[] {
  return epochLogs(history).map((logs, i) => rbmEpochLogs(logs, history.epoch[i], history.seconds[i]));
}

/** Keras-style callbacks that call an RbmCallbacks object with the logs it always got. */
export function legacyRbmCallbacks(legacy: RbmCallbacks): Callback {
  let batches = 0;
  let epoch = 0;
  let start = 0;
  return {
    onTrainBegin: (info) => void (batches = info.batchesPerEpoch),
    onEpochBegin: (e) => {
      epoch = e + 1;
      start = performance.now();
    },
    onBatchEnd: (b, logs) => legacy.onBatchEnd?.({ epoch, batch: b + 1, batches, reconstructionError: logs.reconstructionError }),
    onEpochEnd: (e, logs) => legacy.onEpochEnd?.(rbmEpochLogs(logs, e, (performance.now() - start) / 1e3)),
  };
}

export interface RbmFitOptions {
  epochs?: number;
  batchSize?: number;
  /** Shuffle the examples each epoch (default true). */
  shuffle?: boolean;
  /**
   * The data are probabilities (grey levels in [0, 1]): every batch is binarised afresh,
   * v0 ~ Bernoulli(x), so each epoch sees new binary images (Salakhutdinov's DBM code trains
   * its RBMs this way). Bernoulli visible units only. Default false: the data as they are.
   */
  sampleData?: boolean;
  /** Keras-style callbacks (ProgressBar, EarlyStopping on "reconstructionError", ModelCheckpoint, CSVLogger, ...), or one RbmCallbacks object. */
  callbacks?: readonly Callback[] | RbmCallbacks;
  /** Stop when the reconstruction error explodes or a weight leaves ±maxWeight (docs/training.md); false: never. Default on. */
  divergence?: DivergenceOptions | false;
}

export interface RbmSampleOptions {
  /** Number of chains (ignored when init is a tensor). Default 100. */
  n?: number;
  /** Gibbs steps. Default 1000. */
  steps?: number;
  /** Starting visible states: a tensor, "random" (uniform Bernoulli / N(0,1)) or "biases" (the visible biases alone). */
  init?: Tensor | "random" | "biases";
  /** Return the last means p(v | h) (default, the usual picture) or the last samples. */
  output?: "mean" | "sample";
  seed?: number;
}

interface Buffers {
  v0: Tensor;
  h0Mean: Tensor;
  chain: ChainBuffers;
  diff: Tensor;
}

const positiveInt = (name: string, x: unknown, min = 1): number => {
  if (typeof x !== "number" || !Number.isInteger(x) || x < min) throw new RangeError(`RBM: ${name} must be an integer >= ${min}, got ${String(x)}`);
  return x;
};

const inRange = (name: string, x: unknown, lo: number, hi: number, openLo = false): number => {
  if (typeof x !== "number" || !Number.isFinite(x) || x > hi || (openLo ? x <= lo : x < lo)) {
    throw new RangeError(`RBM: ${name} must be a number in ${openLo ? "(" : "["}${lo}, ${hi}], got ${String(x)}`);
  }
  return x;
};

const unitType = (name: string, x: unknown): UnitType => {
  if (x !== "bernoulli" && x !== "gaussian") throw new RangeError(`RBM: ${name} must be "bernoulli" or "gaussian", got ${String(x)}`);
  return x;
};

/** Options with the literature defaults filled in, each validated with a message naming it. */
export function resolveRbmOptions(o: RBMOptions): ResolvedRBMOptions {
  const visibleUnits = unitType("visibleUnits", o.visibleUnits ?? "bernoulli");
  const hiddenUnits = unitType("hiddenUnits", o.hiddenUnits ?? "bernoulli");
  const defaultRate = hiddenUnits === "gaussian" ? 0.001 : visibleUnits === "gaussian" ? 0.01 : 0.1;
  const bool = (name: string, x: unknown, d: boolean): boolean => {
    if (x === undefined) return d;
    if (typeof x !== "boolean") throw new RangeError(`RBM: ${name} must be true or false, got ${String(x)}`);
    return x;
  };
  const resolved: ResolvedRBMOptions = {
    visible: positiveInt("visible", o.visible),
    hidden: positiveInt("hidden", o.hidden),
    visibleUnits,
    hiddenUnits,
    learningRate: inRange("learningRate", o.learningRate ?? defaultRate, 0, 100, true),
    momentum: inRange("momentum", o.momentum ?? 0.9, 0, 0.999),
    initialMomentum: inRange("initialMomentum", o.initialMomentum ?? 0.5, 0, 0.999),
    momentumEpochs: positiveInt("momentumEpochs", o.momentumEpochs ?? 5, 0),
    weightDecay: inRange("weightDecay", o.weightDecay ?? 2e-4, 0, 1),
    cdSteps: positiveInt("cdSteps", o.cdSteps ?? 1),
    cdGrowEvery: positiveInt("cdGrowEvery", o.cdGrowEvery ?? 0, 0),
    persistent: positiveInt("persistent", o.persistent ?? 0, 0),
    sampleHidden: bool("sampleHidden", o.sampleHidden, true),
    sampleVisible: bool("sampleVisible", o.sampleVisible, false),
    sparsityTarget: inRange("sparsityTarget", o.sparsityTarget ?? 0, 0, 1),
    sparsityCost: inRange("sparsityCost", o.sparsityCost ?? 0, 0, 1e3),
    sparsityDecay: inRange("sparsityDecay", o.sparsityDecay ?? 0.95, 0, 1),
    initStd: inRange("initStd", o.initStd ?? 0.01, 0, 10),
    seed: inRange("seed", o.seed ?? 0, -(2 ** 31), 2 ** 32),
    upScale: inRange("upScale", o.upScale ?? 1, 0, 16, true),
    downScale: inRange("downScale", o.downScale ?? 1, 0, 16, true),
  };
  // the largest tensors: W and the persistent chains
  checkTensorSize("RBM", [
    ["visible", resolved.visible],
    ["hidden", resolved.hidden],
  ]);
  checkTensorSize("RBM", [
    ["persistent", resolved.persistent],
    ["visible", resolved.visible],
  ]);
  return resolved;
}

export class RBM implements RbmParams, TrainableModel {
  readonly options: ResolvedRBMOptions;
  readonly W: Tensor;
  readonly a: Tensor;
  readonly b: Tensor;
  readonly visibleUnits: UnitType;
  readonly hiddenUnits: UnitType;
  readonly upScale: number;
  readonly downScale: number;
  /** Epochs trained so far (drives the momentum schedule). */
  epochsTrained = 0;
  /** Updates applied so far. */
  updates = 0;
  /** Set by a callback (EarlyStopping) to end fit after the current epoch. */
  stopTraining = false;
  /**
   * The visible end of the last partialFit's negative phase (the CD chain's v_k, or the
   * fantasy chains'), a buffer overwritten by the next update; null before the first. The
   * up-down algorithm starts its sleep phase from it.
   */
  lastNegative: Tensor | null = null;

  private readonly rng: Rng;
  /** The momentum buffer ΔW, Δa, Δb (the "velocity"), with its bias-sum scratch. */
  private readonly velocity: RbmStats;
  private readonly buffers = new Map<number, Buffers>();
  /** Persistent fantasy chains (PCD): their visible state lives in fantasy.vSample. */
  private fantasy: ChainBuffers | null = null;
  private fantasyReady = false;
  /** Running mean activation of each hidden unit (sparsity penalty). */
  private q: Tensor | null = null;

  constructor(options: RBMOptions) {
    this.options = resolveRbmOptions(options);
    const { visible, hidden, initStd, seed } = this.options;
    this.visibleUnits = this.options.visibleUnits;
    this.hiddenUnits = this.options.hiddenUnits;
    this.upScale = this.options.upScale;
    this.downScale = this.options.downScale;
    this.rng = new Rng(seed);
    this.W = zeros([visible, hidden]);
    fillNormal(this.W.data, this.rng, 0, initStd);
    this.a = zeros([visible]);
    this.b = zeros([hidden]);
    this.velocity = zeroStats(visible, hidden);
  }

  get visible(): number {
    return this.options.visible;
  }

  get hidden(): number {
    return this.options.hidden;
  }

  /** Momentum in force for the current epoch: 0.5 → 0.9 after `momentumEpochs` (Hinton's guide, §9). */
  currentMomentum(): number {
    const o = this.options;
    return this.epochsTrained < o.momentumEpochs ? o.initialMomentum : o.momentum;
  }

  /** k of CD-k in force for the current epoch (grows every `cdGrowEvery` epochs when that is set). */
  currentCdSteps(): number {
    const o = this.options;
    return o.cdGrowEvery > 0 ? o.cdSteps * Math.ceil((this.epochsTrained + 1) / o.cdGrowEvery) : o.cdSteps;
  }

  /** ε in force for the current epoch: learningRate, divided by k's growth under `cdGrowEvery`. */
  currentLearningRate(): number {
    const o = this.options;
    return o.cdGrowEvery > 0 ? (o.learningRate * o.cdSteps) / this.currentCdSteps() : o.learningRate;
  }

  /**
   * Visible biases from the data (Hinton's guide, §8): log(p_i / (1 − p_i)) for Bernoulli
   * units, with p_i clipped to [1e-3, 1 − 1e-3]; the data mean for Gaussian units.
   */
  initVisibleBiases(data: Tensor): void {
    checkRows("initVisibleBiases", data, this.visible, "data");
    const n = data.rows;
    const V = this.visible;
    const mean = new Float64Array(V);
    for (let r = 0; r < n; r++) for (let i = 0; i < V; i++) mean[i] += data.data[r * V + i];
    for (let i = 0; i < V; i++) {
      const m = mean[i] / n;
      if (this.visibleUnits === "bernoulli") {
        const p = Math.min(1 - 1e-3, Math.max(1e-3, m));
        this.a.data[i] = Math.log(p / (1 - p));
      } else this.a.data[i] = m;
    }
  }

  /**
   * Trains for `epochs` passes over data [n, visible] in mini-batches (the shared training
   * loop, src/train/loop.ts). The first call on an untrained model sets the visible biases from
   * the data. Resolves to the per-epoch logs; throws, naming the epoch and batch, if the
   * reconstruction error stops being finite.
   */
  async fit(data: Tensor, options: RbmFitOptions = {}): Promise<RbmEpochLogs[]> {
    checkVisible("RBM.fit", this, data, "data");
    const epochs = positiveInt("fit epochs", options.epochs ?? 10, 0);
    const batchSize = positiveInt("fit batchSize", options.batchSize ?? 100);
    const history = await fitLoop({
      ...this.loopOptions(data, batchSize, options.sampleData === true),
      model: this,
      epochs,
      shuffle: options.shuffle ?? true,
      callbacks: callbackList(options.callbacks, legacyRbmCallbacks),
      divergence: options.divergence,
    });
    return rbmHistory(history);
  }

  /**
   * The RBM's part of the shared training loop on the rows of `data` (a caller may refill
   * data's values between epochs, as a DBN does with freshly sampled states): one CD-k or PCD
   * update per batch, the schedules' momentum, k and ε logged per epoch. The first use on an
   * untrained model sets the visible biases from the data.
   */
  loopOptions(data: Tensor, batchSize: number, sampleData = false): Omit<LoopOptions, "model" | "epochs"> {
    if (sampleData && this.visibleUnits !== "bernoulli")
      throw new RangeError(`RBM.fit: sampleData binarises the data, so it needs Bernoulli visible units; this RBM's are ${this.visibleUnits}`);
    if (this.updates === 0) this.initVisibleBiases(data);
    const batch = this.buffersFor(Math.min(batchSize, data.rows)).v0;
    const step: TrainingStep = {
      beginEpoch: () => ({ momentum: this.currentMomentum(), cdSteps: this.currentCdSteps(), learningRate: this.currentLearningRate() }),
      trainStep: (rows) => {
        const v0 = gatherRows(data, rows, batch);
        if (sampleData) bernoulli(v0, this.rng, v0);
        return { reconstructionError: this.partialFit(v0) };
      },
      endEpoch: () => {
        this.epochsTrained++;
      },
    };
    return {
      what: "RBM.fit",
      step,
      rows: data.rows,
      initialEpoch: this.epochsTrained,
      batchSize,
      rng: this.rng,
      advice: `lower learningRate (now ${this.options.learningRate}) or check the data`,
      errorFigures: ["reconstructionError"],
      weights: () => [
        ["W", this.W],
        ["a", this.a],
        ["b", this.b],
      ],
    };
  }

  /** Copies of W, a, b (the callbacks' view: EarlyStopping's best weights). */
  getWeights(): Tensor[] {
    return [this.W.clone(), this.a.clone(), this.b.clone()];
  }

  setWeights(weights: readonly Tensor[]): void {
    setTensors("RBM.setWeights", [this.W, this.a, this.b], weights);
  }

  /**
   * One CD-k (or PCD) update from a mini-batch v0 [n, visible]. Returns the batch's mean
   * squared reconstruction error per image. Allocates nothing once the buffers for this batch
   * size exist.
   */
  partialFit(v0: Tensor): number {
    checkRows("RBM.partialFit", v0, this.visible, "v0");
    const o = this.options;
    const n = v0.rows;
    const buf = this.buffersFor(n);
    const gibbs: GibbsOptions = o;
    const eps = this.currentLearningRate();
    const k = this.currentCdSteps();
    const vel = this.velocity;

    // positive phase ⟨v h⟩_data, on top of the momentum-decayed velocity
    const h0Mean = hiddenMean(this, v0, buf.h0Mean);
    accumulatePhase(vel, v0, h0Mean, eps / n, this.currentMomentum());
    if (o.sparsityCost > 0) this.applySparsity(vel.sumH, n);

    // one Gibbs step from the data gives the reconstruction v1 (and CD's chain start)
    const v1 = gibbsFromHidden(this, h0Mean, 1, buf.chain, gibbs, this.rng);
    const err = squaredError(v0, buf.chain.vMean, buf.diff) / n;

    // negative phase ⟨v h⟩_model: the end of the CD chain, or the persistent fantasy chains
    if (o.persistent > 0) {
      const f = this.fantasyChains(v0);
      hiddenMean(this, f.vSample, f.hMean);
      const vk = gibbsFromHidden(this, f.hMean, k, f, { sampleHidden: o.sampleHidden, sampleVisible: true }, this.rng);
      accumulatePhase(vel, vk, f.hMean, -eps / o.persistent, 1);
      this.lastNegative = vk;
    } else {
      const vk = k > 1 ? gibbsFromHidden(this, buf.chain.hMean, k - 1, buf.chain, gibbs, this.rng) : v1;
      accumulatePhase(vel, vk, buf.chain.hMean, -eps / n, 1);
      this.lastNegative = vk;
    }

    // weight decay on W only, then the step
    if (o.weightDecay > 0) axpby(-eps * o.weightDecay, this.W, 1, vel.dW);
    axpby(1, vel.dW, 1, this.W);
    axpby(1, vel.da, 1, this.a);
    axpby(1, vel.db, 1, this.b);
    this.updates++;
    return err;
  }

  /** p(h = 1 | v) for Bernoulli hidden units (E[h | v] for Gaussian ones): the features. [n, hidden]. */
  transform(v: Tensor, out?: Tensor): Tensor {
    checkVisible("RBM.transform", this, v, "v");
    return hiddenMean(this, v, out);
  }

  /** E[v | h] for given hidden states h [n, hidden]. */
  generate(h: Tensor, out?: Tensor): Tensor {
    checkRows("RBM.generate", h, this.hidden, "h");
    return visibleMean(this, h, out);
  }

  /** Mean-field reconstruction p(v | p(h | v)). [n, visible]. */
  reconstruct(v: Tensor): Tensor {
    return visibleMean(this, this.transform(v));
  }

  /** Mean squared reconstruction error per image, Σ_i (v_i − reconstruct(v)_i)² averaged over rows. */
  reconstructionError(v: Tensor): number {
    const r = this.reconstruct(v);
    return squaredError(v, r, r) / v.rows;
  }

  /** `steps` full Gibbs steps from v, sampling both layers; returns the last visible sample. */
  gibbs(v: Tensor, steps = 1, rng: Rng = this.rng): Tensor {
    checkVisible("RBM.gibbs", this, v, "v");
    positiveInt("gibbs steps", steps, 0);
    if (steps === 0) return v.clone();
    const chain = chainBuffers(v.rows, this.visible, this.hidden);
    hiddenMean(this, v, chain.hMean);
    return gibbsFromHidden(this, chain.hMean, steps, chain, { sampleHidden: true, sampleVisible: true }, rng);
  }

  /** Samples from the model by long Gibbs chains (both layers sampled). */
  sample(options: RbmSampleOptions = {}): Tensor {
    const steps = positiveInt("sample steps", options.steps ?? 1000);
    const rng = options.seed === undefined ? this.rng : new Rng(options.seed);
    const init = options.init ?? "random";
    let v: Tensor;
    if (typeof init === "string") {
      const n = positiveInt("sample n", options.n ?? 100);
      v = zeros([n, this.visible]);
      if (init === "random") {
        if (this.visibleUnits === "bernoulli") for (let i = 0; i < v.size; i++) v.data[i] = rng.nextFloat() < 0.5 ? 1 : 0;
        else fillNormal(v.data, rng);
      } else if (init === "biases") {
        const mean = zeros([n, this.visible]);
        for (let r = 0; r < n; r++) mean.data.set(this.a.data, r * this.visible);
        if (this.visibleUnits === "bernoulli") {
          for (let i = 0; i < mean.size; i++) mean.data[i] = 1 / (1 + Math.exp(-mean.data[i]));
        }
        sampleUnits(this.visibleUnits, mean, rng, v);
      } else throw new RangeError(`RBM.sample: init must be a tensor, "random" or "biases", got "${init}"`);
    } else {
      checkVisible("RBM.sample", this, init, "init");
      v = init;
    }
    const chain = chainBuffers(v.rows, this.visible, this.hidden);
    hiddenMean(this, v, chain.hMean);
    gibbsFromHidden(this, chain.hMean, steps, chain, { sampleHidden: true, sampleVisible: true }, rng);
    return options.output === "sample" ? chain.vSample : chain.vMean;
  }

  /** F(v) = −log Σ_h exp(−E(v, h)) per row: [n]. */
  freeEnergy(v: Tensor): Tensor {
    checkVisible("RBM.freeEnergy", this, v, "v");
    return freeEnergy(this, v);
  }

  /**
   * Stochastic pseudo-likelihood (as scikit-learn's BernoulliRBM.score_samples): for each row
   * flip one random bit i and return V · log σ(F(ṽ) − F(v)) ≈ Σ_i log p(v_i | v_−i). Bernoulli
   * visible units only. [n].
   */
  pseudoLikelihood(v: Tensor, rng: Rng = this.rng): Tensor {
    if (this.visibleUnits !== "bernoulli") throw new Error("RBM.pseudoLikelihood: needs Bernoulli visible units");
    checkVisible("RBM.pseudoLikelihood", this, v, "v");
    const flipped = v.clone();
    const V = this.visible;
    for (let r = 0; r < v.rows; r++) {
      const i = r * V + rng.int(V);
      flipped.data[i] = 1 - flipped.data[i];
    }
    const F = freeEnergy(this, v);
    const Ff = freeEnergy(this, flipped);
    for (let r = 0; r < v.rows; r++) {
      const x = Ff.data[r] - F.data[r];
      // V log σ(x) = −V softplus(−x)
      F.data[r] = -V * (x > 0 ? Math.log1p(Math.exp(-x)) : -x + Math.log1p(Math.exp(x)));
    }
    return F;
  }

  /**
   * Mean log p(v) over the rows of data: exact (enumerating the smaller layer, ≤ 25 binary
   * units) or by annealed importance sampling of log Z (Salakhutdinov & Murray 2008).
   */
  logLikelihood(data: Tensor, options: LogLikelihoodOptions = {}): LogLikelihoodResult {
    return rbmLogLikelihood(this, data, options);
  }

  /** Mean squared reconstruction error and other summaries, for a test set. */
  score(data: Tensor): number {
    return this.reconstructionError(data);
  }

  private buffersFor(n: number): Buffers {
    let b = this.buffers.get(n);
    if (b === undefined) {
      const V = this.visible;
      const H = this.hidden;
      b = { v0: zeros([n, V]), h0Mean: zeros([n, H]), chain: chainBuffers(n, V, H), diff: zeros([n, V]) };
      this.buffers.set(n, b);
    }
    return b;
  }

  /** The fantasy chains, started from the rows of the first batch they meet (cycled). */
  private fantasyChains(v0: Tensor): ChainBuffers {
    const m = this.options.persistent;
    if (this.fantasy === null) this.fantasy = chainBuffers(m, this.visible, this.hidden);
    if (!this.fantasyReady) {
      const V = this.visible;
      for (let r = 0; r < m; r++) this.fantasy.vSample.data.set(v0.data.subarray((r % v0.rows) * V, ((r % v0.rows) + 1) * V), r * V);
      this.fantasyReady = true;
    }
    return this.fantasy;
  }

  /**
   * Sparsity (Lee, Ekanadham & Ng 2008; Hinton's guide §11): a running estimate q of each hidden
   * unit's mean activation is pulled towards the target through the hidden biases,
   * Δb −= ε · cost · (q − target). sumH holds Σ_rows p(h | v0) from the positive phase.
   */
  private applySparsity(sumH: Tensor, n: number): void {
    const o = this.options;
    if (this.q === null) {
      this.q = zeros([this.hidden]);
      this.q.data.fill(o.sparsityTarget);
    }
    const q = this.q.data;
    const db = this.velocity.db.data;
    const k = this.currentLearningRate() * o.sparsityCost;
    for (let j = 0; j < q.length; j++) {
      q[j] = o.sparsityDecay * q[j] + (1 - o.sparsityDecay) * (sumH.data[j] / n);
      db[j] -= k * (q[j] - o.sparsityTarget);
    }
  }

  /** Parameters as plain values, for saving. */
  config(): ResolvedRBMOptions & { epochsTrained: number; updates: number } {
    return { ...this.options, epochsTrained: this.epochsTrained, updates: this.updates };
  }

  /**
   * What saveModel writes: the options, the counters and the generator's state, W [visible,
   * hidden], a [visible], b [hidden], and what a resumed fit needs: the velocity (velocity.W,
   * velocity.a, velocity.b), the fantasy chains' visible states (chains.v [persistent, visible])
   * and the sparsity estimate (sparsity.q [hidden]) once they exist.
   */
  toSaved(): SavedModel {
    const tensors: [string, Tensor][] = [
      ["W", this.W],
      ["a", this.a],
      ["b", this.b],
    ];
    if (this.updates > 0) tensors.push(["velocity.W", this.velocity.dW], ["velocity.a", this.velocity.da], ["velocity.b", this.velocity.db]);
    if (this.fantasy !== null && this.fantasyReady) tensors.push(["chains.v", this.fantasy.vSample]);
    if (this.q !== null) tensors.push(["sparsity.q", this.q]);
    return {
      className: "RBM",
      config: { ...this.options },
      state: { epochsTrained: this.epochsTrained, updates: this.updates, rng: [...this.rng.state] },
      tensors,
    };
  }

  /** Rebuilds a saved RBM (see toSaved); absent training state (an older file) starts fresh. */
  static fromSaved(saved: SavedModelReader): RBM {
    const rbm = new RBM(saved.config as unknown as RBMOptions); // validates every option again
    for (const [name, t] of [
      ["W", rbm.W],
      ["a", rbm.a],
      ["b", rbm.b],
    ] as const)
      saved.into(name, t);
    rbm.epochsTrained = saved.count("epochsTrained");
    rbm.updates = saved.count("updates");
    const rng = saved.rngState("rng");
    if (rng !== undefined) rbm.rng.state.set(rng);
    for (const [name, t] of [
      ["velocity.W", rbm.velocity.dW],
      ["velocity.a", rbm.velocity.da],
      ["velocity.b", rbm.velocity.db],
    ] as const) {
      const data = saved.optionalTensor(name, t.shape);
      if (data !== undefined) t.data.set(data);
    }
    const chains = saved.optionalTensor("chains.v", [rbm.options.persistent, rbm.visible]);
    if (chains !== undefined) {
      rbm.fantasy = chainBuffers(rbm.options.persistent, rbm.visible, rbm.hidden);
      rbm.fantasy.vSample.data.set(chains);
      rbm.fantasyReady = true;
    }
    const q = saved.optionalTensor("sparsity.q", [rbm.hidden]);
    if (q !== undefined) rbm.q = fromArray(q, [rbm.hidden]);
    return rbm;
  }

  /** Writes dir/model.json and dir/model.safetensors (see saveModel). */
  async save(dir: string, training?: Record<string, unknown>): Promise<void> {
    await saveModel(this, dir, training);
  }

  /** Mean free energy of data, a cheap monitor of overfitting (compare training and held-out data). */
  meanFreeEnergy(v: Tensor): number {
    const F = this.freeEnergy(v);
    return sumAll(F) / F.size;
  }
}

registerModel("RBM", RBM.fromSaved);
