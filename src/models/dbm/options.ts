/**
 * The DBM's hyper-parameters: their defaults (from Salakhutdinov & Hinton 2009 and his code),
 * their validation with an error that names the option and its range, which of them may change
 * after construction (`retune`), and the schedules of ε and momentum they define.
 */
import { checkTensorSize } from "../../tensor/shape.js";

export interface DBMOptions {
  /** Units per layer, data first, at least two hidden layers: [784, 500, 1000]. */
  layers: readonly number[];
  /** ε of joint training. Default 0.001. */
  learningRate?: number;
  /**
   * ε shrinks by this factor every epoch, ε_e = max(ε · decay^e, minLearningRate). Default 1
   * (constant). Salakhutdinov's code divides ε by 1.000015 every update: 0.991 an epoch of 600.
   */
  learningRateDecay?: number;
  /** The floor of the decayed ε. Default 0 (Salakhutdinov's code: 1e-4). */
  minLearningRate?: number;
  /** Momentum after `momentumEpochs` epochs (default 0.9; 0.5 before). */
  momentum?: number;
  initialMomentum?: number;
  momentumEpochs?: number;
  /** L2 cost on the weights. Default 2e-4. */
  weightDecay?: number;
  /** Persistent Gibbs chains (fantasy particles). Default 100. */
  chains?: number;
  /** Gibbs sweeps of the chains per update. Default 1 (Salakhutdinov & Hinton: 5). */
  gibbsSteps?: number;
  /** Most mean-field iterations per batch. Default 10. */
  meanFieldSteps?: number;
  /** Mean-field stops early when no μ changes by more than this. Default 1e-5. */
  meanFieldTolerance?: number;
  /** Standard deviation of the initial weights (before pretraining). Default 0.01. */
  initStd?: number;
  /** Softmax label units joined to the top layer (0: none, the default). */
  labels?: number;
  /**
   * Sparsity penalty of Salakhutdinov's DBM code: each hidden layer's running mean activity
   * q̄_l (damped by `sparsityDamping`) is pulled toward its target by a cost × (q̄_l − target)
   * on the layer's total input (its bias and both its weight matrices). Default 0 (off); his
   * MNIST code: 0.001.
   */
  sparsityCost?: number;
  /** Target mean activity of each hidden layer (one number for all). Default [0.2, 0.1, 0.1, ...] (his h1, h2). */
  sparsityTarget?: number | readonly number[];
  /** Damping of the running mean activity. Default 0.9. */
  sparsityDamping?: number;
  /**
   * End each update's Gibbs sweeps with one mean-field step on the chains' even hidden layers
   * (h2, h4, ...): h_l = σ(p(h_{l−1}) W_{l−1} + p(h_{l+1}) W_lᵀ + b_l) from the odd layers'
   * probabilities (and the labels' p(y)), used in the model statistics and kept as the chains'
   * state, as Salakhutdinov's dbm_mf.m does. Default false (the chains stay binary Gibbs chains).
   */
  chainMeanStep?: boolean;
  seed?: number;
}

export type ResolvedDBMOptions = Required<Omit<DBMOptions, "sparsityTarget">> & { layers: number[]; sparsityTarget: number[] };

/** A finite number that passes `ok`, else a RangeError naming the option and the allowed range. */
export function checkNumber(name: string, x: unknown, ok: (v: number) => boolean, range: string): number {
  if (typeof x !== "number" || !Number.isFinite(x) || !ok(x)) throw new RangeError(`DBM: ${name} must be ${range}, got ${String(x)}`);
  return x;
}

export function checkInt(name: string, x: unknown, min: number): number {
  return checkNumber(name, x, (v) => Number.isInteger(v) && v >= min, `an integer >= ${min}`);
}

const fraction = (name: string, x: unknown): number => checkNumber(name, x, (v) => v >= 0 && v < 1, "a number in [0, 1)");

const flag = (name: string, x: unknown): boolean => {
  if (typeof x !== "boolean") throw new RangeError(`DBM: ${name} must be true or false, got ${String(x)}`);
  return x;
};

/**
 * The options that only steer joint training. A saved DBM can go on under other values of these
 * (`retune`); the rest (layers, labels, chains, initStd, seed) shaped its weights and chains.
 */
export const DBM_TRAINING_OPTIONS = [
  "learningRate",
  "learningRateDecay",
  "minLearningRate",
  "momentum",
  "initialMomentum",
  "momentumEpochs",
  "weightDecay",
  "gibbsSteps",
  "meanFieldSteps",
  "meanFieldTolerance",
  "sparsityCost",
  "sparsityTarget",
  "sparsityDamping",
  "chainMeanStep",
] as const;
export type DbmTrainingOptions = Pick<DBMOptions, (typeof DBM_TRAINING_OPTIONS)[number]>;

export function resolveDbmOptions(o: DBMOptions): ResolvedDBMOptions {
  if (!Array.isArray(o.layers) || o.layers.length < 3)
    throw new RangeError(`DBM: layers must list the data size and at least two hidden layers, e.g. [784, 500, 1000]; got ${JSON.stringify(o.layers)}`);
  const layers = o.layers.map((u, i) => checkInt(`layers[${i}]`, u, 1));
  const chains = checkInt("chains", o.chains ?? 100, 1);
  const labels = checkInt("labels", o.labels ?? 0, 0);
  // the largest tensors: each weight matrix, the label weights and each layer's chains
  for (let l = 0; l < layers.length; l++) {
    if (l > 0)
      checkTensorSize("DBM", [
        [`layers[${l - 1}]`, layers[l - 1]],
        [`layers[${l}]`, layers[l]],
      ]);
    checkTensorSize("DBM", [
      ["chains", chains],
      [`layers[${l}]`, layers[l]],
    ]);
  }
  checkTensorSize("DBM", [
    ["labels", labels],
    [`layers[${layers.length - 1}]`, layers[layers.length - 1]],
  ]);
  return {
    layers,
    learningRate: checkNumber("learningRate", o.learningRate ?? 0.001, (v) => v > 0 && v <= 10, "a number in (0, 10]"),
    learningRateDecay: checkNumber("learningRateDecay", o.learningRateDecay ?? 1, (v) => v > 0 && v <= 1, "a number in (0, 1]"),
    minLearningRate: checkNumber("minLearningRate", o.minLearningRate ?? 0, (v) => v >= 0, "a number >= 0"),
    momentum: fraction("momentum", o.momentum ?? 0.9),
    initialMomentum: fraction("initialMomentum", o.initialMomentum ?? 0.5),
    momentumEpochs: checkInt("momentumEpochs", o.momentumEpochs ?? 5, 0),
    weightDecay: checkNumber("weightDecay", o.weightDecay ?? 2e-4, (v) => v >= 0 && v <= 1, "a number in [0, 1]"),
    chains,
    gibbsSteps: checkInt("gibbsSteps", o.gibbsSteps ?? 1, 1),
    meanFieldSteps: checkInt("meanFieldSteps", o.meanFieldSteps ?? 10, 1),
    meanFieldTolerance: checkNumber("meanFieldTolerance", o.meanFieldTolerance ?? 1e-5, (v) => v >= 0, "a number >= 0"),
    initStd: checkNumber("initStd", o.initStd ?? 0.01, (v) => v >= 0 && v <= 10, "a number in [0, 10]"),
    labels,
    sparsityCost: checkNumber("sparsityCost", o.sparsityCost ?? 0, (v) => v >= 0 && v <= 1, "a number in [0, 1]"),
    sparsityTarget: sparsityTargets(o.sparsityTarget, o.layers.length - 1),
    sparsityDamping: fraction("sparsityDamping", o.sparsityDamping ?? 0.9),
    chainMeanStep: flag("chainMeanStep", o.chainMeanStep ?? false),
    seed: checkNumber("seed", o.seed ?? 0, () => true, "a finite number"),
  };
}

/** One target activity per hidden layer, each in (0, 1): a number for all, or a list as long as the hidden layers. */
function sparsityTargets(t: number | readonly number[] | undefined, hidden: number): number[] {
  if (t !== undefined && typeof t !== "number" && !Array.isArray(t))
    throw new RangeError(`DBM: sparsityTarget must be a number or a list of numbers, one per hidden layer; got ${JSON.stringify(t)}`);
  const list = t === undefined ? Array.from({ length: hidden }, (_, l) => (l === 0 ? 0.2 : 0.1)) : typeof t === "number" ? Array(hidden).fill(t) : [...t];
  if (list.length !== hidden) throw new RangeError(`DBM: sparsityTarget must give one target per hidden layer (${hidden}), got ${list.length}`);
  return list.map((x, l) => checkNumber(`sparsityTarget[${l}]`, x, (v) => v > 0 && v < 1, "a number in (0, 1)"));
}

export interface DbmOptionChange {
  option: string;
  from: unknown;
  to: unknown;
}

/**
 * `before` with `changes` applied, validated again, and the options whose value changed.
 * Only DBM_TRAINING_OPTIONS may change; undefined entries keep their value.
 */
export function retuneOptions(before: ResolvedDBMOptions, changes: DbmTrainingOptions): { options: ResolvedDBMOptions; changed: DbmOptionChange[] } {
  const given = Object.entries(changes).filter(([, x]) => x !== undefined);
  const fixed = given.map(([k]) => k).filter((k) => !(DBM_TRAINING_OPTIONS as readonly string[]).includes(k));
  if (fixed.length > 0)
    throw new RangeError(
      `DBM.retune: ${fixed.join(", ")} cannot change after construction (the weights and chains were made for them); it can change ${DBM_TRAINING_OPTIONS.join(", ")}`,
    );
  const options = resolveDbmOptions({ ...before, ...Object.fromEntries(given) });
  const after = options as unknown as Record<string, unknown>;
  const old = before as unknown as Record<string, unknown>;
  const changed = given.map(([k]) => ({ option: k, from: old[k], to: after[k] })).filter((c) => JSON.stringify(c.from) !== JSON.stringify(c.to));
  return { options, changed };
}

/** ε after `epoch` epochs of joint training: ε · decay^epoch, held at minLearningRate. */
export function learningRateAt(o: ResolvedDBMOptions, epoch: number): number {
  return Math.max(o.learningRate * o.learningRateDecay ** epoch, o.minLearningRate);
}

/** Momentum after `epoch` epochs: initialMomentum for the first momentumEpochs, then momentum. */
export function momentumAt(o: ResolvedDBMOptions, epoch: number): number {
  return epoch < o.momentumEpochs ? o.initialMomentum : o.momentum;
}
