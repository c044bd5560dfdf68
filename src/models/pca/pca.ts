/**
 * Principal component analysis, the linear reference every autoencoder is measured against.
 * With the rows of X centred (x − μ), the covariance is C = Xcᵀ Xc / (n − 1); its eigenvectors
 * u_1, …, u_k for the k largest eigenvalues λ_1 ≥ … ≥ λ_k are the components, the code of a row
 * is z = (x − μ) Uᵀ and its reconstruction x̂ = z U + μ: of all rank-k linear maps, the one with
 * the least squared reconstruction error, Σ_{i>k} λ_i (n − 1) over the training rows.
 */
import { registerModel, type SavedModel, type SavedModelReader, saveModel } from "../../io/model.js";
import { matmul } from "../../ops/matmul.js";
import { squaredErrorPerRow } from "../../ops/reduce.js";
import { checkTensorSize, formatShape, ShapeError } from "../../tensor/shape.js";
import { fromArray, type Tensor, zeros } from "../../tensor/tensor.js";
import { symmetricEigen } from "./eigen.js";

export interface PcaOptions {
  /** k, the number of principal components kept: an integer in [1, min(rows, features)] at fit. */
  components: number;
}

/** Rows per GEMM when summing Xcᵀ Xc: float32 sums over a block, float64 across blocks. */
const SCATTER_BLOCK = 256;

export class PCA {
  /** k. */
  readonly k: number;
  /** U, [k, d]: the unit eigenvectors of the covariance as rows, largest eigenvalue first, each with its largest-magnitude entry positive. */
  components: Tensor = zeros([0, 0]);
  /** μ, [d]: the mean of the training rows. */
  mean: Tensor = zeros([0]);
  /** λ_1 … λ_k, the variance of the data along each component (the covariance's eigenvalues, divisor n − 1 as numpy and sklearn). */
  explainedVariance = new Float64Array(0);
  /** The total variance, trace C = Σ_i λ_i over all d eigenvalues. */
  totalVariance = 0;

  constructor(options: PcaOptions) {
    const k = options?.components;
    if (!Number.isInteger(k) || k < 1) throw new RangeError(`PCA: components must be an integer >= 1, got ${k}`);
    this.k = k;
  }

  /** Features d of the data fitted, 0 before fit. */
  get features(): number {
    return this.mean.size;
  }

  get fitted(): boolean {
    return this.features > 0;
  }

  /** λ_i / Σ_j λ_j: the fraction of the total variance each component explains. */
  get explainedVarianceRatio(): Float64Array {
    return this.explainedVariance.map((v) => (this.totalVariance > 0 ? v / this.totalVariance : 0));
  }

  /** Computes μ, C and its top-k eigenpairs from the rows of x [n, d]. */
  fit(x: Tensor): this {
    if (x.rank !== 2) throw new ShapeError(`PCA.fit: x must be [rows, features], got ${formatShape(x.shape)}`);
    const [n, d] = x.shape;
    checkTensorSize("PCA", [["features²", d * d]]);
    const most = Math.min(n, d);
    if (n < 2) throw new RangeError(`PCA.fit: x needs at least 2 rows to estimate a covariance, got ${n}`);
    if (this.k > most) throw new RangeError(`PCA: components must be an integer in [1, min(rows, features) = ${most}], got ${this.k}`);
    checkFinite(x, "PCA.fit");
    const mean = columnMeans(x);
    const cov = covariance(x, mean);
    let total = 0;
    for (let j = 0; j < d; j++) total += cov[j * d + j];
    const { values, vectors } = eigenOfActive(cov, d);
    const u = zeros([this.k, d]);
    for (let c = 0; c < this.k; c++) {
      const row = vectors.subarray(c * d, c * d + d);
      const sign = largestMagnitudeSign(row);
      for (let j = 0; j < d; j++) u.data[c * d + j] = sign * row[j];
    }
    this.components = u;
    this.mean = fromArray(mean, [d]);
    // rounding can leave a zero eigenvalue a hair below 0: a variance is not negative
    this.explainedVariance = values.slice(0, this.k).map((v) => Math.max(v, 0));
    this.totalVariance = total;
    return this;
  }

  /** z = (x − μ) Uᵀ, [n, k]. */
  transform(x: Tensor): Tensor {
    this.checkRows(x, this.features, "PCA.transform: x");
    const centred = zeros([x.shape[0], this.features]);
    const d = this.features;
    for (let i = 0; i < x.size; i++) centred.data[i] = x.data[i] - this.mean.data[i % d];
    return matmul(centred, this.components, { transB: true });
  }

  /** x̂ = z U + μ, [n, d]. */
  inverseTransform(z: Tensor): Tensor {
    this.checkRows(z, this.k, "PCA.inverseTransform: z");
    const xHat = matmul(z, this.components);
    const d = this.features;
    for (let i = 0; i < xHat.size; i++) xHat.data[i] += this.mean.data[i % d];
    return xHat;
  }

  /** The average over rows of Σ_i (x_i − x̂_i)², x̂ the reconstruction from k components (Hinton & Salakhutdinov's figure). */
  reconstructionError(x: Tensor): number {
    return squaredErrorPerRow(x, this.inverseTransform(this.transform(x)));
  }

  private checkRows(t: Tensor, width: number, what: string): void {
    if (!this.fitted) throw new Error(`${what.split(":")[0]}: the PCA is not fitted; call fit(x) first`);
    if (t.rank !== 2 || t.shape[1] !== width) throw new ShapeError(`${what} must be [rows, ${width}], got ${formatShape(t.shape)}`);
  }

  /** What saveModel writes: k; once fitted d, the total variance, and the tensors components [k, d], mean [d], explainedVariance [k]. */
  toSaved(): SavedModel {
    const tensors: [string, Tensor][] = this.fitted
      ? [
          ["components", this.components],
          ["mean", this.mean],
          ["explainedVariance", fromArray(this.explainedVariance, [this.k])],
        ]
      : [];
    return {
      className: "PCA",
      config: { components: this.k },
      state: { features: this.features, totalVariance: this.totalVariance },
      tensors,
    };
  }

  static fromSaved(saved: SavedModelReader): PCA {
    const pca = new PCA(saved.config as unknown as PcaOptions);
    const d = saved.count("features");
    if (d === 0) return pca;
    const total = saved.state.totalVariance;
    if (typeof total !== "number" || !Number.isFinite(total) || total < 0)
      saved.fail(`"state.totalVariance" must be a number >= 0; got ${JSON.stringify(total)}`);
    checkTensorSize("PCA", [["components × features", pca.k * d]]);
    pca.components = fromArray(saved.tensor("components", [pca.k, d]), [pca.k, d]);
    pca.mean = fromArray(saved.tensor("mean", [d]), [d]);
    pca.explainedVariance = Float64Array.from(saved.tensor("explainedVariance", [pca.k]));
    pca.totalVariance = total;
    return pca;
  }

  /** Writes dir/model.json and dir/model.safetensors (see saveModel). */
  async save(dir: string, training?: Record<string, unknown>): Promise<void> {
    await saveModel(this, dir, training);
  }
}

function checkFinite(x: Tensor, what: string): void {
  for (let i = 0; i < x.size; i++) {
    if (!Number.isFinite(x.data[i])) throw new RangeError(`${what}: x holds ${x.data[i]} at index ${i}; every value must be finite`);
  }
}

/** μ_j = Σ_i x_ij / n, summed in float64. */
function columnMeans(x: Tensor): Float64Array {
  const [n, d] = x.shape;
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += x.data[i * d + j];
  return mean.map((s) => s / n);
}

/**
 * C = Xcᵀ Xc / (n − 1) by our GEMM: each block of rows is centred (in float64, then stored as
 * float32) and multiplied in float32; the blocks' products are summed in float64, so rounding
 * grows with the block, not with n.
 */
function covariance(x: Tensor, mean: Float64Array): Float64Array {
  const [n, d] = x.shape;
  const scatter = new Float64Array(d * d);
  const block = zeros([Math.min(SCATTER_BLOCK, n), d]);
  const product = zeros([d, d]);
  for (let start = 0; start < n; start += SCATTER_BLOCK) {
    const rows = Math.min(SCATTER_BLOCK, n - start);
    const xc = rows === block.shape[0] ? block : zeros([rows, d]);
    for (let i = 0; i < rows * d; i++) xc.data[i] = x.data[start * d + i] - mean[i % d];
    matmul(xc, xc, { transA: true, out: product });
    for (let i = 0; i < d * d; i++) scatter[i] += product.data[i];
  }
  return scatter.map((s) => s / (n - 1));
}

/**
 * The eigenpairs of C, solving only over the features that vary: a constant feature (an MNIST
 * border pixel) has a zero row and column in C, so e_j is an eigenvector with λ = 0, and leaving
 * it out shrinks the O(d³) solve. Vectors come back as rows of length d, eigenvalues descending.
 */
function eigenOfActive(cov: Float64Array, d: number): { values: Float64Array; vectors: Float64Array } {
  const active: number[] = [];
  const constant: number[] = [];
  for (let j = 0; j < d; j++) (cov[j * d + j] > 0 ? active : constant).push(j);
  const m = active.length;
  const sub = new Float64Array(m * m);
  for (let a = 0; a < m; a++) for (let b = 0; b < m; b++) sub[a * m + b] = cov[active[a] * d + active[b]];
  const eig = m > 0 ? symmetricEigen(sub, m) : { values: new Float64Array(0), vectors: new Float64Array(0) };
  const values = new Float64Array(d);
  const vectors = new Float64Array(d * d);
  values.set(eig.values);
  for (let r = 0; r < m; r++) for (let a = 0; a < m; a++) vectors[r * d + active[a]] = eig.vectors[r * m + a];
  constant.forEach((j, c) => {
    vectors[(m + c) * d + j] = 1;
  });
  return { values, vectors };
}

/** +1 or −1: the sign that makes the entry of largest magnitude positive (our convention; sklearn's svd_flip differs). */
function largestMagnitudeSign(v: ArrayLike<number>): number {
  let best = 0;
  for (let j = 1; j < v.length; j++) if (Math.abs(v[j]) > Math.abs(v[best])) best = j;
  return v[best] < 0 ? -1 : 1;
}

registerModel("PCA", PCA.fromSaved);
