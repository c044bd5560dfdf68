/** `layerwise evaluate`: loads a saved model and reports its loss and accuracy on the MNIST test digits. */
import { baseName, joinPath, parentDir } from "../../io/files.js";
import { hasSavedModel } from "../../io/model.js";
import { SGD } from "../../optim/sgd.js";
import { loadSequential } from "../../train/load.js";
import type { Sequential } from "../../train/sequential.js";
import type { Command } from "../command.js";
import { dataName, dataOption, defineCommand, formatScores, limitOption, loadDigits, requireOption } from "../common.js";

const USAGE = "layerwise evaluate --model DIR [--data DIR|full|bundled] [options]";

const specs = {
  model: { type: "string", description: "folder written by `layerwise train mlp` or Sequential.save" },
  data: dataOption,
  "limit-test": limitOption("use only the first N test digits"),
  "batch-size": { type: "number", description: "digits per forward pass", integer: true, min: 1, default: 500 },
  json: { type: "boolean", description: "print one JSON line" },
} as const;

/**
 * The Sequential saved in dir. A DBN run folder (`train dbn`, `demo`) holds its classifier in
 * classifier/ and the stack in stack/: the error for such a folder, or for its stack, says where
 * the classifier is.
 */
async function loadClassifier(dir: string): Promise<Sequential> {
  try {
    return await loadSequential(dir);
  } catch (err) {
    const candidates = [joinPath(dir, "classifier")];
    if (baseName(dir) === "stack") candidates.push(joinPath(parentDir(dir), "classifier"));
    for (const candidate of candidates) {
      if (await hasSavedModel(candidate)) {
        throw new Error(
          `${dir} is not a classifier (${err instanceof Error ? err.message : String(err)}); a DBN run keeps its classifier in ${candidate}: layerwise evaluate --model ${candidate}`,
        );
      }
    }
    throw err;
  }
}

export const evaluateCommand: Command = defineCommand({
  path: ["evaluate"],
  summary: "report a saved model's loss and accuracy on the MNIST test digits",
  usage: USAGE,
  specs,
  async run(o) {
    const dir = requireOption(o.model, "model", "a folder with model.json and model.safetensors");
    const model = await loadClassifier(dir);
    // A model saved uncompiled (or without the metric) is scored with cross-entropy and accuracy.
    model.compile({ loss: model.loss?.name ?? "categoricalCrossentropy", optimizer: model.optimizer ?? new SGD(), metrics: ["accuracy"] });
    const inputs = model.inputShape.reduce((a, b) => a * b, 1);
    if (inputs !== 784 || model.outputShape.join() !== "10") {
      throw new Error(`${dir}: the model maps [${model.inputShape}] to [${model.outputShape}]; evaluate needs MNIST's 784 pixels to 10 classes`);
    }
    // --json prints one JSON line, which names the data itself
    const data = await loadDigits(o.data, { limitTest: o["limit-test"], limitTrain: 0 }, o.json ? () => {} : console.log);
    const images = data.test.images.reshape([data.test.images.rows, ...model.inputShape]);
    const r = model.evaluate(images, data.test.oneHot, { batchSize: o["batch-size"] });
    const n = data.test.images.rows;
    if (o.json) {
      console.log(
        JSON.stringify({ model: dir, source: data.source, data: dataName(data.choice), digits: n, loss: r.loss, accuracy: r.accuracy, error: 1 - r.accuracy }),
      );
    } else {
      console.log(`${dir} on ${n} ${data.source} MNIST test digits: ${formatScores(r)}`);
    }
    return 0;
  },
});
