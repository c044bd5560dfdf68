/**
 * Bidirectional associative memory (Kosko 1988): the hetero-associative Hopfield network. Two
 * layers of bipolar units, x (length Nx) and y (length Ny), joined by W = Σ_k x_k y_kᵀ (Nx×Ny).
 * Recall bounces between the layers, y ← sgn(Wᵀ x), x ← sgn(W y) (a unit with zero field
 * keeps its value), and never increases E(x, y) = −xᵀ W y, so it stops at a stable pair.
 */
import { registerModel, type SavedModel, type SavedModelReader, saveModel } from "../../io/model.js";
import { matmul } from "../../ops/matmul.js";
import { checkTensorSize, formatShape, ShapeError } from "../../tensor/shape.js";
import { fromArray, type Tensor, zeros } from "../../tensor/tensor.js";
import { checkStates } from "./core.js";

export interface BamOptions {
  /** Units in the x layer. */
  xSize: number;
  /** Units in the y layer. */
  ySize: number;
}

export interface BamRecallResult {
  x: Tensor;
  y: Tensor;
  /** Passes x → y → x run. */
  iterations: number;
  converged: boolean;
  /** E(x, y) = −xᵀ W y of the final pair. */
  energy: number;
}

export class BAM {
  readonly xSize: number;
  readonly ySize: number;
  /** W, Nx×Ny. */
  readonly weights: Tensor;

  constructor(options: BamOptions) {
    for (const k of ["xSize", "ySize"] as const) {
      if (!Number.isInteger(options[k]) || options[k] < 1) throw new RangeError(`BAM: ${k} must be an integer >= 1, got ${options[k]}`);
    }
    this.xSize = options.xSize;
    this.ySize = options.ySize;
    checkTensorSize("BAM", [
      ["xSize", this.xSize],
      ["ySize", this.ySize],
    ]);
    this.weights = zeros([this.xSize, this.ySize]);
  }

  /** W = Σ_k x_k y_kᵀ = Xᵀ Y for bipolar pattern pairs (rows of xs [P, Nx] and ys [P, Ny]); replaces what was stored. */
  store(xs: Tensor, ys: Tensor): this {
    if (xs.rank !== 2 || ys.rank !== 2 || xs.shape[1] !== this.xSize || ys.shape[1] !== this.ySize || xs.shape[0] !== ys.shape[0]) {
      throw new ShapeError(
        `BAM.store: xs must be [P, ${this.xSize}] and ys [P, ${this.ySize}] with the same P, got ${formatShape(xs.shape)} and ${formatShape(ys.shape)}`,
      );
    }
    checkStates(xs.data, "bipolar", "BAM.store: xs");
    checkStates(ys.data, "bipolar", "BAM.store: ys");
    matmul(xs, ys, { transA: true, out: this.weights });
    return this;
  }

  /** E(x, y) = −xᵀ W y. */
  energy(x: ArrayLike<number>, y: ArrayLike<number>): number {
    let e = 0;
    for (let i = 0; i < this.xSize; i++) {
      if (x[i] === 0) continue;
      let s = 0;
      for (let j = 0; j < this.ySize; j++) s += this.weights.data[i * this.ySize + j] * y[j];
      e -= x[i] * s;
    }
    return e;
  }

  /** Recall from an x probe (forward) or, with `from: "y"`, from a y probe (backward). */
  recall(probe: Tensor | ArrayLike<number>, options: { from?: "x" | "y"; maxIterations?: number } = {}): BamRecallResult {
    const from = options.from ?? "x";
    if (from !== "x" && from !== "y") throw new RangeError(`BAM.recall: from must be "x" or "y", got ${JSON.stringify(from)}`);
    const maxIterations = options.maxIterations ?? 100;
    if (!Number.isInteger(maxIterations) || maxIterations < 1) throw new RangeError(`BAM.recall: maxIterations must be an integer >= 1, got ${maxIterations}`);
    const p = "data" in probe ? (probe as Tensor).data : (probe as ArrayLike<number>);
    const size = from === "x" ? this.xSize : this.ySize;
    if (p.length !== size) throw new ShapeError(`BAM.recall: the ${from} probe has ${p.length} units, the layer has ${size}`);
    checkStates(p, "bipolar", "BAM.recall: probe");
    // start from the given layer; the other layer is computed first (zero fields keep +1)
    const x = from === "x" ? fromArray(p, [1, this.xSize]) : fromArray(new Float32Array(this.xSize).fill(1), [1, this.xSize]);
    const y = from === "y" ? fromArray(p, [1, this.ySize]) : fromArray(new Float32Array(this.ySize).fill(1), [1, this.ySize]);
    const fx = zeros([1, this.xSize]);
    const fy = zeros([1, this.ySize]);
    let iterations = 0;
    let converged = false;
    if (from === "y") {
      matmul(y, this.weights, { transB: true, out: fx });
      threshold(fx, x);
    }
    while (iterations < maxIterations) {
      iterations++;
      matmul(x, this.weights, { out: fy }); // y ← sgn(Wᵀ x)
      const yChanged = threshold(fy, y);
      matmul(y, this.weights, { transB: true, out: fx }); // x ← sgn(W y)
      const xChanged = threshold(fx, x);
      if (!yChanged && !xChanged) {
        converged = true;
        break;
      }
    }
    return { x: x.reshape(this.xSize), y: y.reshape(this.ySize), iterations, converged, energy: this.energy(x.data, y.data) };
  }

  /** What saveModel writes: the layer sizes and weights [Nx, Ny]. */
  toSaved(): SavedModel {
    return { className: "BAM", config: { xSize: this.xSize, ySize: this.ySize }, state: {}, tensors: [["weights", this.weights]] };
  }

  static fromSaved(saved: SavedModelReader): BAM {
    const bam = new BAM(saved.config as unknown as BamOptions);
    saved.into("weights", bam.weights);
    return bam;
  }

  /** Writes dir/model.json and dir/model.safetensors (see saveModel). */
  async save(dir: string, training?: Record<string, unknown>): Promise<void> {
    await saveModel(this, dir, training);
  }
}

/** state ← sgn(field), keeping the state where the field is 0; returns whether anything changed. */
function threshold(field: Tensor, state: Tensor): boolean {
  let changed = false;
  for (let i = 0; i < state.size; i++) {
    const f = field.data[i];
    const v = f > 0 ? 1 : f < 0 ? -1 : state.data[i];
    if (v !== state.data[i]) {
      state.data[i] = v;
      changed = true;
    }
  }
  return changed;
}

registerModel("BAM", BAM.fromSaved);
