/**
 * Mini-batches: index batches for an epoch (optionally shuffled with a seeded Rng) and row
 * gathers into reused buffers, so a training loop allocates nothing per batch.
 */
import type { Rng } from "../tensor/random.js";
import { formatShape, ShapeError } from "../tensor/shape.js";
import { type Tensor, zeros } from "../tensor/tensor.js";

/**
 * Copies rows `indices` of src (any rank; rows = first dimension) into out. When out has more
 * rows than indices (the smaller last batch of an epoch), the first indices.length rows are
 * filled and returned as a view, so one buffer of batchSize rows serves the whole epoch.
 */
export function gatherRows(src: Tensor, indices: ArrayLike<number>, out?: Tensor): Tensor {
  const k = indices.length;
  const rowShape = src.shape.slice(1);
  const stride = src.rank === 0 ? 1 : src.cols;
  let y: Tensor;
  if (out === undefined) {
    y = zeros([k, ...rowShape]);
  } else {
    if (out.rank < 1 || out.rows < k || out.cols !== stride) {
      throw new ShapeError(
        `gatherRows: out has shape ${formatShape(out.shape)} but ${k} rows of ${formatShape(src.shape)} need at least [${k}, ...${formatShape(rowShape)}]`,
      );
    }
    y = out.rows === k ? out : out.sliceRows(0, k);
  }
  const n = src.rows;
  const s = src.data;
  const d = y.data;
  for (let r = 0; r < k; r++) {
    const i = indices[r];
    if (!(i >= 0 && i < n && Number.isInteger(i)))
      throw new RangeError(`gatherRows: index ${i} (position ${r}) is outside the ${n} rows of ${formatShape(src.shape)}`);
    d.set(s.subarray(i * stride, (i + 1) * stride), r * stride);
  }
  return y;
}

/** Entries `indices` of a label vector into out (reused like gatherRows' out). */
export function gatherLabels(labels: Uint8Array, indices: ArrayLike<number>, out?: Uint8Array): Uint8Array {
  const k = indices.length;
  if (out !== undefined && out.length < k) throw new RangeError(`gatherLabels: out holds ${out.length} labels but ${k} are needed`);
  const y = out === undefined ? new Uint8Array(k) : out.subarray(0, k);
  for (let r = 0; r < k; r++) {
    const i = indices[r];
    if (!(i >= 0 && i < labels.length && Number.isInteger(i)))
      throw new RangeError(`gatherLabels: index ${i} (position ${r}) is outside the ${labels.length} labels`);
    y[r] = labels[i];
  }
  return y;
}

export interface BatchOptions {
  /** Shuffle the order each epoch; default true when rng is given, else false. Needs rng. */
  shuffle?: boolean;
  rng?: Rng;
  /** Skip the last batch when it is smaller than batchSize. Default false. */
  dropLast?: boolean;
}

/**
 * One epoch of index batches over 0..n-1: every index exactly once, in order or in a
 * permutation drawn from rng. Batches are consecutive views into one index array (no copy);
 * the last batch may be smaller. Usage:
 *   for (const idx of batchIndices(n, 100, { rng })) { gatherRows(x, idx, xBatch); ... }
 */
export function* batchIndices(n: number, batchSize: number, options: BatchOptions = {}): Generator<Uint32Array> {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`batchIndices: n must be an integer >= 0, got ${n}`);
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`batchIndices: batchSize must be an integer >= 1, got ${batchSize}`);
  const shuffle = options.shuffle ?? options.rng !== undefined;
  if (shuffle && options.rng === undefined) throw new RangeError("batchIndices: shuffle: true needs an rng (every random choice takes a seed)");
  const order = shuffle ? options.rng!.permutation(n) : identity(n);
  const end = options.dropLast ? n - (n % batchSize) : n;
  for (let start = 0; start < end; start += batchSize) {
    yield order.subarray(start, Math.min(start + batchSize, n));
  }
}

/** Number of batches batchIndices yields. */
export function batchCount(n: number, batchSize: number, dropLast = false): number {
  return dropLast ? Math.floor(n / batchSize) : Math.ceil(n / batchSize);
}

function identity(n: number): Uint32Array {
  const a = new Uint32Array(n);
  for (let i = 0; i < n; i++) a[i] = i;
  return a;
}

/** What a fit transform learns about the batch it is given. */
export interface BatchInfo {
  /** 0-based epoch, as callbacks see it (the first is initialEpoch). */
  epoch: number;
  /** 0-based batch within the epoch. */
  batch: number;
  /** Seeded from fit's seed: a transform that draws from it makes the run reproducible. */
  rng: Rng;
  /** A scratch buffer of xBatch's shape, reused across batches, for transforms that cannot work in place. */
  out: Tensor;
}

/**
 * Called on every training batch before the forward pass (data augmentation, input noise):
 * change xBatch (or yBatch) in place and return nothing, or write into info.out (or a buffer of
 * your own) and return it. The result must keep xBatch's shape. Validation rows are never
 * transformed.
 */
export type BatchTransform = (xBatch: Tensor, yBatch: Tensor, info: BatchInfo) => Tensor | void;
