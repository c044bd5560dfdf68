/**
 * Teaching experiment: dropout as a regulariser. A 784-800-800-10 ReLU network (softmax,
 * cross-entropy, SGD η = 0.1, batch 100) with and without dropout (0.2 on the inputs, 0.5 on
 * the hidden units, Srivastava et al. 2014). Without dropout the training accuracy reaches 1
 * and the test accuracy stalls; with dropout the gap between them is smaller. The notes give
 * no figure for this one.
 *
 *   node --import tsx examples/teaching-dropout.ts [--epochs 20] [--data ../shared/datasets/mnist]
 */
import { runArms, teachingData, teachingOptions } from "./teaching-common.js";

const o = teachingOptions("teaching-dropout", "Dropout off vs on (784-800-800-10 ReLU, dropout 0.2 input / 0.5 hidden, cross-entropy, SGD 0.1, batch 100).");
const data = await teachingData(o);
const layers = [784, 800, 800, 10];
const results = await runArms(
  "dropout off vs on",
  [
    { name: "no dropout", model: { layers, hidden: "relu", seed: o.seed }, loss: "categoricalCrossentropy", learningRate: 0.1, batchSize: 100 },
    {
      name: "dropout 0.2 input / 0.5 hidden",
      model: { layers, hidden: "relu", inputDropout: 0.2, hiddenDropout: 0.5, seed: o.seed },
      loss: "categoricalCrossentropy",
      learningRate: 0.1,
      batchSize: 100,
    },
  ],
  data,
  o,
);
for (const r of results) console.log(`  ${r.arm.name}: train − test accuracy gap ${(r.trainAccuracy - r.testAccuracy).toFixed(4)}`);
