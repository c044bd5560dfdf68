import type { BinaryOp, ScalarOp, UnaryOp } from "../backend/index.js";
import { backend } from "../backend/index.js";
import { formatShape, ShapeError, shapesEqual } from "../tensor/shape.js";
import type { Tensor } from "../tensor/tensor.js";
import { outputFor } from "./util.js";

export function unary(op: UnaryOp, x: Tensor, out?: Tensor): Tensor {
  const y = outputFor(op, x.shape, out);
  backend().unary(op, x.data, y.data);
  return y;
}

/**
 * a ∘ b elementwise. b has a's shape, or is a row vector (shape [cols] or [1, cols]) that is
 * repeated over a's rows: the bias broadcast of every layer.
 */
export function binary(op: BinaryOp, a: Tensor, b: Tensor, out?: Tensor): Tensor {
  if (!shapesEqual(a.shape, b.shape)) {
    const isRowVector = b.size === a.cols && (b.rank === 1 || (b.rank === 2 && b.shape[0] === 1));
    if (!isRowVector || a.rank < 2) {
      throw new ShapeError(`${op}: shapes ${formatShape(a.shape)} and ${formatShape(b.shape)} do not match and b is not a row vector of length ${a.cols}`);
    }
  }
  const y = outputFor(op, a.shape, out);
  backend().binary(op, a.data, b.data, y.data);
  return y;
}

export function scalarOp(op: ScalarOp, x: Tensor, s: number, out?: Tensor): Tensor {
  const y = outputFor(op, x.shape, out);
  backend().scalar(op, x.data, s, y.data);
  return y;
}

export const add = (a: Tensor, b: Tensor, out?: Tensor): Tensor => binary("add", a, b, out);
export const sub = (a: Tensor, b: Tensor, out?: Tensor): Tensor => binary("sub", a, b, out);
export const mul = (a: Tensor, b: Tensor, out?: Tensor): Tensor => binary("mul", a, b, out);
export const div = (a: Tensor, b: Tensor, out?: Tensor): Tensor => binary("div", a, b, out);
export const maximum = (a: Tensor, b: Tensor, out?: Tensor): Tensor => binary("max", a, b, out);
export const minimum = (a: Tensor, b: Tensor, out?: Tensor): Tensor => binary("min", a, b, out);
export const addScalar = (x: Tensor, s: number, out?: Tensor): Tensor => scalarOp("add", x, s, out);
export const scale = (x: Tensor, s: number, out?: Tensor): Tensor => scalarOp("mul", x, s, out);
export const exp = (x: Tensor, out?: Tensor): Tensor => unary("exp", x, out);
export const log = (x: Tensor, out?: Tensor): Tensor => unary("log", x, out);
export const square = (x: Tensor, out?: Tensor): Tensor => unary("square", x, out);
export const sqrt = (x: Tensor, out?: Tensor): Tensor => unary("sqrt", x, out);

/** y ← alpha x + beta y, in place. */
export function axpby(alpha: number, x: Tensor, beta: number, y: Tensor): Tensor {
  if (x.size !== y.size) throw new ShapeError(`axpby: x has shape ${formatShape(x.shape)} but y has shape ${formatShape(y.shape)}`);
  backend().axpby(alpha, x.data, beta, y.data);
  return y;
}
