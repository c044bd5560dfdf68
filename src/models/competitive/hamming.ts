/**
 * The Hamming net (Lippmann 1987): an associative classifier that returns the stored pattern
 * nearest to a probe in Hamming distance. M bipolar exemplars p_k ∈ {−1, +1}ⁿ are the weights
 * of the first layer, w_kj = p_kj / 2 with bias n/2, so unit k scores
 *
 *   s_k(x) = ½ p_kᵀx + n/2 = n − HD(x, p_k)
 *
 * (each agreeing bit adds ½, each disagreeing one takes ½ away). Those scores, all in [0, n],
 * are MAXNET's starting activations, and MAXNET's lateral inhibition leaves the largest alone:
 * the nearest exemplar. Two exemplars equally near tie in MAXNET, and the net answers −1.
 * The first layer for a batch of probes is one GEMM, X Pᵀ.
 */
import { matmul } from "../../ops/matmul.js";
import { formatShape, ShapeError } from "../../tensor/shape.js";
import type { Tensor } from "../../tensor/tensor.js";
import { MAXNET, type MaxnetResult } from "./maxnet.js";

export interface HammingNetOptions {
  /** ε of the MAXNET layer: in (0, 1/M) for M stored patterns. Default 1/(2M). */
  epsilon?: number;
  /** The MAXNET's iteration limit. Default 10,000. */
  maxIterations?: number;
}

export class HammingNet {
  /** P, [M, n]: the stored exemplars, entries ±1. */
  readonly patterns: Tensor;
  /** The lateral-inhibition layer over the M scores. */
  readonly maxnet: MAXNET;

  constructor(patterns: Tensor, options: HammingNetOptions = {}) {
    if (patterns.rank !== 2 || patterns.shape[0] < 2 || patterns.shape[1] < 1)
      throw new ShapeError(`HammingNet: patterns must be [M, n] with M >= 2 stored patterns, got ${formatShape(patterns.shape)}`);
    checkBipolar(patterns, "HammingNet: patterns");
    this.patterns = patterns.clone();
    this.maxnet = new MAXNET({ units: patterns.shape[0], epsilon: options.epsilon, maxIterations: options.maxIterations });
  }

  /** n, the length of a pattern. */
  get size(): number {
    return this.patterns.shape[1];
  }

  /** s_k = n − HD(x, p_k) for each probe row of x [N, n] and exemplar k: [N, M], by one GEMM. */
  scores(x: Tensor): Tensor {
    if (x.rank !== 2 || x.shape[1] !== this.size) throw new ShapeError(`HammingNet: probes must be [rows, ${this.size}], got ${formatShape(x.shape)}`);
    checkBipolar(x, "HammingNet: probes");
    const s = matmul(x, this.patterns, { transB: true, alpha: 0.5 });
    for (let i = 0; i < s.size; i++) s.data[i] += this.size / 2;
    return s;
  }

  /** The index of the nearest stored pattern for each probe row, −1 where two or more are equally near. */
  classify(x: Tensor): Int32Array {
    return this.maxnet.winners(this.scores(x));
  }

  /** One probe [n] through both layers, with MAXNET's iteration trace. */
  recall(probe: Tensor): MaxnetResult {
    return this.maxnet.run(this.scores(probe.reshape(1, probe.size)).data, { trace: true });
  }
}

function checkBipolar(t: Tensor, what: string): void {
  for (let i = 0; i < t.size; i++) {
    if (t.data[i] !== 1 && t.data[i] !== -1) throw new RangeError(`${what} must hold only −1 and +1 (bipolar); entry ${i} is ${t.data[i]}`);
  }
}
