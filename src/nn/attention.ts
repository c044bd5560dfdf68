/**
 * Multi-head self-attention (Vaswani et al. 2017), the mixing step of a transformer. For the
 * tokens X [T, d] of one example and each head h of H (head width d_h = d/H):
 *   Q = X W_q + b_q,  K = X W_k + b_k,  V = X W_v + b_v          (one GEMM each over all tokens)
 *   A_h = softmax(Q_h K_hᵀ / √d_h)   row-wise, [T, T]             (who each token listens to)
 *   O_h = A_h V_h,  O = [O_1 … O_H],  Y = O W_o + b_o
 * where Q_h is Q's columns h·d_h … (h+1)·d_h − 1. Backward, per head, with s = 1/√d_h:
 *   dA_h = dO_h V_hᵀ,  dV_h = A_hᵀ dO_h,  dS_h = A_h ∘ (dA_h − rowsum(dA_h ∘ A_h)),
 *   dQ_h = s dS_h K_h,  dK_h = s dS_hᵀ Q_h,
 * and dX = dQ W_qᵀ + dK W_kᵀ + dV W_vᵀ through the three projections (Dense layers on the
 * [batch·T, d] view). The per-head products are GEMMs on strided blocks of Q, K, V (no copies).
 * No weight depends on T, so a built layer takes any number of tokens (a masked autoencoder's
 * encoder sees a quarter of them in training and all of them for features).
 */
import { backend } from "../backend/index.js";
import * as ops from "../ops/index.js";
import type { Rng } from "../tensor/random.js";
import { formatShape, type Shape, ShapeError } from "../tensor/shape.js";
import type { Tensor } from "../tensor/tensor.js";
import { BatchBuffers } from "./buffers.js";
import { Dense } from "./dense.js";
import type { Layer, LayerConfig, Param } from "./layer.js";
import { prefixedParam } from "./param.js";
import { configValue, isNumber, isShape, isString, registerLayer } from "./registry.js";

export interface MultiHeadSelfAttentionOptions {
  /** Number of heads H; must divide the model width d. */
  heads: number;
  name?: string;
  inputShape?: Shape;
}

/**
 * One block product C = alpha op(A) op(B) + beta C on sub-matrices that start at the given
 * offsets of row-major storage (row strides lda, ldb, ldc). Each view ends at its block's last
 * element, so a backend that stages operands copies only the block.
 */
function block(t: Tensor, offset: number, rows: number, cols: number, ld: number): Float32Array {
  return t.data.subarray(offset, offset + (rows - 1) * ld + cols);
}

function gemmAt(
  transA: boolean,
  transB: boolean,
  m: number,
  n: number,
  k: number,
  alpha: number,
  a: Tensor,
  aOffset: number,
  lda: number,
  b: Tensor,
  bOffset: number,
  ldb: number,
  c: Tensor,
  cOffset: number,
  ldc: number,
): void {
  backend().gemm(
    transA,
    transB,
    m,
    n,
    k,
    alpha,
    block(a, aOffset, transA ? k : m, transA ? m : k, lda),
    lda,
    block(b, bOffset, transB ? n : k, transB ? k : n, ldb),
    ldb,
    0,
    block(c, cOffset, m, n, ldc),
    ldc,
  );
}

export class MultiHeadSelfAttention implements Layer {
  name: string;
  readonly heads: number;
  readonly inputShape?: Shape;
  /** The projections W_q, W_k, W_v, W_o (d → d each); set by build. */
  query!: Dense;
  key!: Dense;
  value!: Dense;
  output!: Dense;
  private width = 0;
  private wrapped: Param[] = [];
  private readonly buffers = new BatchBuffers();
  private last: { n: number; T: number; q: Tensor; k: Tensor; v: Tensor; attention: Tensor } | null = null;

  constructor(options: MultiHeadSelfAttentionOptions) {
    const heads = options?.heads;
    if (!Number.isInteger(heads) || heads < 1) throw new RangeError(`MultiHeadSelfAttention: heads must be an integer >= 1; got ${heads}`);
    this.heads = heads;
    this.name = options.name ?? "";
    if (options.inputShape !== undefined) this.inputShape = [...options.inputShape];
  }

  build(inputShape: Shape, rng: Rng): Shape {
    if (inputShape.length !== 2 || inputShape[0] < 1)
      throw new ShapeError(`MultiHeadSelfAttention ${this.name}: input shape must be [tokens, width]; got ${formatShape(inputShape)}`);
    const [T, d] = inputShape;
    if (d % this.heads !== 0)
      throw new RangeError(`MultiHeadSelfAttention ${this.name}: heads (${this.heads}) must divide the width ${d}; choose heads among the divisors of ${d}`);
    this.width = d;
    const projection = (name: string): Dense => {
      const layer = new Dense(d, { name });
      layer.build([d], rng);
      return layer;
    };
    this.query = projection("query");
    this.key = projection("key");
    this.value = projection("value");
    this.output = projection("output");
    this.wrapped = [this.query, this.key, this.value, this.output].flatMap((l) => l.params().map((p) => prefixedParam(l.name, p)));
    this.buffers.clear();
    return [T, d];
  }

  forward(x: Tensor, _training: boolean): Tensor {
    const [d, H] = [this.width, this.heads];
    if (d === 0 || x.rank !== 3 || x.shape[1] < 1 || x.shape[2] !== d)
      throw new ShapeError(`MultiHeadSelfAttention ${this.name}: expected input [batch, tokens, ${d}]; got ${formatShape(x.shape)}`);
    const [n, T] = x.shape;
    const dh = d / H;
    const rows = x.reshape([n * T, d]);
    const q = this.query.forward(rows, false);
    const k = this.key.forward(rows, false);
    const v = this.value.forward(rows, false);
    const attention = this.buffers.get("attention", [n * H * T, T]);
    const o = this.buffers.get("o", [n * T, d]);
    const s = 1 / Math.sqrt(dh);
    for (let b = 0; b < n; b++) {
      for (let h = 0; h < H; h++) {
        const tok = b * T * d + h * dh;
        gemmAt(false, true, T, T, dh, s, q, tok, d, k, tok, d, attention, (b * H + h) * T * T, T);
      }
    }
    ops.softmax(attention, attention);
    for (let b = 0; b < n; b++) {
      for (let h = 0; h < H; h++) {
        const tok = b * T * d + h * dh;
        gemmAt(false, false, T, dh, T, 1, attention, (b * H + h) * T * T, T, v, tok, d, o, tok, d);
      }
    }
    this.last = { n, T, q, k, v, attention };
    return this.output.forward(o, false).reshape([n, T, d]);
  }

  backward(dy: Tensor, needInputGrad = true): Tensor {
    if (this.last === null) throw new Error(`MultiHeadSelfAttention ${this.name}: backward called before forward`);
    const { n, T, q, k, v, attention } = this.last;
    const [d, H] = [this.width, this.heads];
    if (dy.size !== n * T * d) throw new ShapeError(`MultiHeadSelfAttention ${this.name}: dy ${formatShape(dy.shape)} does not match [${n}, ${T}, ${d}]`);
    const dh = d / H;
    const s = 1 / Math.sqrt(dh);
    const dO = this.output.backward(dy.reshape([n * T, d]));
    const dA = this.buffers.get("dA", attention.shape);
    const dq = this.buffers.get("dq", [n * T, d]);
    const dk = this.buffers.get("dk", [n * T, d]);
    const dv = this.buffers.get("dv", [n * T, d]);
    for (let b = 0; b < n; b++) {
      for (let h = 0; h < H; h++) {
        const tok = b * T * d + h * dh;
        const att = (b * H + h) * T * T;
        gemmAt(false, true, T, T, dh, 1, dO, tok, d, v, tok, d, dA, att, T);
        gemmAt(true, false, T, dh, T, 1, attention, att, T, dO, tok, d, dv, tok, d);
      }
    }
    const dS = ops.softmaxGrad(attention, dA, dA);
    for (let b = 0; b < n; b++) {
      for (let h = 0; h < H; h++) {
        const tok = b * T * d + h * dh;
        const att = (b * H + h) * T * T;
        gemmAt(false, false, T, dh, T, s, dS, att, T, k, tok, d, dq, tok, d);
        gemmAt(true, false, T, dh, T, s, dS, att, T, q, tok, d, dk, tok, d);
      }
    }
    // X fans out to the three projections: dX is the sum of their input gradients
    const dx = this.buffers.get("dx", [n * T, d]);
    const fromQ = this.query.backward(dq, needInputGrad);
    const fromK = this.key.backward(dk, needInputGrad);
    const fromV = this.value.backward(dv, needInputGrad);
    if (needInputGrad) ops.add(ops.add(fromQ, fromK, dx), fromV, dx);
    return dx.reshape([n, T, d]);
  }

  params(): Param[] {
    return this.wrapped;
  }

  config(): LayerConfig {
    const c: LayerConfig = { className: "MultiHeadSelfAttention", name: this.name, heads: this.heads };
    if (this.inputShape !== undefined) c.inputShape = [...this.inputShape];
    return c;
  }
}

registerLayer("MultiHeadSelfAttention", (c) => {
  const heads = configValue(c, "heads", isNumber, "an integer >= 1");
  if (heads === undefined) throw new TypeError(`MultiHeadSelfAttention config: "heads" is required`);
  return new MultiHeadSelfAttention({
    heads,
    name: configValue(c, "name", isString, "a string"),
    inputShape: configValue(c, "inputShape", isShape, "a shape"),
  });
});
