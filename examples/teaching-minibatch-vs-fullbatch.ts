/**
 * Teaching experiment: how many updates. The same 784-500-500-10 sigmoid network with softmax
 * and cross-entropy, SGD η = 0.1, for the same number of epochs, once with mini-batches of 100
 * (n/100 updates per epoch) and once with the full training set as one batch (one update per
 * epoch). Notes: 0.84 vs 0.12.
 *
 *   node --import tsx examples/teaching-minibatch-vs-fullbatch.ts [--epochs 20] [--data ../shared/datasets/mnist]
 */
import { runArms, teachingData, teachingOptions } from "./teaching-common.js";

const o = teachingOptions(
  "teaching-minibatch-vs-fullbatch",
  "Mini-batch (100) vs full-batch gradient descent (784-500-500-10 sigmoid, cross-entropy, SGD 0.1).",
);
const data = await teachingData(o);
const model = { layers: [784, 500, 500, 10], hidden: "sigmoid", seed: o.seed } as const;
await runArms(
  "mini-batch vs full batch",
  [
    { name: "mini-batch of 100", model, loss: "categoricalCrossentropy", learningRate: 0.1, batchSize: 100, notes: 0.84 },
    { name: "full batch (one step per epoch)", model, loss: "categoricalCrossentropy", learningRate: 0.1, batchSize: "full", notes: 0.12 },
  ],
  data,
  o,
);
