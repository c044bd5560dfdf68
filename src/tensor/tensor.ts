/**
 * Tensor: a shape and a Float32Array in row-major order. Storage comes from the backend in
 * use, so the WebAssembly backend's kernels read it in place where its memory budget allows
 * (docs/wasm-backend.md, "Memory model"). Reshapes and row slices are
 * views that share storage (no copy); `clone()` copies.
 */
import { backend } from "../backend/index.js";
import type { Rng } from "./random.js";
import { assertValidShape, formatShape, resolveReshape, type Shape, ShapeError, shapeSize } from "./shape.js";

export type NestedArray = number | NestedArray[];

export class Tensor {
  readonly shape: readonly number[];
  readonly data: Float32Array;
  /** The tensor whose storage this view shares, kept so that storage outlives the view. */
  readonly base: Tensor | null;

  constructor(data: Float32Array, shape: Shape, base: Tensor | null = null) {
    assertValidShape(shape, "Tensor");
    const size = shapeSize(shape);
    if (data.length !== size) {
      throw new ShapeError(`Tensor: data has ${data.length} elements but shape ${formatShape(shape)} needs ${size}`);
    }
    this.shape = Object.freeze([...shape]);
    this.data = data;
    this.base = base;
  }

  get size(): number {
    return this.data.length;
  }

  get rank(): number {
    return this.shape.length;
  }

  /** Rows of the tensor read as a matrix: the first dimension (1 for a scalar). */
  get rows(): number {
    return this.shape.length === 0 ? 1 : this.shape[0];
  }

  /** Columns of the tensor read as a matrix: the product of all but the first dimension. */
  get cols(): number {
    return this.shape.length === 0 ? 1 : this.size / (this.shape[0] || 1);
  }

  /** Same storage, new shape; one dimension may be -1. */
  reshape(...shape: number[] | [readonly number[]]): Tensor {
    const target = (Array.isArray(shape[0]) ? shape[0] : shape) as number[];
    return new Tensor(this.data, resolveReshape(this.size, target, this.shape), this.root());
  }

  /** Rows [start, end) along the first dimension, sharing storage. */
  sliceRows(start: number, end: number): Tensor {
    const n = this.rows;
    if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end > n || start > end) {
      throw new RangeError(`sliceRows: [${start}, ${end}) is outside the ${n} rows of a ${formatShape(this.shape)} tensor`);
    }
    const stride = this.cols;
    return new Tensor(this.data.subarray(start * stride, end * stride), [end - start, ...this.shape.slice(1)], this.root());
  }

  /** Row i as a view of shape shape[1:]. */
  row(i: number): Tensor {
    return this.sliceRows(i, i + 1).reshape(this.shape.slice(1));
  }

  /** A copy with its own storage. */
  clone(): Tensor {
    const data = backend().alloc(this.size);
    data.set(this.data);
    return new Tensor(data, this.shape);
  }

  /** Element at a full index, e.g. t.get(i, j). */
  get(...index: number[]): number {
    return this.data[this.offset(index)];
  }

  set(value: number, ...index: number[]): void {
    this.data[this.offset(index)] = value;
  }

  /** Copies src into this tensor; shapes must have the same element count. */
  assign(src: Tensor | ArrayLike<number>): this {
    const n = src instanceof Tensor ? src.size : src.length;
    if (n !== this.size) throw new ShapeError(`assign: source has ${n} elements, target ${formatShape(this.shape)} has ${this.size}`);
    this.data.set(src instanceof Tensor ? src.data : src);
    return this;
  }

  /** Nested plain arrays, for printing and tests. */
  toArray(): NestedArray {
    const build = (dim: number, offset: number): NestedArray => {
      if (dim === this.shape.length) return this.data[offset];
      const stride = shapeSize(this.shape.slice(dim + 1));
      return Array.from({ length: this.shape[dim] }, (_, i) => build(dim + 1, offset + i * stride));
    };
    return build(0, 0);
  }

  toString(): string {
    return `Tensor${formatShape(this.shape)}`;
  }

  private root(): Tensor {
    return this.base ?? this;
  }

  private offset(index: number[]): number {
    if (index.length !== this.shape.length) {
      throw new RangeError(`index [${index.join(",")}] has ${index.length} entries; tensor ${formatShape(this.shape)} needs ${this.shape.length}`);
    }
    let o = 0;
    for (let d = 0; d < index.length; d++) {
      const i = index[d];
      if (!Number.isInteger(i) || i < 0 || i >= this.shape[d]) {
        throw new RangeError(`index [${index.join(",")}] is out of range for shape ${formatShape(this.shape)}`);
      }
      o = o * this.shape[d] + i;
    }
    return o;
  }
}

// ---- creation -------------------------------------------------------------------------

export function zeros(shape: Shape): Tensor {
  assertValidShape(shape, "zeros");
  return new Tensor(backend().alloc(shapeSize(shape)), shape);
}

export function full(shape: Shape, value: number): Tensor {
  const t = zeros(shape);
  t.data.fill(value);
  return t;
}

export function ones(shape: Shape): Tensor {
  return full(shape, 1);
}

export function zerosLike(t: Tensor): Tensor {
  return zeros(t.shape);
}

/** A tensor from flat values and a shape (copied into backend storage). */
export function fromArray(values: ArrayLike<number>, shape: Shape = [values.length]): Tensor {
  assertValidShape(shape, "fromArray");
  if (values.length !== shapeSize(shape)) {
    throw new ShapeError(`fromArray: ${values.length} values do not fill shape ${formatShape(shape)} (${shapeSize(shape)} elements)`);
  }
  const t = zeros(shape);
  t.data.set(values);
  return t;
}

/** A tensor from nested arrays, e.g. tensor([[1, 2], [3, 4]]). Ragged input is an error. */
export function tensor(values: NestedArray): Tensor {
  const shape: number[] = [];
  let probe: NestedArray = values;
  while (Array.isArray(probe)) {
    shape.push(probe.length);
    probe = probe[0] ?? 0;
    if (shape[shape.length - 1] === 0) break;
  }
  const flat: number[] = [];
  // where a ragged array is, e.g. [1][0], and what to do when it is a batch of sequences of different lengths
  const at = (path: number[]): string => (path.length === 0 ? "the top level" : path.map((i) => `[${i}]`).join(""));
  const padHint = "; sequences of different lengths go into one tensor through padSequenceBatch, with a mask of their padded steps";
  const path: number[] = [];
  const walk = (v: NestedArray, dim: number): void => {
    if (dim === shape.length) {
      if (typeof v !== "number") throw new ShapeError(`tensor: ragged nested array: expected a number at ${at(path)} (depth ${dim})`);
      flat.push(v);
      return;
    }
    if (!Array.isArray(v) || v.length !== shape[dim]) {
      const got = Array.isArray(v) ? `length ${v.length}` : "a number";
      throw new ShapeError(`tensor: ragged nested array: ${at(path)} has ${got}, expected length ${shape[dim]} like the first at depth ${dim}${padHint}`);
    }
    for (let i = 0; i < v.length; i++) {
      path.push(i);
      walk(v[i], dim + 1);
      path.pop();
    }
  };
  walk(values, 0);
  return fromArray(flat, shape);
}

export function eye(n: number): Tensor {
  const t = zeros([n, n]);
  for (let i = 0; i < n; i++) t.data[i * n + i] = 1;
  return t;
}

/** Uniform in [lo, hi). */
export function randUniform(shape: Shape, rng: Rng, lo = 0, hi = 1): Tensor {
  const t = zeros(shape);
  backend().uniform(t.data, rng);
  if (lo !== 0 || hi !== 1) for (let i = 0; i < t.size; i++) t.data[i] = lo + (hi - lo) * t.data[i];
  return t;
}

/** Normal with the given mean and standard deviation. */
export function randNormal(shape: Shape, rng: Rng, mean = 0, std = 1): Tensor {
  const t = zeros(shape);
  fillNormal(t.data, rng, mean, std);
  return t;
}

/** Gaussian sampling lives here, in TypeScript, for every backend: same seed, same numbers. */
export function fillNormal(out: Float32Array, rng: Rng, mean = 0, std = 1): void {
  for (let i = 0; i < out.length; i++) out[i] = rng.normal(mean, std);
}
