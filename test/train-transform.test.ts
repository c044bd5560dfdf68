import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Augmenter } from "../src/data/augment.js";
import { Dense } from "../src/nn/dense.js";
import { SGD } from "../src/optim/sgd.js";
import { Rng } from "../src/tensor/random.js";
import { randNormal, type Tensor, zeros } from "../src/tensor/tensor.js";
import { type BatchTransform, Sequential } from "../src/train/sequential.js";

/** n rows of noise (features inputs) and one-hot labels of random classes. */
function noiseData(n: number, features: number, classes: number, seed: number): { x: Tensor; y: Tensor } {
  const rng = new Rng(seed);
  const x = randNormal([n, features], rng);
  const y = zeros([n, classes]);
  for (let r = 0; r < n; r++) y.data[r * classes + rng.int(classes)] = 1;
  return { x, y };
}

function classifier(inputs: number, classes: number, seed = 1): Sequential {
  const model = new Sequential([new Dense(8, { activation: "tanh" }), new Dense(classes, { activation: "softmax" })], { inputShape: [inputs], seed });
  model.compile({ loss: "categoricalCrossentropy", optimizer: new SGD({ learningRate: 0.5 }), metrics: ["accuracy"] });
  return model;
}

function weightsOf(model: Sequential): number[] {
  return model.getWeights().flatMap((w) => Array.from(w.data));
}

describe("fit transform", () => {
  it("is called on every training batch, with the smaller last batch and never on validation rows", async () => {
    const { x, y } = noiseData(12, 4, 4, 1);
    const calls: string[] = [];
    const transform: BatchTransform = (xb, yb, { epoch, batch, out }) => {
      assert.equal(yb.rows, xb.rows);
      assert.deepEqual(out.shape, xb.shape, "the scratch buffer has the batch's shape");
      calls.push(`${epoch}.${batch}:${xb.rows}`);
    };
    // 12 rows, 2 held out for validation: batches of 4, 4, 2
    await classifier(4, 4).fit(x, y, { epochs: 2, batchSize: 4, validationSplit: 1 / 6, initialEpoch: 3, transform });
    assert.deepEqual(calls, ["3.0:4", "3.1:4", "3.2:2", "4.0:4", "4.1:4", "4.2:2"]);
  });

  it("trains on what the transform returns (in place or in info.out)", async () => {
    // inputs are pure noise; the transforms put the label into them, so only a model that
    // trained on the transformed batches classifies inputs equal to the labels
    const { x, y } = noiseData(64, 4, 4, 2);
    const inPlace: BatchTransform = (xb, yb) => void xb.assign(yb);
    const intoOut: BatchTransform = (_xb, yb, { out }) => out.assign(yb);
    for (const transform of [inPlace, intoOut]) {
      const model = classifier(4, 4);
      await model.fit(x, y, { epochs: 30, batchSize: 8, seed: 1, transform });
      assert.equal(model.evaluate(y, y).accuracy, 1);
    }
    assert.equal(
      x.data.some((v, i) => v !== noiseData(64, 4, 4, 2).x.data[i]),
      false,
      "the training data itself is untouched",
    );
  });

  it("rejects a transform that changes the batch's shape", async () => {
    const { x, y } = noiseData(8, 4, 4, 3);
    const bad: BatchTransform = () => zeros([2, 4]);
    await assert.rejects(classifier(4, 4).fit(x, y, { batchSize: 4, transform: bad }), /transform returned shape \[2,4\] for a batch of shape \[4,4\]/);
  });

  it("seeded runs are reproducible; info.rng follows fit's seed", async () => {
    const { x, y } = noiseData(40, 4, 4, 4);
    const noise: BatchTransform = (xb, _yb, { rng }) => {
      for (let i = 0; i < xb.size; i++) xb.data[i] += rng.normal(0, 0.5);
    };
    const run = async (seed: number): Promise<number[]> => {
      const model = classifier(4, 4);
      await model.fit(x, y, { epochs: 3, batchSize: 8, seed, transform: noise });
      return weightsOf(model);
    };
    assert.deepEqual(await run(7), await run(7));
    assert.notDeepEqual(await run(7), await run(8));
  });

  it("with an Augmenter: reproducible per seed, different from training without it, identical with an identity Augmenter", async () => {
    const imageShape = [6, 6, 1];
    const { x, y } = noiseData(48, 36, 3, 5);
    const run = async (augmenter: Augmenter | null): Promise<number[]> => {
      const model = classifier(36, 3);
      await model.fit(x, y, { epochs: 2, batchSize: 10, seed: 3, transform: augmenter?.batchTransform() });
      return weightsOf(model);
    };
    const plain = await run(null);
    const augmented = await run(new Augmenter({ rotate: 15, shift: 1, seed: 9, imageShape }));
    assert.deepEqual(augmented, await run(new Augmenter({ rotate: 15, shift: 1, seed: 9, imageShape })));
    assert.notDeepEqual(augmented, await run(new Augmenter({ rotate: 15, shift: 1, seed: 10, imageShape })));
    assert.notDeepEqual(augmented, plain);
    // a transform that changes nothing must not change the run either (shuffling is untouched)
    assert.deepEqual(await run(new Augmenter({ imageShape })), plain);
  });
});
