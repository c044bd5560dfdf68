/**
 * The recipe of Hinton & Salakhutdinov (2006) that the deep generative families share:
 *
 *   1. pretrain a stack without labels (greedy RBMs for a DBN; RBMs, then joint training, for a DBM),
 *   2. let its weights initialise a feed-forward classifier with a new output layer,
 *   3. fine-tune that classifier by backpropagation,
 *   4. and, to see what pretraining bought, train the same net from random weights with the
 *      same budget (epochs, batches, optimiser, dropout).
 *
 * Every fit takes Keras callbacks (ProgressBar, EarlyStopping, ModelCheckpoint, ...), so callers
 * choose how progress is shown; nothing here prints or saves.
 */
import { layerFromConfig } from "../../nn/registry.js";
import { ConjugateGradient } from "../../optim/cg.js";
import type { Optimizer } from "../../optim/optimizer.js";
import type { Schedule } from "../../optim/schedules.js";
import { SGD } from "../../optim/sgd.js";
import type { Tensor } from "../../tensor/tensor.js";
import type { Callback } from "../../train/callbacks.js";
import type { History } from "../../train/loop.js";
import { Sequential } from "../../train/sequential.js";

/** Dropout while fine-tuning (Srivastava et al. 2014): `input` before the first layer, `hidden` after every pretrained one. */
export interface DropoutRates {
  input?: number;
  hidden?: number;
}

/** What the recipe needs of a pretrained model; a DBN and a DBM both have it. */
export interface PretrainedStack {
  /** Units per layer, data first. */
  readonly layers: readonly number[];
  /** The feed-forward net the pretrained weights initialise, plus a new output layer of `classes` units. */
  toClassifier(options: { classes: number; seed?: number; dropout?: DropoutRates }): Sequential;
  /** The classifier's input for data rows (a DBM's [v, q(h2 | v)]); without it, the rows themselves. */
  classifierInputs?(x: Tensor): Tensor;
}

/** Rows and their one-hot targets. */
export interface LabelledRows {
  x: Tensor;
  y: Tensor;
}

/**
 * What fine-tuning learns from (`train`), watches after every epoch (`validation`, logged as
 * val_loss and val_accuracy) and is judged on at the end (`test`).
 */
export interface ClassifierData {
  train: LabelledRows;
  validation?: LabelledRows;
  test: LabelledRows;
}

/** The fine-tuning optimiser, built afresh for every fit. */
export type FinetuneOptimizer =
  /** SGD with momentum; default ε 0.1, momentum 0.9, a constant rate. */
  | { type: "sgd"; learningRate?: number; momentum?: number; weightDecay?: number; schedule?: Schedule }
  /** Conjugate gradients on each batch (Hinton & Salakhutdinov's backprop.m: 3 line searches on batches of 1,000); no dropout. */
  | { type: "cg"; lineSearches?: number; weightDecay?: number };

/** Which fit a callback list is asked for. */
export interface FinetuneStage {
  /** "pretrained", "random init", or the arm named in trainClassifier's options. */
  arm: string;
  /** "warm-up": the output layer alone; "fine-tune": the fit proper. */
  phase: "warm-up" | "fine-tune";
  epochs: number;
}

export interface ClassifierTrainingOptions {
  /** Epochs of the fit proper (0: the classifier stays as initialised). */
  epochs: number;
  /** Rows per batch. Default 100. */
  batchSize?: number;
  /** Default { type: "sgd", learningRate: 0.1, momentum: 0.9 }. */
  optimizer?: FinetuneOptimizer;
  /**
   * Epochs that first train the output layer alone, at a constant rate (Hinton's backprop.m: 6).
   * Default 0.
   */
  warmupEpochs?: number;
  /** Keep every layer below the output fixed throughout. Default false. */
  outputLayerOnly?: boolean;
  /** Seed of the shuffling (and, in pretrainAndFinetune, of the output layer, the dropout masks and the random-init net). Default 0. */
  seed?: number;
  /** Keras callbacks for every fit, or a function giving them per fit (to print which net is training). */
  callbacks?: Callback[] | ((stage: FinetuneStage) => Callback[]);
  /** The name of this net in the stages passed to `callbacks`. Default "classifier". */
  arm?: string;
  /**
   * The model is a checkpoint of this same training (loadSequential: its optimiser state,
   * epoch count, shuffling and dropout streams with it): it trains on from its epochsTrained to
   * `epochs` with its own optimiser and streams (no seed), so it ends with the weights of an
   * uninterrupted run. Not with warmupEpochs (whose epochs it would count). Default false.
   */
  resume?: boolean;
}

export interface FinetuneOptions extends Omit<ClassifierTrainingOptions, "arm" | "resume"> {
  /** Dropout in the fine-tuned nets (both arms). Default none. */
  dropout?: DropoutRates;
  /**
   * Also train the same net from random weights with the same budget (no warm-up, every layer
   * trained). `{ learningRate }` gives it its own SGD rate: at a pretrained net's rate a deep
   * sigmoid net from random weights can stay on the saturation plateau (Glorot & Bengio 2010).
   * Default false.
   */
  baseline?: boolean | { learningRate: number };
  /**
   * Checkpoints of an interrupted run of this recipe (same stack, data and options), one per
   * arm, each trained on to `epochs` in place of a new net (trainClassifier's `resume`). An arm
   * left out starts anew, as the baseline does when the run stopped before reaching it.
   */
  resume?: { pretrained?: Sequential; baseline?: Sequential };
}

/** One trained classifier and how it did. */
export interface ClassifierRun {
  arm: string;
  model: Sequential;
  /** The output-layer-only fit (null without warmupEpochs). */
  warmup: History | null;
  history: History;
  /** evaluate() on the test rows: loss and accuracy. */
  test: Record<string, number>;
  /** 1 − test accuracy. */
  testError: number;
  seconds: number;
}

export interface PretrainFinetuneResult<S extends PretrainedStack> {
  stack: S;
  /** Seconds the stack factory took (0 when a pretrained stack was passed). */
  pretrainSeconds: number;
  pretrained: ClassifierRun;
  /** The same net from random weights (null unless asked for). */
  baseline: ClassifierRun | null;
}

type ResolvedTraining = Required<Omit<ClassifierTrainingOptions, "callbacks" | "resume">> & Pick<ClassifierTrainingOptions, "callbacks">;
type ResolvedFinetune = Omit<ResolvedTraining, "arm"> & { dropout: Required<DropoutRates>; baseline: { learningRate?: number } | null };

const int = (where: string, name: string, x: unknown, min: number): number => {
  if (!Number.isInteger(x) || (x as number) < min) throw new RangeError(`${where}: ${name} must be an integer >= ${min}; got ${JSON.stringify(x)}`);
  return x as number;
};

const rate = (where: string, name: string, x: unknown): number => {
  if (x === undefined) return 0;
  if (typeof x !== "number" || !(x >= 0 && x < 1)) throw new RangeError(`${where}: ${name} must be a number in [0, 1); got ${JSON.stringify(x)}`);
  return x;
};

/** The optimiser a spec asks for; `constantRate` leaves out the schedule (for the warm-up). */
function makeOptimizer(spec: FinetuneOptimizer, constantRate = false): Optimizer {
  if (spec.type === "cg") return new ConjugateGradient({ lineSearches: spec.lineSearches, weightDecay: spec.weightDecay });
  return new SGD({
    learningRate: spec.learningRate ?? 0.1,
    momentum: spec.momentum ?? 0.9,
    weightDecay: spec.weightDecay,
    schedule: constantRate ? undefined : spec.schedule,
  });
}

function resolveTraining(options: Omit<ClassifierTrainingOptions, "resume">, where: string): ResolvedTraining {
  if (typeof options !== "object" || options === null) throw new TypeError(`${where}: options must be an object, at least { epochs }`);
  const optimizer = options.optimizer ?? { type: "sgd" };
  if (optimizer.type !== "sgd" && optimizer.type !== "cg")
    throw new RangeError(`${where}: optimizer.type must be "sgd" or "cg"; got ${JSON.stringify((optimizer as { type?: unknown }).type)}`);
  makeOptimizer(optimizer); // the optimiser's own checks (rates, momentum, schedule, line searches)
  const seed = options.seed ?? 0;
  if (!Number.isFinite(seed)) throw new RangeError(`${where}: seed must be a finite number; got ${seed}`);
  if (options.callbacks !== undefined && typeof options.callbacks !== "function" && !Array.isArray(options.callbacks))
    throw new TypeError(`${where}: callbacks must be an array of callbacks or a function (stage) => callbacks`);
  return {
    epochs: int(where, "epochs", options.epochs, 0),
    batchSize: int(where, "batchSize", options.batchSize ?? 100, 1),
    optimizer,
    warmupEpochs: int(where, "warmupEpochs", options.warmupEpochs ?? 0, 0),
    outputLayerOnly: options.outputLayerOnly ?? false,
    seed,
    callbacks: options.callbacks,
    arm: options.arm ?? "classifier",
  };
}

/**
 * The options with their defaults, checked: each bad value is named. pretrainAndFinetune calls
 * it before pretraining; a script may call it right after parsing its flags, so that a conflict
 * ends the run before hours of pretraining rather than after.
 */
export function resolveFinetuneOptions(options: FinetuneOptions): ResolvedFinetune {
  const where = "pretrainAndFinetune";
  const { arm: _, ...training } = resolveTraining(options, where);
  const dropout = { input: rate(where, "dropout.input", options.dropout?.input), hidden: rate(where, "dropout.hidden", options.dropout?.hidden) };
  if (training.optimizer.type === "cg" && (dropout.input > 0 || dropout.hidden > 0))
    throw new RangeError(`${where}: conjugate gradients search along one batch's loss, which dropout changes at every evaluation; set dropout to 0 or use SGD`);
  const baseline: ResolvedFinetune["baseline"] =
    options.baseline === true ? {} : options.baseline === false || options.baseline === undefined ? null : options.baseline;
  if (baseline?.learningRate !== undefined) {
    if (training.optimizer.type === "cg")
      throw new RangeError(`${where}: baseline.learningRate is an SGD rate; conjugate gradients (optimizer.type "cg") take none`);
    makeOptimizer({ ...training.optimizer, learningRate: baseline.learningRate });
  }
  const { resume } = options;
  if (resume !== undefined) {
    for (const arm of ["pretrained", "baseline"] as const)
      if (resume[arm] !== undefined && !(resume[arm] instanceof Sequential))
        throw new TypeError(`${where}: resume.${arm} must be a Sequential (a loaded checkpoint) or left out`);
    if (resume.baseline !== undefined && baseline === null) throw new RangeError(`${where}: resume.baseline is given but baseline is not asked for`);
    checkResumable(training.warmupEpochs, where);
  }
  return { ...training, dropout, baseline };
}

/** A resumed classifier's epochsTrained counts the fit proper only, so a warm-up cannot be resumed. */
function checkResumable(warmupEpochs: number, where: string): void {
  if (warmupEpochs > 0) throw new RangeError(`${where}: a resumed classifier cannot run warmupEpochs (${warmupEpochs}); set warmupEpochs to 0 or start anew`);
}

/** Indices of the layers with weights below the output layer (the pretrained ones). */
const belowOutput = (model: Sequential): number[] => model.layers.flatMap((layer, i) => (i < model.layers.length - 1 && layer.params().length > 0 ? [i] : []));

/**
 * Trains a classifier on cross-entropy and tests it: with warmupEpochs, first the output layer
 * alone (it starts random, and its large early gradients would otherwise flow into pretrained
 * weights), then the fit proper. One arm of pretrainAndFinetune; call it for any further arm
 * (a shallow net, say) to train it with the same budget.
 */
export async function trainClassifier(model: Sequential, data: ClassifierData, options: ClassifierTrainingOptions): Promise<ClassifierRun> {
  const o = resolveTraining(options, "trainClassifier");
  if (options.resume === true) checkResumable(o.warmupEpochs, "trainClassifier");
  const t = performance.now();
  // a new optimiser and the seed start a fit; null (a resumed model) keeps the compiled optimiser and continues the saved streams
  const fit = (phase: FinetuneStage["phase"], epochs: number, optimizer: Optimizer | null, frozen?: number[]): Promise<History> => {
    if (optimizer !== null) model.compile({ loss: "categoricalCrossentropy", optimizer, metrics: ["accuracy"] });
    const callbacks = typeof o.callbacks === "function" ? o.callbacks({ arm: o.arm, phase, epochs }) : o.callbacks;
    const { validation } = data;
    const trained = model.epochsTrained;
    return model.fit(data.train.x, data.train.y, {
      ...(optimizer === null ? { epochs: Math.max(0, epochs - trained), initialEpoch: trained } : { epochs, seed: o.seed }),
      batchSize: o.batchSize,
      frozen,
      validationData: validation === undefined ? undefined : [validation.x, validation.y],
      callbacks,
    });
  };
  const warmup = o.warmupEpochs > 0 ? await fit("warm-up", o.warmupEpochs, makeOptimizer(o.optimizer, true), belowOutput(model)) : null;
  const optimizer = options.resume === true ? null : makeOptimizer(o.optimizer);
  const history = await fit("fine-tune", o.epochs, optimizer, o.outputLayerOnly ? belowOutput(model) : undefined);
  const test = model.evaluate(data.test.x, data.test.y);
  return { arm: o.arm, model, warmup, history, test, testError: 1 - (test.accuracy ?? 0), seconds: (performance.now() - t) / 1e3 };
}

/**
 * The classifier's layers afresh from their configs, built for inputs of `inputs` columns: the
 * same net with new random weights (a DBM's classifier loses its q(h2) inputs, which only
 * pretraining provides).
 */
function fromRandomWeights(classifier: Sequential, inputs: number, seed: number): Sequential {
  const layers = classifier.layers.map((layer) => layerFromConfig(layer.config()));
  return new Sequential(layers, { inputShape: [inputs], seed, name: "random_init" });
}

function checkData(data: ClassifierData, where: string): void {
  for (const split of ["train", "test"] as const)
    if (data?.[split]?.x === undefined || data[split].y === undefined)
      throw new TypeError(`${where}: data.${split} must be { x, y } (rows and one-hot targets)`);
  if (data.validation !== undefined && (data.validation.x === undefined || data.validation.y === undefined))
    throw new TypeError(`${where}: data.validation must be { x, y } (rows and one-hot targets) or left out`);
  if (data.train.y.rank !== 2 || data.train.y.cols < 2)
    throw new RangeError(`${where}: data.train.y must be one-hot targets [rows, classes] with classes >= 2; got shape [${data.train.y.shape.join(", ")}]`);
}

/**
 * Pretrain → classifier → fine-tune → (optionally) the same net from random weights. `stack`
 * is a pretrained DBN or DBM (or anything with toClassifier), or a function that builds and
 * pretrains one; the options are checked before that function runs. The classifier has one
 * output unit per column of data.train.y. Returns both nets, their histories and test errors.
 */
export async function pretrainAndFinetune<S extends PretrainedStack>(
  stack: S | (() => S | Promise<S>),
  data: ClassifierData,
  options: FinetuneOptions & { baseline: true | { learningRate: number } },
): Promise<PretrainFinetuneResult<S> & { baseline: ClassifierRun }>;
export async function pretrainAndFinetune<S extends PretrainedStack>(
  stack: S | (() => S | Promise<S>),
  data: ClassifierData,
  options: FinetuneOptions,
): Promise<PretrainFinetuneResult<S>>;
export async function pretrainAndFinetune<S extends PretrainedStack>(
  stack: S | (() => S | Promise<S>),
  data: ClassifierData,
  options: FinetuneOptions,
): Promise<PretrainFinetuneResult<S>> {
  const { dropout, baseline, ...training } = resolveFinetuneOptions(options);
  const resume = options.resume ?? {};
  checkData(data, "pretrainAndFinetune");
  const t = performance.now();
  const pretrainedStack = typeof stack === "function" ? await stack() : stack;
  const pretrainSeconds = typeof stack === "function" ? (performance.now() - t) / 1e3 : 0;

  const classifier = resume.pretrained ?? pretrainedStack.toClassifier({ classes: data.train.y.cols, seed: training.seed, dropout });
  const inputs = (rows: LabelledRows): LabelledRows => ({ x: pretrainedStack.classifierInputs?.(rows.x) ?? rows.x, y: rows.y });
  const pretrainedData: ClassifierData = {
    train: inputs(data.train),
    validation: data.validation === undefined ? undefined : inputs(data.validation),
    test: inputs(data.test),
  };
  const pretrained = await trainClassifier(classifier, pretrainedData, { ...training, arm: "pretrained", resume: resume.pretrained !== undefined });
  if (baseline === null) return { stack: pretrainedStack, pretrainSeconds, pretrained, baseline: null };

  const scratch = resume.baseline ?? fromRandomWeights(classifier, data.train.x.cols, training.seed);
  const { optimizer } = training;
  const run = await trainClassifier(scratch, data, {
    ...training,
    optimizer: optimizer.type === "sgd" ? { ...optimizer, learningRate: baseline.learningRate ?? optimizer.learningRate } : optimizer,
    warmupEpochs: 0,
    outputLayerOnly: false,
    arm: "random init",
    resume: resume.baseline !== undefined,
  });
  return { stack: pretrainedStack, pretrainSeconds, pretrained, baseline: run };
}
