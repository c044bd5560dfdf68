/**
 * Winner-take-all competitive learning (Rumelhart & Zipser 1985): m prototype units w_1 … w_m
 * compete for each input x; the winner
 *
 *   i* = argmin_i ‖x − w_i‖²          (or argmax_i w_iᵀx when inputs and prototypes have unit length)
 *
 * alone learns, moving toward the input: Δw_{i*} = η (x − w_{i*}). Each prototype drifts to the
 * mean of the inputs it wins (online k-means, MacQueen 1967). A unit that starts far from the
 * data never wins and never moves — a dead unit. Two cures are built in:
 *
 * - leaky learning: the losers move too, at a much smaller rate, Δw_i = η_l (x − w_i);
 * - a conscience (DeSieno 1988): each unit tracks how often it wins, p_i ← p_i + β (y_i − p_i),
 *   and the training competition is biased against frequent winners,
 *   i* = argmin_i ‖x − w_i‖² − b_i with b_i = C (1/m − p_i), so every unit wins its share.
 *
 * predict and transform use the plain competition (no bias): the nearest prototype.
 */
import { gatherRows } from "../../data/batch.js";
import { registerModel, type SavedModel, type SavedModelReader, saveModel } from "../../io/model.js";
import { sqrt } from "../../ops/elementwise.js";
import { matmul } from "../../ops/matmul.js";
import { Rng } from "../../tensor/random.js";
import { checkTensorSize, formatShape, ShapeError } from "../../tensor/shape.js";
import { fromArray, type Tensor, zeros } from "../../tensor/tensor.js";
import { type Callback, setTensors, type TrainableModel } from "../../train/callbacks.js";
import { fitLoopSync, type History, type TrainingStep } from "../../train/loop.js";
import { checkRate, moveToward, nearestPrototypes, samplePrototypes, squaredDistances } from "./core.js";

export type Similarity = "euclidean" | "dot";

export interface WinnerTakeAllOptions {
  /** m, the number of prototype units: an integer >= 1. */
  units: number;
  /** η, the winner's step toward x, in (0, 1]. Default 0.1. */
  learningRate?: number;
  /** η_l, the losers' step toward x (leaky learning), in [0, learningRate]; 0, the default, is plain WTA. */
  leakRate?: number;
  /** C, the conscience's bias factor, >= 0 (DeSieno used 10, for distances of order 1); 0, the default, is no conscience. */
  conscience?: number;
  /** β, the rate of the conscience's win-frequency estimate p_i, in (0, 1). Default 1e-4 (DeSieno's). */
  conscienceRate?: number;
  /** "euclidean" (default): the nearest prototype wins. "dot": the largest w_iᵀx wins and prototypes are kept at unit length (for unit-length inputs). */
  similarity?: Similarity;
  /** Inputs whose winners one GEMM finds before their updates are applied in order; 1 (default) is the online rule exactly. */
  batchSize?: number;
  /** Seed of the initial prototypes and of the order of the inputs. Default 1. */
  seed?: number;
}

type Resolved = Required<WinnerTakeAllOptions>;

function resolve(options: WinnerTakeAllOptions): Resolved {
  const what = "WinnerTakeAll";
  const { units, learningRate = 0.1, leakRate = 0, conscience = 0, conscienceRate = 1e-4, similarity = "euclidean", batchSize = 1, seed = 1 } = options ?? {};
  if (!Number.isInteger(units) || units < 1) throw new RangeError(`${what}: units must be an integer >= 1, got ${units}`);
  checkRate(what, "learningRate", learningRate);
  if (!(leakRate >= 0 && leakRate <= learningRate))
    throw new RangeError(`${what}: leakRate must be a number in [0, learningRate = ${learningRate}], got ${leakRate}`);
  if (!(conscience >= 0 && Number.isFinite(conscience))) throw new RangeError(`${what}: conscience must be a finite number >= 0, got ${conscience}`);
  if (!(conscienceRate > 0 && conscienceRate < 1)) throw new RangeError(`${what}: conscienceRate must be a number in (0, 1), got ${conscienceRate}`);
  if (similarity !== "euclidean" && similarity !== "dot")
    throw new RangeError(`${what}: similarity must be "euclidean" or "dot", got ${JSON.stringify(similarity)}`);
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`${what}: batchSize must be an integer >= 1, got ${batchSize}`);
  if (!Number.isInteger(seed)) throw new RangeError(`${what}: seed must be an integer, got ${seed}`);
  return { units, learningRate, leakRate, conscience, conscienceRate, similarity, batchSize, seed };
}

export interface WinnerTakeAllFitOptions {
  /** Passes over x. Default 10. */
  epochs?: number;
  /** The starting prototypes [units, d]; default m distinct random rows of x. Used only when the model is not yet fitted (or given here). */
  init?: Tensor;
  /** Keras-style callbacks (synchronous); logs: quantisationError, the mean ‖x − w_{i*}‖ before each update. */
  callbacks?: readonly Callback[];
}

export class WinnerTakeAll implements TrainableModel {
  readonly options: Readonly<Resolved>;
  /** W, [units, d]: the prototypes as rows. Empty before fit. */
  prototypes: Tensor = zeros([0, 0]);
  /** p_i, the conscience's running estimate of how often unit i wins (1/m at the start). */
  winFrequency: Float32Array;
  epochsTrained = 0;
  stopTraining = false;
  private readonly rng: Rng;

  constructor(options: WinnerTakeAllOptions) {
    this.options = Object.freeze(resolve(options));
    this.winFrequency = new Float32Array(this.options.units).fill(1 / this.options.units);
    this.rng = new Rng(this.options.seed);
  }

  get fitted(): boolean {
    return this.prototypes.size > 0;
  }

  /** d, the input width, 0 before fit. */
  get features(): number {
    return this.fitted ? this.prototypes.shape[1] : 0;
  }

  /** Trains on the rows of x [n, d]; a fitted model goes on from where it stands. */
  fit(x: Tensor, options: WinnerTakeAllFitOptions = {}): History {
    const { epochs = 10, init } = options;
    if (x.rank !== 2 || x.shape[0] < 1) throw new ShapeError(`WinnerTakeAll.fit: x must be [rows >= 1, features], got ${formatShape(x.shape)}`);
    const m = this.options.units;
    if (init !== undefined) {
      if (init.rank !== 2 || init.shape[0] !== m || init.shape[1] !== x.shape[1])
        throw new ShapeError(`WinnerTakeAll.fit: init must be [units = ${m}, ${x.shape[1]}], got ${formatShape(init.shape)}`);
      this.prototypes = init.clone();
    } else if (!this.fitted) {
      checkTensorSize("WinnerTakeAll", [["units × features", m * x.shape[1]]]);
      this.prototypes = samplePrototypes(x, m, this.rng);
    } else this.checkInput("fit", x);
    if (this.options.similarity === "dot") normaliseRows(this.prototypes);
    const batch = Math.min(this.options.batchSize, x.shape[0]);
    const xb = zeros([batch, x.shape[1]]);
    const scores = zeros([batch, m]);
    const step: TrainingStep = {
      trainStep: (rows) => {
        const xs = gatherRows(x, rows, rows.length === batch ? xb : undefined);
        const s = rows.length === batch ? scores : zeros([rows.length, m]);
        return { quantisationError: this.competeAndLearn(xs, s) };
      },
      endEpoch: () => void this.epochsTrained++,
    };
    return fitLoopSync({
      what: "WinnerTakeAll.fit",
      model: this,
      step,
      rows: x.shape[0],
      epochs,
      initialEpoch: this.epochsTrained,
      batchSize: batch,
      rng: this.rng,
      callbacks: options.callbacks,
      errorFigures: [],
      weights: () => [["prototypes", this.prototypes]],
    });
  }

  /**
   * One batch: the scores of its rows against the prototypes (one GEMM), then for each row in
   * order the biased competition, the winner's step, the losers' leak and the conscience's
   * count. Returns the mean ‖x − w_{i*}‖ of the batch before its updates.
   */
  private competeAndLearn(xs: Tensor, scores: Tensor): number {
    const { units: m, learningRate: eta, leakRate, conscience: C, conscienceRate: beta, similarity } = this.options;
    const dot = similarity === "dot";
    // distances: smaller is better; for "dot" the negated similarity plays the distance's part
    if (dot) matmul(xs, this.prototypes, { transB: true, alpha: -1, out: scores });
    else squaredDistances(xs, this.prototypes, scores);
    const p = this.winFrequency;
    let error = 0;
    for (let r = 0; r < xs.shape[0]; r++) {
      let winner = 0;
      let best = Infinity;
      for (let i = 0; i < m; i++) {
        const v = scores.data[r * m + i] - (C > 0 ? C * (1 / m - p[i]) : 0);
        if (v < best) {
          best = v;
          winner = i;
        }
      }
      error += dot ? Math.sqrt(Math.max(0, 2 + 2 * scores.data[r * m + winner])) : Math.sqrt(scores.data[r * m + winner]);
      moveToward(this.prototypes, winner, xs, r, eta);
      if (leakRate > 0) for (let i = 0; i < m; i++) if (i !== winner) moveToward(this.prototypes, i, xs, r, leakRate);
      if (C > 0) for (let i = 0; i < m; i++) p[i] += beta * ((i === winner ? 1 : 0) - p[i]);
      if (dot) for (let i = 0; i < m; i++) if (i === winner || leakRate > 0) normaliseRow(this.prototypes, i);
    }
    return error / xs.shape[0];
  }

  /** The winning unit of each row of x: the nearest prototype (the largest w_iᵀx for "dot"). */
  predict(x: Tensor): Int32Array {
    this.checkInput("predict", x);
    if (this.options.similarity === "dot") {
      const s = matmul(x, this.prototypes, { transB: true, alpha: -1 });
      return Int32Array.from({ length: x.shape[0] }, (_, r) => argminRow(s.data, r, this.options.units));
    }
    return nearestPrototypes(x, this.prototypes).winner;
  }

  /** ‖x − w_i‖ for every row of x and every unit, [n, units] (sklearn's KMeans.transform). */
  transform(x: Tensor): Tensor {
    this.checkInput("transform", x);
    const d2 = squaredDistances(x, this.prototypes);
    return sqrt(d2, d2);
  }

  /** How many rows of x each unit wins; a unit with 0 is dead on x. */
  winCounts(x: Tensor): Int32Array {
    const counts = new Int32Array(this.options.units);
    for (const i of this.predict(x)) counts[i]++;
    return counts;
  }

  /** Units that win no row of x. */
  deadUnits(x: Tensor): number {
    return this.winCounts(x).filter((c) => c === 0).length;
  }

  getWeights(): Tensor[] {
    return [this.prototypes.clone()];
  }

  setWeights(weights: readonly Tensor[]): void {
    setTensors("WinnerTakeAll.setWeights", [this.prototypes], weights);
  }

  private checkInput(method: string, x: Tensor): void {
    if (!this.fitted) throw new Error(`WinnerTakeAll.${method}: the model is not fitted; call fit(x) first`);
    if (x.rank !== 2 || x.shape[1] !== this.features)
      throw new ShapeError(`WinnerTakeAll.${method}: x must be [rows, ${this.features}], got ${formatShape(x.shape)}`);
  }

  /** What saveModel writes: the options; once fitted the prototypes [units, d] and the win frequencies [units]. */
  toSaved(): SavedModel {
    const m = this.options.units;
    return {
      className: "WinnerTakeAll",
      config: { ...this.options },
      state: { features: this.features, epochsTrained: this.epochsTrained },
      tensors: this.fitted
        ? [
            ["prototypes", this.prototypes],
            ["winFrequency", fromArray(this.winFrequency, [m])],
          ]
        : [],
    };
  }

  static fromSaved(saved: SavedModelReader): WinnerTakeAll {
    const model = new WinnerTakeAll(saved.config as unknown as WinnerTakeAllOptions);
    const d = saved.count("features");
    model.epochsTrained = saved.count("epochsTrained");
    if (d === 0) return model;
    const m = model.options.units;
    checkTensorSize("WinnerTakeAll", [["units × features", m * d]]);
    model.prototypes = fromArray(saved.tensor("prototypes", [m, d]), [m, d]);
    model.winFrequency = Float32Array.from(saved.tensor("winFrequency", [m]));
    return model;
  }

  /** Writes dir/model.json and dir/model.safetensors (see saveModel). */
  async save(dir: string, training?: Record<string, unknown>): Promise<void> {
    await saveModel(this, dir, training);
  }
}

function argminRow(data: Float32Array, r: number, m: number): number {
  let best = 0;
  for (let i = 1; i < m; i++) if (data[r * m + i] < data[r * m + best]) best = i;
  return best;
}

/** w_i ← w_i / ‖w_i‖ (a zero row stays zero). */
function normaliseRow(w: Tensor, i: number): void {
  const d = w.shape[1];
  let s = 0;
  for (let k = i * d; k < (i + 1) * d; k++) s += w.data[k] * w.data[k];
  if (s > 0) for (let k = i * d, inv = 1 / Math.sqrt(s); k < (i + 1) * d; k++) w.data[k] *= inv;
}

function normaliseRows(w: Tensor): void {
  for (let i = 0; i < w.shape[0]; i++) normaliseRow(w, i);
}

registerModel("WinnerTakeAll", WinnerTakeAll.fromSaved);
