import { backend } from "../backend/index.js";
import { formatShape, ShapeError } from "../tensor/shape.js";
import type { Tensor } from "../tensor/tensor.js";
import { outputFor } from "./util.js";

function matrixAxis(op: string, x: Tensor, axis: number): void {
  if (x.rank !== 2 || (axis !== 0 && axis !== 1)) {
    throw new ShapeError(`${op}: axis ${axis} of a ${formatShape(x.shape)} tensor is not supported (2-D tensors, axis 0 or 1)`);
  }
}

/** Sum of all entries (accumulated in float64). */
export function sumAll(x: Tensor): number {
  let s = 0;
  for (let i = 0; i < x.size; i++) s += x.data[i];
  return s;
}

/** Sum along an axis of a matrix: axis 0 gives a [cols] vector, axis 1 a [rows] vector. */
export function sum(x: Tensor, axis: 0 | 1, out?: Tensor): Tensor {
  matrixAxis("sum", x, axis);
  const [rows, cols] = x.shape;
  const y = outputFor("sum", [axis === 0 ? cols : rows], out);
  if (axis === 0) backend().sumRows(x.data, rows, cols, y.data);
  else backend().sumCols(x.data, rows, cols, y.data);
  return y;
}

export function mean(x: Tensor, axis: 0 | 1, out?: Tensor): Tensor {
  const y = sum(x, axis, out);
  const n = x.shape[axis];
  backend().scalar("mul", y.data, 1 / n, y.data);
  return y;
}

export function meanAll(x: Tensor): number {
  return sumAll(x) / x.size;
}

/** Index of the largest entry in each row. */
export function argmax(x: Tensor): Int32Array {
  if (x.rank !== 2) throw new ShapeError(`argmax: expected a 2-D tensor, got ${formatShape(x.shape)}`);
  const [rows, cols] = x.shape;
  const out = new Int32Array(rows);
  backend().argmaxRows(x.data, rows, cols, out);
  return out;
}

/**
 * The average over rows of Σ_j (x_j − y_j)², accumulated in float64: an autoencoder's (and
 * PCA's) reconstruction error per image, the figure of Hinton & Salakhutdinov (2006).
 */
export function squaredErrorPerRow(x: Tensor, y: Tensor): number {
  if (x.rank !== 2 || x.shape.join() !== y.shape.join())
    throw new ShapeError(`squaredErrorPerRow: x and y must be [rows, cols] of one shape; got ${formatShape(x.shape)} and ${formatShape(y.shape)}`);
  let s = 0;
  for (let i = 0; i < x.size; i++) s += (x.data[i] - y.data[i]) ** 2;
  return s / x.rows;
}

/** The error of a code that says nothing: every row of `test` guessed as the mean row of `train`. */
export function meanRowError(train: Tensor, test: Tensor): number {
  if (train.rank !== 2 || test.rank !== 2 || train.cols !== test.cols)
    throw new ShapeError(
      `meanRowError: train and test must be [rows, cols] with the same cols; got ${formatShape(train.shape)} and ${formatShape(test.shape)}`,
    );
  const V = train.cols;
  const mean = new Float64Array(V);
  for (let i = 0; i < train.size; i++) mean[i % V] += train.data[i] / train.rows;
  let s = 0;
  for (let i = 0; i < test.size; i++) s += (test.data[i] - mean[i % V]) ** 2;
  return s / test.rows;
}
