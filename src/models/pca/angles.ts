/**
 * Principal angles between two subspaces of R^d (Björck & Golub 1973): with orthonormal bases
 * Qa and Qb of the spans, the cosines of the angles 0 ≤ θ_1 ≤ … ≤ θ_m (m = min of the two
 * dimensions) are the singular values of Qa Qbᵀ. Two spans are the same subspace exactly when
 * every angle is 0, so this is how a linear autoencoder is compared with PCA: the signs, order
 * and mixing of its code units do not matter, only the span.
 */
import { formatShape, ShapeError } from "../../tensor/shape.js";
import type { Tensor } from "../../tensor/tensor.js";
import { symmetricEigen } from "./eigen.js";

/**
 * The principal angles in radians, ascending, between the span of the rows of a [p, d] and the
 * span of the rows of b [q, d]; min(p, q) of them. Each set of rows must be linearly independent.
 * Computed from cosines in float64: angles below ≈ 1e-8 read as 0.
 */
export function principalAngles(a: Tensor, b: Tensor): Float64Array {
  if (a.rank !== 2 || b.rank !== 2 || a.shape[1] !== b.shape[1])
    throw new ShapeError(`principalAngles: a and b must be [p, d] and [q, d] with the same d, got ${formatShape(a.shape)} and ${formatShape(b.shape)}`);
  const d = a.shape[1];
  const qa = orthonormalRows(a.data, a.shape[0], d, "a");
  const qb = orthonormalRows(b.data, b.shape[0], d, "b");
  // the smaller side's Gram matrix M Mᵀ (M = Qs Qlᵀ) has the squared cosines as eigenvalues
  const [small, ps, large, pl] = qa.length <= qb.length ? [qa, a.shape[0], qb, b.shape[0]] : [qb, b.shape[0], qa, a.shape[0]];
  const m = new Float64Array(ps * pl);
  for (let i = 0; i < ps; i++) for (let j = 0; j < pl; j++) m[i * pl + j] = dot(small, i * d, large, j * d, d);
  const gram = new Float64Array(ps * ps);
  for (let i = 0; i < ps; i++) for (let j = 0; j < ps; j++) gram[i * ps + j] = dot(m, i * pl, m, j * pl, pl);
  const { values } = symmetricEigen(gram, ps);
  // descending cos² gives ascending angles; clamp the rounding that can push cos past 1
  return values.map((c2) => Math.acos(Math.sqrt(Math.min(1, Math.max(0, c2)))));
}

function dot(x: Float64Array, i: number, y: Float64Array, j: number, n: number): number {
  let s = 0;
  for (let k = 0; k < n; k++) s += x[i + k] * y[j + k];
  return s;
}

/** Modified Gram–Schmidt twice ("twice is enough", Kahan–Parlett) in float64 over the rows. */
function orthonormalRows(data: Float32Array, rows: number, d: number, name: string): Float64Array {
  const q = Float64Array.from(data);
  for (let i = 0; i < rows; i++) {
    const original = Math.sqrt(dot(q, i * d, q, i * d, d));
    for (let pass = 0; pass < 2; pass++) {
      for (let j = 0; j < i; j++) {
        const r = dot(q, j * d, q, i * d, d);
        for (let k = 0; k < d; k++) q[i * d + k] -= r * q[j * d + k];
      }
    }
    const norm = Math.sqrt(dot(q, i * d, q, i * d, d));
    if (!(norm > 1e-10 * original))
      throw new RangeError(`principalAngles: the rows of ${name} must be linearly independent; row ${i} lies in the span of the rows before it`);
    for (let k = 0; k < d; k++) q[i * d + k] /= norm;
  }
  return q;
}
