/**
 * The partition function Z = Σ_{v,h} exp(−E(v, h)) of an RBM, and the log-likelihood it gives.
 *
 * Exact: one layer is summed out analytically (that is the free energy), the other, binary
 * one is enumerated: 2^K states for K ≤ 25 units, in blocks of states handled as one matrix
 * so the work is matrix products. Otherwise: annealed importance sampling (ais.ts).
 */

import { add } from "../../ops/elementwise.js";
import { matmul } from "../../ops/matmul.js";
import { sum, sumAll } from "../../ops/reduce.js";
import { type Tensor, zeros } from "../../tensor/tensor.js";
import { type AisOptions, aisLogZ } from "./ais.js";
import { checkVisible, freeEnergy, gaussianConstant, hiddenCount, logUnitSum, type RbmParams, type UnitType, visibleCount } from "./core.js";

/** The most binary units exact enumeration accepts (2^25 ≈ 3.4e7 states). */
export const MAX_EXACT_UNITS = 25;

/** Which layer exact enumeration would sum over, or why it cannot. */
export function enumerationLayer(p: RbmParams): { layer: "visible" | "hidden"; units: number } | { reason: string } {
  const V = visibleCount(p);
  const H = hiddenCount(p);
  const options: { layer: "visible" | "hidden"; units: number }[] = [];
  if (p.hiddenUnits === "bernoulli") options.push({ layer: "hidden", units: H });
  if (p.visibleUnits === "bernoulli") options.push({ layer: "visible", units: V });
  options.sort((x, y) => x.units - y.units);
  const best = options[0];
  if (best === undefined) return { reason: "both layers are Gaussian (no binary layer to enumerate)" };
  if (best.units > MAX_EXACT_UNITS) {
    return { reason: `the smaller binary layer has ${best.units} units; exact enumeration allows at most ${MAX_EXACT_UNITS}` };
  }
  return best;
}

/**
 * Exact log Z. Enumerating hidden states h: log Z = log Σ_h exp(bᵀh + Σ_i log Σ_{v_i} exp(v_i (a_i + W_i h)))
 * (and symmetrically for the visible layer), accumulated as a running log-sum-exp in float64.
 */
export function exactLogZ(p: RbmParams, blockSize = 4096): number {
  const choice = enumerationLayer(p);
  if ("reason" in choice) throw new Error(`exactLogZ: ${choice.reason}; use AIS`);
  const K = choice.units;
  const enumHidden = choice.layer === "hidden";
  const ownBias = enumHidden ? p.b : p.a;
  const otherBias = enumHidden ? p.a : p.b;
  const otherUnits: UnitType = enumHidden ? p.visibleUnits : p.hiddenUnits;
  const otherCount = enumHidden ? visibleCount(p) : hiddenCount(p);
  const total = 2 ** K;
  const B = Math.min(total, blockSize);
  const S = zeros([B, K]);
  const X = zeros([B, otherCount]);
  const rowSum = zeros([B]);
  const biasTerm = zeros([B, 1]);
  const constant = otherUnits === "gaussian" ? gaussianConstant(otherBias) : 0;
  let max = Number.NEGATIVE_INFINITY;
  let acc = 0;
  for (let start = 0; start < total; start += B) {
    const nb = Math.min(B, total - start);
    // the last block may be short: work on views of its first nb rows
    const [Sb, Xb, sumB, biasB] =
      nb === B ? [S, X, rowSum, biasTerm] : [S.sliceRows(0, nb), X.sliceRows(0, nb), rowSum.sliceRows(0, nb), biasTerm.sliceRows(0, nb)];
    for (let r = 0; r < nb; r++) {
      const s = start + r;
      for (let j = 0; j < K; j++) S.data[r * K + j] = (s >> j) & 1;
    }
    // input to the other layer from each enumerated state, plus its bias
    matmul(Sb, p.W, { transB: enumHidden, out: Xb });
    add(Xb, otherBias, Xb);
    sum(logUnitSum(otherUnits, Xb), 1, sumB);
    matmul(Sb, ownBias.reshape(K, 1), { out: biasB });
    for (let r = 0; r < nb; r++) {
      const x = sumB.data[r] + biasB.data[r] + constant;
      if (x > max) {
        acc = acc * Math.exp(max - x) + 1;
        max = x;
      } else acc += Math.exp(x - max);
    }
  }
  return max + Math.log(acc);
}

export interface LogLikelihoodOptions extends AisOptions {
  /** "exact" (≤ 25 binary units in the smaller layer) or "ais". Default: exact when possible. */
  method?: "exact" | "ais";
}

export interface LogLikelihoodResult {
  method: "exact" | "ais";
  /** Mean log p(v) = −mean F(v) − log Z over the data's rows, in nats. */
  logLikelihood: number;
  logZ: number;
  /** −mean F(v): the unnormalised part. */
  meanNegFreeEnergy: number;
  /** AIS only: the log-likelihood band from log Z's ±3 standard errors (lower comes from logZHigh). */
  lower?: number;
  upper?: number;
  ais?: import("./ais.js").AisResult;
}

/** Mean log-likelihood of data under an RBM; AIS sets its base rate from `baseData` or else from `data`. */
export function rbmLogLikelihood(p: RbmParams, data: Tensor, options: LogLikelihoodOptions = {}): LogLikelihoodResult {
  checkVisible("logLikelihood", p, data, "data");
  const F = freeEnergy(p, data);
  const meanNegFreeEnergy = -sumAll(F) / F.size;
  const choice = enumerationLayer(p);
  const method = options.method ?? ("reason" in choice ? "ais" : "exact");
  if (method === "exact") {
    const logZ = exactLogZ(p);
    return { method, logLikelihood: meanNegFreeEnergy - logZ, logZ, meanNegFreeEnergy };
  }
  if (method !== "ais") throw new RangeError(`logLikelihood: method must be "exact" or "ais", got "${String(method)}"`);
  const ais = aisLogZ(p, { ...options, baseData: options.baseData ?? (options.baseBiases === undefined ? data : undefined) });
  return {
    method,
    logLikelihood: meanNegFreeEnergy - ais.logZ,
    logZ: ais.logZ,
    meanNegFreeEnergy,
    lower: meanNegFreeEnergy - ais.logZHigh,
    upper: meanNegFreeEnergy - ais.logZLow,
    ais,
  };
}
