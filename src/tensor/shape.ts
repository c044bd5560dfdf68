/** Shapes: plain arrays of non-negative integers, checked at every public boundary. */

export type Shape = readonly number[];

/** Thrown when shapes disagree; the message names both shapes and the operation. */
export class ShapeError extends Error {
  override name = "ShapeError";
}

export function shapeSize(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function formatShape(shape: Shape): string {
  return `[${shape.join(",")}]`;
}

export function shapesEqual(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

export function assertValidShape(shape: Shape, what = "shape"): void {
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) {
      throw new ShapeError(`${what}: ${formatShape(shape)} is not a shape (dimensions must be integers >= 0)`);
    }
  }
}

export function assertSameShape(op: string, a: Shape, b: Shape, names: [string, string] = ["a", "b"]): void {
  if (!shapesEqual(a, b)) {
    throw new ShapeError(`${op}: ${names[0]} has shape ${formatShape(a)} but ${names[1]} has shape ${formatShape(b)}; they must match`);
  }
}

export function assertRank(op: string, shape: Shape, rank: number, name = "input"): void {
  if (shape.length !== rank) {
    throw new ShapeError(`${op}: ${name} must have rank ${rank}, got shape ${formatShape(shape)}`);
  }
}

/** Resolves one -1 entry in a reshape target against the element count. */
export function resolveReshape(size: number, target: Shape, from: Shape): number[] {
  const out = [...target];
  const free = out.indexOf(-1);
  if (free !== out.lastIndexOf(-1)) throw new ShapeError(`reshape: at most one -1 allowed in ${formatShape(target)}`);
  if (free >= 0) {
    const known = shapeSize(out.filter((_, i) => i !== free));
    if (known === 0 || size % known !== 0) {
      throw new ShapeError(`reshape: cannot reshape ${formatShape(from)} (${size} elements) to ${formatShape(target)}`);
    }
    out[free] = size / known;
  }
  assertValidShape(out, "reshape");
  if (shapeSize(out) !== size) {
    throw new ShapeError(`reshape: cannot reshape ${formatShape(from)} (${size} elements) to ${formatShape(target)} (${shapeSize(out)} elements)`);
  }
  return out;
}

/**
 * The most floats one tensor of a model may hold: 2^28 (1 GiB of float32). Model classes refuse
 * sizes above it by name before allocating, so a forged size in a saved model (or a typo in an
 * option) fails with a message instead of the engine's "Invalid typed array length" or an
 * allocation that exhausts memory.
 */
export const MAX_TENSOR_FLOATS = 2 ** 28;

/**
 * Throws a RangeError naming `what` and its dimensions when a tensor of their product would be
 * larger than MAX_TENSOR_FLOATS. Each dimension comes with the name of the option that sets it,
 * e.g. checkTensorSize("RBM", [["visible", v], ["hidden", h]]); the caller has already checked
 * the values to be integers >= 0.
 */
export function checkTensorSize(what: string, dims: readonly (readonly [string, number])[]): void {
  const size = dims.reduce((n, [, d]) => n * d, 1);
  if (size > MAX_TENSOR_FLOATS) {
    const names = dims.map(([name]) => name).join(" × ");
    const values = dims.map(([, d]) => d).join(" × ");
    throw new RangeError(`${what}: ${names} = ${values} floats is more than one tensor may hold (at most 2^28 = ${MAX_TENSOR_FLOATS})`);
  }
}
