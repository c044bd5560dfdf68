/**
 * LeNet on the full MNIST (60,000 training, 10,000 test digits from ../shared/datasets/mnist):
 * trains LeNet-5 or its ReLU variant with Adam and a decaying learning rate, optionally with
 * augmentation, and prints the test error and wall time after every epoch. LeCun et al. (1998)
 * report 0.95 % for LeNet-5 (0.8 % with distortions).
 *
 *   node --import tsx examples/lenet-mnist.ts [--arch lenet-relu|lenet5] [--epochs 12]
 *        [--augment rotate=15,shift=2] [--data DIR] [--limit-train N]
 *
 * Run it once without and once with --augment to see augmentation's effect on test error.
 */

import { Adam, Augmenter, defaultMnistDir, LambdaCallback, LENET_ARCHS, type LeNetArch, lenet, loadMnist, parseAugmentSpec } from "layerwise";
import { parseOptions } from "layerwise/cli";

const { options: o } = parseOptions(process.argv.slice(2), {
  arch: {
    type: "string",
    choices: LENET_ARCHS,
    default: "lenet-relu",
    description: "lenet5 (tanh, average pooling, LeCun 1998) or lenet-relu (ReLU, max pooling, dropout)",
  },
  epochs: { type: "number", integer: true, min: 1, default: 12, description: "passes over the training set" },
  augment: { type: "string", description: "random transforms of every training batch, e.g. rotate=15,shift=2 (degrees, pixels; default: none)" },
  data: { type: "string", description: "folder with the MNIST IDX files (default: LAYERWISE_MNIST or ../shared/datasets/mnist)" },
  "limit-train": { type: "number", integer: true, min: 1, description: "use only the first N training digits" },
  seed: { type: "number", integer: true, default: 1, description: "seed of initialisation, dropout, shuffling and augmentation" },
} as const);

const dir = o.data ?? defaultMnistDir();
if (dir === null) {
  console.log("skipped: the full MNIST files are not here (expected ../shared/datasets/mnist or --data DIR)");
  process.exit(0);
}
const { train, test } = await loadMnist({ source: "full", dir, limitTrain: o["limit-train"] });
const seed = o.seed ?? 1;
const model = lenet(o.arch as LeNetArch, { seed, dropout: 0.25 });
model.compile({
  loss: "categoricalCrossentropy",
  optimizer: new Adam({ learningRate: 0.002, schedule: { type: "exponential", decay: 0.8 } }),
  metrics: ["accuracy"],
});
const augment = parseAugmentSpec(o.augment ?? "", seed + 100);
const transform = augment === null ? undefined : new Augmenter(augment).batchTransform();
const t0 = Date.now();
const report = new LambdaCallback({
  onEpochEnd: (epoch, logs) => {
    const { accuracy } = model.evaluate(test.images, test.oneHot);
    const wall = (Date.now() - t0) / 1000;
    console.log(`epoch ${epoch + 1}: train loss ${logs.loss.toFixed(4)}, test error ${(100 * (1 - accuracy)).toFixed(2)} %, wall ${wall.toFixed(0)} s`);
  },
});
console.log(
  `${o.arch} on ${train.images.rows} training digits, ${test.images.rows} test digits, augmentation ${augment === null ? "off" : JSON.stringify(augment)}`,
);
await model.fit(train.images, train.oneHot, { epochs: o.epochs, batchSize: 32, seed, callbacks: [report], transform });
