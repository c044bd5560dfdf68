/** `layerwise train mlp`: trains a multilayer perceptron on MNIST and saves it. */
import { Dense } from "../../nn/dense.js";
import { Dropout } from "../../nn/dropout.js";
import type { Layer } from "../../nn/layer.js";
import { Adagrad } from "../../optim/adagrad.js";
import { Adam } from "../../optim/adam.js";
import type { Optimizer, OptimizerOptions } from "../../optim/optimizer.js";
import { SGD } from "../../optim/sgd.js";
import { loadSequential } from "../../train/load.js";
import { Sequential } from "../../train/sequential.js";
import { parseSizeList, UsageError } from "../args.js";
import { checkpointOptions, describeTrainingData, epochsToRun, RunCheckpoint } from "../checkpoint.js";
import type { Command } from "../command.js";
import {
  defineCommand,
  fitTestAndSave,
  learningRateOption,
  loadMnistFor,
  logUnless,
  lrDecayOption,
  requireOption,
  supervisedTrainerOptions,
} from "../common.js";
import { reportOption } from "../report.js";

const USAGE = "layerwise train mlp --layers 784-500-500-10 --out DIR [options]";

const specs = {
  layers: { type: "string", description: "layer sizes from input to output, e.g. 784-500-500-10 (input 784, output 10 for MNIST)" },
  activation: { type: "string", description: "hidden unit", choices: ["relu", "sigmoid", "tanh", "leakyRelu"], default: "relu" },
  loss: {
    type: "string",
    description: "crossentropy (softmax output) or mse (sigmoid output, ½‖t − y‖²)",
    choices: ["crossentropy", "mse"],
    default: "crossentropy",
  },
  optimizer: { type: "string", description: "update rule", choices: ["sgd", "momentum", "nesterov", "adagrad", "adam"], default: "momentum" },
  lr: learningRateOption("learning rate (default 0.1 for sgd, 0.05 momentum/nesterov, 0.01 adagrad, 0.001 adam)"),
  momentum: { type: "number", description: "momentum for momentum/nesterov", min: 0, max: 0.999, default: 0.9 },
  "lr-decay": lrDecayOption,
  "weight-decay": { type: "number", description: "L2 penalty λ on weights", min: 0, default: 0 },
  dropout: { type: "number", description: "dropout rate after each hidden layer", min: 0, max: 0.99, default: 0 },
  epochs: { type: "number", description: "passes over the training set", integer: true, min: 1, default: 10 },
  "batch-size": { type: "number", description: "digits per update", integer: true, min: 1, default: 100 },
  "validation-split": { type: "number", description: "fraction of training digits held out for val_loss/val_accuracy", min: 0, max: 0.9, default: 0 },
  ...supervisedTrainerOptions({ seed: "seed of initialisation, dropout and shuffling", out: "folder to save model.json and model.safetensors into" }),
  ...checkpointOptions,
  ...reportOption,
} as const;

export function parseLayerSizes(spec: string | undefined): number[] {
  if (spec === undefined) throw new UsageError("option --layers is required, e.g. --layers 784-500-500-10");
  const sizes = parseSizeList(spec, "--layers", "784-500-500-10");
  if (sizes[0] !== 784) throw new UsageError(`option --layers must start with 784 (MNIST pixels); got ${sizes[0]}`);
  if (sizes[sizes.length - 1] !== 10) throw new UsageError(`option --layers must end with 10 (MNIST classes); got ${sizes[sizes.length - 1]}`);
  return sizes;
}

function makeOptimizer(name: string, lr: number | undefined, momentum: number, decay: number, weightDecay: number): Optimizer {
  const base: OptimizerOptions = { weightDecay, schedule: decay < 1 ? { type: "exponential", decay } : undefined };
  switch (name) {
    case "sgd":
      return new SGD({ ...base, learningRate: lr ?? 0.1 });
    case "momentum":
      return new SGD({ ...base, learningRate: lr ?? 0.05, momentum });
    case "nesterov":
      return new SGD({ ...base, learningRate: lr ?? 0.05, momentum, nesterov: true });
    case "adagrad":
      return new Adagrad({ ...base, learningRate: lr ?? 0.01 });
    default:
      return new Adam({ ...base, learningRate: lr ?? 0.001 });
  }
}

/** The net of --layers: hidden layers of `activation` (each followed by dropout when asked), then 10 outputs. */
function newMlp(sizes: number[], activation: "relu" | "sigmoid" | "tanh" | "leakyRelu", mse: boolean, dropout: number, seed: number | undefined): Sequential {
  const layers: Layer[] = [];
  for (let i = 1; i < sizes.length - 1; i++) {
    layers.push(new Dense(sizes[i], { activation, kernelInitializer: activation === "relu" || activation === "leakyRelu" ? "heNormal" : "glorotUniform" }));
    if (dropout > 0) layers.push(new Dropout(dropout));
  }
  layers.push(new Dense(10, { activation: mse ? "sigmoid" : "softmax" }));
  return new Sequential(layers, { inputShape: [784], seed, name: `mlp_${sizes.join("_")}` });
}

export const trainMlpCommand: Command = defineCommand({
  path: ["train", "mlp"],
  summary: "train a multilayer perceptron on MNIST by backpropagation and save it",
  usage: USAGE,
  specs,
  outDir: (o) => o.out,
  async run(o, _help, _given, report) {
    const sizes = parseLayerSizes(o.layers);
    const out = requireOption(o.out, "out", "the folder to save the model into");
    const activation = o.activation as "relu" | "sigmoid" | "tanh" | "leakyRelu";
    const mse = o.loss === "mse";
    const dropout = o.dropout ?? 0;

    const data = await loadMnistFor(o);
    const checkpoint = new RunCheckpoint("train mlp", out, o, describeTrainingData(data.source, [data.train.images, data.train.oneHot]));
    const resumed = await checkpoint.resume(loadSequential);
    const model = resumed?.model ?? newMlp(sizes, activation, mse, dropout, o.seed);
    const optimizer = resumed?.model.optimizer ?? makeOptimizer(o.optimizer ?? "momentum", o.lr, o.momentum ?? 0.9, o["lr-decay"] ?? 1, o["weight-decay"] ?? 0);
    // a loaded model is built and compiled already (build() again would draw fresh weights)
    if (resumed === null) model.compile({ loss: mse ? "meanSquaredError" : "categoricalCrossentropy", optimizer, metrics: ["accuracy"] }).build();

    const log = logUnless(o.quiet);
    log(model.summary());
    log(`optimizer: ${JSON.stringify(optimizer.config())}`);
    const fit = {
      ...epochsToRun(model, o.epochs ?? 10, o.seed),
      batchSize: o["batch-size"],
      validationSplit: o["validation-split"],
      verbose: !o.quiet,
      callbacks: checkpoint.callbacks(),
    };
    console.log(await fitTestAndSave(model, data, fit, out, `trained ${o.epochs} epochs`, report));
    console.log(`saved to ${out}`);
    return 0;
  },
});
