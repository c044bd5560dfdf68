/**
 * The machinery every binary energy network shares (Hopfield nets, Boltzmann machines, the
 * Hopfield–Tank TSP net): the quadratic energy
 *
 *   E(x) = −½ Σ_ij w_ij x_i x_j + Σ_i θ_i x_i        (W symmetric, zero diagonal)
 *
 * and the local field u_i = Σ_j w_ij x_j − θ_i = −∂E/∂x_i. Because the diagonal is zero, E is
 * linear in each x_i, so changing one unit by Δx_i changes the energy by exactly −u_i Δx_i and
 * every other field by w_ji Δx_i. `FieldState` keeps u and E current that way: O(N) per change
 * instead of the O(N²) of recomputing W x, which is what makes many asynchronous sweeps cheap.
 *
 * A deterministic unit (Hopfield) takes the lower-energy value: high if u_i > 0, low if u_i < 0,
 * unchanged if u_i = 0. A stochastic unit (Boltzmann) takes the high value with probability
 * σ(gap · u_i / T), gap = high − low, the Gibbs conditional of p(x) ∝ exp(−E(x)/T); at T → 0
 * it becomes the deterministic rule, so one sweep routine serves both.
 */
import type { Rng } from "../../tensor/random.js";
import { formatShape, ShapeError } from "../../tensor/shape.js";
import type { Tensor } from "../../tensor/tensor.js";

/** "binary": x_i ∈ {0, 1}; "bipolar": x_i ∈ {−1, +1}. */
export type UnitStates = "binary" | "bipolar";

export interface StateLevels {
  low: number;
  high: number;
}

export const STATE_LEVELS: Readonly<Record<UnitStates, StateLevels>> = Object.freeze({
  binary: Object.freeze({ low: 0, high: 1 }),
  bipolar: Object.freeze({ low: -1, high: 1 }),
});

export function checkUnitStates(states: unknown, what: string): UnitStates {
  if (states !== "binary" && states !== "bipolar") throw new RangeError(`${what}: states must be "binary" or "bipolar", got ${JSON.stringify(states)}`);
  return states;
}

/** Throws unless every entry of x is one of the two levels (names the first bad entry). */
export function checkStates(x: ArrayLike<number>, states: UnitStates, what: string): void {
  const { low, high } = STATE_LEVELS[states];
  for (let i = 0; i < x.length; i++) {
    if (x[i] !== low && x[i] !== high) throw new RangeError(`${what}: entry ${i} is ${x[i]}; ${states} states must be ${low} or ${high}`);
  }
}

/** Throws unless W is a square N×N symmetric matrix with a zero diagonal and θ has N entries. */
export function checkEnergyParameters(weights: Tensor, thresholds: Tensor, what: string): void {
  if (weights.rank !== 2 || weights.shape[0] !== weights.shape[1])
    throw new ShapeError(`${what}: weights must be square N×N, got ${formatShape(weights.shape)}`);
  const n = weights.shape[0];
  if (thresholds.size !== n)
    throw new ShapeError(`${what}: thresholds have shape ${formatShape(thresholds.shape)} but weights are ${formatShape(weights.shape)}`);
  const w = weights.data;
  for (let i = 0; i < n; i++) {
    if (w[i * n + i] !== 0) throw new RangeError(`${what}: weights must have a zero diagonal; w[${i}][${i}] = ${w[i * n + i]}`);
    for (let j = i + 1; j < n; j++) {
      if (w[i * n + j] !== w[j * n + i])
        throw new RangeError(`${what}: weights must be symmetric; w[${i}][${j}] = ${w[i * n + j]} but w[${j}][${i}] = ${w[j * n + i]}`);
    }
  }
}

/** E(x) = −½ xᵀ W x + θᵀ x, accumulated in float64. */
export function quadraticEnergy(weights: Tensor, thresholds: Tensor, x: ArrayLike<number>): number {
  const n = thresholds.size;
  if (x.length !== n) throw new ShapeError(`energy: state has ${x.length} units but the network has ${n}`);
  const w = weights.data;
  let quadratic = 0;
  let linear = 0;
  for (let i = 0; i < n; i++) {
    const xi = x[i];
    if (xi === 0) continue;
    let wx = 0;
    const row = i * n;
    for (let j = 0; j < n; j++) wx += w[row + j] * x[j];
    quadratic += xi * wx;
    linear += thresholds.data[i] * xi;
  }
  return -0.5 * quadratic + linear;
}

/** u = W x − θ into `out` (float64). */
export function localFields(weights: Tensor, thresholds: Tensor, x: ArrayLike<number>, out: Float64Array = new Float64Array(thresholds.size)): Float64Array {
  const n = thresholds.size;
  const w = weights.data;
  for (let i = 0; i < n; i++) {
    let s = -thresholds.data[i];
    const row = i * n;
    for (let j = 0; j < n; j++) s += w[row + j] * x[j];
    out[i] = s;
  }
  return out;
}

/** Where a sweep writes the energy after each unit update (null: nowhere). */
export interface EnergyRecorder {
  push(energy: number): void;
}

/**
 * A network state x with its local fields u = W x − θ and energy E(x), kept current as units
 * change. W must stay fixed while the state is in use (call `load` again after changing it).
 */
export class FieldState {
  readonly n: number;
  readonly x: Float32Array;
  readonly u: Float64Array;
  readonly low: number;
  readonly high: number;
  energy = 0;
  private readonly w: Float32Array;
  private readonly theta: Float32Array;
  private readonly gap: number;

  constructor(weights: Tensor, thresholds: Tensor, states: UnitStates) {
    this.n = thresholds.size;
    if (weights.size !== this.n * this.n) throw new ShapeError(`FieldState: weights ${formatShape(weights.shape)} do not match ${this.n} thresholds`);
    this.w = weights.data;
    this.theta = thresholds.data;
    this.x = new Float32Array(this.n);
    this.u = new Float64Array(this.n);
    ({ low: this.low, high: this.high } = STATE_LEVELS[states]);
    this.gap = this.high - this.low;
  }

  /** Sets the whole state and recomputes u and E from scratch (O(N²)). */
  load(x0: ArrayLike<number>): this {
    if (x0.length !== this.n) throw new ShapeError(`FieldState: state has ${x0.length} units but the network has ${this.n}`);
    this.x.set(x0);
    const { n, w, u, x } = this;
    let energy = 0;
    for (let i = 0; i < n; i++) {
      let s = 0;
      const row = i * n;
      for (let j = 0; j < n; j++) s += w[row + j] * x[j];
      u[i] = s - this.theta[i];
      energy += x[i] * (this.theta[i] - 0.5 * s);
    }
    this.energy = energy;
    return this;
  }

  /** Sets unit i; returns whether it changed. ΔE = −u_i Δx_i; u_j += w_ji Δx_i (row i = column i). */
  set(i: number, value: number): boolean {
    const delta = value - this.x[i];
    if (delta === 0) return false;
    this.x[i] = value;
    this.energy -= this.u[i] * delta;
    const { n, w, u } = this;
    const row = i * n;
    for (let j = 0; j < n; j++) u[j] += w[row + j] * delta;
    return true;
  }

  /** The deterministic (T = 0) update of unit i: toward lower energy, unchanged on a tie. */
  settle(i: number): boolean {
    const ui = this.u[i];
    if (ui > 0) return this.set(i, this.high);
    if (ui < 0) return this.set(i, this.low);
    return false;
  }

  /** The stochastic update of unit i at temperature T > 0: high with probability σ(gap u_i / T). */
  sample(i: number, temperature: number, rng: Rng): boolean {
    const pHigh = 1 / (1 + Math.exp((-this.gap * this.u[i]) / temperature));
    return this.set(i, rng.nextFloat() < pHigh ? this.high : this.low);
  }

  /**
   * The mean-field (deterministic, continuous) update of unit i at temperature T > 0: x_i takes
   * its expected value under the stochastic rule, low + gap σ(gap u_i / T). With graded units
   * this is the Hopfield–Tank analogue dynamics; E stays exact because it is linear in x_i.
   */
  meanField(i: number, temperature: number): number {
    const pHigh = 1 / (1 + Math.exp((-this.gap * this.u[i]) / temperature));
    const value = this.low + this.gap * pHigh;
    const change = Math.abs(value - this.x[i]);
    this.set(i, value);
    return change;
  }

  /** Mean-field updates of the units in `order`; returns the largest change of a unit. */
  sweepMeanField(order: ArrayLike<number>, temperature: number): number {
    let largest = 0;
    for (let k = 0; k < order.length; k++) largest = Math.max(largest, this.meanField(order[k], temperature));
    return largest;
  }

  /** Rounds every unit to the nearer level (after mean-field annealing) and recomputes u and E. */
  round(): this {
    const mid = (this.low + this.high) / 2;
    const x = Float32Array.from(this.x, (v) => (v > mid ? this.high : this.low));
    return this.load(x);
  }

  /**
   * Updates the units listed in `order` once each, in that order (T = 0: deterministic, else
   * stochastic at T); returns how many changed. `trace` gets the energy after every update.
   */
  sweep(order: ArrayLike<number>, temperature: number, rng: Rng | null, trace: EnergyRecorder | null = null): number {
    let changes = 0;
    if (temperature === 0) {
      for (let k = 0; k < order.length; k++) {
        if (this.settle(order[k])) changes++;
        trace?.push(this.energy);
      }
      return changes;
    }
    if (rng === null) throw new Error("FieldState.sweep: a stochastic sweep (temperature > 0) needs an rng");
    for (let k = 0; k < order.length; k++) {
      if (this.sample(order[k], temperature, rng)) changes++;
      trace?.push(this.energy);
    }
    return changes;
  }

  /** Whether no unit would change under the deterministic rule. */
  isStable(): boolean {
    for (let i = 0; i < this.n; i++) {
      const ui = this.u[i];
      if ((ui > 0 && this.x[i] !== this.high) || (ui < 0 && this.x[i] !== this.low)) return false;
    }
    return true;
  }
}

/** Checks a temperature: finite and ≥ 0 (0 means the deterministic rule). */
export function checkTemperature(t: number, what: string): number {
  if (!Number.isFinite(t) || t < 0) throw new RangeError(`${what}: temperature must be a finite number >= 0, got ${t}`);
  return t;
}

/**
 * Shuffles a sweep's unit order in place (Fisher–Yates). The index comes from one 32-bit draw
 * by multiply-and-floor instead of Rng.int's rejection loop: the bias, at most n / 2³², is
 * far below anything a sweep can show, and at N = 1,000 the shuffle was costing more than the
 * sweep itself.
 */
export function shuffleOrder(order: Uint32Array, rng: Rng): Uint32Array {
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor((rng.nextUint32() * (i + 1)) / 4294967296);
    const tmp = order[i];
    order[i] = order[j];
    order[j] = tmp;
  }
  return order;
}

/** 0, 1, ..., n−1 as unit indices (the order a sweep shuffles). */
export function unitIndices(n: number): Uint32Array {
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  return order;
}
