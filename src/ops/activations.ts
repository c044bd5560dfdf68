import type { ActivationGradOp } from "../backend/index.js";
import { backend } from "../backend/index.js";
import { assertSameShape } from "../tensor/shape.js";
import type { Tensor } from "../tensor/tensor.js";
import { unary } from "./elementwise.js";
import { outputFor } from "./util.js";

export const sigmoid = (x: Tensor, out?: Tensor): Tensor => unary("sigmoid", x, out);
export const tanh = (x: Tensor, out?: Tensor): Tensor => unary("tanh", x, out);
export const relu = (x: Tensor, out?: Tensor): Tensor => unary("relu", x, out);
export const softplus = (x: Tensor, out?: Tensor): Tensor => unary("softplus", x, out);

/** Softmax over the last axis (each row of the matrix view). */
export function softmax(x: Tensor, out?: Tensor): Tensor {
  const y = outputFor("softmax", x.shape, out);
  const cols = x.shape[x.rank - 1] ?? 1;
  backend().softmaxRows(x.data, x.size / cols, cols, y.data);
  return y;
}

/** dL/dx = dL/dy ∘ f'(x), with f' written through y = f(x): σ' = y(1 − y), tanh' = 1 − y², relu' = [y > 0]. */
export function activationGrad(op: ActivationGradOp, y: Tensor, dy: Tensor, out?: Tensor): Tensor {
  assertSameShape(`${op}Grad`, y.shape, dy.shape, ["y", "dy"]);
  const dx = outputFor(`${op}Grad`, y.shape, out);
  backend().activationGrad(op, y.data, dy.data, dx.data);
  return dx;
}

export const sigmoidGrad = (y: Tensor, dy: Tensor, out?: Tensor): Tensor => activationGrad("sigmoid", y, dy, out);
export const tanhGrad = (y: Tensor, dy: Tensor, out?: Tensor): Tensor => activationGrad("tanh", y, dy, out);
export const reluGrad = (y: Tensor, dy: Tensor, out?: Tensor): Tensor => activationGrad("relu", y, dy, out);

/**
 * Softmax Jacobian-vector product: dx = y ∘ (dy − Σ_j dy_j y_j) per row. (With cross-entropy the
 * losses fuse softmax and skip this.)
 */
export function softmaxGrad(y: Tensor, dy: Tensor, out?: Tensor): Tensor {
  assertSameShape("softmaxGrad", y.shape, dy.shape, ["y", "dy"]);
  const dx = outputFor("softmaxGrad", y.shape, out);
  const cols = y.shape[y.rank - 1] ?? 1;
  for (let r = 0; r < y.size; r += cols) {
    let dot = 0;
    for (let j = 0; j < cols; j++) dot += dy.data[r + j] * y.data[r + j];
    for (let j = 0; j < cols; j++) dx.data[r + j] = y.data[r + j] * (dy.data[r + j] - dot);
  }
  return dx;
}
