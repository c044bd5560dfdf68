/**
 * Learning vector quantisation (Kohonen): k labelled prototypes per class, a sample classified
 * as the label of its nearest prototype, and a supervised competitive rule that moves the
 * winning prototypes towards samples of their own class and away from the others. Each rule
 * is online, one sample x of class y at a time, with a learning rate α(t) = α₀ (1 − t/T) that
 * falls linearly to 0 over the T = epochs · n samples of a fit.
 *
 * LVQ1. The winner c = argmin_j ‖x − w_j‖ moves
 *     w_c ← w_c + α (x − w_c)   if label(c) = y,      w_c ← w_c − α (x − w_c)   otherwise.
 *
 * LVQ2.1. The two nearest prototypes i, j (distances d_i ≤ d_j) are updated together when one
 *   has the class y and the other not, and x falls in a window around the midplane between
 *   them: min(d_i/d_j, d_j/d_i) > s = (1 − w)/(1 + w), w the relative window width (0.2–0.3):
 *     w_right ← w_right + α (x − w_right),   w_wrong ← w_wrong − α (x − w_wrong).
 *
 * GLVQ (Sato & Yamada 1996). With d⁺ = ‖x − w⁺‖², w⁺ the nearest prototype of class y, and
 *   d⁻ = ‖x − w⁻‖², w⁻ the nearest of another class, the relative distance difference
 *     μ = (d⁺ − d⁻) / (d⁺ + d⁻) ∈ [−1, 1]      (negative exactly when x is classified right)
 *   is the cost, and each step descends its gradient:
 *     w⁺ ← w⁺ + α · 4 d⁻ / (d⁺ + d⁻)² · (x − w⁺),   w⁻ ← w⁻ − α · 4 d⁺ / (d⁺ + d⁻)² · (x − w⁻).
 *   Unlike LVQ2.1 it updates on every sample, and the normalisation keeps it stable.
 *
 * Prototypes are rows of one [K·k, d] tensor, class c owning rows c·k … c·k + k − 1, so the
 * labels need no storing. They start as the means of k random parts of each class (for k = 1
 * the class means: a nearest-class-mean classifier) or as k random samples of each class.
 * Prediction for a batch is one GEMM per block (winners in ./core.js).
 */
import { registerModel, type SavedModel, type SavedModelReader, saveModel } from "../../io/model.js";
import { Rng } from "../../tensor/random.js";
import { checkTensorSize, formatShape, ShapeError } from "../../tensor/shape.js";
import { type Tensor, zeros } from "../../tensor/tensor.js";
import { type Callback, type Logs, setTensors, type TrainableModel } from "../../train/callbacks.js";
import { fitLoopSync, type History } from "../../train/loop.js";
import { winners } from "./core.js";

export const LVQ_VARIANTS = ["lvq1", "lvq21", "glvq"] as const;
export type LvqVariant = (typeof LVQ_VARIANTS)[number];
export const LVQ_INITS = ["means", "samples"] as const;
export type LvqInit = (typeof LVQ_INITS)[number];

/** α₀ when none is given: GLVQ's step is scaled by 4d/(d⁺ + d⁻)² ≈ 1/d, so it takes a larger one. */
export const DEFAULT_LVQ_LEARNING_RATE: Readonly<Record<LvqVariant, number>> = Object.freeze({ lvq1: 0.05, lvq21: 0.03, glvq: 1 });

export interface LvqOptions {
  /** K, the number of classes: an integer >= 2; labels are 0 … K − 1. */
  classes: number;
  /** k, prototypes per class: an integer >= 1. Default 1. */
  prototypesPerClass?: number;
  /** The rule: "lvq1", "lvq21" (LVQ2.1) or "glvq". Default "lvq1". */
  variant?: LvqVariant;
  /** α₀, the learning rate at the start of a fit, > 0. Default DEFAULT_LVQ_LEARNING_RATE[variant]. */
  learningRate?: number;
  /** w, LVQ2.1's relative window width, in (0, 1). Default 0.3. */
  window?: number;
  /** How prototypes start: "means" of k random parts of each class, or k random "samples". Default "means". */
  init?: LvqInit;
  /** Seed of the initialisation and the sample order. Default 0. */
  seed?: number;
}

export interface LvqFitOptions {
  /** Passes over the data, an integer >= 0. Default 10. */
  epochs?: number;
  /** Keras-style callbacks (logs: errorRate, the share of samples whose winner had the wrong class before the update; glvq also mu, the mean μ). */
  callbacks?: readonly Callback[];
}

interface Resolved {
  classes: number;
  prototypesPerClass: number;
  variant: LvqVariant;
  learningRate: number;
  window: number;
  init: LvqInit;
  seed: number;
}

function resolve(options: LvqOptions): Resolved {
  const { classes, prototypesPerClass = 1, variant = "lvq1", window = 0.3, init = "means", seed = 0 } = options ?? ({} as LvqOptions);
  if (!Number.isInteger(classes) || classes < 2) throw new RangeError(`LVQ: classes must be an integer >= 2, got ${classes}`);
  if (!Number.isInteger(prototypesPerClass) || prototypesPerClass < 1)
    throw new RangeError(`LVQ: prototypesPerClass must be an integer >= 1, got ${prototypesPerClass}`);
  if (!LVQ_VARIANTS.includes(variant)) throw new RangeError(`LVQ: variant must be one of ${LVQ_VARIANTS.join(", ")}, got ${JSON.stringify(variant)}`);
  const learningRate = options.learningRate ?? DEFAULT_LVQ_LEARNING_RATE[variant];
  if (!(learningRate > 0) || !Number.isFinite(learningRate)) throw new RangeError(`LVQ: learningRate must be a finite number > 0, got ${learningRate}`);
  if (!(window > 0 && window < 1)) throw new RangeError(`LVQ: window must be in (0, 1), got ${window}`);
  if (!LVQ_INITS.includes(init)) throw new RangeError(`LVQ: init must be one of ${LVQ_INITS.join(", ")}, got ${JSON.stringify(init)}`);
  if (!Number.isInteger(seed)) throw new RangeError(`LVQ: seed must be an integer, got ${seed}`);
  checkTensorSize("LVQ", [["classes × prototypesPerClass", classes * prototypesPerClass]]);
  return { classes, prototypesPerClass, variant, learningRate, window, init, seed };
}

/** Samples the loop hands to one trainStep: only the granularity of the progress figures, the rule stays online. */
const ROWS_PER_STEP = 100;

export class LVQ implements TrainableModel {
  readonly options: Readonly<Resolved>;
  /** W, [K·k, d]: the prototypes, class c in rows c·k … c·k + k − 1; [0, 0] before initialise or fit. */
  prototypes: Tensor = zeros([0, 0]);
  /** Epochs trained over every fit so far. */
  epochsTrained = 0;
  stopTraining = false;
  private readonly rng: Rng;

  constructor(options: LvqOptions) {
    this.options = Object.freeze(resolve(options));
    this.rng = new Rng(this.options.seed);
  }

  /** K · k. */
  get prototypeCount(): number {
    return this.options.classes * this.options.prototypesPerClass;
  }

  /** d, 0 before the prototypes exist. */
  get features(): number {
    return this.prototypes.shape[1];
  }

  /** The class of each prototype: c for rows c·k … c·k + k − 1. */
  get prototypeLabels(): Int32Array {
    const k = this.options.prototypesPerClass;
    return Int32Array.from({ length: this.prototypeCount }, (_, j) => Math.floor(j / k));
  }

  /** Places the prototypes from x [n, d] and its labels (see LvqOptions.init), replacing any there were. */
  initialize(x: Tensor, labels: ArrayLike<number>): this {
    const [n, d] = this.checkData("LVQ.initialize", x, labels);
    const { classes: K, prototypesPerClass: k, init } = this.options;
    checkTensorSize("LVQ", [["prototypes × features", K * k * d]]);
    const members = classMembers(labels, K, n);
    const w = zeros([K * k, d]);
    for (let c = 0; c < K; c++) {
      const rows = Array.from(this.rng.permutation(members[c].length), (i) => members[c][i]);
      if (rows.length < k) throw new RangeError(`LVQ.initialize: class ${c} has ${rows.length} samples; prototypesPerClass (${k}) needs at least that many`);
      for (let p = 0; p < k; p++) {
        // "means": the mean of every k-th shuffled sample (a random k-way split); "samples": one sample
        const part = init === "means" ? rows.filter((_, i) => i % k === p) : [rows[p]];
        meanOfRows(x, part, w.row(c * k + p).data);
      }
    }
    this.prototypes = w;
    return this;
  }

  /** Trains on x [n, d] with labels in [0, K); initialises first when there are no prototypes yet (else continues from them). */
  fit(x: Tensor, labels: ArrayLike<number>, options: LvqFitOptions = {}): History {
    const [n] = this.checkData("LVQ.fit", x, labels);
    const { epochs = 10 } = options;
    if (!Number.isInteger(epochs) || epochs < 0) throw new RangeError(`LVQ.fit: epochs must be an integer >= 0, got ${epochs}`);
    if (this.features === 0) this.initialize(x, labels);
    else if (x.shape[1] !== this.features) throw new ShapeError(`LVQ.fit: x has ${x.shape[1]} features, the prototypes ${this.features}`);
    const { learningRate: alpha0, variant, window } = this.options;
    const prototypeLabels = this.prototypeLabels;
    const total = epochs * n;
    let seen = 0;
    const history = fitLoopSync({
      what: "LVQ.fit",
      model: this,
      step: {
        trainStep: (rows) => {
          let wrong = 0;
          let mu = 0;
          for (const r of rows) {
            const alpha = alpha0 * (1 - seen / total);
            const step = lvqUpdate(variant, x.row(r).data, labels[r], this.prototypes, prototypeLabels, alpha, window);
            if (!step.correct) wrong++;
            mu += step.mu;
            seen++;
          }
          const logs: Logs = { errorRate: wrong / rows.length };
          if (variant === "glvq") logs.mu = mu / rows.length;
          return logs;
        },
        endEpoch: () => void this.epochsTrained++,
      },
      rows: n,
      epochs,
      initialEpoch: this.epochsTrained,
      batchSize: ROWS_PER_STEP,
      rng: this.rng,
      callbacks: options.callbacks,
      errorFigures: [],
      weights: () => [["prototypes", this.prototypes]],
      advice: `lower learningRate (now ${alpha0})`,
    });
    return history;
  }

  /** The label of each row's nearest prototype. */
  predict(x: Tensor): Int32Array {
    this.checkFitted("predict", x);
    return nearestPrototypeLabels(x, this.prototypes, this.prototypeLabels);
  }

  /** The share of rows whose predicted class equals the label. */
  score(x: Tensor, labels: ArrayLike<number>): number {
    const y = this.predict(x);
    if (labels.length !== y.length) throw new ShapeError(`LVQ.score: labels has ${labels.length} entries for ${y.length} rows of x; it needs one per row`);
    return labelAccuracy(y, labels);
  }

  getWeights(): Tensor[] {
    return [this.prototypes.clone()];
  }

  setWeights(weights: readonly Tensor[]): void {
    setTensors("LVQ.setWeights", [this.prototypes], weights);
  }

  /** What saveModel writes: the options, epochsTrained, and once placed the prototypes [K·k, d]. */
  toSaved(): SavedModel {
    return {
      className: "LVQ",
      config: { ...this.options },
      state: { features: this.features, epochsTrained: this.epochsTrained, rng: [...this.rng.state] },
      tensors: this.features > 0 ? [["prototypes", this.prototypes]] : [],
    };
  }

  static fromSaved(saved: SavedModelReader): LVQ {
    const lvq = new LVQ(saved.config as unknown as LvqOptions);
    lvq.epochsTrained = saved.count("epochsTrained");
    const rng = saved.rngState("rng");
    if (rng !== undefined) lvq.rng.state.set(rng);
    const d = saved.count("features");
    if (d === 0) return lvq;
    checkTensorSize("LVQ", [["prototypes × features", lvq.prototypeCount * d]]);
    lvq.prototypes = zeros([lvq.prototypeCount, d]);
    saved.into("prototypes", lvq.prototypes);
    return lvq;
  }

  /** Writes dir/model.json and dir/model.safetensors (see saveModel). */
  async save(dir: string, training?: Record<string, unknown>): Promise<void> {
    await saveModel(this, dir, training);
  }

  private checkData(what: string, x: Tensor, labels: ArrayLike<number>): [number, number] {
    if (x.rank !== 2 || x.shape[0] === 0 || x.shape[1] === 0)
      throw new ShapeError(`${what}: x must be [rows, features] with rows and features >= 1, got ${formatShape(x.shape)}`);
    const [n, d] = x.shape;
    if (labels?.length !== n) throw new ShapeError(`${what}: labels has ${labels?.length} entries for ${n} rows of x; it needs one per row`);
    const K = this.options.classes;
    for (let i = 0; i < n; i++) {
      if (!Number.isInteger(labels[i]) || labels[i] < 0 || labels[i] >= K)
        throw new RangeError(`${what}: labels[${i}] is ${labels[i]}; labels must be integers in [0, ${K - 1}]`);
    }
    for (let i = 0; i < x.size; i++)
      if (!Number.isFinite(x.data[i])) throw new RangeError(`${what}: x holds ${x.data[i]} at index ${i}; every value must be finite`);
    return [n, d];
  }

  private checkFitted(method: string, x: Tensor): void {
    if (this.features === 0) throw new Error(`LVQ.${method}: there are no prototypes; call fit(x, labels) or initialize(x, labels) first`);
    if (x.rank !== 2 || x.shape[1] !== this.features) throw new ShapeError(`LVQ.${method}: x must be [rows, ${this.features}], got ${formatShape(x.shape)}`);
  }
}

/** What one online step saw: whether the winner had x's class (before the update), and GLVQ's μ (0 for the others). */
export interface LvqStep {
  correct: boolean;
  mu: number;
}

/**
 * One online step of `variant` on sample x of class y, moving the rows of prototypes [m, d] in
 * place with learning rate alpha (the formulas in this file's header).
 */
export function lvqUpdate(
  variant: LvqVariant,
  x: ArrayLike<number>,
  y: number,
  prototypes: Tensor,
  prototypeLabels: ArrayLike<number>,
  alpha: number,
  window = 0.3,
): LvqStep {
  const d2 = distancesTo(x, prototypes);
  const [first, second] = twoNearest(d2);
  const correct = prototypeLabels[first] === y;
  if (variant === "lvq1") {
    moveTowards(prototypes, first, x, correct ? alpha : -alpha);
    return { correct, mu: 0 };
  }
  if (variant === "lvq21") {
    const secondRight = prototypeLabels[second] === y;
    const ratio = Math.sqrt(d2[first] / d2[second]); // d_i/d_j ≤ 1 since d_i ≤ d_j
    if (correct !== secondRight && ratio > (1 - window) / (1 + window)) {
      moveTowards(prototypes, correct ? first : second, x, alpha);
      moveTowards(prototypes, correct ? second : first, x, -alpha);
    }
    return { correct, mu: 0 };
  }
  const { plus, minus, dPlus, dMinus, mu } = glvqTerms(d2, prototypeLabels, y);
  const sum2 = (dPlus + dMinus) ** 2;
  if (sum2 > 0) {
    moveTowards(prototypes, plus, x, (alpha * 4 * dMinus) / sum2);
    moveTowards(prototypes, minus, x, (-alpha * 4 * dPlus) / sum2);
  }
  return { correct, mu };
}

/**
 * GLVQ's μ(x) = (d⁺ − d⁻)/(d⁺ + d⁻) for sample x of class y: the cost whose gradient lvqUpdate
 * descends, with the nearest right (plus) and wrong (minus) prototypes it depends on.
 */
export function glvqCost(x: ArrayLike<number>, y: number, prototypes: Tensor, prototypeLabels: ArrayLike<number>): number {
  return glvqTerms(distancesTo(x, prototypes), prototypeLabels, y).mu;
}

function glvqTerms(d2: Float64Array, prototypeLabels: ArrayLike<number>, y: number) {
  let plus = -1;
  let minus = -1;
  for (let j = 0; j < d2.length; j++) {
    if (prototypeLabels[j] === y) {
      if (plus < 0 || d2[j] < d2[plus]) plus = j;
    } else if (minus < 0 || d2[j] < d2[minus]) minus = j;
  }
  if (plus < 0 || minus < 0) throw new RangeError(`GLVQ: needs a prototype of class ${y} and one of another class`);
  const dPlus = d2[plus];
  const dMinus = d2[minus];
  const mu = dPlus + dMinus > 0 ? (dPlus - dMinus) / (dPlus + dMinus) : 0;
  return { plus, minus, dPlus, dMinus, mu };
}

/**
 * The label of each row's nearest prototype: LVQ's prediction, and with prototypes = the class
 * means or the whole training set, the nearest-class-mean and 1-NN classifiers.
 */
export function nearestPrototypeLabels(x: Tensor, prototypes: Tensor, prototypeLabels: ArrayLike<number>): Int32Array {
  if (prototypeLabels.length !== prototypes.shape[0])
    throw new ShapeError(`nearestPrototypeLabels: prototypeLabels has ${prototypeLabels.length} entries for ${prototypes.shape[0]} prototypes`);
  return winners(x, prototypes).map((j) => prototypeLabels[j]);
}

/** The share of predictions equal to the labels. */
export function labelAccuracy(predicted: ArrayLike<number>, labels: ArrayLike<number>): number {
  let right = 0;
  for (let i = 0; i < predicted.length; i++) if (predicted[i] === labels[i]) right++;
  return right / predicted.length;
}

/** ‖x − w_j‖² for every prototype row, in float64: exact per sample, as the online rules need. */
function distancesTo(x: ArrayLike<number>, prototypes: Tensor): Float64Array {
  const [m, d] = prototypes.shape;
  if (x.length !== d) throw new ShapeError(`LVQ: a sample has ${x.length} features, the prototypes ${d}`);
  const w = prototypes.data;
  const d2 = new Float64Array(m);
  for (let j = 0; j < m; j++) {
    let s = 0;
    for (let k = 0, o = j * d; k < d; k++, o++) {
      const diff = x[k] - w[o];
      s += diff * diff;
    }
    d2[j] = s;
  }
  return d2;
}

/** The nearest and second-nearest prototypes (lowest index on ties); second = first when there is one prototype. */
function twoNearest(d2: Float64Array): [number, number] {
  let first = 0;
  let second = -1;
  for (let j = 1; j < d2.length; j++) {
    if (d2[j] < d2[first]) {
      second = first;
      first = j;
    } else if (second < 0 || d2[j] < d2[second]) second = j;
  }
  return [first, second < 0 ? first : second];
}

/** w_j ← w_j + step (x − w_j). */
function moveTowards(prototypes: Tensor, j: number, x: ArrayLike<number>, step: number): void {
  const d = prototypes.shape[1];
  const w = prototypes.data;
  for (let k = 0, o = j * d; k < d; k++, o++) w[o] += step * (x[k] - w[o]);
}

function classMembers(labels: ArrayLike<number>, classes: number, n: number): number[][] {
  const members: number[][] = Array.from({ length: classes }, () => []);
  for (let i = 0; i < n; i++) members[labels[i]].push(i);
  return members;
}

function meanOfRows(x: Tensor, rows: readonly number[], out: Float32Array): void {
  const d = x.shape[1];
  const sum = new Float64Array(d);
  for (const r of rows) for (let k = 0; k < d; k++) sum[k] += x.data[r * d + k];
  for (let k = 0; k < d; k++) out[k] = sum[k] / rows.length;
}

registerModel("LVQ", LVQ.fromSaved);
