/**
 * Sequential: a stack of layers trained by backpropagation (Keras style: compile, fit,
 * evaluate, predict). The training step for a batch (X, T):
 *   forward  Y = f_L(... f_1(X))
 *   loss     L(Y, T), fused with a softmax/sigmoid output unit when it is the canonical pair
 *   backward δ_L = dL/dY (or dL/dZ when fused), δ_{l−1} = layer_l.backward(δ_l)
 *   update   optimizer.step(trainable params), or for a line-search optimiser (conjugate
 *            gradients) optimizer.minimize(params, evaluate), which re-runs the above
 * Every per-batch tensor lives in a buffer reused across batches of the same size.
 */

import { type BatchInfo, type BatchTransform, gatherRows } from "../data/batch.js";
import { registerModel, type SavedModel, type SavedModelReader, saveModel } from "../io/model.js";
import { BatchBuffers } from "../nn/buffers.js";
import { Dropout } from "../nn/dropout.js";
// the nn barrel, not nn/registry.js: it loads every layer module, and each registers its class,
// so a loaded model finds Conv2D, pooling, Embedding... whatever the caller imported
import { type LayerConfig, layerFromConfig } from "../nn/index.js";
import type { Layer, Param } from "../nn/layer.js";
import { hasOutputActivation } from "../nn/layer.js";
import { assertLoss, Loss, type LossName } from "../nn/losses.js";
import { isShape } from "../nn/registry.js";
import { isBatchMinimizer } from "../optim/cg.js";
import { optimizerFromConfig } from "../optim/config.js";
import type { Optimizer, OptimizerConfig } from "../optim/optimizer.js";
import { optimizerState, paramAndSlotTensors, restoreOptimizer } from "../optim/saved.js";
import { Rng } from "../tensor/random.js";
import { formatShape, type Shape, ShapeError, shapeSize, shapesEqual } from "../tensor/shape.js";
import { type Tensor, zeros } from "../tensor/tensor.js";
import type { Callback, Logs, TrainableModel } from "./callbacks.js";
import { type DivergenceOptions, fitLoop, type History, type TrainingStep } from "./loop.js";
import { assertMetrics, countCorrect, type MetricName } from "./metrics.js";
import { ProgressBar } from "./progress.js";

export interface SequentialOptions {
  /** Input shape without the batch dimension, e.g. [784]; else taken from the first layer or build(). */
  inputShape?: Shape;
  /** Seeds weight initialisation, dropout masks and (unless fit gets its own) shuffling. Default 0. */
  seed?: number;
  name?: string;
}

export interface CompileOptions {
  loss: LossName;
  optimizer: Optimizer;
  metrics?: MetricName[];
}

export type { BatchInfo, BatchTransform } from "../data/batch.js";

export interface FitOptions {
  /** Default 1. */
  epochs?: number;
  /** Default 32; 1 is single-sample SGD, ≥ n is full-batch gradient descent. */
  batchSize?: number;
  /** Reshuffle the training rows every epoch (default true). */
  shuffle?: boolean;
  /** Hold out this fraction of rows (the last ones, before shuffling) for validation. */
  validationSplit?: number;
  validationData?: [Tensor, Tensor];
  callbacks?: Callback[];
  /** Seeds the shuffling (default: drawn from the model's seed). */
  seed?: number;
  /** Print progress (a ProgressBar). Default false. */
  verbose?: boolean;
  /** Layers (index or name) whose params stay fixed during this fit. */
  frozen?: (number | string)[];
  /** Epoch number to start counting from (for resumed training; default 0). */
  initialEpoch?: number;
  /** Per-batch transform of the training rows, e.g. `new Augmenter(...).batchTransform()`. */
  transform?: BatchTransform;
  /** Stop when the loss explodes or a weight leaves ±maxWeight (docs/training.md); false: never. Default on. */
  divergence?: DivergenceOptions | false;
}

export interface SaveOptions {
  /**
   * Save the compiled optimiser's state too (step count, momentum or moments), so that a
   * loaded model resumes training bit for bit. Default true.
   */
  includeOptimizer?: boolean;
  /** Free-form facts about how the model was trained, kept in model.json for the record. */
  training?: Record<string, unknown>;
}

export interface PredictOptions {
  /** Rows per forward pass (default 256). */
  batchSize?: number;
}

interface Compiled {
  loss: Loss;
  optimizer: Optimizer;
  metrics: MetricName[];
}

/** Keras's automatic names: "MaxPooling2D" -> "max_pooling2d" (a digit does not start a word). Saved models keep their names in model.json. */
function snakeCase(s: string): string {
  return s.replace(/([a-z])([A-Z])/g, "$1_$2").toLowerCase();
}

function assertBatchSize(b: number, where: string): number {
  if (!Number.isInteger(b) || b < 1) throw new RangeError(`${where}: batchSize must be an integer >= 1; got ${b}`);
  return b;
}

/** Binds a fit transform to its rng and a scratch buffer of batch size; returns the batch to train on. */
function batchTransformer(transform: BatchTransform, rng: Rng, xBatch: Tensor): (xb: Tensor, yb: Tensor, epoch: number, batch: number) => Tensor {
  const scratch = zeros(xBatch.shape);
  const info: BatchInfo = { epoch: 0, batch: 0, rng, out: scratch };
  return (xb, yb, epoch, batch) => {
    info.epoch = epoch;
    info.batch = batch;
    info.out = xb.rows === scratch.rows ? scratch : scratch.sliceRows(0, xb.rows); // the smaller last batch
    const x = transform(xb, yb, info) ?? xb;
    if (!shapesEqual(x.shape, xb.shape)) {
      throw new ShapeError(
        `fit: the transform returned shape ${formatShape(x.shape)} for a batch of shape ${formatShape(xb.shape)}; it must keep the batch's shape`,
      );
    }
    return x;
  };
}

/** A generator continued from the state words saved under state[field], or null when none was saved. */
function savedGenerator(saved: SavedModelReader, field: string): Rng | null {
  const state = saved.rngState(field);
  if (state === undefined) return null;
  const rng = new Rng();
  rng.state.set(state);
  return rng;
}

export class Sequential implements TrainableModel {
  readonly layers: Layer[] = [];
  readonly name: string;
  readonly seed: number;
  stopTraining = false;
  /** Epochs trained so far (saved with the model). */
  epochsTrained = 0;
  private declaredInputShape: Shape | null;
  private shapeIn: Shape | null = null;
  private shapeOut: Shape | null = null;
  private readonly rng: Rng;
  /** The shuffling stream of the last fit, which a resumed fit (initialEpoch = epochsTrained) continues. */
  private shuffleRng: Rng | null = null;
  /** The stream of the last fit's batch transform (augmentation), continued by a resumed fit like the shuffling. */
  private transformRng: Rng | null = null;
  private compiled: Compiled | null = null;
  private readonly buffers = new BatchBuffers();
  /** Each layer's output shape, recorded when it was built. */
  private readonly layerShapes = new Map<Layer, Shape>();

  constructor(layers: Layer[] = [], options: SequentialOptions = {}) {
    this.name = options.name ?? "sequential";
    this.seed = options.seed ?? 0;
    if (!Number.isFinite(this.seed)) throw new RangeError(`Sequential: seed must be a finite number; got ${options.seed}`);
    this.rng = new Rng(this.seed);
    this.declaredInputShape = options.inputShape ? [...options.inputShape] : null;
    for (const l of layers) this.add(l);
  }

  get built(): boolean {
    return this.shapeOut !== null;
  }

  get inputShape(): Shape {
    if (this.shapeIn === null) throw new Error(`${this.name}: not built yet (call build(inputShape) or fit)`);
    return this.shapeIn;
  }

  get outputShape(): Shape {
    if (this.shapeOut === null) throw new Error(`${this.name}: not built yet (call build(inputShape) or fit)`);
    return this.shapeOut;
  }

  add(layer: Layer): this {
    this.nameLayer(layer);
    this.layers.push(layer);
    if (this.shapeOut !== null) {
      layer.tie?.(this.layers.slice(0, -1));
      this.shapeOut = layer.build(this.shapeOut, this.rng.fork());
      this.layerShapes.set(layer, this.shapeOut);
    }
    return this;
  }

  /** Creates every layer's params for inputs of this shape (without the batch dimension). */
  build(inputShape?: Shape): this {
    const shape = inputShape ?? this.declaredInputShape ?? this.layers[0]?.inputShape;
    if (shape === undefined)
      throw new Error(`${this.name}.build: no input shape; pass one to build(), the Sequential options, or the first layer's inputShape`);
    if (this.layers.length === 0) throw new Error(`${this.name}.build: the model has no layers`);
    this.shapeIn = [...shape];
    let s: Shape = this.shapeIn;
    for (const [i, layer] of this.layers.entries()) {
      layer.tie?.(this.layers.slice(0, i));
      s = layer.build(s, this.rng.fork());
      this.layerShapes.set(layer, s);
    }
    this.shapeOut = s;
    this.buffers.clear();
    return this;
  }

  compile(options: CompileOptions): this {
    if (options?.optimizer === undefined || typeof options.optimizer.step !== "function") {
      throw new TypeError(`${this.name}.compile: optimizer must be an optimizer such as new SGD({ learningRate: 0.1 })`);
    }
    this.compiled = {
      loss: new Loss(assertLoss(options.loss, `${this.name}.compile`)),
      optimizer: options.optimizer,
      metrics: assertMetrics(options.metrics ?? [], `${this.name}.compile`),
    };
    return this;
  }

  get loss(): Loss | null {
    return this.compiled?.loss ?? null;
  }

  get optimizer(): Optimizer | null {
    return this.compiled?.optimizer ?? null;
  }

  get metrics(): MetricName[] {
    return this.compiled?.metrics ?? [];
  }

  params(): Param[] {
    return this.layers.flatMap((l) => l.params());
  }

  /** Every param under its saved name "<layer>.<param>". */
  namedParams(): [string, Param][] {
    return this.layers.flatMap((l) => l.params().map((p): [string, Param] => [`${l.name}.${p.name}`, p]));
  }

  getWeights(): Tensor[] {
    return this.params().map((p) => p.value.clone());
  }

  setWeights(weights: readonly Tensor[]): void {
    const params = this.params();
    if (weights.length !== params.length) throw new RangeError(`${this.name}.setWeights: got ${weights.length} tensors for ${params.length} params`);
    params.forEach((p, i) => {
      if (!shapesEqual(p.value.shape, weights[i].shape)) {
        throw new ShapeError(
          `${this.name}.setWeights: tensor ${i} has shape ${formatShape(weights[i].shape)} but ${p.name} needs ${formatShape(p.value.shape)}`,
        );
      }
      p.value.assign(weights[i]);
    });
  }

  async fit(x: Tensor, y: Tensor, options: FitOptions = {}): Promise<History> {
    const compiled = this.requireCompiled("fit");
    this.ensureBuilt(x, "fit");
    this.checkData(x, y, "fit");
    const epochs = options.epochs ?? 1;
    if (!Number.isInteger(epochs) || epochs < 0) throw new RangeError(`fit: epochs must be an integer >= 0; got ${epochs}`);
    const batchSize = assertBatchSize(options.batchSize ?? 32, "fit");
    const initialEpoch = options.initialEpoch ?? 0;
    if (options.transform !== undefined && typeof options.transform !== "function")
      throw new TypeError("fit: transform must be a function (xBatch, yBatch, info) => Tensor | void");
    const stochastic = this.layers.find((l) => l instanceof Dropout && l.rate > 0);
    if (stochastic !== undefined && isBatchMinimizer(compiled.optimizer)) {
      throw new Error(
        `fit: ${compiled.optimizer.className} searches along a line of one batch's loss, which dropout layer "${stochastic.name}" changes at every evaluation; remove the dropout or train with SGD`,
      );
    }
    const { xTrain, yTrain, validation } = this.splitValidation(x, y, options);
    const n = xTrain.rows;
    if (n === 0) throw new RangeError("fit: no training rows (check validationSplit)");
    const seed = options.seed ?? this.rng.nextUint32() | 0;
    const resuming = options.seed === undefined && this.shuffleRng !== null && initialEpoch > 0 && initialEpoch === this.epochsTrained;
    const rng = resuming && this.shuffleRng !== null ? this.shuffleRng : new Rng(seed);
    this.shuffleRng = rng;

    const restoreFrozen = this.freeze(options.frozen ?? []);
    try {
      const trainable = this.params().filter((p) => p.trainable);
      const lowest = this.layers.findIndex((l) => l.params().some((p) => p.trainable));
      if (lowest < 0) throw new Error("fit: every param is frozen; nothing to train");
      const xBatch = zeros([Math.min(batchSize, n), ...xTrain.shape.slice(1)]);
      const yBatch = zeros([Math.min(batchSize, n), ...yTrain.shape.slice(1)]);
      // the transform's stream is seeded apart (~seed), so adding a transform leaves the shuffling as it was
      this.transformRng = options.transform === undefined ? null : resuming && this.transformRng !== null ? this.transformRng : new Rng(~seed);
      const transform = options.transform === undefined || this.transformRng === null ? null : batchTransformer(options.transform, this.transformRng, xBatch);
      const accuracy = compiled.metrics.includes("accuracy");
      let correct = 0;
      const step: TrainingStep = {
        beginEpoch: (epoch) => {
          compiled.optimizer.setEpoch(epoch);
          correct = 0;
          return undefined;
        },
        trainStep: (rows, batch, epoch) => {
          let xb = gatherRows(xTrain, rows, xBatch);
          const yb = gatherRows(yTrain, rows, yBatch);
          if (transform !== null) xb = transform(xb, yb, epoch, batch);
          const r = this.trainStep(xb, yb, compiled, trainable, lowest, epoch, batch);
          correct += r.correct;
          const logs: Logs = { loss: r.loss };
          if (accuracy) logs.accuracy = r.correct / rows.length;
          return logs;
        },
        endEpoch: (epoch, logs) => {
          this.assertFiniteWeights(`fit: epoch ${epoch + 1}`);
          if (accuracy) logs.accuracy = correct / n; // exact: the count, not a sum of batch fractions
          if (validation !== null) {
            for (const [k, v] of Object.entries(this.evaluate(validation[0], validation[1], { batchSize }))) logs[`val_${k}`] = v;
          }
          this.epochsTrained++;
        },
      };
      const callbacks = [...(options.callbacks ?? [])];
      if (options.verbose) callbacks.unshift(new ProgressBar());
      return await fitLoop({
        what: "fit",
        model: this,
        step,
        rows: n,
        epochs,
        initialEpoch,
        batchSize,
        shuffle: options.shuffle ?? true,
        rng,
        callbacks,
        validation: validation !== null,
        advice: `try a smaller learning rate (now ${compiled.optimizer.learningRate}) or clipNorm`,
        divergence: options.divergence,
        weights: () => this.namedParams().map(([name, p]) => [name, p.value] as const),
      });
    } finally {
      restoreFrozen();
    }
  }

  /**
   * One update from one batch (Keras's train_on_batch), for a model that runs the shared loop
   * (fitLoop) with batches it makes itself, e.g. a character model whose one-hot targets are
   * built a batch at a time (the whole text's would not fit in memory). Returns the batch loss.
   */
  trainOnBatch(x: Tensor, y: Tensor, epoch = 0, batch = 0): number {
    const compiled = this.requireCompiled("trainOnBatch");
    this.ensureBuilt(x, "trainOnBatch");
    this.checkData(x, y, "trainOnBatch");
    const trainable = this.params().filter((p) => p.trainable);
    const lowest = this.layers.findIndex((l) => l.params().some((p) => p.trainable));
    if (lowest < 0) throw new Error("trainOnBatch: every param is frozen; nothing to train");
    return this.trainStep(x, y, compiled, trainable, lowest, epoch, batch).loss;
  }

  /** Mean loss (and metrics) over (x, y), forward in inference mode. */
  evaluate(x: Tensor, y: Tensor, options: PredictOptions = {}): Record<string, number> {
    const compiled = this.requireCompiled("evaluate");
    this.ensureBuilt(x, "evaluate");
    this.checkData(x, y, "evaluate");
    const batchSize = assertBatchSize(options.batchSize ?? 256, "evaluate");
    const n = x.rows;
    const last = this.layers[this.layers.length - 1];
    const fused = hasOutputActivation(last) && compiled.loss.fusesWith(last.activation);
    let lossSum = 0;
    let correct = 0;
    for (let start = 0; start < n; start += batchSize) {
      const end = Math.min(start + batchSize, n);
      const yb = y.sliceRows(start, end);
      const out = this.forward(x.sliceRows(start, end), false);
      lossSum += compiled.loss.value(out, yb, fused && hasOutputActivation(last) ? last.preActivation() : undefined) * (end - start);
      correct += countCorrect(out, yb);
    }
    const result: Record<string, number> = { loss: lossSum / n };
    if (compiled.metrics.includes("accuracy")) result.accuracy = correct / n;
    return result;
  }

  /** The network's outputs for x, a new tensor [rows, ...outputShape]. */
  predict(x: Tensor, options: PredictOptions = {}): Tensor {
    this.ensureBuilt(x, "predict");
    this.checkInput(x, "predict");
    const batchSize = assertBatchSize(options.batchSize ?? 256, "predict");
    const n = x.rows;
    const result = zeros([n, ...this.outputShape]);
    for (let start = 0; start < n; start += batchSize) {
      const end = Math.min(start + batchSize, n);
      result.sliceRows(start, end).assign(this.forward(x.sliceRows(start, end), false));
    }
    return result;
  }

  /** Forward pass of one batch; the result is a layer's buffer, overwritten by the next call. */
  forward(x: Tensor, training: boolean): Tensor {
    let h = x;
    // a Masking layer's mask of padded steps travels up to the recurrent layers above it
    let mask: Tensor | null = null;
    for (const layer of this.layers) {
      layer.setMask?.(mask);
      h = layer.forward(h, training);
      mask = layer.outputMask?.() ?? null;
    }
    return h;
  }

  summary(): string {
    const rows: [string, string, string][] = [["Layer (type)", "Output shape", "Params"]];
    let total = 0;
    let trainable = 0;
    let shape: Shape | null = this.shapeIn;
    for (const layer of this.layers) {
      const count = layer.params().reduce((s, p) => s + p.value.size, 0);
      total += count;
      trainable += layer.params().reduce((s, p) => s + (p.trainable ? p.value.size : 0), 0);
      shape = this.built ? this.outputShapeOf(layer) : null;
      rows.push([
        `${layer.name} (${layer.config().className})`,
        shape ? `[batch, ${shape.join(", ")}]` : "?",
        this.built ? count.toLocaleString("en-US") : "?",
      ]);
    }
    const w0 = Math.max(...rows.map((r) => r[0].length)) + 2;
    const w1 = Math.max(...rows.map((r) => r[1].length)) + 2;
    const lines = [`Model: ${this.name}${this.shapeIn ? ` (input [batch, ${this.shapeIn.join(", ")}])` : ""}`];
    const rule = "-".repeat(w0 + w1 + 12);
    lines.push(rule);
    rows.forEach((r, i) => {
      lines.push(r[0].padEnd(w0) + r[1].padEnd(w1) + r[2].padStart(10));
      if (i === 0) lines.push(rule);
    });
    lines.push(rule);
    lines.push(
      `Total params: ${total.toLocaleString("en-US")} (trainable ${trainable.toLocaleString("en-US")}, frozen ${(total - trainable).toLocaleString("en-US")})`,
    );
    return lines.join("\n");
  }

  /**
   * What saveModel writes: the architecture and compile settings (config), the epoch count and
   * generator states (state), and every param as "<layer>.<param>"; with includeOptimizer, the
   * optimiser's step count and slots as "optimizer.<layer>.<param>.<slot>".
   */
  toSaved(options: SaveOptions = {}): SavedModel {
    if (!this.built) throw new Error(`${this.name}.save: the model is not built`);
    this.assertFiniteWeights(`${this.name}.save`);
    const named = this.namedParams();
    const optimizer = options.includeOptimizer === false ? null : (this.compiled?.optimizer ?? null);
    return {
      className: "Sequential",
      config: {
        name: this.name,
        seed: this.seed,
        inputShape: [...this.inputShape],
        layers: this.layers.map((l) => l.config()),
        compile: this.compiled ? { loss: this.compiled.loss.name, optimizer: this.compiled.optimizer.config(), metrics: [...this.compiled.metrics] } : null,
      },
      state: {
        epochsTrained: this.epochsTrained,
        rng: [...this.rng.state],
        shuffleRng: this.shuffleRng === null ? null : [...this.shuffleRng.state],
        transformRng: this.transformRng === null ? null : [...this.transformRng.state],
        ...Object.fromEntries(this.layerGenerators().map(([name, state]) => [`layerRng.${name}`, [...state]])),
        ...optimizerState(optimizer),
      },
      tensors: paramAndSlotTensors(named, optimizer),
    };
  }

  /** Rebuilds a saved Sequential, compiled (with its optimiser's state, when saved) if it was compiled. */
  static fromSaved(saved: SavedModelReader): Sequential {
    const c = saved.config;
    if (!Array.isArray(c.layers) || c.layers.length === 0) saved.fail(`"config.layers" must be a non-empty array of layer configs`);
    if (c.inputShape !== undefined && !isShape(c.inputShape))
      saved.fail(`"config.inputShape" must be a list of integers >= 0; got ${JSON.stringify(c.inputShape)}`);
    const model = new Sequential(
      (c.layers as LayerConfig[]).map((l) => layerFromConfig(l)),
      { inputShape: c.inputShape as Shape, seed: c.seed as number, name: c.name as string },
    ).build();
    const named = model.namedParams();
    for (const [name, p] of named) saved.into(name, p.value);
    model.epochsTrained = saved.count("epochsTrained");
    const rng = saved.rngState("rng");
    if (rng !== undefined) model.rng.state.set(rng);
    model.shuffleRng = savedGenerator(saved, "shuffleRng");
    model.transformRng = savedGenerator(saved, "transformRng");
    for (const [name, state] of model.layerGenerators()) {
      const savedState = saved.rngState(`layerRng.${name}`);
      if (savedState !== undefined) state.set(savedState);
    }
    const compile = c.compile as { loss: LossName; optimizer: OptimizerConfig; metrics: MetricName[] } | null | undefined;
    if (compile !== null && compile !== undefined) {
      if (typeof compile !== "object" || compile.optimizer === null || typeof compile.optimizer !== "object" || !Array.isArray(compile.metrics ?? []))
        saved.fail(`"config.compile" must be null or { loss, optimizer, metrics: [...] }; got ${JSON.stringify(compile)}`);
      const optimizer = optimizerFromConfig(compile.optimizer);
      model.compile({ loss: compile.loss, optimizer, metrics: compile.metrics });
      restoreOptimizer(saved, optimizer, named);
    }
    return model;
  }

  /** The architecture, compile settings and training state as saved in model.json. */
  toJSON(): { className: string; config: Record<string, unknown>; state: Record<string, unknown> } {
    const { className, config, state } = this.toSaved({ includeOptimizer: false });
    return { className, config, state };
  }

  /** Writes model.json and model.safetensors into dir (see saveModel; each file replaced atomically). */
  async save(dir: string, options: SaveOptions = {}): Promise<void> {
    await saveModel({ toSaved: () => this.toSaved(options) }, dir, options.training);
  }

  // ---- internals ------------------------------------------------------------------------

  /** The generators of layers that draw while training (dropout), by layer name: saved for an exact resume. */
  private layerGenerators(): [string, Uint32Array][] {
    return this.layers.flatMap((l): [string, Uint32Array][] => {
      const state = l.randomState?.() ?? null;
      return state === null ? [] : [[l.name, state]];
    });
  }

  private trainStep(
    xb: Tensor,
    yb: Tensor,
    compiled: Compiled,
    trainable: Param[],
    lowest: number,
    epoch: number,
    batch: number,
  ): { loss: number; correct: number } {
    const optimizer = compiled.optimizer;
    let first: { loss: number; correct: number } | null = null;
    const evaluate = (): number => {
      const r = this.lossAndGradient(xb, yb, compiled, trainable, lowest);
      if (first === null) {
        first = r;
        if (!Number.isFinite(r.loss)) {
          throw new Error(
            `fit: the loss became ${r.loss} at epoch ${epoch + 1}, batch ${batch + 1}; training stopped before updating the weights with it (try a smaller learning rate or clipNorm)`,
          );
        }
      }
      return r.loss;
    };
    // a line-search optimiser evaluates the batch as often as it needs; the others step once
    if (isBatchMinimizer(optimizer)) optimizer.minimize(trainable, evaluate);
    else {
      evaluate();
      optimizer.step(trainable);
    }
    return first ?? { loss: Number.NaN, correct: 0 };
  }

  /** The batch's loss at the current weights, its gradient left in the trainable params' grads. */
  private lossAndGradient(xb: Tensor, yb: Tensor, compiled: Compiled, trainable: Param[], lowest: number): { loss: number; correct: number } {
    for (const p of trainable) p.grad.data.fill(0);
    const out = this.forward(xb, true);
    const lastIndex = this.layers.length - 1;
    const last = this.layers[lastIndex];
    const fused = hasOutputActivation(last) && compiled.loss.fusesWith(last.activation);
    const loss = compiled.loss.value(out, yb, fused && hasOutputActivation(last) ? last.preActivation() : undefined) + this.penalty();
    if (!Number.isFinite(loss)) return { loss, correct: 0 };
    let delta = compiled.loss.gradient(out, yb, this.buffers.get("dLoss", out.shape), fused);
    delta = fused && hasOutputActivation(last) ? last.backwardFromPreActivation(delta, lastIndex > lowest) : last.backward(delta, lastIndex > lowest);
    for (let i = lastIndex - 1; i >= lowest; i--) delta = this.layers[i].backward(delta, i > lowest);
    return { loss, correct: compiled.metrics.length > 0 ? countCorrect(out, yb) : 0 };
  }

  /** The layers' activity penalties for the last forward (each layer's backward adds its derivative). */
  private penalty(): number {
    let p = 0;
    for (const layer of this.layers) if (layer.penalty !== undefined) p += layer.penalty();
    return p;
  }

  private nameLayer(layer: Layer): void {
    const taken = new Set(this.layers.map((l) => l.name));
    if (layer.name !== "" && layer.name !== undefined) {
      if (taken.has(layer.name)) throw new Error(`${this.name}.add: a layer named "${layer.name}" is already in the model`);
      if (layer.name.includes("."))
        throw new Error(`${this.name}.add: layer name "${layer.name}" must not contain "." (saved tensors are named "<layer>.<param>")`);
      return;
    }
    const base = snakeCase(layer.config().className);
    let k = 1;
    while (taken.has(`${base}_${k}`)) k++;
    layer.name = `${base}_${k}`;
  }

  private outputShapeOf(layer: Layer): Shape {
    return this.layerShapes.get(layer) ?? [];
  }

  private requireCompiled(what: string): Compiled {
    if (this.compiled === null) throw new Error(`${this.name}.${what}: call compile({ loss, optimizer }) first`);
    return this.compiled;
  }

  private ensureBuilt(x: Tensor, what: string): void {
    if (this.built) return;
    if (this.declaredInputShape === null && this.layers[0]?.inputShape === undefined && x.rank < 2) {
      throw new ShapeError(`${this.name}.${what}: x must be [rows, ...features]; got ${formatShape(x.shape)}`);
    }
    this.build(this.declaredInputShape ?? this.layers[0]?.inputShape ?? x.shape.slice(1));
  }

  private checkInput(x: Tensor, what: string): void {
    if (
      x.rank < 1 ||
      shapeSize(x.shape.slice(1)) !== shapeSize(this.inputShape) ||
      (x.rank - 1 === this.inputShape.length && !shapesEqual(x.shape.slice(1), this.inputShape))
    ) {
      throw new ShapeError(`${what}: x has shape ${formatShape(x.shape)} but the model takes [rows, ${this.inputShape.join(", ")}]`);
    }
  }

  private checkData(x: Tensor, y: Tensor, what: string): void {
    this.checkInput(x, what);
    if (y.rank < 1 || y.rows !== x.rows) throw new ShapeError(`${what}: x has ${x.rows} rows but y has shape ${formatShape(y.shape)}`);
    if (!shapesEqual(y.shape.slice(1), this.outputShape)) {
      throw new ShapeError(`${what}: y has shape ${formatShape(y.shape)} but the model outputs [rows, ${this.outputShape.join(", ")}]`);
    }
  }

  private splitValidation(x: Tensor, y: Tensor, options: FitOptions): { xTrain: Tensor; yTrain: Tensor; validation: [Tensor, Tensor] | null } {
    if (options.validationData !== undefined) {
      const [xv, yv] = options.validationData;
      this.checkData(xv, yv, "fit validationData");
      return { xTrain: x, yTrain: y, validation: [xv, yv] };
    }
    const split = options.validationSplit ?? 0;
    if (!(split >= 0 && split < 1)) throw new RangeError(`fit: validationSplit must be in [0, 1); got ${split}`);
    const nVal = Math.floor(x.rows * split);
    if (nVal === 0) return { xTrain: x, yTrain: y, validation: null };
    const nTrain = x.rows - nVal;
    return {
      xTrain: x.sliceRows(0, nTrain),
      yTrain: y.sliceRows(0, nTrain),
      validation: [x.sliceRows(nTrain, x.rows), y.sliceRows(nTrain, y.rows)],
    };
  }

  /** Marks the given layers' params untrainable; returns a function that restores the flags. */
  private freeze(frozen: readonly (number | string)[]): () => void {
    const saved: [Param, boolean][] = [];
    for (const f of frozen) {
      const layer = typeof f === "number" ? this.layers[f] : this.layers.find((l) => l.name === f);
      if (layer === undefined) {
        throw new RangeError(
          `fit: frozen entry ${JSON.stringify(f)} is not a layer index in [0, ${this.layers.length - 1}] or a layer name (${this.layers.map((l) => l.name).join(", ")})`,
        );
      }
      for (const p of layer.params()) {
        saved.push([p, p.trainable]);
        p.trainable = false;
      }
    }
    return () => {
      for (const [p, t] of saved) p.trainable = t;
    };
  }

  private assertFiniteWeights(where: string): void {
    for (const [name, p] of this.namedParams()) {
      const d = p.value.data;
      for (let i = 0; i < d.length; i++) {
        if (!Number.isFinite(d[i]))
          throw new Error(`${where}: weight ${name}[${i}] is ${d[i]}; refusing to continue with non-finite weights (try a smaller learning rate or clipNorm)`);
      }
    }
  }
}

registerModel("Sequential", Sequential.fromSaved);
