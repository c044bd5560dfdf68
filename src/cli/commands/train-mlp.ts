/** `layerwise train mlp`: trains a multilayer perceptron on MNIST and saves it. */
import { loadMnist } from "../../data/mnist.js";
import { Dense } from "../../nn/dense.js";
import { Dropout } from "../../nn/dropout.js";
import type { Layer } from "../../nn/layer.js";
import { Adagrad } from "../../optim/adagrad.js";
import { Adam } from "../../optim/adam.js";
import type { Optimizer, OptimizerOptions } from "../../optim/optimizer.js";
import { SGD } from "../../optim/sgd.js";
import { Sequential } from "../../train/sequential.js";
import { formatSeconds } from "../../train/progress.js";
import { UsageError, formatHelp, parseOptions } from "../args.js";
import type { Command } from "../command.js";

const USAGE = "layerwise train mlp --layers 784-500-500-10 --out DIR [options]";

const specs = {
  layers: { type: "string", description: "layer sizes from input to output, e.g. 784-500-500-10 (input 784, output 10 for MNIST)" },
  activation: { type: "string", description: "hidden unit", choices: ["relu", "sigmoid", "tanh", "leakyRelu"], default: "relu" },
  loss: { type: "string", description: "crossentropy (softmax output) or mse (sigmoid output, ½‖t − y‖²)", choices: ["crossentropy", "mse"], default: "crossentropy" },
  optimizer: { type: "string", description: "update rule", choices: ["sgd", "momentum", "nesterov", "adagrad", "adam"], default: "momentum" },
  lr: { type: "number", description: "learning rate (default 0.1 for sgd, 0.05 momentum/nesterov, 0.01 adagrad, 0.001 adam)", min: 0 },
  momentum: { type: "number", description: "momentum for momentum/nesterov", min: 0, max: 0.999, default: 0.9 },
  "lr-decay": { type: "number", description: "multiply the learning rate by this after every epoch", min: 0, max: 1, default: 1 },
  "weight-decay": { type: "number", description: "L2 penalty λ on weights", min: 0, default: 0 },
  dropout: { type: "number", description: "dropout rate after each hidden layer", min: 0, max: 0.99, default: 0 },
  epochs: { type: "number", description: "passes over the training set", integer: true, min: 1, default: 10 },
  "batch-size": { type: "number", description: "digits per update", integer: true, min: 1, default: 100 },
  "validation-split": { type: "number", description: "fraction of training digits held out for val_loss/val_accuracy", min: 0, max: 0.9, default: 0 },
  data: { type: "string", description: "folder with the MNIST IDX files (default: the bundled digits)" },
  "limit-train": { type: "number", description: "use only the first N training digits", integer: true, min: 1 },
  "limit-test": { type: "number", description: "use only the first N test digits", integer: true, min: 1 },
  seed: { type: "number", description: "seed of initialisation, dropout and shuffling", integer: true, default: 1 },
  out: { type: "string", description: "folder to save model.json and model.safetensors into" },
  quiet: { type: "boolean", description: "no progress output" },
  help: { type: "boolean", description: "show this help" },
} as const;

export function parseLayerSizes(spec: string | undefined): number[] {
  if (spec === undefined) throw new UsageError("option --layers is required, e.g. --layers 784-500-500-10");
  const sizes = spec.split("-").map((s) => Number(s));
  if (sizes.length < 2 || sizes.some((n, i) => !Number.isInteger(n) || n < 1 || spec.split("-")[i].trim() === "")) {
    throw new UsageError(`option --layers must be sizes joined by "-", at least input and output, e.g. 784-500-500-10; got "${spec}"`);
  }
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

export const trainMlpCommand: Command = {
  path: ["train", "mlp"],
  summary: "train a multilayer perceptron on MNIST by backpropagation and save it",
  async run(argv) {
    const { options: o, positional } = parseOptions(argv, specs);
    if (o.help) {
      console.log(formatHelp(USAGE, specs));
      return 0;
    }
    if (positional.length > 0) throw new UsageError(`unexpected argument "${positional[0]}"; usage: ${USAGE}`);
    const sizes = parseLayerSizes(o.layers);
    if (o.out === undefined) throw new UsageError("option --out is required (the folder to save the model into)");
    if (o.lr !== undefined && o.lr <= 0) throw new UsageError(`option --lr must be a number > 0; got "${o.lr}"`);
    if (o["lr-decay"] === 0) throw new UsageError(`option --lr-decay must be a number in (0, 1]; got "0"`);
    const activation = o.activation as "relu" | "sigmoid" | "tanh" | "leakyRelu";
    const mse = o.loss === "mse";
    const dropout = o.dropout ?? 0;

    const data = await loadMnist({ source: o.data ? "full" : "bundled", dir: o.data, limitTrain: o["limit-train"], limitTest: o["limit-test"] });
    const layers: Layer[] = [];
    for (let i = 1; i < sizes.length - 1; i++) {
      layers.push(new Dense(sizes[i], { activation, kernelInitializer: activation === "relu" || activation === "leakyRelu" ? "heNormal" : "glorotUniform" }));
      if (dropout > 0) layers.push(new Dropout(dropout));
    }
    layers.push(new Dense(10, { activation: mse ? "sigmoid" : "softmax" }));
    const model = new Sequential(layers, { inputShape: [784], seed: o.seed, name: `mlp_${sizes.join("_")}` });
    const optimizer = makeOptimizer(o.optimizer ?? "momentum", o.lr, o.momentum ?? 0.9, o["lr-decay"] ?? 1, o["weight-decay"] ?? 0);
    model.compile({ loss: mse ? "meanSquaredError" : "categoricalCrossentropy", optimizer, metrics: ["accuracy"] });

    const log = (s: string): void => {
      if (!o.quiet) console.log(s);
    };
    log(`data: ${data.source} MNIST, ${data.train.images.rows} training and ${data.test.images.rows} test digits`);
    log(model.build().summary());
    log(`optimizer: ${JSON.stringify(optimizer.config())}`);
    const t0 = Date.now();
    await model.fit(data.train.images, data.train.oneHot, {
      epochs: o.epochs,
      batchSize: o["batch-size"],
      validationSplit: o["validation-split"],
      seed: o.seed,
      verbose: !o.quiet,
    });
    const seconds = (Date.now() - t0) / 1000;
    const test = model.evaluate(data.test.images, data.test.oneHot);
    await model.save(o.out);
    console.log(
      `test: loss ${test.loss.toFixed(4)} - accuracy ${(100 * test.accuracy).toFixed(2)} % - error ${(100 * (1 - test.accuracy)).toFixed(2)} % ` +
        `(${data.test.images.rows} digits; trained ${o.epochs} epochs in ${formatSeconds(seconds)})`,
    );
    console.log(`saved to ${o.out}`);
    return 0;
  },
};
