import { backend } from "../backend/index.js";
import { formatShape, ShapeError } from "../tensor/shape.js";
import type { Tensor } from "../tensor/tensor.js";
import { outputFor } from "./util.js";

export interface MatmulOptions {
  transA?: boolean;
  transB?: boolean;
  /** Scales the product: C = alpha op(A) op(B) + beta C. */
  alpha?: number;
  /** Scales the old contents of `out` (needs `out`): beta = 1 accumulates. */
  beta?: number;
  out?: Tensor;
}

/**
 * Matrix product of 2-D tensors, C = alpha op(A) op(B) + beta C. With beta = 1 and transA this
 * is the outer-product accumulation of learning rules: W += η vᵀh is matmul(v, h, {transA, alpha: η, beta: 1, out: W}).
 */
export function matmul(a: Tensor, b: Tensor, options: MatmulOptions = {}): Tensor {
  const { transA = false, transB = false, alpha = 1, beta = 0, out } = options;
  if (a.rank !== 2 || b.rank !== 2) {
    throw new ShapeError(`matmul: operands must be 2-D, got ${formatShape(a.shape)} and ${formatShape(b.shape)}`);
  }
  const [ar, ac] = a.shape;
  const [br, bc] = b.shape;
  const m = transA ? ac : ar;
  const k = transA ? ar : ac;
  const kb = transB ? bc : br;
  const n = transB ? br : bc;
  if (k !== kb) {
    const sa = `${formatShape(a.shape)}${transA ? "ᵀ" : ""}`;
    const sb = `${formatShape(b.shape)}${transB ? "ᵀ" : ""}`;
    throw new ShapeError(`matmul: inner dimensions differ: ${sa} @ ${sb} (${k} vs ${kb})`);
  }
  if (beta !== 0 && out === undefined) throw new Error("matmul: beta != 0 needs an `out` tensor to accumulate into");
  const c = outputFor("matmul", [m, n], out);
  backend().gemm(transA, transB, m, n, k, alpha, a.data, ac, b.data, bc, beta, c.data, n);
  return c;
}
