/**
 * Teaching experiment: vanishing gradients. Nine hidden layers of 500 units (784-500x9-10),
 * softmax and cross-entropy, SGD η = 0.1, batch 100: with sigmoid units each layer multiplies
 * the backpropagated error by σ' ≤ ¼, so the lower layers barely learn; with ReLU units the
 * derivative is 1 wherever a unit is active. Notes: 0.11 vs 0.96.
 *
 *   node --import tsx examples/teaching-deep-sigmoid-vs-relu.ts [--epochs 20] [--data ../shared/datasets/mnist]
 */
import { runArms, teachingData, teachingOptions } from "./teaching-common.js";

const o = teachingOptions("teaching-deep-sigmoid-vs-relu", "9 sigmoid vs 9 ReLU hidden layers (784-500x9-10, cross-entropy, SGD 0.1, batch 100).");
const data = await teachingData(o);
const layers = [784, ...Array<number>(9).fill(500), 10];
await runArms(
  "9 sigmoid layers vs 9 ReLU layers",
  [
    {
      name: "9 sigmoid hidden layers",
      model: { layers, hidden: "sigmoid", seed: o.seed },
      loss: "categoricalCrossentropy",
      learningRate: 0.1,
      batchSize: 100,
      notes: 0.11,
    },
    {
      name: "9 ReLU hidden layers",
      model: { layers, hidden: "relu", seed: o.seed },
      loss: "categoricalCrossentropy",
      learningRate: 0.1,
      batchSize: 100,
      notes: 0.96,
    },
  ],
  data,
  o,
);
