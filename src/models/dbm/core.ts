/**
 * The mathematics of a deep Boltzmann machine as plain functions over its parameters, so the
 * DBM class only composes them. Layers v = x_0, h_1 = x_1, ..., h_L = x_L of binary units,
 * W_l joining layer l to l + 1, an optional softmax label group y joined to the top layer by U:
 *   E(x, y) = −Σ_l b_lᵀx_l − Σ_l x_lᵀ W_l x_{l+1} − yᵀU x_L − cᵀy
 *
 * Here: the total input of a layer from its neighbours (with the doubled input of the
 * recognition pass), the mean-field posterior q(h | v), one Gibbs sweep over the even then the
 * odd layers, the statistics and the step of joint training, the sparsity penalty, the
 * variational bound, and the DBM seen as an RBM between its even and odd layers.
 *
 * `x` is always the list of all layers' states or means, [x_0, ..., x_L], each [n, units].
 */

import { sigmoid, softmax } from "../../ops/activations.js";
import { add, axpby, mul } from "../../ops/elementwise.js";
import { matmul } from "../../ops/matmul.js";
import { bernoulli } from "../../ops/random.js";
import { mean, sumAll } from "../../ops/reduce.js";
import type { Rng } from "../../tensor/random.js";
import { type Tensor, zeros } from "../../tensor/tensor.js";
import { sampleOneHot } from "../dbn/dream.js";
import { accumulatePhase, type RbmParams, type RbmStats } from "../rbm/core.js";
import { exactLogZ } from "../rbm/partition.js";

/** The parameters of a DBM. */
export interface DbmParams {
  /** W[l] joins layer l to layer l + 1: [units of l, units of l + 1]. */
  W: readonly Tensor[];
  /** biases[l] of layer l (biases[0]: the visible biases). */
  biases: readonly Tensor[];
  /** Label units: U joins them to the top layer [labels, top units], c their biases; null without labels. */
  U: Tensor | null;
  c: Tensor | null;
}

/** Number of hidden layers L. */
export function depth(p: DbmParams): number {
  return p.W.length;
}

/** The parity of the label group in the even/odd split: it sits one above the top layer. */
export function labelParity(p: DbmParams): number {
  return (depth(p) + 1) % 2;
}

/**
 * The factors on W of pretraining RBM l (bottom first) out of L: every layer that will hear two
 * neighbours in the DBM is counted twice by the RBM that sees only one of them, so the bottom
 * RBM doubles its input going up, the top RBM going down, the middle RBMs both ways.
 */
export function pretrainingScales(l: number, L: number): { upScale: number; downScale: number } {
  return { upScale: l < L - 1 ? 2 : 1, downScale: l > 0 ? 2 : 1 };
}

/** Which neighbours feed a layer's total input, and how. */
export interface LayerInputOptions {
  /**
   * "both" (default): the layer below and the layer above, as in Gibbs sampling and mean-field.
   * "below": the layer below only, for the recognition pass that starts mean-field before the
   * layers above have values.
   */
  from?: "both" | "below";
  /**
   * Count the input from below twice: in the recognition pass it stands in for the missing
   * input from above, as the doubled pretraining RBMs were trained to expect. Default false.
   */
  doubleBelow?: boolean;
  /** x_{l−1} W_{l−1} already computed (vW_0 is the same in every mean-field iteration while v is clamped). */
  belowInput?: Tensor;
  /** Label states or probabilities [n, labels]: they add yU to the top layer's input. */
  labels?: Tensor | null;
}

/** The total input of layer l from its neighbours, b_l + x_{l−1} W_{l−1} + x_{l+1} W_lᵀ (+ yU on the top layer), into out. */
export function totalInput(p: DbmParams, x: readonly Tensor[], l: number, out: Tensor, o: LayerInputOptions = {}): Tensor {
  const L = depth(p);
  const below = o.doubleBelow === true ? 2 : 1;
  if (o.belowInput !== undefined) {
    out.assign(o.belowInput);
    if (below !== 1) axpby(below - 1, o.belowInput, 1, out);
  } else if (l > 0) matmul(x[l - 1], p.W[l - 1], { out, alpha: below });
  if (l < L && o.from !== "below") matmul(x[l + 1], p.W[l], { transB: true, out, beta: l > 0 ? 1 : 0 });
  if (l === L && o.labels !== undefined && o.labels !== null && p.U !== null) matmul(o.labels, p.U, { out, beta: 1 });
  add(out, p.biases[l], out);
  return out;
}

/** p(x_l = 1 | neighbours) = σ(total input of layer l) into out. */
export function layerMean(p: DbmParams, x: readonly Tensor[], l: number, out: Tensor, o: LayerInputOptions = {}): Tensor {
  return sigmoid(totalInput(p, x, l, out, o), out);
}

/** p(y | h_L) = softmax(h_L Uᵀ + c) into out. */
export function labelMean(p: DbmParams, top: Tensor, out: Tensor): Tensor {
  if (p.U === null || p.c === null) throw new Error("DBM: no label units");
  matmul(top, p.U, { transB: true, out });
  add(out, p.c, out);
  return softmax(out, out);
}

/** Buffers of mean-field over n rows, reused from batch to batch. */
export interface MeanFieldBuffers {
  /** μ_1 ... μ_L, each [n, units]. */
  mu: Tensor[];
  /** vW_0, h1's input from the clamped data. */
  vW0: Tensor;
  /** Flat scratch for one layer's new means. */
  next: Tensor;
}

export function meanFieldBuffers(layers: readonly number[], n: number): MeanFieldBuffers {
  const widest = Math.max(...layers.slice(1));
  return { mu: layers.slice(1).map((u) => zeros([n, u])), vW0: zeros([n, layers[1]]), next: zeros([n * widest]) };
}

export interface MeanFieldResult {
  /** μ_1 ... μ_L: q(h_l = 1 | v) for every hidden layer, each [n, units]. */
  mu: Tensor[];
  iterations: number;
  /** Largest change of any μ in the last iteration (the fixed-point residual). */
  change: number;
}

/**
 * The recognition pass that starts mean-field: μ_l = σ(2 μ_{l−1} W_{l−1} + b_l) bottom-up, the
 * input from below doubled for every layer but the top (which has no layer above); the labels,
 * when given, join the top layer's input. Sets buf.vW0 = vW_0 for the iterations that follow.
 */
export function recognitionPass(p: DbmParams, v: Tensor, buf: MeanFieldBuffers, labels: Tensor | null = null): void {
  const L = depth(p);
  const x = [v, ...buf.mu];
  matmul(v, p.W[0], { out: buf.vW0 });
  for (let l = 1; l <= L; l++) {
    layerMean(p, x, l, buf.mu[l - 1], { from: "below", doubleBelow: l < L, belowInput: l === 1 ? buf.vW0 : undefined, labels });
  }
}

/**
 * One mean-field iteration, μ_l ← σ(b_l + μ_{l−1} W_{l−1} + μ_{l+1} W_lᵀ) for l = 1 ... L in
 * turn (each update sees the new values below it), with v clamped (its input vW_0 taken from
 * buf.vW0) and the labels, when given, clamped on the top layer. Returns the largest change of
 * any μ.
 */
export function meanFieldSweep(p: DbmParams, v: Tensor, buf: MeanFieldBuffers, labels: Tensor | null = null): number {
  const x = [v, ...buf.mu];
  let change = 0;
  for (let l = 1; l <= depth(p); l++) {
    const mu = buf.mu[l - 1];
    const next = layerMean(p, x, l, buf.next.sliceRows(0, mu.size).reshape(mu.shape), { belowInput: l === 1 ? buf.vW0 : undefined, labels });
    for (let i = 0; i < mu.size; i++) {
      const d = Math.abs(next.data[i] - mu.data[i]);
      if (d > change) change = d;
    }
    mu.assign(next);
  }
  return change;
}

/**
 * The factorised posterior q(h | v) that maximises the variational bound: the recognition pass,
 * then mean-field iterations until no μ changes by more than `tolerance` or `maxIterations`
 * have run. The μ returned are buf.mu.
 */
export function meanField(
  p: DbmParams,
  v: Tensor,
  buf: MeanFieldBuffers,
  o: { maxIterations: number; tolerance: number; labels?: Tensor | null },
): MeanFieldResult {
  const labels = o.labels ?? null;
  recognitionPass(p, v, buf, labels);
  let change = Number.POSITIVE_INFINITY;
  let iterations = 0;
  while (iterations < o.maxIterations && change > o.tolerance) {
    change = meanFieldSweep(p, v, buf, labels);
    iterations++;
  }
  return { mu: buf.mu, iterations, change };
}

/** The label group of Gibbs chains. */
export interface ChainLabels {
  /** The chains' label states (one-hot) [n, labels]. */
  y: Tensor;
  /** Scratch for p(y | h_L) [n, labels]; after a sweep it holds the probabilities y was drawn from. */
  probabilities: Tensor;
  /** Hold y fixed (class-conditional sampling) instead of drawing it. Default false. */
  clamped?: boolean;
}

/**
 * One Gibbs sweep: the even layers (v, h2, ...) given the odd ones, then the odd layers (h1,
 * h3, ...) given the even ones; within a parity the layers are conditionally independent, so
 * each is drawn whole. x holds the states and is overwritten; scratch[l] keeps p(x_l = 1 | the
 * other parity) that layer l was drawn from. The labels, one above the top layer, take their
 * turn with their parity: y ~ softmax(h_L Uᵀ + c), unless clamped.
 */
export function gibbsSweep(p: DbmParams, x: Tensor[], scratch: readonly Tensor[], rng: Rng, labels: ChainLabels | null = null): void {
  const L = depth(p);
  const y = labels?.y ?? null;
  for (const parity of [0, 1]) {
    for (let l = parity; l <= L; l += 2) bernoulli(layerMean(p, x, l, scratch[l], { labels: y }), rng, x[l]);
    if (labels !== null && labels.clamped !== true && parity === labelParity(p)) sampleOneHot(labelMean(p, x[L], labels.probabilities), rng, labels.y);
  }
}

/**
 * The `chainMeanStep` option: each even hidden layer of the chains becomes its conditional mean
 * given the odd layers' probabilities (and, on the top layer, p(y) when the labels have odd
 * parity). negative: the chains' even states beside the odd layers' probabilities from the last
 * sweep (scratch); its even entries are the chains' own tensors, updated in place.
 */
export function chainMeanStep(p: DbmParams, negative: Tensor[], scratch: readonly Tensor[], labelProbabilities: Tensor | null): void {
  const y = labelParity(p) === 1 ? labelProbabilities : null;
  for (let l = 2; l <= depth(p); l += 2) negative[l].assign(layerMean(p, negative, l, scratch[l], { labels: y }));
}

/**
 * velocity[l] ← alpha · ⟨x_l x_{l+1}ᵀ⟩ (and the bias sums) + beta · velocity[l] for every pair of
 * neighbouring layers: with alpha = ε/n and the mean-field μ the positive phase, with
 * alpha = −ε/M and the chains the negative phase.
 */
export function accumulatePairs(velocity: readonly RbmStats[], x: readonly Tensor[], alpha: number, beta: number): void {
  for (let l = 0; l < velocity.length; l++) accumulatePhase(velocity[l], x[l], x[l + 1], alpha, beta);
}

/**
 * The step of joint training: velocity_l ← velocity_l − ε λ W_l (the weight decay joins the
 * velocity, so momentum carries it on), W_l ← W_l + velocity_l; the visible biases move by the
 * first pair's da and each layer l + 1's biases by pair l's db. The label weights U and biases
 * c likewise from labelVelocity (the top layer's biases already moved with pair L − 1).
 */
export function applyVelocity(p: DbmParams, velocity: readonly RbmStats[], labelVelocity: RbmStats | null, eps: number, weightDecay: number): void {
  for (let l = 0; l < depth(p); l++) {
    const vel = velocity[l];
    if (weightDecay > 0) axpby(-eps * weightDecay, p.W[l], 1, vel.dW);
    axpby(1, vel.dW, 1, p.W[l]);
    if (l === 0) axpby(1, vel.da, 1, p.biases[0]);
    axpby(1, vel.db, 1, p.biases[l + 1]);
  }
  if (p.U !== null && p.c !== null && labelVelocity !== null) {
    if (weightDecay > 0) axpby(-eps * weightDecay, p.U, 1, labelVelocity.dW);
    axpby(1, labelVelocity.dW, 1, p.U);
    axpby(1, labelVelocity.da, 1, p.c);
  }
}

/** The sparsity penalty's settings: cost, one target activity per hidden layer, damping of q̄. */
export interface SparsityOptions {
  cost: number;
  target: readonly number[];
  damping: number;
}

/**
 * The sparsity penalty of Salakhutdinov's DBM code, added to the velocities as −ε · ∂penalty.
 * q̄_l (meanActivity[l − 1]) ← damping · q̄_l + (1 − damping) · batch mean of μ_l; with
 * s_l = cost · (q̄_l − target_l), as if s_l were a gradient on layer l's total input, the bias
 * b_l moves by −ε s_l and each weight matrix into layer l by −ε (mean of the neighbour) ⊗ s_l.
 * x: [v, μ_1, ..., μ_L] of the batch.
 */
export function sparsityPenalty(velocity: readonly RbmStats[], meanActivity: readonly Tensor[], x: readonly Tensor[], eps: number, o: SparsityOptions): void {
  const L = velocity.length;
  const means = x.map((t) => mean(t, 0).reshape([1, t.cols]));
  for (let l = 1; l <= L; l++) {
    const q = meanActivity[l - 1];
    axpby(1 - o.damping, means[l].reshape([q.size]), o.damping, q);
    const s = zeros([1, q.size]);
    for (let i = 0; i < q.size; i++) s.data[i] = o.cost * (q.data[i] - o.target[l - 1]);
    const below = velocity[l - 1];
    axpby(-eps, s.reshape([q.size]), 1, below.db);
    matmul(means[l - 1], s, { transA: true, alpha: -eps, beta: 1, out: below.dW });
    if (l < L) matmul(s, means[l + 1], { transA: true, alpha: -eps, beta: 1, out: velocity[l].dW });
  }
}

/**
 * Σ over the rows of ‖v − p(v | μ_1)‖², p(v | μ_1) = σ(μ_1 W_0ᵀ + b_0): how well the first
 * hidden layer's posterior explains the data, the progress figure of joint training.
 * scratch is [n, visible].
 */
export function reconstructionSquaredError(p: DbmParams, v: Tensor, mu1: Tensor, scratch: Tensor): number {
  matmul(mu1, p.W[0], { transB: true, out: scratch });
  add(scratch, p.biases[0], scratch);
  sigmoid(scratch, scratch);
  axpby(1, v, -1, scratch);
  let s = 0;
  for (let i = 0; i < scratch.size; i++) s += scratch.data[i] * scratch.data[i];
  return s;
}

/**
 * The variational bound before log Z, Σ_h q(h)(−E(v, h)) + H(q), averaged over the rows, for
 * the factorised q with means x = [v, μ_1, ..., μ_L]: the bias terms b_lᵀμ_l, the pair terms
 * μ_lᵀ W_l μ_{l+1} (E_q factorises over the layers) and the Bernoulli entropies of the hidden
 * layers. log p(v) ≥ this − log Z. Without label units.
 */
export function negEnergyPlusEntropy(p: DbmParams, x: readonly Tensor[]): number {
  const L = depth(p);
  let total = 0;
  for (let l = 0; l <= L; l++) {
    total += sumAll(matmul(x[l], p.biases[l].reshape(p.biases[l].size, 1)));
    if (l < L) total += sumAll(mul(matmul(x[l], p.W[l]), x[l + 1]));
    if (l > 0) {
      const m = x[l].data;
      for (let i = 0; i < m.length; i++) {
        const q = Math.min(1 - 1e-12, Math.max(1e-12, m[i]));
        total -= q * Math.log(q) + (1 - q) * Math.log(1 - q);
      }
    }
  }
  return total / x[0].rows;
}

/**
 * A chain of binary layers (weights[k] joins layer k to k + 1) as one RBM between its even
 * layers (visible block) and its odd layers (hidden block): given one parity the other's units
 * are independent, so the DBM's log Z is this RBM's.
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

/**
 * Exact mean log p(v) over the rows of data, by enumeration (the even or odd group of the DBM,
 * and of the chain h1 ... hL, at most 25 units). With v clamped, h1 ... hL is a chain whose
 * first layer's bias gains vW_0, so log Σ_h exp(−E(v, h)) = b_0ᵀv + log Z of that chain.
 */
export function exactLogLikelihood(p: DbmParams, data: Tensor): number {
  const logZ = exactLogZ(chainAsRbm(p.W, p.biases));
  const n = data.rows;
  const b1 = zeros([p.biases[1].size]);
  let total = 0;
  for (let r = 0; r < n; r++) {
    const v = data.sliceRows(r, r + 1);
    matmul(v, p.W[0], { out: b1.reshape(1, b1.size) });
    add(b1, p.biases[1], b1);
    const clamped = chainAsRbm(p.W.slice(1), [b1, ...p.biases.slice(2)]);
    let av = 0;
    for (let i = 0; i < v.size; i++) av += v.data[i] * p.biases[0].data[i];
    total += av + exactLogZ(clamped);
  }
  return total / n - logZ;
}
