/**
 * `layerwise demo`: the README's first command. Hinton's 2006 pipeline in a couple of
 * minutes on the bundled digits (or those --data or $LAYERWISE_MNIST name): greedy RBM
 * pretraining of a small DBN (label units on the top RBM, so it can dream digits of a chosen
 * class), backpropagation fine-tuning, and the
 * same net trained from random weights with the same budget for comparison. Writes the
 * filters, samples (one row per digit class), the stack, the classifier and a summary; a rerun
 * into the same folder resumes the stack only with the settings it records (train-dbn.ts).
 */
import { chooseMnist } from "../../data/mnist.js";
import type { Command } from "../command.js";
import { dataOption, defineCommand, freshOption, quietOption, seedOption } from "../common.js";
import { dataFlag, type PretrainSettings, parseLayers, printResult, resumeOrStart, runDbnPipeline } from "./train-dbn.js";

const specs = {
  out: { type: "string", description: "output folder", default: "layerwise-demo" },
  layers: { type: "string", description: "layer sizes", default: "784-256-256" },
  data: dataOption,
  limit: { type: "number", description: "training digits to train on (of the bundled 8,000)", default: 2000, integer: true, min: 100 },
  "pretrain-epochs": { type: "number", description: "RBM epochs per layer", default: 5, integer: true, min: 0 },
  "finetune-epochs": { type: "number", description: "backpropagation epochs (both nets)", default: 10, integer: true, min: 1 },
  seed: seedOption("seed"),
  fresh: freshOption,
  quiet: quietOption("only the summary"),
} as const;

export const demoCommand: Command = defineCommand({
  path: ["demo"],
  summary: "the 2006 result in ~2 minutes: pretrain a small DBN on the bundled digits, fine-tune, compare with no pretraining",
  usage: "layerwise demo [--out layerwise-demo]",
  specs,
  outDir: (o) => o.out,
  async run(o, _help, given) {
    const t = performance.now();
    const out = o.out ?? "layerwise-demo";
    // label units, batch size and RBM learning rate are the demo's own: a stack with others does not resume
    const requested: PretrainSettings = {
      layers: parseLayers(o.layers ?? "784-256-256"),
      labels: true,
      seed: o.seed ?? 1,
      rbmLearningRate: 0.05,
      batchSize: 20,
      pretrainEpochs: o["pretrain-epochs"] ?? 5,
      data: dataFlag(chooseMnist(o.data)),
      trainDigits: o.limit ?? 2000,
    };
    const isGiven = (flag: string): boolean => given.has(flag) || !(flag in specs);
    const { data, settings, stack } = await resumeOrStart(out, requested, { fresh: o.fresh, data: o.data, limit: o.limit ?? 2000, isGiven });
    console.log(
      `layerwise demo: a deep belief net ${settings.layers.join("-")} (+10 label units on the top RBM) on ${data.train.images.rows} training digits, tested on ${data.test.images.rows}`,
    );
    console.log("1. greedy layer-wise pretraining: each RBM learns the features of the one below (CD-1)");
    const result = await runDbnPipeline(data, {
      ...settings,
      finetuneEpochs: o["finetune-epochs"] ?? 10,
      finetuneLearningRate: 0.1,
      baseline: true,
      freeze: false,
      sampleSteps: 500,
      out,
      quiet: o.quiet,
      stack,
    });
    printResult(result);
    console.log(
      `filters.png: the first RBM's weights; samples.png: one row per digit class, dreamt by the top RBM with its label clamped (${((performance.now() - t) / 1e3).toFixed(0)} s in all)`,
    );
    return 0;
  },
});
