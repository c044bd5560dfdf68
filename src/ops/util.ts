import { formatShape, type Shape, ShapeError, shapesEqual } from "../tensor/shape.js";
import { type Tensor, zeros } from "../tensor/tensor.js";

/** The output tensor: `out` when given (checked against the expected shape), else a new one. */
export function outputFor(op: string, shape: Shape, out?: Tensor): Tensor {
  if (out === undefined) return zeros(shape);
  if (!shapesEqual(out.shape, shape)) {
    throw new ShapeError(`${op}: out has shape ${formatShape(out.shape)} but the result has shape ${formatShape(shape)}`);
  }
  return out;
}
