/**
 * Storage rules of the Hopfield network. Both work on bipolar patterns (the rows of X, P×N);
 * a {0,1} network stores the same memories through the change of variables s = 2x − 1.
 *
 * - Hebbian: W = Σ_k x_k x_kᵀ − P I = XᵀX with the diagonal cleared. Crosstalk between
 *   patterns is the reason capacity ends near 0.14 N and correlated patterns get confused.
 * - Pseudo-inverse (projection): W = Xᵀ (X Xᵀ)⁻¹ X, the orthogonal projection onto the span of
 *   the patterns, so W x_k = x_k exactly for every stored pattern however correlated they are
 *   (Personnaz, Guyon & Dreyfus 1985; Kanter & Sompolinsky 1987). The diagonal is cleared as
 *   well (a network needs w_ii = 0 for its energy to descend); the patterns stay fixed points
 *   because then u = (1 − p_ii) x_k and p_ii < 1 while P < N.
 */
import { matmul } from "../../ops/matmul.js";
import { formatShape, ShapeError } from "../../tensor/shape.js";
import { fromArray, type Tensor, zeros } from "../../tensor/tensor.js";
import { checkStates } from "./core.js";

function checkPatterns(patterns: Tensor, what: string): void {
  if (patterns.rank !== 2) throw new ShapeError(`${what}: patterns must be a P×N matrix (one pattern a row), got ${formatShape(patterns.shape)}`);
  if (patterns.shape[0] === 0) throw new RangeError(`${what}: needs at least one pattern`);
  checkStates(patterns.data, "bipolar", `${what}: patterns`);
}

function clearDiagonal(w: Tensor): Tensor {
  const n = w.shape[0];
  for (let i = 0; i < n; i++) w.data[i * n + i] = 0;
  return w;
}

/** W = Σ_k x_k x_kᵀ − P I for bipolar patterns (rows of a P×N tensor). Exact in float32 (integers). */
export function hebbianWeights(patterns: Tensor): Tensor {
  checkPatterns(patterns, "hebbianWeights");
  // x_i² = 1, so subtracting P I is exactly clearing the diagonal of XᵀX
  return clearDiagonal(matmul(patterns, patterns, { transA: true }));
}

export interface PseudoInverseOptions {
  /** Added to the diagonal of X Xᵀ before inverting: 0 (default) is the exact projection. */
  ridge?: number;
}

/** W = Xᵀ (X Xᵀ)⁻¹ X with a zero diagonal, for bipolar patterns (rows of a P×N tensor). */
export function pseudoInverseWeights(patterns: Tensor, options: PseudoInverseOptions = {}): Tensor {
  checkPatterns(patterns, "pseudoInverseWeights");
  const ridge = options.ridge ?? 0;
  if (!Number.isFinite(ridge) || ridge < 0) throw new RangeError(`pseudoInverseWeights: ridge must be a finite number >= 0, got ${ridge}`);
  const [p, n] = patterns.shape;
  // the P×P overlap matrix C = X Xᵀ has integer entries, exact in float32
  const overlaps = matmul(patterns, patterns, { transB: true });
  const c = Float64Array.from(overlaps.data);
  for (let k = 0; k < p; k++) c[k * p + k] += ridge;
  let m: Float64Array;
  try {
    // M = C⁻¹ X in float64: C is small (P×P) and can be badly conditioned for correlated patterns
    m = solveSymmetricPositiveDefinite(c, p, Float64Array.from(patterns.data), n);
  } catch (e) {
    throw new RangeError(
      `pseudoInverseWeights: the patterns are linearly dependent (X Xᵀ is singular); remove repeated or dependent patterns or pass a ridge > 0 (${(e as Error).message})`,
    );
  }
  return clearDiagonal(matmul(patterns, fromArray(m, [p, n]), { transA: true }));
}

/**
 * The {0,1} network equivalent to a bipolar one: with s = 2x − 1, u_bipolar = W s =
 * 2 W x − W 1, so weights 2W and thresholds θ_i = Σ_j w_ij give the same fields, the same
 * updates and the same fixed points on x = (s + 1)/2.
 */
export function binaryForm(bipolarWeights: Tensor): { weights: Tensor; thresholds: Tensor } {
  const n = bipolarWeights.shape[0];
  const weights = zeros([n, n]);
  const thresholds = zeros([n]);
  const w = bipolarWeights.data;
  for (let i = 0; i < n; i++) {
    let rowSum = 0;
    for (let j = 0; j < n; j++) {
      weights.data[i * n + j] = 2 * w[i * n + j];
      rowSum += w[i * n + j];
    }
    thresholds.data[i] = rowSum;
  }
  return { weights, thresholds };
}

/**
 * Cholesky factorisation A = L Lᵀ of a symmetric positive definite n×n matrix (float64,
 * row-major), in place in the lower triangle. Throws when a pivot is not positive.
 */
export function choleskyInPlace(a: Float64Array, n: number): Float64Array {
  // relative tolerance: a pivot this small against the diagonal means A is singular in practice
  let maxDiag = 0;
  for (let i = 0; i < n; i++) maxDiag = Math.max(maxDiag, Math.abs(a[i * n + i]));
  const tol = maxDiag * n * 1e-13;
  for (let j = 0; j < n; j++) {
    let d = a[j * n + j];
    for (let k = 0; k < j; k++) d -= a[j * n + k] * a[j * n + k];
    if (!(d > tol)) throw new RangeError(`matrix is not positive definite (pivot ${j} is ${d})`);
    const ljj = Math.sqrt(d);
    a[j * n + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      let s = a[i * n + j];
      for (let k = 0; k < j; k++) s -= a[i * n + k] * a[j * n + k];
      a[i * n + j] = s / ljj;
    }
  }
  return a;
}

/**
 * Solves A Z = B for Z (A symmetric positive definite n×n, B n×m; both float64 row-major).
 * A is overwritten by its Cholesky factor; B is overwritten by Z and returned.
 */
export function solveSymmetricPositiveDefinite(a: Float64Array, n: number, b: Float64Array, m: number): Float64Array {
  if (a.length !== n * n || b.length !== n * m)
    throw new ShapeError(`solveSymmetricPositiveDefinite: A has ${a.length} entries (need ${n * n}), B has ${b.length} (need ${n * m})`);
  choleskyInPlace(a, n);
  // forward substitution L Y = B, then back substitution Lᵀ Z = Y, column block at once
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < i; k++) {
      const lik = a[i * n + k];
      for (let c = 0; c < m; c++) b[i * m + c] -= lik * b[k * m + c];
    }
    const lii = a[i * n + i];
    for (let c = 0; c < m; c++) b[i * m + c] /= lii;
  }
  for (let i = n - 1; i >= 0; i--) {
    for (let k = i + 1; k < n; k++) {
      const lki = a[k * n + i];
      for (let c = 0; c < m; c++) b[i * m + c] -= lki * b[k * m + c];
    }
    const lii = a[i * n + i];
    for (let c = 0; c < m; c++) b[i * m + c] /= lii;
  }
  return b;
}

/** The inverse of a symmetric positive definite n×n matrix (float64, row-major; input kept). */
export function invertSymmetricPositiveDefinite(a: Float64Array, n: number): Float64Array {
  const id = new Float64Array(n * n);
  for (let i = 0; i < n; i++) id[i * n + i] = 1;
  return solveSymmetricPositiveDefinite(Float64Array.from(a), n, id, n);
}
