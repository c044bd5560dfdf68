/**
 * Exact computations for small binary energy networks by enumerating every state: the
 * Boltzmann distribution p(x) = exp(−E(x)/T) / Z, its marginals and its statistics ⟨x_i x_j⟩.
 * These are the ground truth the Gibbs sampler and the sampled learning rule are tested
 * against, and the exact learning rule for nets of up to ~16 units.
 *
 * States are indexed by their bits: in a state of index s, unit i is 1 when bit i of s is set.
 * Energies of all 2^n states come from a Gray-code walk (one unit changes between neighbours),
 * so a FieldState gives each one in O(n) instead of O(n²).
 */
import { formatShape, ShapeError } from "../../tensor/shape.js";
import type { Tensor } from "../../tensor/tensor.js";
import { checkTemperature, FieldState } from "../hopfield/core.js";

/** Enumeration stops here: 2^20 states is about a million energies. */
export const MAX_ENUMERATED_UNITS = 20;

function checkEnumerable(k: number, what: string): void {
  if (k > MAX_ENUMERATED_UNITS) throw new RangeError(`${what}: exact enumeration needs at most ${MAX_ENUMERATED_UNITS} free units, got ${k}`);
}

/**
 * The energies of all 2^k settings of the `free` units of `state` (the other units keep their
 * values): out[g] has free[b] = bit b of g. Leaves `state` at some setting of the free units.
 */
export function enumerateEnergies(state: FieldState, free: ArrayLike<number>, out: Float64Array = new Float64Array(2 ** free.length)): Float64Array {
  checkEnumerable(free.length, "enumerateEnergies");
  for (let b = 0; b < free.length; b++) state.set(free[b], 0);
  out[0] = state.energy;
  const count = 2 ** free.length;
  for (let k = 1; k < count; k++) {
    const bit = 31 - Math.clz32(k & -k); // the bit that changes between Gray codes k − 1 and k
    const unit = free[bit];
    state.set(unit, 1 - state.x[unit]);
    out[k ^ (k >> 1)] = state.energy;
  }
  return out;
}

/** Turns energies into probabilities p_s = exp(−E_s/T)/Z in place; returns log Z. */
export function normalizeEnergies(energies: Float64Array, temperature: number): number {
  checkTemperature(temperature, "normalizeEnergies");
  if (temperature === 0) throw new RangeError("normalizeEnergies: temperature must be > 0");
  let min = Number.POSITIVE_INFINITY;
  for (let s = 0; s < energies.length; s++) if (energies[s] < min) min = energies[s];
  let z = 0;
  for (let s = 0; s < energies.length; s++) {
    energies[s] = Math.exp(-(energies[s] - min) / temperature);
    z += energies[s];
  }
  for (let s = 0; s < energies.length; s++) energies[s] /= z;
  return Math.log(z) - min / temperature;
}

/** The Boltzmann distribution over all 2^n states of a {0,1} network (W, θ) at temperature T. */
export function boltzmannDistribution(weights: Tensor, thresholds: Tensor, temperature = 1): { probabilities: Float64Array; logZ: number } {
  const n = thresholds.size;
  checkEnumerable(n, "boltzmannDistribution");
  const state = new FieldState(weights, thresholds, "binary").load(new Float32Array(n));
  const probabilities = enumerateEnergies(
    state,
    Uint32Array.from({ length: n }, (_, i) => i),
  );
  const logZ = normalizeEnergies(probabilities, temperature);
  return { probabilities, logZ };
}

/** p(v) = Σ_h p(v, h): sums the distribution over the high bits (hidden units come after the visible ones). */
export function marginalizeHidden(probabilities: Float64Array, visible: number): Float64Array {
  const out = new Float64Array(2 ** visible);
  const mask = out.length - 1;
  for (let s = 0; s < probabilities.length; s++) out[s & mask] += probabilities[s];
  return out;
}

/** Adds weight · x xᵀ to the n×n statistics (binary x: only the active units matter). */
export function accumulatePairs(x: ArrayLike<number>, weight: number, stats: Float64Array, active: Int32Array = new Int32Array(x.length)): void {
  const n = x.length;
  let count = 0;
  for (let i = 0; i < n; i++) if (x[i] !== 0) active[count++] = i;
  for (let a = 0; a < count; a++) {
    const row = active[a] * n;
    for (let b = 0; b < count; b++) stats[row + active[b]] += weight;
  }
}

/**
 * ⟨x_i x_j⟩ under a distribution over all 2^n states, as an n×n matrix whose diagonal is ⟨x_i⟩
 * (x_i² = x_i for binary units): everything the learning rule needs, in one array.
 */
export function pairStatistics(probabilities: Float64Array, n: number, out: Float64Array = new Float64Array(n * n)): Float64Array {
  if (probabilities.length !== 2 ** n) throw new ShapeError(`pairStatistics: ${probabilities.length} probabilities for ${n} units (need ${2 ** n})`);
  out.fill(0);
  const x = new Float32Array(n);
  const active = new Int32Array(n);
  for (let s = 0; s < probabilities.length; s++) {
    if (probabilities[s] === 0) continue;
    for (let i = 0; i < n; i++) x[i] = (s >> i) & 1;
    accumulatePairs(x, probabilities[s], out, active);
  }
  return out;
}

/** The state index of a {0,1} vector (unit i = bit i). */
export function stateIndex(x: ArrayLike<number>, offset = 0, count = x.length - offset): number {
  checkEnumerable(count, "stateIndex");
  let s = 0;
  for (let i = 0; i < count; i++) if (x[offset + i] !== 0) s |= 1 << i;
  return s;
}

/** The empirical distribution of the rows of a [m, n] {0,1} tensor over all 2^n states. */
export function empiricalDistribution(samples: Tensor): Float64Array {
  if (samples.rank !== 2) throw new ShapeError(`empiricalDistribution: expected [m, n] samples, got ${formatShape(samples.shape)}`);
  const [m, n] = samples.shape;
  const out = new Float64Array(2 ** n);
  for (let r = 0; r < m; r++) out[stateIndex(samples.data, r * n, n)] += 1 / m;
  return out;
}

function checkSameLength(p: Float64Array, q: Float64Array, what: string): void {
  if (p.length !== q.length) throw new ShapeError(`${what}: distributions have ${p.length} and ${q.length} entries`);
}

/** ½ Σ |p − q|. */
export function totalVariation(p: Float64Array, q: Float64Array): number {
  checkSameLength(p, q, "totalVariation");
  let s = 0;
  for (let i = 0; i < p.length; i++) s += Math.abs(p[i] - q[i]);
  return s / 2;
}

/** KL(p ‖ q) = Σ p log(p/q) in nats (terms with p = 0 contribute 0). */
export function klDivergence(p: Float64Array, q: Float64Array): number {
  checkSameLength(p, q, "klDivergence");
  let s = 0;
  for (let i = 0; i < p.length; i++) if (p[i] > 0) s += p[i] * Math.log(p[i] / q[i]);
  return s;
}
