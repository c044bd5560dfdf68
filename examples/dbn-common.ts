/**
 * What the DBN/DBM reproduction scripts share: options (data folder, epochs, limits, seed),
 * loading MNIST (the full set from ../shared/datasets/mnist when present, else the bundled
 * digits with a warning), fine-tuning a Sequential (SGD + momentum, or conjugate gradients),
 * and printing a figure next to the published one from ../shared/REFERENCES.md.
 */

import { existsSync } from "node:fs";
import { formatHelp, type OptionSpecs, type ParsedOptions, parseOptions, UsageError } from "../src/cli/args.js";
import { defaultMnistDir, loadMnist, type MnistData } from "../src/data/mnist.js";
import type { DBM } from "../src/models/dbm/dbm.js";
import type { DBN } from "../src/models/dbn/dbn.js";
import { loadDbn } from "../src/models/dbn/io.js";
import { argmax } from "../src/ops/reduce.js";
import { ConjugateGradient } from "../src/optim/cg.js";
import { SGD } from "../src/optim/sgd.js";
import type { Tensor } from "../src/tensor/tensor.js";
import type { Sequential } from "../src/train/sequential.js";

export const commonSpecs = {
  data: { type: "string", description: "folder with the four MNIST IDX files (default ../shared/datasets/mnist, else the bundled digits)" },
  "limit-train": { type: "number", description: "use only the first N training images (quick runs)", integer: true, min: 1 },
  "limit-test": { type: "number", description: "use only the first N test images", integer: true, min: 1 },
  validation: {
    type: "number",
    description: "hold the last N training images out of fine-tuning and watch their error instead of the test error (choosing settings without the test set)",
    integer: true,
    min: 1,
  },
  batch: { type: "number", description: "mini-batch size", default: 100, integer: true, min: 1 },
  seed: { type: "number", description: "seed of every random choice", default: 1, integer: true },
  help: { type: "boolean", description: "show this help" },
} as const;

/**
 * Fine-tuning options shared by the DBN and DBM scripts. The defaults are the recipe chosen on
 * a validation split (--validation 10000) for the DBN: 80 epochs of SGD (ε 0.1, momentum 0.9)
 * decayed to zero by a cosine, with light dropout (0.1 on the input, 0.25 after each hidden
 * layer). Plain SGD reached 1.28 % validation error, Srivastava et al.'s 0.2 / 0.5 dropout
 * 1.42 % at this budget, this recipe 1.09 % (docs/dbn.md).
 */
export const finetuneSpecs = {
  "finetune-epochs": { type: "number", description: "backprop epochs (0: no fine-tuning)", default: 80, integer: true, min: 0 },
  "finetune-lr": { type: "number", description: "SGD learning rate (momentum 0.9)", default: 0.1, min: 0 },
  "constant-lr": { type: "boolean", description: "keep the fine-tuning learning rate constant (default: cosine decay to zero)" },
  "finetune-optimizer": {
    type: "string",
    description:
      "sgd: the recipe above; cg: conjugate gradients, --line-searches on each batch of --cg-batch images, no dropout (Hinton & Salakhutdinov's backprop.m: 3 line searches on batches of 1,000, with --warmup-epochs 5)",
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
 * The learning rate of the nets trained from random weights. At the pretrained nets' ε 0.1
 * (× momentum 0.9) a deep sigmoid net from Glorot-uniform weights sits on the saturation plateau
 * of Glorot & Bengio (2010): 784-1000-1000-1000-10 was still at chance after 2 epochs on 50k
 * images. Of 0.1, 0.05 and 0.02, 0.05 is the largest that left the plateau within 400 updates.
 */
export const baselineLrSpec = {
  "baseline-lr": { type: "number", description: "SGD learning rate of the nets from random weights (momentum 0.9)", default: 0.05, min: 0 },
} as const;

type FinetuneFlags = ParsedOptions<typeof finetuneSpecs> & { batch?: number; seed?: number };

/**
 * FinetuneOptions (but the label), the dropout rates and a one-line summary from the parsed
 * finetuneSpecs flags. Call it right after parsing: a conflict exits with a usage error before
 * hours of pretraining, not after.
 */
export function finetuneFrom(o: FinetuneFlags): { options: Omit<FinetuneOptions, "label">; dropout: { input: number; hidden: number }; summary: string } {
  const cg = o["finetune-optimizer"] === "cg";
  const dropout = { input: o["dropout-input"] ?? (cg ? 0 : 0.1), hidden: o["dropout-hidden"] ?? (cg ? 0 : 0.25) };
  if (cg && (dropout.input > 0 || dropout.hidden > 0)) {
    console.error(
      "--finetune-optimizer cg searches along one batch's loss, which dropout changes at every evaluation: leave out --dropout-input and --dropout-hidden",
    );
    process.exit(2);
  }
  const epochs = o["finetune-epochs"] ?? 80;
  const learningRate = o["finetune-lr"] ?? 0.1;
  const lineSearches = o["line-searches"] ?? 3;
  const warmup = o["warmup-epochs"] ?? 0;
  const method = cg
    ? `conjugate gradients, ${lineSearches} line searches per batch of ${o["cg-batch"] ?? 1000}`
    : `SGD ε ${learningRate} momentum 0.9${o["constant-lr"] ? "" : " (cosine decay)"}`;
  return {
    summary: `fine-tuning: ${warmup > 0 ? `${warmup} epochs of the output layer alone, then ` : ""}${epochs} epochs, ${method}, dropout input ${dropout.input} hidden ${dropout.hidden}`,
    options: {
      epochs,
      learningRate,
      batchSize: cg ? (o["cg-batch"] ?? 1000) : (o.batch ?? 100),
      seed: o.seed ?? 1,
      cosine: !o["constant-lr"],
      weightDecay: o["weight-decay"],
      warmupEpochs: warmup,
      lineSearches: cg ? lineSearches : undefined,
    },
    dropout,
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
  if (dir === null || !existsSync(`${dir}/dbn.json`)) return make();
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

/** What fine-tuning trains on, watches each epoch (validation, else test) and reports at the end (test). */
export interface FinetuneSets {
  x: Tensor;
  y: Tensor;
  xt: Tensor;
  yt: Tensor;
  xv?: Tensor;
  yv?: Tensor;
}

/**
 * The fine-tuning sets from the data: with --validation N the last N training rows become the
 * validation set and leave the training set; `inputs` maps images to the net's input (the DBM's
 * [v, q(h2)]).
 */
export function finetuneSets(data: MnistData, validation: number | undefined, inputs: (images: Tensor) => Tensor = (x) => x): FinetuneSets {
  const { test } = data;
  const train = trainingRows(data, validation);
  const held = validationRows(data, validation);
  const sets: FinetuneSets = { x: inputs(train.images), y: train.oneHot, xt: inputs(test.images), yt: test.oneHot };
  if (held === null) return sets;
  console.log(`fine-tuning on ${train.images.rows} training images; the last ${validation} are the validation set`);
  return { ...sets, xv: inputs(held.images), yv: held.oneHot };
}

type Rows = { images: Tensor; oneHot: Tensor; labels: Uint8Array };

/** Error (%) of a labelled DBM's label units read out from q(h_L | x), no backprop. */
export function labelReadoutError(dbm: DBM, images: Tensor, classes: ArrayLike<number>): number {
  const predicted = argmax(dbm.labelProbabilities(images));
  return (100 * predicted.filter((c, r) => c !== classes[r]).length) / predicted.length;
}

/** The training rows outside the validation set (all of them without --validation): what a model may learn from. */
export function trainingRows(data: MnistData, validation: number | undefined): Rows {
  const { train } = data;
  if (validation === undefined) return train;
  const cut = validationCut(data, validation);
  return { images: train.images.sliceRows(0, cut), oneHot: train.oneHot.sliceRows(0, cut), labels: train.labels.subarray(0, cut) };
}

/** The last `validation` training rows, held out of every fit (null without --validation). */
export function validationRows(data: MnistData, validation: number | undefined): Rows | null {
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

export interface FinetuneOptions {
  epochs: number;
  learningRate: number;
  batchSize: number;
  seed: number;
  frozen?: number[];
  label: string;
  /** Cosine decay of the learning rate to zero over the epochs (default: constant). */
  cosine?: boolean;
  /** L2 weight decay added to the gradient of every weight matrix (default 0). */
  weightDecay?: number;
  /** Epochs that first train only the output layer, the rest frozen (Hinton's backprop.m: 6). */
  warmupEpochs?: number;
  /** Conjugate gradients with this many line searches per batch instead of SGD (learningRate and cosine unused). */
  lineSearches?: number;
}

/** Indices of the layers with weights below the output layer (the pretrained ones). */
const belowOutput = (model: Sequential): number[] => model.layers.flatMap((layer, i) => (i < model.layers.length - 1 && layer.params().length > 0 ? [i] : []));

const errorOf = (model: Sequential, x: Tensor, y: Tensor): number => (1 - (model.evaluate(x, y).accuracy ?? 0)) * 100;

/**
 * SGD with momentum 0.9 (optionally cosine-decayed), or conjugate gradients when lineSearches
 * is set, on cross-entropy; prints the validation error (or, without a validation set, the
 * test error) every few epochs; returns the test error in % after the last epoch. With
 * warmupEpochs, the new output layer is first fitted alone: it starts random, and its large
 * early gradients would otherwise flow into the pretrained weights.
 */
export async function finetune(model: Sequential, sets: FinetuneSets, o: FinetuneOptions): Promise<number> {
  if ((o.warmupEpochs ?? 0) > 0) {
    await finetune(model, sets, {
      ...o,
      epochs: o.warmupEpochs ?? 0,
      warmupEpochs: 0,
      cosine: false,
      frozen: belowOutput(model),
      label: "output layer only",
    });
  }
  const optimizer =
    o.lineSearches === undefined
      ? new SGD({
          learningRate: o.learningRate,
          momentum: 0.9,
          weightDecay: o.weightDecay,
          schedule: o.cosine ? { type: "cosine", epochs: o.epochs } : undefined,
        })
      : new ConjugateGradient({ lineSearches: o.lineSearches, weightDecay: o.weightDecay });
  model.compile({ loss: "categoricalCrossentropy", optimizer, metrics: ["accuracy"] });
  const watch = sets.xv !== undefined && sets.yv !== undefined ? { x: sets.xv, y: sets.yv, name: "validation" } : { x: sets.xt, y: sets.yt, name: "test" };
  const t = performance.now();
  await model.fit(sets.x, sets.y, {
    epochs: o.epochs,
    batchSize: o.batchSize,
    seed: o.seed,
    frozen: o.frozen,
    callbacks: [
      {
        onEpochEnd: (epoch, logs) => {
          const e = epoch + 1;
          if (e === o.epochs || e % 5 === 0 || e <= 2) {
            const err = errorOf(model, watch.x, watch.y);
            console.log(
              `  ${o.label} epoch ${e}: loss ${logs.loss?.toFixed(4)}, ${watch.name} error ${err.toFixed(2)} % (${((performance.now() - t) / 1e3).toFixed(0)} s)`,
            );
          }
        },
      },
    ],
  });
  const test = errorOf(model, sets.xt, sets.yt);
  if (watch.name === "validation") console.log(`  ${o.label}: test error after ${o.epochs} epochs ${test.toFixed(2)} %`);
  return test;
}

/** "ours 1.31 %   published 1.20 % (Hinton & Salakhutdinov 2006)" */
export function report(what: string, ours: number, published: number, source: string): void {
  console.log(`${what.padEnd(44)} ours ${ours.toFixed(2).padStart(6)} %   published ${published.toFixed(2)} % (${source})`);
}

export const seconds = (t0: number): string => `${((performance.now() - t0) / 1e3).toFixed(0)} s`;
