/**
 * The DBN's generative chain, one step at a time: alternating Gibbs sampling in the top RBM
 * (the undirected associative memory), the label units clamped to a class or sampled from their
 * softmax, and at any moment one top-down pass through the directed layers to see the image the
 * chain's state stands for. DBN.sample runs it for a fixed number of steps; an animation (the
 * lab's dreaming digits) steps it a few at a time and draws after each.
 */
import { sigmoid, softmax } from "../../ops/activations.js";
import { add } from "../../ops/elementwise.js";
import { matmul } from "../../ops/matmul.js";
import { bernoulli } from "../../ops/random.js";
import type { Rng } from "../../tensor/random.js";
import { type Tensor, zeros } from "../../tensor/tensor.js";
import { sampleUnits } from "../rbm/core.js";
import type { RBM } from "../rbm/rbm.js";

/**
 * What a dream needs of its DBN (the DBN class satisfies it): named here, not imported, because
 * dbn.ts imports this file.
 */
export interface DreamingNet {
  readonly rbms: readonly RBM[];
  /** Label units on the top RBM (0: none). */
  readonly labels: number;
  readonly top: RBM;
  /** Units of the penultimate layer (the top RBM's visible units less the labels). */
  readonly penultimate: number;
  /** p(h_depth | x) by the up-pass through the first `depth` RBMs. */
  transform(x: Tensor, depth?: number): Tensor;
  /** E[layer i | layer i + 1 = h] by the generative (top-down) weights of RBM i. */
  generateLayer(i: number, h: Tensor): Tensor;
}

export class DbnDream {
  /** Gibbs steps taken so far. */
  steps = 0;
  /** Binary states of the penultimate layer, [n, penultimate]. */
  readonly pen: Tensor;
  /** One-hot label units, [n, labels] (null for a DBN without labels). */
  readonly label: Tensor | null;
  private readonly hMean: Tensor;
  private readonly h: Tensor;
  private readonly penMean: Tensor;
  private readonly labLogits: Tensor | null;

  /**
   * `clamped`: one class per chain, held fixed, or null to let the labels wander; `init`: images
   * whose up-pass starts the chains, else random penultimate states.
   */
  constructor(
    private readonly dbn: DreamingNet,
    n: number,
    private readonly clamped: Int32Array | null,
    init: Tensor | undefined,
    readonly rng: Rng,
  ) {
    const P = dbn.penultimate;
    const C = dbn.labels;
    this.pen = zeros([n, P]);
    if (init !== undefined) bernoulli(dbn.transform(init, dbn.rbms.length - 1), rng, this.pen);
    else for (let i = 0; i < this.pen.size; i++) this.pen.data[i] = rng.nextFloat() < 0.5 ? 1 : 0;
    this.label = C > 0 ? zeros([n, C]) : null;
    this.labLogits = C > 0 ? zeros([n, C]) : null;
    if (this.label !== null) for (let r = 0; r < n; r++) this.label.data[r * C + (clamped === null ? rng.int(C) : clamped[r])] = 1;
    this.hMean = zeros([n, dbn.top.hidden]);
    this.h = zeros([n, dbn.top.hidden]);
    this.penMean = zeros([n, P]);
  }

  /** k alternating Gibbs steps in the top RBM. Returns this. */
  step(k = 1): this {
    const { top, penultimate: P, labels: C } = this.dbn;
    const Wpen = top.W.sliceRows(0, P);
    const aPen = top.a.sliceRows(0, P);
    const { pen, label, hMean, h, penMean, labLogits } = this;
    for (let s = 0; s < k; s++) {
      // h ~ p(h | pen, label) = σ(pen W_pen + label W_label + b)
      matmul(pen, Wpen, { out: hMean });
      if (label !== null) matmul(label, top.W.sliceRows(P, P + C), { out: hMean, beta: 1 });
      add(hMean, top.b, hMean);
      if (top.hiddenUnits === "bernoulli") sigmoid(hMean, hMean);
      sampleUnits(top.hiddenUnits, hMean, this.rng, h);
      // pen ~ σ(h W_penᵀ + a_pen); the label, unless clamped, ~ softmax(h W_labelᵀ + a_label)
      matmul(h, Wpen, { transB: true, out: penMean });
      add(penMean, aPen, penMean);
      sigmoid(penMean, penMean);
      bernoulli(penMean, this.rng, pen);
      if (label !== null && labLogits !== null && this.clamped === null) {
        matmul(h, top.W.sliceRows(P, P + C), { transB: true, out: labLogits });
        add(labLogits, top.a.sliceRows(P, P + C), labLogits);
        softmax(labLogits, labLogits);
        sampleOneHot(labLogits, this.rng, label);
      }
    }
    this.steps += k;
    return this;
  }

  /**
   * One top-down pass from the chain's penultimate state through the directed layers, sampling
   * binary states at each layer; the image itself is binary ("sample") or p(v | h1) ("mean",
   * the usual picture). [n, layers[0]]. The chain's state is left as it is.
   */
  images(output: "sample" | "mean" = "sample"): Tensor {
    let x = this.pen;
    for (let i = this.dbn.rbms.length - 2; i >= 0; i--) {
      const mean = this.dbn.generateLayer(i, x);
      x = i > 0 || output !== "mean" ? sampleUnits(this.dbn.rbms[i].visibleUnits, mean, this.rng, mean) : mean;
    }
    return x;
  }
}

/** One-hot rows drawn from the rows of probabilities p [n, k] into out (may be p itself). */
export function sampleOneHot(p: Tensor, rng: Rng, out: Tensor): Tensor {
  const k = p.shape[1];
  for (let r = 0; r < p.rows; r++) {
    const c = categorical(p.data, r * k, k, rng);
    out.data.fill(0, r * k, (r + 1) * k);
    out.data[r * k + c] = 1;
  }
  return out;
}

/** An index drawn from probabilities p[offset .. offset + k). */
function categorical(p: Float32Array, offset: number, k: number, rng: Rng): number {
  let u = rng.nextFloat();
  for (let c = 0; c < k - 1; c++) {
    u -= p[offset + c];
    if (u < 0) return c;
  }
  return k - 1;
}
