/**
 * Annealed importance sampling of an RBM's partition function (Neal 2001; Salakhutdinov &
 * Murray, "On the quantitative analysis of deep belief networks", ICML 2008).
 *
 * A path of distributions runs from a base-rate RBM A (no weights, visible biases from the
 * data's pixel means, so Z_A is known) to the target RBM B:
 *   p_β*(v) = exp(a_Aᵀv + β (a − a_A)ᵀv) · Π_j (1 + exp(β (b_j + vᵀW_j)))
 * with p_0* = 2^H exp(a_Aᵀv) (log Z_0 = Σ_i softplus(a_A,i) + H log 2) and p_1* = p_B*.
 * Each run starts from an exact sample of p_0, and at every β_k adds
 * log p_k*(v) − log p_{k−1}*(v) to its log-weight, then takes one Gibbs step that leaves p_k
 * invariant. Z_B / Z_0 is estimated by the mean importance weight; all runs advance together
 * as the rows of one matrix, so each step is two matrix products.
 */

import { sigmoid, softplus } from "../../ops/activations.js";
import { add, axpby, scale, sub } from "../../ops/elementwise.js";
import { matmul } from "../../ops/matmul.js";
import { bernoulli } from "../../ops/random.js";
import { sum } from "../../ops/reduce.js";
import { Rng } from "../../tensor/random.js";
import { type Tensor, zeros } from "../../tensor/tensor.js";
import { checkRows, hiddenCount, type RbmParams, visibleCount } from "./core.js";

/** A piece of a β schedule: from `from` to `to` in steps of `step`. */
export type BetaSegment = readonly [from: number, to: number, step: number];

/** Salakhutdinov & Murray's schedule: 0 → 0.5 by 1e-3, 0.5 → 0.9 by 1e-4, 0.9 → 1 by 1e-5 (14,500 steps). */
export const PAPER_BETAS: readonly BetaSegment[] = [
  [0, 0.5, 1e-3],
  [0.5, 0.9, 1e-4],
  [0.9, 1, 1e-5],
];
/** The default: the paper's schedule with 1e-4 steps at the end too (5,500 steps). */
export const DEFAULT_BETAS: readonly BetaSegment[] = [
  [0, 0.5, 1e-3],
  [0.5, 0.9, 1e-4],
  [0.9, 1, 1e-4],
];

/** β_0 = 0, ..., β_K = 1 from segments (counts rounded so that float steps do not drift). */
export function betaSchedule(segments: readonly BetaSegment[]): Float64Array {
  const betas = [0];
  let at = 0;
  for (const [from, to, step] of segments) {
    if (!(from >= 0 && to <= 1 && from < to && step > 0) || Math.abs(from - at) > 1e-12) {
      throw new RangeError(`betaSchedule: segment [${from}, ${to}, ${step}] must continue from ${at}, stay in [0, 1] and have step > 0`);
    }
    const count = Math.max(1, Math.round((to - from) / step));
    for (let i = 1; i <= count; i++) betas.push(from + ((to - from) * i) / count);
    at = to;
  }
  if (Math.abs(at - 1) > 1e-12) throw new RangeError(`betaSchedule: the segments end at ${at}, not at 1`);
  betas[betas.length - 1] = 1;
  return Float64Array.from(betas);
}

/**
 * Visible biases of the base-rate model: log(p / (1 − p)) with smoothed pixel means. Salakhutdinov
 * & Murray's code adds 5 pseudo-counts per 100 images, p_i = (Σ v_i + 0.05 n) / (1.05 n); we add
 * them to both outcomes, p_i = (Σ v_i + 0.05 n) / (1.1 n), so an always-on pixel stays finite.
 */
export function baseRateBiases(data: Tensor): Tensor {
  const V = data.cols;
  const n = data.rows;
  const count = new Float64Array(V);
  for (let r = 0; r < n; r++) for (let i = 0; i < V; i++) count[i] += data.data[r * V + i];
  const aA = zeros([V]);
  for (let i = 0; i < V; i++) {
    const p = (count[i] + 0.05 * n) / (1.1 * n);
    aA.data[i] = Math.log(p / (1 - p));
  }
  return aA;
}

export interface AisOptions {
  /** Parallel annealing runs (importance samples). Default 100. */
  runs?: number;
  /** The β schedule: explicit β_0 = 0 < ... < β_K = 1, or segments. Default DEFAULT_BETAS. */
  betas?: ArrayLike<number> | readonly BetaSegment[];
  /** Data whose pixel means set the base-rate model (Bernoulli visible units). */
  baseData?: Tensor;
  /** Or the base-rate visible biases directly (default: zeros, the uniform distribution). */
  baseBiases?: Tensor;
  seed?: number;
}

export interface AisResult {
  /** log Ẑ = log Z_A + log mean_r w_r. */
  logZ: number;
  /** log(mean ∓ 3 standard errors of the weights) + log Z_A: the error bar of Salakhutdinov & Murray. */
  logZLow: number;
  logZHigh: number;
  logZBase: number;
  /** log w_r of every run. */
  logWeights: Float64Array;
  runs: number;
  steps: number;
  seconds: number;
}

function resolveBetas(b: AisOptions["betas"]): Float64Array {
  if (b === undefined) return betaSchedule(DEFAULT_BETAS);
  if (b.length > 0 && Array.isArray(b[0])) return betaSchedule(b as readonly BetaSegment[]);
  const betas = Float64Array.from(b as ArrayLike<number>);
  if (betas.length < 2 || betas[0] !== 0 || betas[betas.length - 1] !== 1 || betas.some((x, i) => i > 0 && !(x > betas[i - 1]))) {
    throw new RangeError("AIS: betas must increase strictly from 0 to 1 (at least two values)");
  }
  return betas;
}

/** log mean exp of x and its ±3-standard-error band, in float64. */
export function logMeanExpWithError(x: ArrayLike<number>): { mean: number; low: number; high: number } {
  const n = x.length;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < n; i++) if (x[i] > max) max = x[i];
  let s = 0;
  let s2 = 0;
  for (let i = 0; i < n; i++) {
    const w = Math.exp(x[i] - max);
    s += w;
    s2 += w * w;
  }
  const m = s / n;
  const variance = n > 1 ? Math.max(0, (s2 - n * m * m) / (n - 1)) : 0;
  const se = Math.sqrt(variance / n);
  return { mean: max + Math.log(m), low: m - 3 * se > 0 ? max + Math.log(m - 3 * se) : Number.NEGATIVE_INFINITY, high: max + Math.log(m + 3 * se) };
}

/** AIS estimate of log Z for an RBM with Bernoulli visible and hidden units. */
export function aisLogZ(p: RbmParams, options: AisOptions = {}): AisResult {
  if (p.visibleUnits !== "bernoulli" || p.hiddenUnits !== "bernoulli") {
    throw new Error(
      `AIS: implemented for Bernoulli visible and hidden units; this RBM has ${p.visibleUnits} visible and ${p.hiddenUnits} hidden units (use the exact method for ≤ 25 binary units)`,
    );
  }
  const start = performance.now();
  const runs = options.runs ?? 100;
  if (!Number.isInteger(runs) || runs < 1) throw new RangeError(`AIS: runs must be an integer >= 1, got ${runs}`);
  const betas = resolveBetas(options.betas);
  const V = visibleCount(p);
  const H = hiddenCount(p);
  let aA: Tensor;
  if (options.baseBiases !== undefined) {
    if (options.baseBiases.size !== V) throw new RangeError(`AIS: baseBiases has ${options.baseBiases.size} entries, the RBM ${V} visible units`);
    aA = options.baseBiases;
  } else if (options.baseData !== undefined) {
    checkRows("AIS", options.baseData, V, "baseData");
    aA = baseRateBiases(options.baseData);
  } else aA = zeros([V]);
  const rng = new Rng(options.seed ?? 0);

  let logZBase = H * Math.LN2;
  for (let i = 0; i < V; i++) {
    const x = aA.data[i];
    logZBase += x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
  }

  // buffers, reused at every β
  const v = zeros([runs, V]);
  const vMean = zeros([runs, V]);
  const y = zeros([runs, H]); // b + vW
  const t = zeros([runs, H]);
  const hMean = zeros([runs, H]);
  const h = zeros([runs, H]);
  const s1 = zeros([runs]);
  const s0 = zeros([runs]);
  const vd = zeros([runs, 1]);
  const d = sub(p.a, aA).reshape(V, 1); // a − a_A
  const c = zeros([V]);
  const logW = new Float64Array(runs);

  // an exact sample of p_0: independent pixels with p = σ(a_A)
  for (let r = 0; r < runs; r++) vMean.data.set(aA.data, r * V);
  sigmoid(vMean, vMean);
  bernoulli(vMean, rng, v);

  const K = betas.length - 1;
  for (let k = 1; k <= K; k++) {
    const bk = betas[k];
    const bp = betas[k - 1];
    matmul(v, p.W, { out: y });
    add(y, p.b, y);
    // log p_k*(v) − log p_{k−1}*(v) = (β_k − β_{k−1})(a − a_A)ᵀv + Σ_j [softplus(β_k y_j) − softplus(β_{k−1} y_j)]
    softplus(scale(y, bp, t), t);
    sum(t, 1, s0);
    scale(y, bk, t);
    if (k < K) sigmoid(t, hMean); // p_k(h = 1 | v), for the transition below
    softplus(t, t);
    sum(t, 1, s1);
    matmul(v, d, { out: vd });
    const db = bk - bp;
    for (let r = 0; r < runs; r++) logW[r] += db * vd.data[r] + s1.data[r] - s0.data[r];
    if (k === K) break;
    // one Gibbs step leaving p_k invariant: h ~ σ(β_k (b + vW)), v ~ σ((1 − β_k) a_A + β_k (a + Wh))
    bernoulli(hMean, rng, h);
    matmul(h, p.W, { transB: true, alpha: bk, out: vMean });
    scale(aA, 1 - bk, c);
    axpby(bk, p.a, 1, c);
    add(vMean, c, vMean);
    sigmoid(vMean, vMean);
    bernoulli(vMean, rng, v);
  }
  const { mean, low, high } = logMeanExpWithError(logW);
  return {
    logZ: logZBase + mean,
    logZLow: logZBase + low,
    logZHigh: logZBase + high,
    logZBase,
    logWeights: logW,
    runs,
    steps: K,
    seconds: (performance.now() - start) / 1e3,
  };
}
