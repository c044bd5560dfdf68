import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { loadMnist } from "../src/data/index.js";
import { Perceptron } from "../src/models/perceptron/perceptron.js";
import { Rng } from "../src/tensor/random.js";
import { fromArray, type Tensor, tensor } from "../src/tensor/tensor.js";

const corners = tensor([
  [0, 0],
  [0, 1],
  [1, 0],
  [1, 1],
]);

/** n points in [-1, 1]^dim labelled by a random hyperplane, with a margin so convergence is quick. */
function separable(n: number, dim: number, seed: number): { x: Tensor; labels: Int32Array } {
  const rng = new Rng(seed);
  const w = Array.from({ length: dim }, () => rng.normal());
  const b = rng.uniform(-0.2, 0.2);
  const x: number[] = [];
  const labels = new Int32Array(n);
  for (let i = 0; i < n; ) {
    const p = Array.from({ length: dim }, () => rng.uniform(-1, 1));
    const a = p.reduce((s, v, j) => s + v * w[j], b);
    if (Math.abs(a) < 0.1) continue; // keep a margin
    x.push(...p);
    labels[i++] = a > 0 ? 1 : 0;
  }
  return { x: fromArray(x, [n, dim]), labels };
}

describe("Perceptron", () => {
  for (const [name, labels] of [
    ["AND", [0, 0, 0, 1]],
    ["OR", [0, 1, 1, 1]],
  ] as const) {
    it(`converges on ${name} and then classifies every corner right`, () => {
      const p = new Perceptron({ seed: 1 });
      const result = p.fit(corners, labels);
      assert.equal(result.converged, true, result.message);
      assert.equal(result.errors, 0);
      assert.ok(result.epochs < 20, `took ${result.epochs} epochs`);
      assert.deepEqual([...p.predict(corners)], labels);
      assert.match(result.message, /^converged after \d+ epochs?$/);
    });
  }

  it("reports non-convergence on XOR after maxEpochs, with errors left", () => {
    const p = new Perceptron({ maxEpochs: 50, seed: 1 });
    const result = p.fit(corners, [0, 1, 1, 0]);
    assert.equal(result.converged, false);
    assert.equal(result.epochs, 50);
    assert.equal(result.errorHistory.length, 50);
    assert.ok(result.errors > 0);
    assert.ok(
      result.errorHistory.every((e) => e > 0),
      "XOR is not linearly separable: no epoch can be mistake-free",
    );
    assert.match(result.message, /did not converge in 50 epochs/);
    // No line separates XOR, so at most 3 of the 4 corners can be right.
    assert.ok(p.score(corners, [0, 1, 1, 0]) <= 0.75);
  });

  it("converges on a random linearly separable set (online and mini-batch)", () => {
    const { x, labels } = separable(400, 5, 7);
    for (const batchSize of [1, 16]) {
      const p = new Perceptron({ maxEpochs: 1000, batchSize, seed: 3 });
      const result = p.fit(x, labels);
      assert.equal(result.converged, true, `batchSize ${batchSize}: ${result.message}`);
      assert.equal(p.score(x, labels), 1);
    }
  });

  it("follows the rule Δw = η (d − y) x on a hand-worked sequence", () => {
    // Without shuffling, on AND with η = 0.5 and w = 0, b = 0:
    // (0,0) d=0: a=0 → y=0 ok. (0,1) d=0 ok. (1,0) d=0 ok. (1,1) d=1: y=0 → w=(.5,.5), b=.5.
    const p = new Perceptron({ learningRate: 0.5, shuffle: false, maxEpochs: 1 });
    const result = p.fit(corners, [0, 0, 0, 1]);
    assert.deepEqual(result.errorHistory, [1]);
    assert.deepEqual(p.weights?.toArray(), [[0.5], [0.5]]);
    assert.deepEqual(p.bias?.toArray(), [0.5]);
  });

  it("one-vs-rest separates three linearly separable clusters", () => {
    const rng = new Rng(5);
    const centres = [
      [2, 0],
      [-2, 2],
      [-2, -2],
    ];
    const x: number[] = [];
    const labels: number[] = [];
    for (let i = 0; i < 150; i++) {
      const c = i % 3;
      x.push(centres[c][0] + rng.uniform(-0.8, 0.8), centres[c][1] + rng.uniform(-0.8, 0.8));
      labels.push(c);
    }
    const xs = fromArray(x, [150, 2]);
    const p = new Perceptron({ classes: 3, maxEpochs: 200, seed: 2 });
    const result = p.fit(xs, labels);
    assert.equal(p.units, 3);
    assert.equal(result.converged, true, result.message);
    assert.equal(p.score(xs, labels), 1);
  });

  it("validates its options and inputs with errors that name them", () => {
    assert.throws(() => new Perceptron({ classes: 1 }), /classes must be an integer >= 2/);
    assert.throws(() => new Perceptron({ learningRate: 0 }), /learningRate must be a finite number > 0/);
    assert.throws(() => new Perceptron({ maxEpochs: 0 }), /maxEpochs must be an integer >= 1/);
    assert.throws(() => new Perceptron({ batchSize: 1.5 }), /batchSize must be an integer >= 1/);
    assert.throws(() => new Perceptron().fit(corners, [0, 1, 2, 0]), /labels must be integers in \[0, 1\]/);
    assert.throws(() => new Perceptron().fit(corners, [0, 1]), /2 labels for 4 samples/);
    assert.throws(() => new Perceptron().predict(corners), /call fit first/);
    const p = new Perceptron();
    p.fit(corners, [0, 0, 0, 1]);
    assert.throws(() => p.predict(tensor([[1, 2, 3]])), /x has 3 inputs, the perceptron was trained on 2/);
  });

  it("one-vs-rest on the bundled digits beats chance (10 %) by far: >= 80 % test accuracy after 5 epochs", async () => {
    const { train, test } = await loadMnist();
    const p = new Perceptron({ classes: 10, maxEpochs: 5, seed: 1 });
    const result = p.fit(train.images, train.labels);
    // Digits are not linearly separable: the perceptron keeps making mistakes, and says so.
    assert.equal(result.converged, false);
    assert.equal(result.epochs, 5);
    const accuracy = p.score(test.images, test.labels);
    assert.ok(accuracy >= 0.8, `test accuracy ${accuracy}`);
  });
});
