/**
 * `layerwise demo`: the README's first command. Hinton's 2006 pipeline in a couple of
 * minutes on the bundled digits: greedy RBM pretraining of a small DBN (label units on the
 * top RBM, so it can dream digits of a chosen class), backpropagation fine-tuning, and the
 * same net trained from random weights with the same budget for comparison. Writes the
 * filters, samples (one row per digit class), the stack, the classifier and a summary.
 */
import { loadMnist } from "../../data/mnist.js";
import type { Command } from "../command.js";
import { defineCommand, quietOption, seedOption } from "../common.js";
import { parseLayers, printResult, runDbnPipeline } from "./train-dbn.js";

const specs = {
  out: { type: "string", description: "output folder", default: "layerwise-demo" },
  layers: { type: "string", description: "layer sizes", default: "784-256-256" },
  limit: { type: "number", description: "bundled training digits to train on (of 8,000)", default: 2000, integer: true, min: 100 },
  "pretrain-epochs": { type: "number", description: "RBM epochs per layer", default: 5, integer: true, min: 0 },
  "finetune-epochs": { type: "number", description: "backpropagation epochs (both nets)", default: 10, integer: true, min: 1 },
  seed: seedOption("seed"),
  quiet: quietOption("only the summary"),
} as const;

export const demoCommand: Command = defineCommand({
  path: ["demo"],
  summary: "the 2006 result in ~2 minutes: pretrain a small DBN on the bundled digits, fine-tune, compare with no pretraining",
  usage: "layerwise demo [--out layerwise-demo]",
  specs,
  async run(o) {
    const t = performance.now();
    const limit = o.limit ?? 2000;
    const data = await loadMnist({ limitTrain: limit });
    const layers = parseLayers(o.layers ?? "784-256-256");
    console.log(
      `layerwise demo: a deep belief net ${layers.join("-")} (+10 label units on the top RBM) on ${data.train.images.rows} of the bundled digits, tested on ${data.test.images.rows}`,
    );
    console.log("1. greedy layer-wise pretraining: each RBM learns the features of the one below (CD-1)");
    const result = await runDbnPipeline(data, {
      layers,
      pretrainEpochs: o["pretrain-epochs"] ?? 5,
      finetuneEpochs: o["finetune-epochs"] ?? 10,
      batchSize: 20,
      rbmLearningRate: 0.05,
      finetuneLearningRate: 0.1,
      labels: true,
      baseline: true,
      freeze: false,
      sampleSteps: 500,
      seed: o.seed ?? 1,
      out: o.out ?? "layerwise-demo",
      quiet: o.quiet,
    });
    printResult(result);
    console.log(
      `filters.png: the first RBM's weights; samples.png: one row per digit class, dreamt by the top RBM with its label clamped (${((performance.now() - t) / 1e3).toFixed(0)} s in all)`,
    );
    return 0;
  },
});
