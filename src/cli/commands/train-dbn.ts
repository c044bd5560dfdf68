/**
 * `layerwise train dbn`: the 2006 pipeline on MNIST. Greedy layer-wise pretraining of a stack
 * of RBMs (saved as it goes, so a run resumes), then backpropagation fine-tuning of the
 * classifier the stack initialises, optionally next to the same net trained from random
 * weights with the same budget. Writes the stack, the classifier, filters, samples and a
 * summary. `layerwise demo` runs the same pipeline with small settings (demo.ts).
 */
import { loadMnist, type MnistData } from "../../data/mnist.js";
import { ensureDir, joinPath as join, writeFileAtomic } from "../../io/files.js";
import { hasSavedModel } from "../../io/model.js";
import { DBN, type PretrainCallback } from "../../models/dbn/dbn.js";
import { loadDbn } from "../../models/dbn/io.js";
import { writeDbnPictures } from "../../models/dbn/pictures.js";
import { type FinetuneStage, pretrainAndFinetune } from "../../models/recipes/pretrain-finetune.js";
import type { Callback } from "../../train/callbacks.js";
import { ProgressBar } from "../../train/progress.js";
import { parseSizeList, UsageError } from "../args.js";
import type { Command } from "../command.js";
import { defineCommand, outOption, quietOption, requireOptionShowingHelp, seedOption, trainingDigitsOptions } from "../common.js";

export interface DbnPipelineOptions {
  layers: number[];
  pretrainEpochs: number;
  finetuneEpochs: number;
  batchSize: number;
  rbmLearningRate: number;
  finetuneLearningRate: number;
  /** Join label units to the top RBM (for samples per class). */
  labels: boolean;
  /** Also train the same net from random weights with the same fine-tuning budget. */
  baseline: boolean;
  /** Keep the pretrained layers fixed and train only the output layer (protocol b). */
  freeze: boolean;
  sampleSteps: number;
  seed: number;
  out: string;
  quiet: boolean;
}

export interface DbnPipelineResult {
  pretrainedAccuracy: number;
  baselineAccuracy: number | null;
  pretrainSeconds: number;
  finetuneSeconds: number;
  baselineSeconds: number | null;
  files: string[];
}

/** The stack in out/stack, pretrained further (resuming where an earlier run stopped), else a new one pretrained. */
async function pretrainedStack(data: MnistData, o: DbnPipelineOptions, stackDir: string): Promise<DBN> {
  const { train } = data;
  let dbn: DBN;
  if (await hasSavedModel(stackDir)) {
    dbn = await loadDbn(stackDir);
    if (dbn.layers.join("-") !== o.layers.join("-"))
      throw new UsageError(`${stackDir} holds a ${dbn.layers.join("-")} stack; --layers asks for ${o.layers.join("-")} (use another --out)`);
    console.log(`resuming the stack in ${stackDir} (epochs so far: ${dbn.rbms.map((r) => r.epochsTrained).join(", ")})`);
  } else {
    dbn = new DBN({ layers: o.layers, labels: o.labels ? train.oneHot.cols : 0, seed: o.seed, rbm: { learningRate: o.rbmLearningRate } });
  }
  // a header before each layer, then Keras-style progress lines
  const layerHeader: PretrainCallback = {
    onLayerBegin: (i) =>
      console.log(
        `RBM ${i.layer + 1}: ${i.visible}-${i.hidden}${i.layer === dbn.rbms.length - 1 && dbn.labels > 0 ? ` (incl. ${dbn.labels} label units)` : ""}, ${i.epochs} epoch(s) to train`,
      ),
  };
  await dbn.pretrain(train.images, {
    epochs: o.pretrainEpochs,
    batchSize: o.batchSize,
    labels: dbn.labels > 0 ? train.oneHot : undefined,
    callbacks: o.quiet ? [] : [layerHeader, new ProgressBar()],
    checkpoint: stackDir,
  });
  await dbn.save(stackDir);
  return dbn;
}

/** Pretrain (resuming from out/stack), fine-tune, compare, save and draw. */
export async function runDbnPipeline(data: MnistData, o: DbnPipelineOptions): Promise<DbnPipelineResult> {
  const { train, test } = data;
  if (o.layers[0] !== train.images.cols)
    throw new UsageError(`--layers must start with the ${train.images.cols} pixels of an image; got ${o.layers.join("-")}`);
  const classes = train.oneHot.cols;
  const stackDir = join(o.out, "stack");
  await ensureDir(o.out);
  // a header before each fine-tuning fit, then Keras-style progress lines
  const progress = (stage: FinetuneStage): Callback[] => {
    if (stage.arm === "pretrained")
      console.log(
        `fine-tuning ${[...o.layers, classes].join("-")} by backpropagation${o.freeze ? " (pretrained layers frozen)" : ""}, ${o.finetuneEpochs} epochs, SGD ε ${o.finetuneLearningRate} momentum 0.9`,
      );
    else console.log("the same net from random weights (no pretraining), same budget");
    return [new ProgressBar()];
  };
  const run = await pretrainAndFinetune(
    () => pretrainedStack(data, o, stackDir),
    { train: { x: train.images, y: train.oneHot }, test: { x: test.images, y: test.oneHot } },
    {
      epochs: o.finetuneEpochs,
      batchSize: o.batchSize,
      optimizer: { type: "sgd", learningRate: o.finetuneLearningRate, momentum: 0.9 },
      outputLayerOnly: o.freeze,
      seed: o.seed,
      baseline: o.baseline,
      callbacks: o.quiet ? [] : progress,
    },
  );
  const dbn = run.stack;
  await run.pretrained.model.save(join(o.out, "classifier"));
  const pictures = await writeDbnPictures(dbn, o.out, { gibbsSteps: o.sampleSteps, seed: o.seed });
  const result: DbnPipelineResult = {
    pretrainedAccuracy: run.pretrained.test.accuracy,
    baselineAccuracy: run.baseline?.test.accuracy ?? null,
    pretrainSeconds: run.pretrainSeconds,
    finetuneSeconds: run.pretrained.seconds,
    baselineSeconds: run.baseline?.seconds ?? null,
    files: [join(o.out, "stack/"), join(o.out, "classifier/"), ...pictures, join(o.out, "summary.json")],
  };
  const summary = {
    model: `DBN ${o.layers.join("-")}${dbn.labels > 0 ? ` (+${dbn.labels} labels on the top RBM)` : ""}, classifier ${[...o.layers, classes].join("-")}`,
    source: data.source,
    trainDigits: train.images.rows,
    testDigits: test.images.rows,
    pretrainEpochs: o.pretrainEpochs,
    finetuneEpochs: o.finetuneEpochs,
    batchSize: o.batchSize,
    rbmLearningRate: o.rbmLearningRate,
    finetuneLearningRate: o.finetuneLearningRate,
    frozen: o.freeze,
    seed: o.seed,
    testAccuracyPretrained: result.pretrainedAccuracy,
    testAccuracyRandomInit: result.baselineAccuracy,
    pretrainSeconds: result.pretrainSeconds,
    finetuneSeconds: result.finetuneSeconds,
    baselineSeconds: result.baselineSeconds,
  };
  await writeFileAtomic(join(o.out, "summary.json"), `${JSON.stringify(summary, null, 2)}\n`);
  return result;
}

export function parseLayers(text: string): number[] {
  return parseSizeList(text, "--layers", "784-500-500-2000");
}

const specs = {
  layers: { type: "string", description: "layer sizes, data first", default: "784-500-500-2000" },
  "pretrain-epochs": { type: "number", description: "RBM epochs per layer", default: 10, integer: true, min: 0 },
  "finetune-epochs": { type: "number", description: "backpropagation epochs", default: 10, integer: true, min: 0 },
  batch: { type: "number", description: "mini-batch size (pretraining and fine-tuning)", default: 100, integer: true, min: 1 },
  "rbm-lr": { type: "number", description: "RBM learning rate ε", default: 0.05, min: 0 },
  "finetune-lr": { type: "number", description: "SGD learning rate for fine-tuning", default: 0.1, min: 0 },
  labels: { type: "boolean", description: "join 10 label units to the top RBM (samples per class)" },
  baseline: { type: "boolean", description: "also train the same net from random weights, same budget" },
  freeze: { type: "boolean", description: "keep the pretrained layers fixed (train only the output layer)" },
  ...trainingDigitsOptions,
  "sample-steps": { type: "number", description: "Gibbs steps in the top RBM for samples.png", default: 1000, integer: true, min: 1 },
  seed: seedOption("seed of every random choice"),
  out: outOption("output folder (required; an existing stack there is resumed)"),
  quiet: quietOption("only the summary"),
} as const;

const USAGE = "layerwise train dbn --out DIR [--layers 784-500-500-2000] [--pretrain-epochs N] [--finetune-epochs M] [--data DIR]";

export function printResult(r: DbnPipelineResult): void {
  console.log(
    `test accuracy: pretrained DBN ${(r.pretrainedAccuracy * 100).toFixed(2)} %${r.baselineAccuracy === null ? "" : `, same net from random weights ${(r.baselineAccuracy * 100).toFixed(2)} %`}`,
  );
  console.log(
    `time: pretraining ${r.pretrainSeconds.toFixed(1)} s, fine-tuning ${r.finetuneSeconds.toFixed(1)} s${r.baselineSeconds === null ? "" : `, random-init net ${r.baselineSeconds.toFixed(1)} s`}`,
  );
  console.log(`wrote ${r.files.join(", ")}`);
}

export const trainDbnCommand: Command = defineCommand({
  path: ["train", "dbn"],
  summary: "pretrain a deep belief net layer by layer on MNIST, fine-tune it as a classifier; writes stack, classifier, filters, samples",
  usage: USAGE,
  specs,
  async run(o, help) {
    const out = requireOptionShowingHelp(o.out, "--out DIR", help);
    const data = await loadMnist({ dir: o.data, limitTrain: o.limit });
    console.log(
      `data: ${data.source === "full" ? `MNIST from ${o.data}` : "bundled digits"}, ${data.train.images.rows} training / ${data.test.images.rows} test images`,
    );
    const result = await runDbnPipeline(data, {
      layers: parseLayers(o.layers ?? "784-500-500-2000"),
      pretrainEpochs: o["pretrain-epochs"] ?? 10,
      finetuneEpochs: o["finetune-epochs"] ?? 10,
      batchSize: o.batch ?? 100,
      rbmLearningRate: o["rbm-lr"] ?? 0.05,
      finetuneLearningRate: o["finetune-lr"] ?? 0.1,
      labels: o.labels,
      baseline: o.baseline,
      freeze: o.freeze,
      sampleSteps: o["sample-steps"] ?? 1000,
      seed: o.seed ?? 1,
      out,
      quiet: o.quiet,
    });
    printResult(result);
    return 0;
  },
});
