/** `layerwise evaluate`: loads a saved model and reports its loss and accuracy on the MNIST test digits. */
import { loadMnist } from "../../data/mnist.js";
import { SGD } from "../../optim/sgd.js";
import { loadSequential } from "../../train/load.js";
import type { Command } from "../command.js";
import { dataOption, defineCommand, formatScores, limitOption, requireOption } from "../common.js";

const USAGE = "layerwise evaluate --model DIR [--data DIR] [options]";

const specs = {
  model: { type: "string", description: "folder written by `layerwise train mlp` or Sequential.save" },
  data: dataOption,
  "limit-test": limitOption("use only the first N test digits"),
  "batch-size": { type: "number", description: "digits per forward pass", integer: true, min: 1, default: 500 },
  json: { type: "boolean", description: "print one JSON line" },
} as const;

export const evaluateCommand: Command = defineCommand({
  path: ["evaluate"],
  summary: "report a saved model's loss and accuracy on the MNIST test digits",
  usage: USAGE,
  specs,
  async run(o) {
    const dir = requireOption(o.model, "model", "a folder with model.json and model.safetensors");
    const model = await loadSequential(dir);
    // A model saved uncompiled (or without the metric) is scored with cross-entropy and accuracy.
    model.compile({ loss: model.loss?.name ?? "categoricalCrossentropy", optimizer: model.optimizer ?? new SGD(), metrics: ["accuracy"] });
    const inputs = model.inputShape.reduce((a, b) => a * b, 1);
    if (inputs !== 784 || model.outputShape.join() !== "10") {
      throw new Error(`${dir}: the model maps [${model.inputShape}] to [${model.outputShape}]; evaluate needs MNIST's 784 pixels to 10 classes`);
    }
    const data = await loadMnist({ dir: o.data, limitTest: o["limit-test"], limitTrain: 0 });
    const images = data.test.images.reshape([data.test.images.rows, ...model.inputShape]);
    const r = model.evaluate(images, data.test.oneHot, { batchSize: o["batch-size"] });
    const n = data.test.images.rows;
    if (o.json) {
      console.log(JSON.stringify({ model: dir, source: data.source, digits: n, loss: r.loss, accuracy: r.accuracy, error: 1 - r.accuracy }));
    } else {
      console.log(`${dir} on ${n} ${data.source} MNIST test digits: ${formatScores(r)}`);
    }
    return 0;
  },
});
