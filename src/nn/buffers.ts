/**
 * Scratch tensors keyed by batch size. A layer asks for its "z" or "dx" buffer at the shape of
 * the current batch and gets the same tensor back every batch of that size, so the training
 * loop allocates nothing after the first batch. A few sizes are kept (the full batch, the
 * smaller last batch, a prediction batch); the oldest size is dropped beyond that.
 */
import { type Shape, shapesEqual } from "../tensor/shape.js";
import { type Tensor, zeros } from "../tensor/tensor.js";

const MAX_BATCH_SIZES = 4;

export class BatchBuffers {
  private readonly byRows = new Map<number, Map<string, Tensor>>();

  /** The buffer `name` with this shape (its first dimension is the batch size). Contents are stale. */
  get(name: string, shape: Shape): Tensor {
    const rows = shape[0] ?? 1;
    let named = this.byRows.get(rows);
    if (named === undefined) {
      if (this.byRows.size >= MAX_BATCH_SIZES) {
        const oldest = this.byRows.keys().next().value as number;
        this.byRows.delete(oldest);
      }
      named = new Map();
      this.byRows.set(rows, named);
    }
    let t = named.get(name);
    if (t === undefined || !shapesEqual(t.shape, shape)) {
      t = zeros(shape);
      named.set(name, t);
    }
    return t;
  }

  clear(): void {
    this.byRows.clear();
  }
}
