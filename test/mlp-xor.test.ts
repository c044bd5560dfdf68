// The other half of the perceptron story: XOR defeats a single threshold unit (test/perceptron.test.ts)
// but a multilayer perceptron with one hidden layer, trained by backpropagation, solves it.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Perceptron } from "../src/models/perceptron/perceptron.js";
import { Dense } from "../src/nn/dense.js";
import { SGD } from "../src/optim/sgd.js";
import { tensor } from "../src/tensor/tensor.js";
import { Sequential } from "../src/train/sequential.js";

const x = tensor([
  [0, 0],
  [0, 1],
  [1, 0],
  [1, 1],
]);
const labels = [0, 1, 1, 0];
const y = tensor(labels.map((l) => [l]));

describe("MLP on XOR", () => {
  it("the perceptron fails where a 2-4-1 MLP trained by backpropagation succeeds (several seeds)", async () => {
    assert.equal(new Perceptron({ maxEpochs: 100 }).fit(x, labels).converged, false);
    for (const seed of [0, 1, 2]) {
      const mlp = new Sequential([new Dense(4, { activation: "tanh", inputShape: [2] }), new Dense(1, { activation: "sigmoid" })], { seed });
      mlp.compile({ loss: "binaryCrossentropy", optimizer: new SGD({ learningRate: 0.5, momentum: 0.9 }) });
      const history = await mlp.fit(x, y, { epochs: 500, batchSize: 4 });
      const loss = history.history.loss;
      assert.ok(loss[loss.length - 1] < 0.05, `seed ${seed}: final loss ${loss[loss.length - 1]}`);
      const out = mlp.predict(x);
      assert.deepEqual(
        Array.from(out.data, (p) => (p > 0.5 ? 1 : 0)),
        labels,
        `seed ${seed}: outputs ${Array.from(out.data).join(", ")}`,
      );
    }
  });

  it("two hidden sigmoid units suffice (the textbook 2-2-1 network), trained with plain SGD", async () => {
    const mlp = new Sequential([new Dense(2, { activation: "sigmoid", inputShape: [2] }), new Dense(1, { activation: "sigmoid" })], { seed: 3 });
    mlp.compile({ loss: "meanSquaredError", optimizer: new SGD({ learningRate: 2 }) });
    await mlp.fit(x, y, { epochs: 3000, batchSize: 1, seed: 1 });
    assert.deepEqual(
      Array.from(mlp.predict(x).data, (p) => (p > 0.5 ? 1 : 0)),
      labels,
    );
  });
});
