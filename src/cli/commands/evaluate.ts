/** `layerwise evaluate`: loads a saved model and reports its loss and accuracy on the MNIST test digits. */
import { loadMnist } from "../../data/mnist.js";
import { SGD } from "../../optim/sgd.js";
import { loadModel } from "../../train/load.js";
import { UsageError, formatHelp, parseOptions } from "../args.js";
import type { Command } from "../command.js";

const USAGE = "layerwise evaluate --model DIR [--data DIR] [options]";

const specs = {
  model: { type: "string", description: "folder written by `layerwise train mlp` or Sequential.save" },
  data: { type: "string", description: "folder with the MNIST IDX files (default: the bundled digits)" },
  "limit-test": { type: "number", description: "use only the first N test digits", integer: true, min: 1 },
  "batch-size": { type: "number", description: "digits per forward pass", integer: true, min: 1, default: 500 },
  json: { type: "boolean", description: "print one JSON line" },
  help: { type: "boolean", description: "show this help" },
} as const;

export const evaluateCommand: Command = {
  path: ["evaluate"],
  summary: "report a saved model's loss and accuracy on the MNIST test digits",
  async run(argv) {
    const { options: o, positional } = parseOptions(argv, specs);
    if (o.help) {
      console.log(formatHelp(USAGE, specs));
      return 0;
    }
    if (positional.length > 0) throw new UsageError(`unexpected argument "${positional[0]}"; usage: ${USAGE}`);
    if (o.model === undefined) throw new UsageError("option --model is required (a folder with model.json and model.safetensors)");
    const model = await loadModel(o.model);
    // A model saved uncompiled (or without the metric) is scored with cross-entropy and accuracy.
    model.compile({ loss: model.loss?.name ?? "categoricalCrossentropy", optimizer: model.optimizer ?? new SGD(), metrics: ["accuracy"] });
    const inputs = model.inputShape.reduce((a, b) => a * b, 1);
    if (inputs !== 784 || model.outputShape.join() !== "10") {
      throw new Error(`${o.model}: the model maps [${model.inputShape}] to [${model.outputShape}]; evaluate needs MNIST's 784 pixels to 10 classes`);
    }
    const data = await loadMnist({ source: o.data ? "full" : "bundled", dir: o.data, limitTest: o["limit-test"], limitTrain: 0 });
    const images = data.test.images.reshape([data.test.images.rows, ...model.inputShape]);
    const r = model.evaluate(images, data.test.oneHot, { batchSize: o["batch-size"] });
    const n = data.test.images.rows;
    if (o.json) {
      console.log(JSON.stringify({ model: o.model, source: data.source, digits: n, loss: r.loss, accuracy: r.accuracy, error: 1 - r.accuracy }));
    } else {
      console.log(`${o.model} on ${n} ${data.source} MNIST test digits: loss ${r.loss.toFixed(4)} - accuracy ${(100 * r.accuracy).toFixed(2)} % - error ${(100 * (1 - r.accuracy)).toFixed(2)} %`);
    }
    return 0;
  },
};
