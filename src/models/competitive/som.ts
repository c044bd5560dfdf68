/**
 * Kohonen's self-organising map (Kohonen 1982, 2001): competitive learning in which the winner's
 * neighbours on a grid learn too. The m nodes sit on a 1-D or 2-D grid (rectangular, or
 * hexagonal with every other row shifted by half a node), node i at position r_i, with a
 * prototype w_i in input space. For an input x, the best-matching unit c = argmin_i ‖x − w_i‖²
 * and every node moves toward x in proportion to its closeness to c on the grid:
 *
 *   Δw_i = η(t) h_ci(t) (x − w_i),   h_ci = exp(−‖r_c − r_i‖² / 2σ(t)²)   (Gaussian)
 *                                    h_ci = [‖r_c − r_i‖ ≤ σ(t)]          (bubble)
 *
 * with the radius σ and the rate η shrinking over training, σ(f) = σ_0 (σ_T/σ_0)^f and
 * η(f) = η_0 (η_T/η_0)^f for the fraction f ∈ [0, 1] of training done. Neighbouring nodes are
 * pulled to similar inputs, so the grid folds into the data while keeping its topology.
 *
 * The batch SOM replaces the online steps by a fixed point per epoch: with every x_j's winner
 * c(j) found against the same prototypes,
 *
 *   w_i = Σ_j h_{c(j) i} x_j / Σ_j h_{c(j) i} = (H S)_i / (H n)_i,
 *
 * S_c = Σ_{j: c(j) = c} x_j and n_c the count of x_j won by c: one GEMM of H [m, m] with S [m, d].
 *
 * Quality: the quantisation error (mean ‖x − w_c‖) and the topographic error (the share of
 * inputs whose best and second-best units are not grid neighbours, Kiviluoto 1996).
 */
import { gatherRows } from "../../data/batch.js";
import { registerModel, type SavedModel, type SavedModelReader, saveModel } from "../../io/model.js";
import { sqrt } from "../../ops/elementwise.js";
import { matmul } from "../../ops/matmul.js";
import { Rng } from "../../tensor/random.js";
import { checkTensorSize, formatShape, ShapeError } from "../../tensor/shape.js";
import { fromArray, type Tensor, zeros } from "../../tensor/tensor.js";
import { type Callback, type Logs, setTensors, type TrainableModel } from "../../train/callbacks.js";
import { fitLoopSync, type History, type TrainingStep } from "../../train/loop.js";
import { checkRate, majorityLabels, moveToward, nearestPrototypes, samplePrototypes, squaredDistances } from "./core.js";

export type SomTopology = "rect" | "hex";
export type SomNeighbourhood = "gaussian" | "bubble";
export type SomMode = "online" | "batch";
/** "pca": a flat grid spanning the first two principal components; "samples": random rows of x; "random": uniform in the box of x. */
export type SomInit = "pca" | "samples" | "random";

export interface SomOptions {
  /** [rows, cols] of the grid, integers >= 1 with at least 2 nodes; [1, n] is a 1-D map (a chain). */
  grid: readonly [number, number];
  /** Default "rect" (4 neighbours); "hex" gives 6, odd rows shifted by half a node. */
  topology?: SomTopology;
  /** h_ci: default "gaussian". */
  neighbourhood?: SomNeighbourhood;
  /** σ_0, the starting radius in grid units, > 0. Default max(rows, cols) / 2. */
  radius?: number;
  /**
   * σ_T, the final radius, in (0, radius]. Default min(0.5, radius) online (the Gaussian ends reaching the grid neighbours with
   * h = e^−2 ≈ 0.14, and the small final rate keeps the map ordered) and min(1, radius) batch (each batch step jumps to its fixed
   * point, so the last radius alone sets how stiff the map is: at 0.5 it tears into near k-means).
   */
  finalRadius?: number;
  /** η_0 of the online rule, in (0, 1]. Default 0.5. The batch SOM has no rate. */
  learningRate?: number;
  /** η_T, in (0, learningRate]. Default 0.01 (or learningRate when smaller). */
  finalLearningRate?: number;
  /** "online" (Kohonen's rule, the default) or "batch". */
  mode?: SomMode;
  /** The starting prototypes. Default "pca". */
  init?: SomInit;
  /** Online: inputs whose winners one GEMM finds before their updates are applied in order; 1 (default) is the online rule exactly. */
  batchSize?: number;
  /** Seed of the initial prototypes and the order of the inputs. Default 1. */
  seed?: number;
}

type Resolved = Required<Omit<SomOptions, "grid">> & { grid: readonly [number, number] };

/** Grid distances at most this are neighbours: 1 on both topologies (rounding aside). */
const NEIGHBOUR_DISTANCE = 1 + 1e-9;
/** Online steps skip nodes whose h_ci is below this (a Gaussian beyond ≈ 4.3σ): they would move by less than 1e-4 of the way. */
const H_MIN = 1e-4;

/** "20x20" → [20, 20]: the CLI's and the docs' way of writing a grid. */
export function parseGrid(text: string): [number, number] {
  const m = /^\s*(\d+)\s*[xX×]\s*(\d+)\s*$/.exec(text);
  if (m === null) throw new RangeError(`SOM: grid must be ROWSxCOLS with integers >= 1 (e.g. 20x20, or 1x50 for a chain), got ${JSON.stringify(text)}`);
  return [Number(m[1]), Number(m[2])];
}

function resolve(options: SomOptions): Resolved {
  const what = "SOM";
  const grid = options?.grid;
  if (!Array.isArray(grid) || grid.length !== 2 || !grid.every((g) => Number.isInteger(g) && g >= 1) || (grid[0] as number) * (grid[1] as number) < 2)
    throw new RangeError(`${what}: grid must be [rows, cols] of integers >= 1 with at least 2 nodes, got ${JSON.stringify(grid)}`);
  const [rows, cols] = grid as [number, number];
  const {
    topology = "rect",
    neighbourhood = "gaussian",
    radius = Math.max(rows, cols) / 2,
    learningRate = 0.5,
    mode = "online",
    init = "pca",
    batchSize = 1,
    seed = 1,
  } = options;
  const { finalRadius = Math.min(mode === "batch" ? 1 : 0.5, radius), finalLearningRate = Math.min(0.01, learningRate) } = options;
  if (topology !== "rect" && topology !== "hex") throw new RangeError(`${what}: topology must be "rect" or "hex", got ${JSON.stringify(topology)}`);
  if (neighbourhood !== "gaussian" && neighbourhood !== "bubble")
    throw new RangeError(`${what}: neighbourhood must be "gaussian" or "bubble", got ${JSON.stringify(neighbourhood)}`);
  if (!(radius > 0 && Number.isFinite(radius))) throw new RangeError(`${what}: radius must be a finite number > 0, got ${radius}`);
  if (!(finalRadius > 0 && finalRadius <= radius)) throw new RangeError(`${what}: finalRadius must be a number in (0, radius = ${radius}], got ${finalRadius}`);
  checkRate(what, "learningRate", learningRate);
  if (!(finalLearningRate > 0 && finalLearningRate <= learningRate))
    throw new RangeError(`${what}: finalLearningRate must be a number in (0, learningRate = ${learningRate}], got ${finalLearningRate}`);
  if (mode !== "online" && mode !== "batch") throw new RangeError(`${what}: mode must be "online" or "batch", got ${JSON.stringify(mode)}`);
  if (init !== "pca" && init !== "samples" && init !== "random")
    throw new RangeError(`${what}: init must be "pca", "samples" or "random", got ${JSON.stringify(init)}`);
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`${what}: batchSize must be an integer >= 1, got ${batchSize}`);
  if (!Number.isInteger(seed)) throw new RangeError(`${what}: seed must be an integer, got ${seed}`);
  checkTensorSize(what, [["nodes²", rows * cols * rows * cols]]);
  return { grid: [rows, cols], topology, neighbourhood, radius, finalRadius, learningRate, finalLearningRate, mode, init, batchSize, seed };
}

export interface SomFitOptions {
  /** Passes over x; the radius and rate schedules span them. Default 10. */
  epochs?: number;
  /** Keras-style callbacks (synchronous); epoch logs: quantisationError and topographicError on x after the epoch, and the epoch's radius (and learningRate when online). */
  callbacks?: readonly Callback[];
}

export class SOM implements TrainableModel {
  readonly options: Readonly<Resolved>;
  /** W, [rows·cols, d]: node i = r·cols + c's prototype as row i. Empty before fit. */
  prototypes: Tensor = zeros([0, 0]);
  /** r_i: the grid position of node i, (x, y) pairs; hex rows are √3/2 apart with odd rows shifted by ½. */
  readonly positions: Float64Array;
  epochsTrained = 0;
  stopTraining = false;
  private readonly rng: Rng;
  /** The winners of the training rows under the current prototypes, kept from an epoch's errors for the next batch step; null once stale. */
  private lastWinners: Int32Array | null = null;

  constructor(options: SomOptions) {
    this.options = Object.freeze(resolve(options));
    this.positions = gridPositions(this.options.grid, this.options.topology);
    this.rng = new Rng(this.options.seed);
  }

  /** m, the number of nodes. */
  get nodes(): number {
    return this.options.grid[0] * this.options.grid[1];
  }

  get fitted(): boolean {
    return this.prototypes.size > 0;
  }

  /** d, the input width, 0 before fit. */
  get features(): number {
    return this.fitted ? this.prototypes.shape[1] : 0;
  }

  /** ‖r_i − r_j‖², the squared distance of two nodes on the grid. */
  gridDistance2(i: number, j: number): number {
    const p = this.positions;
    return (p[2 * i] - p[2 * j]) ** 2 + (p[2 * i + 1] - p[2 * j + 1]) ** 2;
  }

  /** The nodes next to node i on the grid (4 on a rectangular grid's inside, 6 on a hexagonal one's). */
  neighbours(i: number): number[] {
    const out: number[] = [];
    for (let j = 0; j < this.nodes; j++) if (j !== i && this.gridDistance2(i, j) <= NEIGHBOUR_DISTANCE) out.push(j);
    return out;
  }

  /** σ and η at the fraction f ∈ [0, 1] of training: geometric from the starting to the final value. */
  schedule(f: number): { radius: number; learningRate: number } {
    const o = this.options;
    return { radius: o.radius * (o.finalRadius / o.radius) ** f, learningRate: o.learningRate * (o.finalLearningRate / o.learningRate) ** f };
  }

  /** h_ci at radius σ from the squared grid distance. */
  private neighbourhood(dist2: number, sigma: number): number {
    return this.options.neighbourhood === "gaussian" ? Math.exp(-dist2 / (2 * sigma * sigma)) : dist2 <= sigma * sigma + 1e-9 ? 1 : 0;
  }

  /** Trains on the rows of x [n, d], the schedules running from their start to their end over these epochs. */
  fit(x: Tensor, options: SomFitOptions = {}): History {
    const { epochs = 10 } = options;
    if (x.rank !== 2 || x.shape[0] < 1) throw new ShapeError(`SOM.fit: x must be [rows >= 1, features], got ${formatShape(x.shape)}`);
    if (!this.fitted) {
      checkTensorSize("SOM", [["nodes × features", this.nodes * x.shape[1]]]);
      this.prototypes = this.initialPrototypes(x);
    } else this.checkInput("fit", x);
    const n = x.shape[0];
    const online = this.options.mode === "online";
    const batch = online ? Math.min(this.options.batchSize, n) : n;
    const totalSteps = Math.max(1, epochs * n - 1);
    const lastEpoch = Math.max(1, epochs - 1);
    const first = this.epochsTrained;
    let done = 0; // inputs seen in this fit: the online schedule's clock
    this.lastWinners = null;
    const xb = zeros([batch, x.shape[1]]);
    const scores = zeros([batch, this.nodes]);
    const step: TrainingStep = {
      beginEpoch: (epoch): Logs => {
        const s = this.schedule(online ? done / totalSteps : (epoch - first) / lastEpoch);
        return online ? { radius: s.radius, learningRate: s.learningRate } : { radius: s.radius };
      },
      trainStep: (rows, _b, epoch) => {
        if (!online) {
          this.batchStep(x, this.schedule((epoch - first) / lastEpoch).radius, this.lastWinners ?? undefined);
          return {};
        }
        const full = rows.length === batch;
        const xs = gatherRows(x, rows, full ? xb : undefined);
        this.onlineStep(xs, squaredDistances(xs, this.prototypes, full ? scores : undefined), done, totalSteps);
        done += rows.length;
        return {};
      },
      endEpoch: (_epoch, logs) => {
        this.epochsTrained++;
        const near = nearestPrototypes(x, this.prototypes);
        // the winners found for this epoch's errors are those the next batch step needs: found once
        this.lastWinners = near.winner;
        logs.quantisationError = this.quantisationErrorOf(near);
        logs.topographicError = this.topographicErrorOf(near);
      },
    };
    return fitLoopSync({
      what: "SOM.fit",
      model: this,
      step,
      rows: n,
      epochs,
      initialEpoch: first,
      batchSize: batch,
      shuffle: online,
      rng: this.rng,
      callbacks: options.callbacks,
      errorFigures: [],
      weights: () => [["prototypes", this.prototypes]],
    });
  }

  /** Kohonen's rule for each row of xs in order (d2: their squared distances to the prototypes), the schedule advancing one input at a time from `done`. */
  private onlineStep(xs: Tensor, d2: Tensor, done: number, totalSteps: number): void {
    const m = this.nodes;
    for (let r = 0; r < xs.shape[0]; r++) {
      let c = 0;
      for (let i = 1; i < m; i++) if (d2.data[r * m + i] < d2.data[r * m + c]) c = i;
      const { radius, learningRate } = this.schedule(Math.min(1, (done + r) / totalSteps));
      for (let i = 0; i < m; i++) {
        const h = this.neighbourhood(this.gridDistance2(c, i), radius);
        if (h >= H_MIN) moveToward(this.prototypes, i, xs, r, learningRate * h);
      }
    }
  }

  /** The batch SOM's fixed point at radius σ: w_i = (H S)_i / (H n)_i over all of x (winner: each row's best unit under the current prototypes); a node no input reaches keeps its prototype. */
  private batchStep(x: Tensor, sigma: number, winner = nearestPrototypes(x, this.prototypes).winner): void {
    const m = this.nodes;
    const d = x.shape[1];
    const sums = zeros([m, d]);
    const counts = zeros([m, 1]);
    winner.forEach((c, j) => {
      counts.data[c]++;
      const s = sums.data;
      for (let k = 0; k < d; k++) s[c * d + k] += x.data[j * d + k];
    });
    const H = zeros([m, m]);
    for (let i = 0; i < m; i++) for (let c = 0; c < m; c++) H.data[i * m + c] = this.neighbourhood(this.gridDistance2(i, c), sigma);
    const numerator = matmul(H, sums);
    const denominator = matmul(H, counts);
    for (let i = 0; i < m; i++) {
      const den = denominator.data[i];
      if (den > 1e-12) for (let k = 0; k < d; k++) this.prototypes.data[i * d + k] = numerator.data[i * d + k] / den;
    }
  }

  private initialPrototypes(x: Tensor): Tensor {
    const { init } = this.options;
    if (init === "samples") return samplePrototypes(x, this.nodes, this.rng);
    if (init === "random") return uniformInBox(x, this.nodes, this.rng);
    return this.pcaPlane(x);
  }

  /**
   * Kohonen's linear initialisation: the grid laid flat on the plane of the first two principal
   * components through the mean, the longer grid side along the first, each axis spanning ±1
   * standard deviation (±√λ); a chain lies along the first component alone.
   */
  private pcaPlane(x: Tensor): Tensor {
    const [rows, cols] = this.options.grid;
    const d = x.shape[1];
    const k = Math.min(rows > 1 && cols > 1 ? 2 : 1, d);
    const { mean, axes, variances } = principalAxes(x, k, this.rng);
    const axis = (a: number, length: number): number => (length > 1 ? (2 * a) / (length - 1) - 1 : 0);
    const w = zeros([this.nodes, d]);
    const alongFirst = cols >= rows;
    for (let r = 0; r < rows; r++)
      for (let c = 0; c < cols; c++) {
        const [a, b] = alongFirst ? [axis(c, cols), axis(r, rows)] : [axis(r, rows), axis(c, cols)];
        const coef = [a * Math.sqrt(variances[0]), k > 1 ? b * Math.sqrt(variances[1]) : 0];
        const o = (r * cols + c) * d;
        for (let j = 0; j < d; j++) {
          let v = mean[j];
          for (let p = 0; p < k; p++) v += coef[p] * axes.data[p * d + j];
          w.data[o + j] = v;
        }
      }
    return w;
  }

  /** The best-matching unit of each row of x. */
  predict(x: Tensor): Int32Array {
    this.checkInput("predict", x);
    return nearestPrototypes(x, this.prototypes).winner;
  }

  /** ‖x − w_i‖ for every row of x and every node, [n, nodes]. */
  transform(x: Tensor): Tensor {
    this.checkInput("transform", x);
    const d2 = squaredDistances(x, this.prototypes);
    return sqrt(d2, d2);
  }

  /** The mean ‖x − w_c‖ over the rows of x: how far the map's prototypes lie from the data. */
  quantisationError(x: Tensor): number {
    this.checkInput("quantisationError", x);
    return this.quantisationErrorOf(nearestPrototypes(x, this.prototypes));
  }

  /** The share of rows of x whose best and second-best units are not neighbours on the grid: how much the map folds. */
  topographicError(x: Tensor): number {
    this.checkInput("topographicError", x);
    return this.topographicErrorOf(nearestPrototypes(x, this.prototypes));
  }

  private quantisationErrorOf(near: ReturnType<typeof nearestPrototypes>): number {
    let s = 0;
    for (const d2 of near.winnerDistance) s += Math.sqrt(d2);
    return s / near.winner.length;
  }

  private topographicErrorOf(near: ReturnType<typeof nearestPrototypes>): number {
    let folds = 0;
    near.winner.forEach((c, j) => {
      if (this.gridDistance2(c, near.second[j]) > NEIGHBOUR_DISTANCE) folds++;
    });
    return folds / near.winner.length;
  }

  /**
   * The U-matrix (Ultsch 1990), [rows, cols]: each node's mean distance ‖w_i − w_j‖ to its grid
   * neighbours. High ridges separate clusters; low valleys are clusters.
   */
  uMatrix(): Tensor {
    this.checkFitted("uMatrix");
    const m = this.nodes;
    const d = this.features;
    const w = this.prototypes.data;
    const u = zeros([...this.options.grid]);
    for (let i = 0; i < m; i++) {
      const near = this.neighbours(i);
      let s = 0;
      for (const j of near) {
        let d2 = 0;
        for (let k = 0; k < d; k++) d2 += (w[i * d + k] - w[j * d + k]) ** 2;
        s += Math.sqrt(d2);
      }
      u.data[i] = near.length > 0 ? s / near.length : 0;
    }
    return u;
  }

  /** Component planes, [d, rows, cols]: plane k is feature k of every node's prototype, laid out on the grid. */
  componentPlanes(): Tensor {
    this.checkFitted("componentPlanes");
    const m = this.nodes;
    const d = this.features;
    const planes = zeros([d, ...this.options.grid]);
    for (let i = 0; i < m; i++) for (let k = 0; k < d; k++) planes.data[k * m + i] = this.prototypes.data[i * d + k];
    return planes;
  }

  /**
   * Each node's label by majority vote of the labelled rows it wins (ties to the lower label);
   * −1 for a node that wins none.
   */
  labelNodes(x: Tensor, labels: ArrayLike<number>): Int32Array {
    this.checkInput("labelNodes", x);
    if (labels.length !== x.shape[0]) throw new ShapeError(`SOM.labelNodes: labels must have one entry per row of x (${x.shape[0]}), got ${labels.length}`);
    return majorityLabels(this.predict(x), labels, this.nodes);
  }

  /** The label of each row's best-matching unit (see labelNodes); −1 where that node has no label. */
  classify(x: Tensor, nodeLabels: Int32Array): Int32Array {
    if (nodeLabels.length !== this.nodes)
      throw new ShapeError(`SOM.classify: nodeLabels must have one entry per node (${this.nodes}), got ${nodeLabels.length}`);
    return this.predict(x).map((c) => nodeLabels[c]);
  }

  getWeights(): Tensor[] {
    return [this.prototypes.clone()];
  }

  setWeights(weights: readonly Tensor[]): void {
    this.lastWinners = null;
    setTensors("SOM.setWeights", [this.prototypes], weights);
  }

  private checkFitted(method: string): void {
    if (!this.fitted) throw new Error(`SOM.${method}: the map is not fitted; call fit(x) first`);
  }

  private checkInput(method: string, x: Tensor): void {
    this.checkFitted(method);
    if (x.rank !== 2 || x.shape[1] !== this.features) throw new ShapeError(`SOM.${method}: x must be [rows, ${this.features}], got ${formatShape(x.shape)}`);
  }

  /** What saveModel writes: the options and, once fitted, the prototypes [nodes, d]. */
  toSaved(): SavedModel {
    return {
      className: "SOM",
      config: { ...this.options, grid: [...this.options.grid] },
      state: { features: this.features, epochsTrained: this.epochsTrained },
      tensors: this.fitted ? [["prototypes", this.prototypes]] : [],
    };
  }

  static fromSaved(saved: SavedModelReader): SOM {
    const som = new SOM(saved.config as unknown as SomOptions);
    const d = saved.count("features");
    som.epochsTrained = saved.count("epochsTrained");
    if (d === 0) return som;
    checkTensorSize("SOM", [["nodes × features", som.nodes * d]]);
    som.prototypes = fromArray(saved.tensor("prototypes", [som.nodes, d]), [som.nodes, d]);
    return som;
  }

  /** Writes dir/model.json and dir/model.safetensors (see saveModel). */
  async save(dir: string, training?: Record<string, unknown>): Promise<void> {
    await saveModel(this, dir, training);
  }
}

/** r_i for node i = r·cols + c: (c, r) on a rectangular grid; (c + ½[r odd], r·√3/2) on a hexagonal one, so all 6 neighbours are 1 apart. */
function gridPositions([rows, cols]: readonly [number, number], topology: SomTopology): Float64Array {
  const p = new Float64Array(2 * rows * cols);
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < cols; c++) {
      const i = r * cols + c;
      p[2 * i] = topology === "hex" ? c + (r % 2) / 2 : c;
      p[2 * i + 1] = topology === "hex" ? (r * Math.sqrt(3)) / 2 : r;
    }
  return p;
}

/** Rounds of orthogonal iteration in principalAxes: enough for a starting plane, which training then moves. */
const POWER_ITERATIONS = 30;

/**
 * The mean and the top k principal axes of the rows of x by orthogonal iteration, Q ← orth(Xcᵀ Xc Qᵀ)ᵀ
 * (two GEMMs with X per round, never the d×d covariance: the full PCA of src/models/pca costs a
 * d³ eigensolve, seconds for MNIST, for two axes the SOM only uses as a starting plane), with
 * the variance along each, ‖Xc q‖² / (n − 1).
 */
function principalAxes(x: Tensor, k: number, rng: Rng): { mean: Float64Array; axes: Tensor; variances: number[] } {
  const [n, d] = x.shape;
  const mean = new Float64Array(d);
  for (let j = 0; j < n; j++) for (let i = 0; i < d; i++) mean[i] += x.data[j * d + i] / n;
  const q = zeros([k, d]);
  for (let i = 0; i < q.size; i++) q.data[i] = rng.normal();
  orthonormaliseRows(q);
  let z = zeros([n, k]);
  const project = (): void => {
    // z = Xc qᵀ = X qᵀ − 1 (μ qᵀ)
    z = matmul(x, q, { transB: true, out: z });
    for (let p = 0; p < k; p++) {
      let mq = 0;
      for (let i = 0; i < d; i++) mq += mean[i] * q.data[p * d + i];
      for (let j = 0; j < n; j++) z.data[j * k + p] -= mq;
    }
  };
  for (let round = 0; round < POWER_ITERATIONS; round++) {
    project();
    // q = zᵀ Xc = zᵀ X − (Σ_j z_j) μᵀ
    matmul(z, x, { transA: true, out: q });
    for (let p = 0; p < k; p++) {
      let zs = 0;
      for (let j = 0; j < n; j++) zs += z.data[j * k + p];
      for (let i = 0; i < d; i++) q.data[p * d + i] -= zs * mean[i];
    }
    orthonormaliseRows(q);
  }
  project();
  const variances = Array.from({ length: k }, (_, p) => {
    let s = 0;
    for (let j = 0; j < n; j++) s += z.data[j * k + p] ** 2;
    return s / Math.max(1, n - 1);
  });
  return { mean, axes: q, variances };
}

/** Gram–Schmidt on the rows of q; a row that vanishes is left zero. */
function orthonormaliseRows(q: Tensor): void {
  const [k, d] = q.shape;
  for (let p = 0; p < k; p++) {
    for (let r = 0; r < p; r++) {
      let dot = 0;
      for (let i = 0; i < d; i++) dot += q.data[p * d + i] * q.data[r * d + i];
      for (let i = 0; i < d; i++) q.data[p * d + i] -= dot * q.data[r * d + i];
    }
    let norm = 0;
    for (let i = 0; i < d; i++) norm += q.data[p * d + i] ** 2;
    const inv = norm > 0 ? 1 / Math.sqrt(norm) : 0;
    for (let i = 0; i < d; i++) q.data[p * d + i] *= inv;
  }
}

/** m points uniform in the bounding box of the rows of x. */
function uniformInBox(x: Tensor, m: number, rng: Rng): Tensor {
  const [n, d] = x.shape;
  const lo = new Float64Array(d).fill(Infinity);
  const hi = new Float64Array(d).fill(-Infinity);
  for (let j = 0; j < n; j++)
    for (let k = 0; k < d; k++) {
      lo[k] = Math.min(lo[k], x.data[j * d + k]);
      hi[k] = Math.max(hi[k], x.data[j * d + k]);
    }
  const w = zeros([m, d]);
  for (let i = 0; i < m; i++) for (let k = 0; k < d; k++) w.data[i * d + k] = rng.uniform(lo[k], hi[k]);
  return w;
}

registerModel("SOM", SOM.fromSaved);
