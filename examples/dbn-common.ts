/**
 * What the DBN/DBM reproduction scripts share beyond the library's pretrainAndFinetune: their
 * flags (data folder, limits, validation split, the fine-tuning flags), loading MNIST (the full
 * set from ../shared/datasets/mnist when present, else the bundled digits with a warning),
 * resuming a saved stack, and printing a figure next to the published one.
 */

import {
  type Callback,
  type ClassifierData,
  type DBM,
  type DBN,
  defaultMnistDir,
  type FinetuneOptions,
  type FinetuneStage,
  hasSavedModel,
  loadDbn,
  loadMnist,
  type MnistData,
  type MnistSplit,
  ops,
  ProgressBar,
  resolveFinetuneOptions,
  type Tensor,
} from "layerwise";
import { formatHelp, type OptionSpecs, type ParsedOptions, parseOptions, UsageError } from "layerwise/cli";

export const commonSpecs = {
  data: { type: "string", description: "folder with the four MNIST IDX files (default ../shared/datasets/mnist, else the bundled digits)" },
  "limit-train": { type: "number", description: "use only the first N training images (quick runs)", integer: true, min: 1 },
  "limit-test": { type: "number", description: "use only the first N test images", integer: true, min: 1 },
  validation: {
    type: "number",
    description:
      "hold the last N training images out of every fit and log their loss and accuracy each fine-tuning epoch (choosing settings without the test set)",
    integer: true,
    min: 1,
  },
  batch: { type: "number", description: "mini-batch size", default: 100, integer: true, min: 1 },
  seed: { type: "number", description: "seed of every random choice", default: 1, integer: true },
  help: { type: "boolean", description: "show this help" },
} as const;

/**
 * Fine-tuning flags shared by the DBN and DBM scripts. The defaults are the recipe chosen on a
 * validation split (--validation 10000) for the DBN: 80 epochs of SGD (ε 0.1, momentum 0.9)
 * decayed to zero by a cosine, with light dropout (0.1 on the input, 0.25 after each hidden
 * layer); docs/dbn.md compares it with plain SGD and with Srivastava et al.'s rates.
 */
export const finetuneSpecs = {
  "finetune-epochs": { type: "number", description: "backprop epochs (0: no fine-tuning)", default: 80, integer: true, min: 0 },
  "finetune-lr": { type: "number", description: "SGD learning rate (momentum 0.9)", default: 0.1, min: 0 },
  "constant-lr": { type: "boolean", description: "keep the fine-tuning learning rate constant (default: cosine decay to zero)" },
  "finetune-optimizer": {
    type: "string",
    description:
      "sgd: SGD with momentum 0.9 and dropout; cg: conjugate gradients, --line-searches on each batch of --cg-batch images, no dropout (Hinton & Salakhutdinov's backprop.m: 3 line searches on batches of 1,000, with --warmup-epochs 5)",
    default: "sgd",
    choices: ["sgd", "cg"],
  },
  "line-searches": { type: "number", description: "with cg: line searches per batch", default: 3, integer: true, min: 1 },
  "cg-batch": { type: "number", description: "with cg: images per batch", default: 1000, integer: true, min: 1 },
  "dropout-input": {
    type: "number",
    description: "dropout rate on the input while fine-tuning with sgd (Srivastava et al. 2014: 0.2; default 0.1, with cg 0)",
    min: 0,
    max: 0.9,
  },
  "dropout-hidden": {
    type: "number",
    description: "dropout rate after each pretrained layer while fine-tuning with sgd (Srivastava et al.: 0.5; default 0.25, with cg 0)",
    min: 0,
    max: 0.9,
  },
  "warmup-epochs": {
    type: "number",
    description: "first train only the new output layer for this many epochs (Hinton's backprop.m: 6)",
    default: 0,
    integer: true,
    min: 0,
  },
  "weight-decay": { type: "number", description: "L2 weight decay while fine-tuning", default: 0, min: 0 },
} as const;

/**
 * The learning rate of the nets trained from random weights: lower than the pretrained nets'
 * because a deep sigmoid net from Glorot-uniform weights at ε 0.1 (× momentum 0.9) can sit on
 * the saturation plateau of Glorot & Bengio (2010) for epochs.
 */
export const baselineLrSpec = {
  "baseline-lr": { type: "number", description: "SGD learning rate of the nets from random weights (momentum 0.9)", default: 0.05, min: 0 },
} as const;

type FinetuneFlags = ParsedOptions<typeof finetuneSpecs> & { batch?: number; seed?: number };

/** Fine-tuning progress: a line naming each fit, then Keras-style epoch lines. */
export function finetuneProgress(stage: FinetuneStage): Callback[] {
  console.log(`${stage.arm}${stage.phase === "warm-up" ? ", output layer alone" : ""}: ${stage.epochs} epochs`);
  return [new ProgressBar()];
}

/**
 * pretrainAndFinetune's options and a one-line summary from the parsed finetuneSpecs flags,
 * checked. Call it right after parsing: a conflict exits with a usage error before hours of
 * pretraining, not after.
 */
export function finetuneFrom(script: string, o: FinetuneFlags): { options: FinetuneOptions; summary: string } {
  const cg = o["finetune-optimizer"] === "cg";
  const dropout = { input: o["dropout-input"] ?? (cg ? 0 : 0.1), hidden: o["dropout-hidden"] ?? (cg ? 0 : 0.25) };
  const epochs = o["finetune-epochs"] ?? 80;
  const learningRate = o["finetune-lr"] ?? 0.1;
  const lineSearches = o["line-searches"] ?? 3;
  const warmup = o["warmup-epochs"] ?? 0;
  const cosine = !o["constant-lr"] && epochs > 0;
  const options: FinetuneOptions = {
    epochs,
    batchSize: cg ? (o["cg-batch"] ?? 1000) : (o.batch ?? 100),
    optimizer: cg
      ? { type: "cg", lineSearches, weightDecay: o["weight-decay"] }
      : { type: "sgd", learningRate, momentum: 0.9, weightDecay: o["weight-decay"], schedule: cosine ? { type: "cosine", epochs } : undefined },
    dropout,
    warmupEpochs: warmup,
    seed: o.seed ?? 1,
    callbacks: finetuneProgress,
  };
  try {
    resolveFinetuneOptions(options);
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    console.error(`${script}: ${e.message} (flags --finetune-optimizer, --dropout-input, --dropout-hidden)`);
    process.exit(2);
  }
  const method = cg
    ? `conjugate gradients, ${lineSearches} line searches per batch of ${o["cg-batch"] ?? 1000}`
    : `SGD ε ${learningRate} momentum 0.9${cosine ? " (cosine decay)" : ""}`;
  return {
    summary: `fine-tuning: ${warmup > 0 ? `${warmup} epochs of the output layer alone, then ` : ""}${epochs} epochs, ${method}, dropout input ${dropout.input} hidden ${dropout.hidden}`,
    options,
  };
}

/** The options that scriptOptions found on the command line (the rest hold their defaults). */
export const givenOptions = new Set<string>();

/**
 * A model saved by an earlier run keeps its own settings. Flags on the command line that would
 * have set them are named as having no effect, rather than dropped without a word.
 */
export function noteUnusedFlags(flags: readonly string[], why: string): void {
  const unused = flags.filter((flag) => givenOptions.has(flag));
  if (unused.length > 0) console.log(`  ${unused.map((flag) => `--${flag}`).join(", ")}: no effect, ${why}`);
}

/**
 * The RBM stack saved in dir (pretraining resumes where it stopped), else a new one from make().
 * A saved stack of other layer sizes than the script was asked for is refused: the baselines
 * would be built for one shape and the pretrained net for another.
 */
export async function savedOrNewDbn(dir: string | null, layers: readonly number[], make: () => DBN, rbmFlags: readonly string[]): Promise<DBN> {
  if (dir === null || !(await hasSavedModel(dir))) return make();
  const dbn = await loadDbn(dir);
  if (dbn.layers.join("-") !== layers.join("-")) {
    console.error(`the stack saved in ${dir} has layers ${dbn.layers.join("-")}, not ${layers.join("-")}; ask for those sizes or use another --out`);
    process.exit(2);
  }
  console.log(`loaded ${dir}: ${dbn.rbms.map((r) => r.epochsTrained).join(" / ")} epochs per RBM done`);
  noteUnusedFlags(rbmFlags, "the saved stack keeps its RBMs' options");
  return dbn;
}

export function scriptOptions<S extends OptionSpecs>(script: string, about: string, specs: S): ParsedOptions<S & typeof commonSpecs> {
  const all = { ...commonSpecs, ...specs };
  const usage = `node --import tsx examples/${script}.ts [options]\n\n${about}`;
  try {
    const { options, positional, given } = parseOptions(process.argv.slice(2), all);
    for (const name of given) givenOptions.add(name);
    if (options.help) {
      console.log(formatHelp(usage, all));
      process.exit(0);
    }
    if (positional.length > 0) throw new UsageError(`unexpected argument "${positional[0]}"`);
    return options as ParsedOptions<S & typeof commonSpecs>;
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    console.error(`${script}: ${e.message}\n\n${formatHelp(usage, all)}`);
    process.exit(2);
  }
}

export async function scriptData(o: { data?: string; "limit-train"?: number; "limit-test"?: number }): Promise<MnistData> {
  const dir = o.data ?? defaultMnistDir() ?? undefined;
  const data = await loadMnist({ source: dir === undefined ? "bundled" : "full", dir, limitTrain: o["limit-train"], limitTest: o["limit-test"] });
  if (data.source === "bundled") console.log("WARNING: the full MNIST was not found; using the bundled digits (figures are not comparable with the papers)");
  console.log(
    `data: ${data.source === "full" ? `MNIST from ${dir}` : "bundled digits"}, ${data.train.images.rows} training / ${data.test.images.rows} test images`,
  );
  return data;
}

/**
 * The recipe's data: the training rows, with --validation N the last N of them held out as the
 * validation set, and the test rows.
 */
export function classifierData(data: MnistData, validation: number | undefined): ClassifierData {
  const rows = (split: MnistSplit) => ({ x: split.images, y: split.oneHot });
  const train = trainingRows(data, validation);
  const held = validationRows(data, validation);
  if (held !== null) console.log(`fine-tuning on ${train.images.rows} training images; the last ${validation} are the validation set`);
  return { train: rows(train), validation: held === null ? undefined : rows(held), test: rows(data.test) };
}

/** Error (%) of a labelled DBM's label units read out from q(h_L | x), no backprop. */
export function labelReadoutError(dbm: DBM, images: Tensor, classes: ArrayLike<number>): number {
  const predicted = ops.argmax(dbm.labelProbabilities(images));
  return (100 * predicted.filter((c, r) => c !== classes[r]).length) / predicted.length;
}

/** The training rows outside the validation set (all of them without --validation): what a model may learn from. */
export function trainingRows(data: MnistData, validation: number | undefined): MnistSplit {
  const { train } = data;
  if (validation === undefined) return train;
  const cut = validationCut(data, validation);
  return { images: train.images.sliceRows(0, cut), oneHot: train.oneHot.sliceRows(0, cut), labels: train.labels.subarray(0, cut) };
}

/** The last `validation` training rows, held out of every fit (null without --validation). */
export function validationRows(data: MnistData, validation: number | undefined): MnistSplit | null {
  const { train } = data;
  if (validation === undefined) return null;
  const cut = validationCut(data, validation);
  const n = train.images.rows;
  return { images: train.images.sliceRows(cut, n), oneHot: train.oneHot.sliceRows(cut, n), labels: train.labels.subarray(cut) };
}

function validationCut(data: MnistData, validation: number): number {
  const n = data.train.images.rows;
  if (validation >= n) throw new UsageError(`--validation ${validation} must be smaller than the ${n} training images`);
  return n - validation;
}

/** "ours 1.31 %   published 1.20 % (Hinton & Salakhutdinov 2006)"; ours is an error fraction. */
export function report(what: string, ours: number, published: number, source: string): void {
  console.log(`${what.padEnd(44)} ours ${(100 * ours).toFixed(2).padStart(6)} %   published ${published.toFixed(2)} % (${source})`);
}

export const seconds = (t0: number): string => `${((performance.now() - t0) / 1e3).toFixed(0)} s`;
