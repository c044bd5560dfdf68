/**
 * The mathematics of a restricted Boltzmann machine as plain functions over its parameters,
 * so the RBM class, the deep belief net and the deep Boltzmann machine share one copy:
 * the conditionals p(h | v) and p(v | h), sampling of each unit type, the free energy, and the
 * phase statistics ⟨v h⟩ that make up every contrastive-divergence update.
 *
 * Energy (W is visible × hidden):
 *   Bernoulli units:  E(v, h) = −aᵀv − bᵀh − vᵀWh
 *   Gaussian visible: the −aᵀv term becomes ½ Σ_i (v_i − a_i)²  (unit variance, standardised data)
 *   Gaussian hidden:  the −bᵀh term becomes ½ Σ_j (h_j − b_j)²  (linear units with unit noise)
 */

import { sigmoid, softplus } from "../../ops/activations.js";
import { add, axpby, scale, square, sub } from "../../ops/elementwise.js";
import { matmul } from "../../ops/matmul.js";
import { bernoulli, gaussian } from "../../ops/random.js";
import { sum, sumAll } from "../../ops/reduce.js";
import type { Rng } from "../../tensor/random.js";
import { formatShape, ShapeError } from "../../tensor/shape.js";
import { type Tensor, zeros } from "../../tensor/tensor.js";

export type UnitType = "bernoulli" | "gaussian";

/** The parameters of an RBM: W [visible, hidden], visible biases a [visible], hidden biases b [hidden]. */
export interface RbmParams {
  W: Tensor;
  a: Tensor;
  b: Tensor;
  visibleUnits: UnitType;
  hiddenUnits: UnitType;
  /**
   * Factors on W in p(h | v) and p(v | h) (default 1): 2 and 1 for the bottom RBM of a deep
   * Boltzmann machine (visible layer counted twice), 1 and 2 for its top RBM (Salakhutdinov &
   * Hinton 2009). Only the conditionals use them; free energy and log Z assume 1.
   */
  upScale?: number;
  downScale?: number;
}

export const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

export function visibleCount(p: RbmParams): number {
  return p.W.shape[0];
}

export function hiddenCount(p: RbmParams): number {
  return p.W.shape[1];
}

export function checkRows(what: string, x: Tensor, cols: number, name: string): void {
  if (x.rank !== 2 || x.shape[1] !== cols) {
    throw new ShapeError(`${what}: ${name} must have shape [n, ${cols}], got ${formatShape(x.shape)}`);
  }
}

/**
 * Refuses values that units of this type cannot take, naming the first one (row and column
 * from 0): Bernoulli units hold probabilities or binary states in [0, 1], Gaussian units any
 * finite value. One pass over x, so callers check their data once per call, not per batch.
 */
export function checkUnitRange(what: string, x: Tensor, units: UnitType, name: string): void {
  const d = x.data;
  const cols = x.rank > 1 ? x.size / x.rows : 1;
  const bernoulli = units === "bernoulli";
  for (let i = 0; i < d.length; i++) {
    const v = d[i];
    if (bernoulli ? v >= 0 && v <= 1 : Number.isFinite(v)) continue;
    const at = `${name} row ${Math.floor(i / cols)}, column ${i % cols} is ${v}`;
    throw new RangeError(
      bernoulli
        ? `${what}: ${at}; Bernoulli units take values in [0, 1]: scale the data to [0, 1] (e.g. divide by 255) or use Gaussian visible units (visibleUnits: "gaussian") on standardised data`
        : `${what}: ${at}; Gaussian units take finite values: remove or impute it`,
    );
  }
}

/** checkRows for the visible layer of p, then checkUnitRange for its units: data an RBM can take. */
export function checkVisible(what: string, p: RbmParams, x: Tensor, name: string): void {
  checkRows(what, x, visibleCount(p), name);
  checkUnitRange(what, x, p.visibleUnits, name);
}

/** E[h | v]: p(h = 1 | v) = σ(b + vW) for Bernoulli units, b + vW for Gaussian ones. out is [n, hidden]. */
export function hiddenMean(p: RbmParams, v: Tensor, out?: Tensor): Tensor {
  const x = matmul(v, p.W, { out, alpha: p.upScale ?? 1 });
  add(x, p.b, x);
  return p.hiddenUnits === "bernoulli" ? sigmoid(x, x) : x;
}

/** E[v | h]: σ(a + Wh) for Bernoulli units, a + Wh for Gaussian ones. out is [n, visible]. */
export function visibleMean(p: RbmParams, h: Tensor, out?: Tensor): Tensor {
  const x = matmul(h, p.W, { transB: true, out, alpha: p.downScale ?? 1 });
  add(x, p.a, x);
  return p.visibleUnits === "bernoulli" ? sigmoid(x, x) : x;
}

/**
 * A sample of units given their conditional mean: Bernoulli(mean), or mean + N(0, 1) for
 * Gaussian units. `out` may be `mean` for Bernoulli units only (Gaussian noise is drawn first).
 */
export function sampleUnits(units: UnitType, mean: Tensor, rng: Rng, out?: Tensor): Tensor {
  if (units === "bernoulli") return bernoulli(mean, rng, out);
  if (out !== undefined && out.data === mean.data) throw new Error("sampleUnits: Gaussian units need an out separate from mean");
  return gaussian(mean, 1, rng, out ?? mean.shape);
}

/**
 * log Σ_u exp(u x) over one unit's states, written from its total input x (bias included):
 * the factor each unit of the layer being summed out contributes to the free energy.
 * Bernoulli: log(1 + eˣ) = softplus(x). Gaussian (energy ½(u − c)² − u y, x = c + y):
 * log ∫ exp(−½(u − c)² + u y) du = ½(x² − c²) + ½ log 2π; the −½c² and ½ log 2π are added
 * by the caller through `gaussianConstant`, since they do not depend on the input.
 * Overwrites x with the per-entry values.
 */
export function logUnitSum(units: UnitType, x: Tensor): Tensor {
  return units === "bernoulli" ? softplus(x, x) : scale(square(x, x), 0.5, x);
}

/** The input-independent part of Σ_j log ∫ over Gaussian units with biases c: Σ_j (½ log 2π − ½ c_j²). */
export function gaussianConstant(c: Tensor): number {
  let s = 0;
  for (let j = 0; j < c.size; j++) s += HALF_LOG_2PI - 0.5 * c.data[j] * c.data[j];
  return s;
}

/**
 * The energy terms of a layer on its own, −(its bias terms), per row: Bernoulli aᵀv,
 * Gaussian −½ Σ (v − a)². Returns [n].
 */
export function layerBiasTerm(units: UnitType, x: Tensor, bias: Tensor, out?: Tensor): Tensor {
  if (units === "bernoulli") return matmul(x, bias.reshape(bias.size, 1), { out: out?.reshape(x.rows, 1) }).reshape(x.rows);
  const d = sub(x, bias);
  square(d, d);
  const s = sum(d, 1, out);
  return scale(s, -0.5, s);
}

/**
 * Free energy F(v) = −log Σ_h exp(−E(v, h)), one value per row of v: the visible bias term
 * minus each hidden unit's log Σ over its states. p(v) = exp(−F(v)) / Z.
 */
export function freeEnergy(p: RbmParams, v: Tensor): Tensor {
  checkRows("freeEnergy", v, visibleCount(p), "v");
  const x = matmul(v, p.W);
  add(x, p.b, x);
  const hiddenTerm = sum(logUnitSum(p.hiddenUnits, x), 1);
  const F = layerBiasTerm(p.visibleUnits, v, p.a);
  axpby(-1, hiddenTerm, -1, F); // F = −(bias term) − Σ_j log Σ_h
  if (p.hiddenUnits === "gaussian") {
    const c = gaussianConstant(p.b);
    for (let i = 0; i < F.size; i++) F.data[i] -= c;
  }
  return F;
}

/** Energy E(v, h) of given joint states, one value per row. */
export function energy(p: RbmParams, v: Tensor, h: Tensor): Tensor {
  const vW = matmul(v, p.W);
  const n = v.rows;
  const out = zeros([n]);
  const H = hiddenCount(p);
  for (let r = 0; r < n; r++) {
    let s = 0;
    for (let j = 0; j < H; j++) s += vW.data[r * H + j] * h.data[r * H + j];
    out.data[r] = -s;
  }
  const av = layerBiasTerm(p.visibleUnits, v, p.a);
  const bh = layerBiasTerm(p.hiddenUnits, h, p.b);
  for (let r = 0; r < n; r++) out.data[r] -= av.data[r] + bh.data[r];
  return out;
}

/**
 * Statistics of one phase, or an update accumulated from both: dW [visible, hidden],
 * da [visible], db [hidden], with scratch for the bias sums so accumulating allocates nothing.
 */
export interface RbmStats {
  dW: Tensor;
  da: Tensor;
  db: Tensor;
  sumV: Tensor;
  sumH: Tensor;
}

export function zeroStats(visible: number, hidden: number): RbmStats {
  return { dW: zeros([visible, hidden]), da: zeros([visible]), db: zeros([hidden]), sumV: zeros([visible]), sumH: zeros([hidden]) };
}

/**
 * stats ← alpha · (vᵀh, Σ_rows v, Σ_rows h) + beta · stats. With alpha = ε/n and v, h from the
 * data this is the positive phase ⟨v h⟩_data; with alpha = −ε/n and the chain's end it is the
 * negative phase ⟨v h⟩_model. beta carries momentum (beta = momentum on the first call, 1 after).
 * The Gaussian-unit gradients have the same form because ∂E/∂a_i = −(v_i − a_i) averages to
 * ⟨v_i⟩ minus a constant that cancels between the two phases.
 */
export function accumulatePhase(stats: RbmStats, v: Tensor, h: Tensor, alpha: number, beta: number): void {
  matmul(v, h, { transA: true, alpha, beta, out: stats.dW });
  sum(v, 0, stats.sumV);
  axpby(alpha, stats.sumV, beta, stats.da);
  sum(h, 0, stats.sumH);
  axpby(alpha, stats.sumH, beta, stats.db);
}

/** Buffers of one Gibbs chain over n rows: conditional means and samples of both layers. */
export interface ChainBuffers {
  hMean: Tensor;
  hSample: Tensor;
  vMean: Tensor;
  vSample: Tensor;
}

export function chainBuffers(n: number, visible: number, hidden: number): ChainBuffers {
  return { hMean: zeros([n, hidden]), hSample: zeros([n, hidden]), vMean: zeros([n, visible]), vSample: zeros([n, visible]) };
}

export interface GibbsOptions {
  /** Sample hidden states to drive the chain (true) or pass their means (mean-field). */
  sampleHidden: boolean;
  /** Sample visible states (true) or keep the means p(v | h) (the usual choice for CD reconstructions). */
  sampleVisible: boolean;
}

/**
 * k Gibbs steps h → v → h that continue a chain whose hidden means are `hMean` (e.g. p(h | v0)
 * from the positive phase, so that matmul is not done twice): sample h, reconstruct v from
 * p(v | h), then recompute E[h | v]. Leaves the last visible state in chain.vSample (or
 * chain.vMean when visible units are not sampled) and E[h | v_k] in chain.hMean, and returns
 * that visible state. `hMean` may be chain.hMean. Allocates nothing.
 */
export function gibbsFromHidden(p: RbmParams, hMean: Tensor, k: number, chain: ChainBuffers, o: GibbsOptions, rng: Rng): Tensor {
  let hm = hMean;
  let vk = chain.vMean;
  for (let step = 0; step < k; step++) {
    const h = o.sampleHidden ? sampleUnits(p.hiddenUnits, hm, rng, chain.hSample) : hm;
    visibleMean(p, h, chain.vMean);
    vk = o.sampleVisible ? sampleUnits(p.visibleUnits, chain.vMean, rng, chain.vSample) : chain.vMean;
    hiddenMean(p, vk, chain.hMean);
    hm = chain.hMean;
  }
  return vk;
}

/** Σ (x − y)² over all entries, through a scratch buffer of x's shape. */
export function squaredError(x: Tensor, y: Tensor, scratch: Tensor): number {
  sub(x, y, scratch);
  square(scratch, scratch);
  return sumAll(scratch);
}
