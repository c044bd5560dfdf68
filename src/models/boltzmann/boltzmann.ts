/**
 * The Boltzmann machine (Ackley, Hinton & Sejnowski 1985): a Hopfield network of stochastic
 * binary units, p(x_i = 1 | rest) = σ(u_i / T) with u_i = Σ_j w_ij x_j − θ_i, whose states
 * follow the Boltzmann distribution p(x) = exp(−E(x)/T) / Z of the same energy
 * E(x) = −½ xᵀ W x + θᵀ x. Units 0..V−1 are visible, V..V+H−1 hidden.
 *
 * Learning maximises the log-likelihood of the visible data; at T = 1 its gradient is
 *   ∂ log p(v) / ∂w_ij = ⟨x_i x_j⟩_clamped − ⟨x_i x_j⟩_free,   ∂ / ∂θ_i = −(⟨x_i⟩_clamped − ⟨x_i⟩_free),
 * "clamped": visible units held at the data, hidden units sampled given them (positive phase);
 * "free": every unit sampled from the model (negative phase). The expectations come from
 * Gibbs sampling in both phases, or exactly by enumeration for small nets.
 */
import { registerModel, type SavedModel, type SavedModelReader, saveModel } from "../../io/model.js";
import { type Rng, rngFrom } from "../../tensor/random.js";
import { checkTensorSize, formatShape, ShapeError } from "../../tensor/shape.js";
import { fromArray, type Tensor, zeros } from "../../tensor/tensor.js";
import { type Callback, setTensors, type TrainableModel } from "../../train/callbacks.js";
import { type DivergenceOptions, fitLoopSync, type TrainingStep } from "../../train/loop.js";
import { type AnnealingSchedule, anneal } from "../hopfield/anneal.js";
import { checkStates, checkTemperature, FieldState, quadraticEnergy, shuffleOrder } from "../hopfield/core.js";
import {
  accumulatePairs,
  boltzmannDistribution,
  empiricalDistribution,
  enumerateEnergies,
  klDivergence,
  MAX_ENUMERATED_UNITS,
  marginalizeHidden,
  normalizeEnergies,
  pairStatistics,
  stateIndex,
} from "./exact.js";

export interface BoltzmannMachineOptions {
  /** Visible units V (≥ 1). */
  visible: number;
  /** Hidden units H (default 0). */
  hidden?: number;
  /** Standard deviation of the initial weights (default 0.1; thresholds start at 0). */
  initStd?: number;
  seed?: number;
}

export interface GibbsSamplingOptions {
  /** Sweeps discarded before collecting (default 100). */
  burnIn?: number;
  /** Samples kept per chain, one per `thin` sweeps (default 100). */
  samples?: number;
  /** Sweeps between kept samples (default 1). */
  thin?: number;
  /** Independent chains, each from a random start (default 1). */
  chains?: number;
  temperature?: number;
  seed?: number | Rng;
  /** Visible values to hold fixed (only hidden units are sampled). */
  clamp?: ArrayLike<number>;
}

export interface SampledGradientOptions {
  /** Free phase: chains, burn-in and samples per chain (defaults 20, 100, 100). */
  chains?: number;
  burnIn?: number;
  samples?: number;
  /** Clamped phase, per data vector: burn-in and samples of the hidden units (defaults 20, 10). */
  clampedBurnIn?: number;
  clampedSamples?: number;
  seed?: number | Rng;
}

/** ∂ log-likelihood / ∂ parameters, averaged over the data, and the two phases' statistics. */
export interface BoltzmannGradient {
  /** n×n, symmetric, zero diagonal: ⟨x_i x_j⟩_clamped − ⟨x_i x_j⟩_free. */
  weights: Float64Array;
  /** Length n: −(⟨x_i⟩_clamped − ⟨x_i⟩_free). */
  thresholds: Float64Array;
  /** n×n statistics of each phase (diagonal: ⟨x_i⟩). */
  clamped: Float64Array;
  free: Float64Array;
}

export interface BoltzmannFitOptions {
  epochs: number;
  /** Step size of gradient ascent on the mean log-likelihood (default 0.1). */
  learningRate?: number;
  /** "exact" (enumeration; nets of ≤ 20 units) or "gibbs" (default). */
  method?: "exact" | "gibbs";
  /** Sampling settings for method "gibbs". */
  gibbs?: SampledGradientOptions;
  /** Track KL(data ‖ model) each epoch, exactly (default: when the net has ≤ 16 units). */
  trackKl?: boolean;
  onEpoch?: (epoch: number, kl: number | null) => void;
  /** Keras-style callbacks (logs: kl when tracked); they must be synchronous. */
  callbacks?: readonly Callback[];
  /** Stop when the tracked KL divergence explodes (docs/training.md); false: never. Default on. */
  divergence?: DivergenceOptions | false;
}

export interface BoltzmannFitResult {
  /** KL(p_data ‖ p_model(v)) before training and after each epoch (empty when not tracked). */
  kl: number[];
}

function checkInt(v: number, name: string, min: number, what: string): number {
  if (!Number.isInteger(v) || v < min) throw new RangeError(`${what}: ${name} must be an integer >= ${min}, got ${v}`);
  return v;
}

export class BoltzmannMachine implements TrainableModel {
  readonly visible: number;
  readonly hidden: number;
  /** V + H. */
  readonly size: number;
  /** W, n×n, symmetric, zero diagonal. */
  readonly weights: Tensor;
  /** θ, length n. */
  readonly thresholds: Tensor;
  /** Set by a callback (EarlyStopping on "kl") to end fit after the current epoch. */
  stopTraining = false;
  private readonly rng: Rng;
  /** What the constructor drew the initial weights from, kept for saving. */
  private readonly init: { initStd: number; seed: number };

  constructor(options: BoltzmannMachineOptions) {
    this.visible = checkInt(options.visible, "visible", 1, "BoltzmannMachine");
    this.hidden = checkInt(options.hidden ?? 0, "hidden", 0, "BoltzmannMachine");
    this.size = this.visible + this.hidden;
    checkTensorSize("BoltzmannMachine", [
      ["visible + hidden", this.size],
      ["visible + hidden", this.size],
    ]);
    const initStd = options.initStd ?? 0.1;
    if (!Number.isFinite(initStd) || initStd < 0) throw new RangeError(`BoltzmannMachine: initStd must be a finite number >= 0, got ${initStd}`);
    this.rng = rngFrom(options.seed);
    this.init = { initStd, seed: options.seed ?? 0 };
    const n = this.size;
    this.weights = zeros([n, n]);
    this.thresholds = zeros([n]);
    for (let i = 0; i < n; i++) {
      for (let j = i + 1; j < n; j++) {
        const w = this.rng.normal(0, initStd);
        this.weights.data[i * n + j] = w;
        this.weights.data[j * n + i] = w;
      }
    }
  }

  /** E(x) = −½ xᵀ W x + θᵀ x for a full state (visible then hidden). */
  energy(x: ArrayLike<number>): number {
    return quadraticEnergy(this.weights, this.thresholds, x);
  }

  /**
   * Gibbs sampling: `chains` chains, each from a uniformly random state, `burnIn` sweeps, then
   * `samples` states one every `thin` sweeps. Returns [chains · samples, n] states.
   */
  sample(options: GibbsSamplingOptions = {}): Tensor {
    const burnIn = checkInt(options.burnIn ?? 100, "burnIn", 0, "BoltzmannMachine.sample");
    const samples = checkInt(options.samples ?? 100, "samples", 1, "BoltzmannMachine.sample");
    const thin = checkInt(options.thin ?? 1, "thin", 1, "BoltzmannMachine.sample");
    const chains = checkInt(options.chains ?? 1, "chains", 1, "BoltzmannMachine.sample");
    const temperature = checkTemperature(options.temperature ?? 1, "BoltzmannMachine.sample");
    const rng = options.seed === undefined ? this.rng : rngFrom(options.seed);
    const n = this.size;
    const out = zeros([chains * samples, n]);
    const state = new FieldState(this.weights, this.thresholds, "binary");
    const units = this.freeUnits(options.clamp !== undefined);
    for (let c = 0; c < chains; c++) {
      state.load(this.randomStart(rng, options.clamp));
      for (let s = 0; s < burnIn; s++) state.sweep(shuffleOrder(units, rng), temperature, rng);
      for (let k = 0; k < samples; k++) {
        for (let s = 0; s < thin; s++) state.sweep(shuffleOrder(units, rng), temperature, rng);
        out.data.set(state.x, (c * samples + k) * n);
      }
    }
    return out;
  }

  /** Simulated annealing along `schedule` from a random start, then a quench: a low-energy state. */
  anneal(options: { schedule: AnnealingSchedule; seed?: number | Rng; clamp?: ArrayLike<number> }): { state: Tensor; energy: number } {
    const rng = options.seed === undefined ? this.rng : rngFrom(options.seed);
    const state = new FieldState(this.weights, this.thresholds, "binary").load(this.randomStart(rng, options.clamp));
    const r = anneal(state, { schedule: options.schedule, rng, units: this.freeUnits(options.clamp !== undefined) });
    return { state: fromArray(state.x), energy: r.energy };
  }

  /** The exact distribution over all 2^n states at temperature T (n ≤ 20). */
  distribution(temperature = 1): Float64Array {
    return boltzmannDistribution(this.weights, this.thresholds, temperature).probabilities;
  }

  /** The exact model distribution of the visible units, p(v) = Σ_h p(v, h). */
  visibleDistribution(temperature = 1): Float64Array {
    return marginalizeHidden(this.distribution(temperature), this.visible);
  }

  /** KL(p_data ‖ p_model(v)) in nats, exactly, with p_data the empirical distribution of the rows of `data`. */
  klDivergence(data: Tensor): number {
    return klDivergence(empiricalDistribution(this.checkData(data, "klDivergence")), this.visibleDistribution());
  }

  /** The exact log-likelihood gradient at T = 1, by enumeration (n ≤ 20). */
  exactGradient(data: Tensor): BoltzmannGradient {
    const v = this.checkData(data, "exactGradient");
    const n = this.size;
    const free = pairStatistics(this.distribution(), n);
    const clamped = new Float64Array(n * n);
    const counts = this.countVisiblePatterns(v);
    const state = new FieldState(this.weights, this.thresholds, "binary");
    const hiddenUnits = this.freeUnits(true);
    const pHidden = new Float64Array(2 ** this.hidden);
    const x = new Float32Array(n);
    const active = new Int32Array(n);
    for (const [pattern, weight] of counts) {
      for (let i = 0; i < this.visible; i++) x[i] = (pattern >> i) & 1;
      if (this.hidden === 0) {
        accumulatePairs(x, weight, clamped, active);
        continue;
      }
      // p(h | v) ∝ exp(−E(v, h)), by enumerating the hidden units with v held
      x.fill(0, this.visible);
      state.load(x);
      enumerateEnergies(state, hiddenUnits, pHidden);
      normalizeEnergies(pHidden, 1);
      for (let g = 0; g < pHidden.length; g++) {
        for (let b = 0; b < this.hidden; b++) x[this.visible + b] = (g >> b) & 1;
        accumulatePairs(x, weight * pHidden[g], clamped, active);
      }
    }
    return this.gradientFrom(clamped, free);
  }

  /** The same gradient estimated by Gibbs sampling in both phases. */
  sampledGradient(data: Tensor, options: SampledGradientOptions = {}): BoltzmannGradient {
    const v = this.checkData(data, "sampledGradient");
    const what = "BoltzmannMachine.sampledGradient";
    const chains = checkInt(options.chains ?? 20, "chains", 1, what);
    const burnIn = checkInt(options.burnIn ?? 100, "burnIn", 0, what);
    const samples = checkInt(options.samples ?? 100, "samples", 1, what);
    const clampedBurnIn = checkInt(options.clampedBurnIn ?? 20, "clampedBurnIn", 0, what);
    const clampedSamples = checkInt(options.clampedSamples ?? 10, "clampedSamples", 1, what);
    const rng = options.seed === undefined ? this.rng : rngFrom(options.seed);
    const n = this.size;
    const m = v.shape[0];
    const state = new FieldState(this.weights, this.thresholds, "binary");
    const active = new Int32Array(n);
    // positive phase: visible units clamped to each data vector, hidden units sampled
    const clamped = new Float64Array(n * n);
    const hiddenUnits = this.freeUnits(true);
    for (let r = 0; r < m; r++) {
      const row = v.data.subarray(r * this.visible, (r + 1) * this.visible);
      state.load(this.randomStart(rng, row));
      if (this.hidden === 0) {
        accumulatePairs(state.x, 1 / m, clamped, active);
        continue;
      }
      for (let s = 0; s < clampedBurnIn; s++) state.sweep(shuffleOrder(hiddenUnits, rng), 1, rng);
      for (let k = 0; k < clampedSamples; k++) {
        state.sweep(shuffleOrder(hiddenUnits, rng), 1, rng);
        accumulatePairs(state.x, 1 / (m * clampedSamples), clamped, active);
      }
    }
    // negative phase: every unit free
    const free = new Float64Array(n * n);
    const allUnits = this.freeUnits(false);
    for (let c = 0; c < chains; c++) {
      state.load(this.randomStart(rng));
      for (let s = 0; s < burnIn; s++) state.sweep(shuffleOrder(allUnits, rng), 1, rng);
      for (let k = 0; k < samples; k++) {
        state.sweep(shuffleOrder(allUnits, rng), 1, rng);
        accumulatePairs(state.x, 1 / (chains * samples), free, active);
      }
    }
    return this.gradientFrom(clamped, free);
  }

  /** Copies of W and θ (the callbacks' view). */
  getWeights(): Tensor[] {
    return [this.weights.clone(), this.thresholds.clone()];
  }

  setWeights(weights: readonly Tensor[]): void {
    setTensors("BoltzmannMachine.setWeights", [this.weights, this.thresholds], weights);
  }

  /** Gradient ascent step: W += η ∂W (kept symmetric, zero diagonal), θ += η ∂θ. */
  applyGradient(gradient: BoltzmannGradient, learningRate: number): this {
    if (!Number.isFinite(learningRate)) throw new RangeError(`BoltzmannMachine.applyGradient: learningRate must be finite, got ${learningRate}`);
    const n = this.size;
    for (let i = 0; i < n * n; i++) this.weights.data[i] += learningRate * gradient.weights[i];
    for (let i = 0; i < n; i++) this.thresholds.data[i] += learningRate * gradient.thresholds[i];
    return this;
  }

  /** Maximum-likelihood learning on the rows of `data` ({0,1}, [m, V]): full-batch gradient ascent. */
  fit(data: Tensor, options: BoltzmannFitOptions): BoltzmannFitResult {
    const what = "BoltzmannMachine.fit";
    const epochs = checkInt(options.epochs, "epochs", 1, what);
    const learningRate = options.learningRate ?? 0.1;
    if (!Number.isFinite(learningRate) || learningRate <= 0) throw new RangeError(`${what}: learningRate must be a finite number > 0, got ${learningRate}`);
    const method = options.method ?? "gibbs";
    if (method !== "exact" && method !== "gibbs") throw new RangeError(`${what}: method must be "exact" or "gibbs", got ${JSON.stringify(method)}`);
    if (method === "exact" && this.size > MAX_ENUMERATED_UNITS)
      throw new RangeError(`${what}: method "exact" needs at most ${MAX_ENUMERATED_UNITS} units, the net has ${this.size}`);
    const trackKl = options.trackKl ?? this.size <= 16;
    this.checkData(data, "fit");
    const kl: number[] = trackKl ? [this.klDivergence(data)] : [];
    // full-batch gradient ascent: one "batch" of every row per epoch
    const step: TrainingStep = {
      trainStep: () => {
        const g = method === "exact" ? this.exactGradient(data) : this.sampledGradient(data, options.gibbs);
        this.applyGradient(g, learningRate);
        return {};
      },
      endEpoch: (epoch, logs) => {
        const k = trackKl ? this.klDivergence(data) : null;
        if (k !== null) {
          kl.push(k);
          logs.kl = k;
        }
        options.onEpoch?.(epoch, k);
      },
    };
    fitLoopSync({
      what,
      model: this,
      step,
      rows: data.rows,
      epochs,
      batchSize: data.rows,
      shuffle: false,
      rng: this.rng,
      callbacks: options.callbacks,
      advice: `lower learningRate (now ${learningRate})`,
      divergence: options.divergence,
      errorFigures: ["kl"],
    });
    return { kl };
  }

  private gradientFrom(clamped: Float64Array, free: Float64Array): BoltzmannGradient {
    const n = this.size;
    const weights = new Float64Array(n * n);
    const thresholds = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) if (i !== j) weights[i * n + j] = clamped[i * n + j] - free[i * n + j];
      thresholds[i] = -(clamped[i * n + i] - free[i * n + i]);
    }
    return { weights, thresholds, clamped, free };
  }

  /** Distinct visible patterns of the data with their frequencies. */
  private countVisiblePatterns(v: Tensor): Map<number, number> {
    const m = v.shape[0];
    const counts = new Map<number, number>();
    for (let r = 0; r < m; r++) {
      const s = stateIndex(v.data, r * this.visible, this.visible);
      counts.set(s, (counts.get(s) ?? 0) + 1 / m);
    }
    return counts;
  }

  /** Unit indices a sweep updates: the hidden ones when the visible ones are clamped, else all. */
  private freeUnits(clamped: boolean): Uint32Array {
    const start = clamped ? this.visible : 0;
    return Uint32Array.from({ length: this.size - start }, (_, k) => start + k);
  }

  /** A uniformly random {0,1} state, with the visible part set to `clamp` when given. */
  private randomStart(rng: Rng, clamp?: ArrayLike<number>): Float32Array {
    const x = new Float32Array(this.size);
    for (let i = 0; i < this.size; i++) x[i] = rng.nextFloat() < 0.5 ? 1 : 0;
    if (clamp !== undefined) {
      if (clamp.length !== this.visible) throw new ShapeError(`BoltzmannMachine: clamp has ${clamp.length} values but there are ${this.visible} visible units`);
      checkStates(clamp, "binary", "BoltzmannMachine: clamp");
      for (let i = 0; i < this.visible; i++) x[i] = clamp[i];
    }
    return x;
  }

  private checkData(data: Tensor, what: string): Tensor {
    if (data.rank !== 2 || data.shape[1] !== this.visible || data.shape[0] === 0) {
      throw new ShapeError(`BoltzmannMachine.${what}: data must be [m ≥ 1, ${this.visible}] (one visible vector a row), got ${formatShape(data.shape)}`);
    }
    checkStates(data.data, "binary", `BoltzmannMachine.${what}: data`);
    return data;
  }

  /** What saveModel writes: the sizes, the generator's state, weights [n, n] and thresholds [n] (visible units first). */
  toSaved(): SavedModel {
    return {
      className: "BoltzmannMachine",
      config: { visible: this.visible, hidden: this.hidden, ...this.init },
      state: { rng: [...this.rng.state] },
      tensors: [
        ["weights", this.weights],
        ["thresholds", this.thresholds],
      ],
    };
  }

  static fromSaved(saved: SavedModelReader): BoltzmannMachine {
    const bm = new BoltzmannMachine(saved.config as unknown as BoltzmannMachineOptions);
    saved.into("weights", bm.weights);
    saved.into("thresholds", bm.thresholds);
    const rng = saved.rngState("rng");
    if (rng !== undefined) bm.rng.state.set(rng);
    return bm;
  }

  /** Writes dir/model.json and dir/model.safetensors (see saveModel). */
  async save(dir: string, training?: Record<string, unknown>): Promise<void> {
    await saveModel(this, dir, training);
  }
}

registerModel("BoltzmannMachine", BoltzmannMachine.fromSaved);
