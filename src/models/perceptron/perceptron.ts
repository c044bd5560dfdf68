/**
 * Rosenblatt's perceptron: threshold units y = [wᵀx + b > 0] trained by the perceptron rule
 *
 *   Δw = η (d − y) x,   Δb = η (d − y)
 *
 * which changes the weights only on a mistake. For two classes there is one unit; for K > 2
 * classes there are K units, one per class, each trained one-vs-rest on "is it class k?", and
 * the prediction is the class whose unit has the largest activation wₖᵀx + bₖ.
 *
 * The rule is written for a batch of B samples at once, ΔW = η Xᵀ(D − Y), so the classic
 * online perceptron is batchSize = 1 (the default) and the same code runs mini-batches.
 *
 * The perceptron convergence theorem says the online rule stops making mistakes after finitely
 * many updates when the classes are linearly separable; when they are not (XOR) it never
 * settles. So `fit` stops after an epoch without a mistake (converged) or after `maxEpochs`
 * (not converged, with the mistakes left) — it never loops forever.
 */

import { gatherRows } from "../../data/batch.js";
import { registerModel, type SavedModel, type SavedModelReader, saveModel } from "../../io/model.js";
import * as ops from "../../ops/index.js";
import { Rng } from "../../tensor/random.js";
import { checkTensorSize, formatShape, ShapeError } from "../../tensor/shape.js";
import { type Tensor, zeros } from "../../tensor/tensor.js";
import { type Callback, setTensors, type TrainableModel } from "../../train/callbacks.js";
import { fitLoopSync, type TrainingStep } from "../../train/loop.js";

export interface PerceptronOptions {
  /** Number of classes: 2 gives one threshold unit, K > 2 gives K units trained one-vs-rest. Default 2. */
  classes?: number;
  /** η in Δw = η (d − y) x. Default 1 (with zero initial weights the perceptron is scale-free). */
  learningRate?: number;
  /** Upper bound on passes over the data. Default 100. */
  maxEpochs?: number;
  /** Samples per update: 1 is Rosenblatt's online rule. Default 1. */
  batchSize?: number;
  /** Visit the samples in a fresh random order each epoch. Default true. */
  shuffle?: boolean;
  /** Seed for the shuffling order. Default 0. */
  seed?: number;
}

export interface PerceptronFitResult {
  /** True when an epoch passed with no mistakes: every training sample is classified right. */
  converged: boolean;
  /** Epochs run (including the final mistake-free one when converged). */
  epochs: number;
  /** Mistakes in the last epoch: samples for which at least one unit fired wrongly. 0 when converged. */
  errors: number;
  /** Mistakes in each epoch, in order. */
  errorHistory: number[];
  /** One line for people: "converged after 4 epochs" or "did not converge in 100 epochs (2 errors left)". */
  message: string;
}

export interface PerceptronFitOptions {
  /** Keras-style callbacks (logs: errorRate, the fraction of samples with a mistake); they must be synchronous. */
  callbacks?: readonly Callback[];
}

interface Resolved {
  classes: number;
  learningRate: number;
  maxEpochs: number;
  batchSize: number;
  shuffle: boolean;
  seed: number;
}

function resolve(options: PerceptronOptions): Resolved {
  const { classes = 2, learningRate = 1, maxEpochs = 100, batchSize = 1, shuffle = true, seed = 0 } = options;
  if (!Number.isInteger(classes) || classes < 2) throw new RangeError(`Perceptron: classes must be an integer >= 2, got ${classes}`);
  if (!(learningRate > 0) || !Number.isFinite(learningRate)) throw new RangeError(`Perceptron: learningRate must be a finite number > 0, got ${learningRate}`);
  if (!Number.isInteger(maxEpochs) || maxEpochs < 1) throw new RangeError(`Perceptron: maxEpochs must be an integer >= 1, got ${maxEpochs}`);
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`Perceptron: batchSize must be an integer >= 1, got ${batchSize}`);
  if (!Number.isInteger(seed)) throw new RangeError(`Perceptron: seed must be an integer, got ${seed}`);
  if (typeof shuffle !== "boolean") throw new RangeError(`Perceptron: shuffle must be true or false, got ${JSON.stringify(shuffle)}`);
  checkTensorSize("Perceptron", [["classes", classes]]);
  return { classes, learningRate, maxEpochs, batchSize, shuffle, seed };
}

export class Perceptron implements TrainableModel {
  readonly options: Readonly<Resolved>;
  /** W, shape [inputs, units]; created by the first `fit`. */
  weights: Tensor | null = null;
  /** b, shape [units]. */
  bias: Tensor | null = null;
  /** Set when an epoch passes without a mistake (or by a callback) to end fit. */
  stopTraining = false;

  constructor(options: PerceptronOptions = {}) {
    this.options = Object.freeze(resolve(options));
  }

  /** Threshold units in use: 1 for two classes, K for one-vs-rest. */
  get units(): number {
    return this.options.classes === 2 ? 1 : this.options.classes;
  }

  /**
   * Trains on samples x (shape [n, inputs]) with integer labels in [0, classes). Weights start
   * at zero, as in Rosenblatt's rule, so a refit starts afresh.
   */
  fit(x: Tensor, labels: ArrayLike<number>, options: PerceptronFitOptions = {}): PerceptronFitResult {
    const { learningRate: eta, maxEpochs, batchSize, shuffle } = this.options;
    const [n, inputs] = this.checkInput("fit", x);
    if (labels.length !== n) throw new ShapeError(`Perceptron.fit: ${labels.length} labels for ${n} samples`);
    const units = this.units;
    const weights = zeros([inputs, units]);
    const bias = zeros([units]);
    this.weights = weights;
    this.bias = bias;

    // d: the desired output of every unit for every sample (one-hot, or the label itself for one unit).
    const d = desiredOutputs(labels, this.options.classes, units);
    // Buffers reused by every batch; the last, shorter batch uses their first rows.
    const buf = new BatchBuffers(Math.min(batchSize, n), inputs, units);

    const errorHistory: number[] = [];
    let errors = 0;
    const step: TrainingStep = {
      beginEpoch: () => void (errors = 0),
      trainStep: (idx) => {
        const b = buf.rows(idx.length);
        const xb = gatherRows(x, idx, buf.x);
        const db = gatherRows(d, idx, buf.d);
        // y = [xW + b > 0]
        ops.matmul(xb, weights, { out: b.a });
        ops.add(b.a, bias, b.a);
        ops.unary("step", b.a, b.y);
        // e = d − y is 0 on a correct unit and ±1 on a mistake.
        ops.sub(db, b.y, b.e);
        const mistakes = countMistakes(b.e);
        errors += mistakes;
        if (mistakes > 0) {
          // W += η Xᵀ(D − Y), b += η Σ (D − Y): the perceptron rule summed over the batch.
          ops.matmul(xb, b.e, { transA: true, alpha: eta, beta: 1, out: weights });
          ops.sum(b.e, 0, buf.eSum);
          ops.axpby(eta, buf.eSum, 1, bias);
        }
        return { errorRate: mistakes / idx.length };
      },
      endEpoch: () => {
        errorHistory.push(errors);
        if (errors === 0) this.stopTraining = true; // converged: every sample right
      },
    };
    fitLoopSync({
      what: "Perceptron.fit",
      model: this,
      step,
      rows: n,
      epochs: maxEpochs,
      batchSize,
      shuffle,
      rng: new Rng(this.options.seed),
      callbacks: options.callbacks,
    });
    const converged = errors === 0;
    const epochs = errorHistory.length;
    const message = converged
      ? `converged after ${epochs} epoch${epochs === 1 ? "" : "s"}`
      : `did not converge in ${epochs} epochs (${errors} error${errors === 1 ? "" : "s"} left in the last epoch)`;
    return { converged, epochs, errors, errorHistory, message };
  }

  /** Copies of W and b (the callbacks' view). */
  getWeights(): Tensor[] {
    const { weights, bias } = this.trained("getWeights");
    return [weights.clone(), bias.clone()];
  }

  setWeights(weights: readonly Tensor[]): void {
    const { weights: W, bias } = this.trained("setWeights");
    setTensors("Perceptron.setWeights", [W, bias], weights);
  }

  /** Activations wᵀx + b, shape [n, units]. */
  decisionFunction(x: Tensor, out?: Tensor): Tensor {
    const { weights, bias } = this.trained("decisionFunction");
    this.checkInput("decisionFunction", x);
    const a = ops.matmul(x, weights, { out });
    return ops.add(a, bias, a);
  }

  /** Predicted class of each sample: the threshold unit's output, or the argmax over the one-vs-rest units. */
  predict(x: Tensor): Int32Array {
    const a = this.decisionFunction(x);
    if (this.units > 1) return ops.argmax(a);
    const y = new Int32Array(a.size);
    for (let i = 0; i < a.size; i++) y[i] = a.data[i] > 0 ? 1 : 0;
    return y;
  }

  /** Fraction of samples whose predicted class equals the label. */
  score(x: Tensor, labels: ArrayLike<number>): number {
    const y = this.predict(x);
    if (labels.length !== y.length) throw new ShapeError(`Perceptron.score: ${labels.length} labels for ${y.length} samples`);
    let right = 0;
    for (let i = 0; i < y.length; i++) if (y[i] === labels[i]) right++;
    return right / y.length;
  }

  private trained(method: string): { weights: Tensor; bias: Tensor } {
    if (this.weights === null || this.bias === null) throw new Error(`Perceptron.${method}: call fit first`);
    return { weights: this.weights, bias: this.bias };
  }

  private checkInput(method: string, x: Tensor): [number, number] {
    if (x.rank !== 2) throw new ShapeError(`Perceptron.${method}: x must be 2-D [samples, inputs], got ${formatShape(x.shape)}`);
    const [n, inputs] = x.shape;
    if (this.weights !== null && method !== "fit" && inputs !== this.weights.shape[0]) {
      throw new ShapeError(`Perceptron.${method}: x has ${inputs} inputs, the perceptron was trained on ${this.weights.shape[0]}`);
    }
    if (n === 0) throw new ShapeError(`Perceptron.${method}: x has no samples`);
    return [n, inputs];
  }

  /** What saveModel writes: the options, and once fitted weights [inputs, units] and bias [units]. */
  toSaved(): SavedModel {
    const fitted = this.weights !== null && this.bias !== null;
    return {
      className: "Perceptron",
      config: { ...this.options },
      state: { inputs: this.weights?.shape[0] ?? null },
      tensors: fitted
        ? [
            ["weights", this.weights as Tensor],
            ["bias", this.bias as Tensor],
          ]
        : [],
    };
  }

  static fromSaved(saved: SavedModelReader): Perceptron {
    const p = new Perceptron(saved.config as PerceptronOptions);
    const inputs = saved.state.inputs;
    if (inputs === null || inputs === undefined) return p;
    if (!Number.isInteger(inputs) || (inputs as number) < 1) saved.fail(`"state.inputs" must be null or an integer >= 1; got ${JSON.stringify(inputs)}`);
    checkTensorSize("Perceptron", [
      ["state.inputs", inputs as number],
      ["units", p.units],
    ]);
    p.weights = zeros([inputs as number, p.units]);
    p.bias = zeros([p.units]);
    saved.into("weights", p.weights);
    saved.into("bias", p.bias);
    return p;
  }

  /** Writes dir/model.json and dir/model.safetensors (see saveModel). */
  async save(dir: string, training?: Record<string, unknown>): Promise<void> {
    await saveModel(this, dir, training);
  }
}

class BatchBuffers {
  readonly x: Tensor;
  readonly d: Tensor;
  readonly a: Tensor;
  readonly y: Tensor;
  readonly e: Tensor;
  readonly eSum: Tensor;
  constructor(
    readonly size: number,
    inputs: number,
    units: number,
  ) {
    this.x = zeros([size, inputs]);
    this.d = zeros([size, units]);
    this.a = zeros([size, units]);
    this.y = zeros([size, units]);
    this.e = zeros([size, units]);
    this.eSum = zeros([units]);
  }

  /** The per-sample buffers a, y, e for a batch of k rows (views of the first k rows when k < size). */
  rows(k: number): { a: Tensor; y: Tensor; e: Tensor } {
    if (k === this.size) return this;
    return { a: this.a.sliceRows(0, k), y: this.y.sliceRows(0, k), e: this.e.sliceRows(0, k) };
  }
}

/** Desired outputs, shape [n, units]: the label (0/1) for a single unit, one-hot for one-vs-rest. */
function desiredOutputs(labels: ArrayLike<number>, classes: number, units: number): Tensor {
  const d = zeros([labels.length, units]);
  for (let i = 0; i < labels.length; i++) {
    const c = labels[i];
    if (!Number.isInteger(c) || c < 0 || c >= classes) {
      throw new RangeError(`Perceptron.fit: label ${i} is ${c}; labels must be integers in [0, ${classes - 1}]`);
    }
    if (units === 1) d.data[i] = c;
    else d.data[i * units + c] = 1;
  }
  return d;
}

/** Samples in a batch with at least one wrong unit (a nonzero entry in their row of e). */
function countMistakes(e: Tensor): number {
  const units = e.cols;
  let mistakes = 0;
  for (let r = 0; r < e.size; r += units) {
    for (let j = 0; j < units; j++) {
      if (e.data[r + j] !== 0) {
        mistakes++;
        break;
      }
    }
  }
  return mistakes;
}

registerModel("Perceptron", Perceptron.fromSaved);
