/**
 * Conjugate gradients (backprop.m's fine-tuning): it solves a quadratic to its exact minimiser
 * (with the weight-decay term in the loss it searches), reaches Rosenbrock's minimum, never
 * raises the loss, and trains a Sequential on the bundled digits; dropout is refused.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { loadMnist } from "../src/data/mnist.js";
import { Dense } from "../src/nn/dense.js";
import { Dropout } from "../src/nn/dropout.js";
import type { Param } from "../src/nn/layer.js";
import { makeParam } from "../src/nn/param.js";
import { ConjugateGradient } from "../src/optim/cg.js";
import { optimizerFromConfig } from "../src/optim/config.js";
import { Rng } from "../src/tensor/random.js";
import { zeros } from "../src/tensor/tensor.js";
import { Sequential } from "../src/train/sequential.js";

/** A random SPD matrix A = BᵀB + I (n × n, row-major) and a vector b. */
function quadratic(n: number, seed: number): { A: Float64Array; b: Float64Array } {
  const rng = new Rng(seed);
  const B = Float64Array.from({ length: n * n }, () => rng.normal(0, 1));
  const A = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) for (let k = 0; k < n; k++) A[i * n + j] += B[k * n + i] * B[k * n + j];
  for (let i = 0; i < n; i++) A[i * n + i] += 1;
  return { A, b: Float64Array.from({ length: n }, () => rng.normal(0, 1)) };
}

/** x with (A + λI) x = b, by Gaussian elimination. */
function solve(A: Float64Array, b: Float64Array, lambda: number): Float64Array {
  const n = b.length;
  const M = A.slice();
  const x = b.slice();
  for (let i = 0; i < n; i++) M[i * n + i] += lambda;
  for (let c = 0; c < n; c++) {
    for (let r = c + 1; r < n; r++) {
      const f = M[r * n + c] / M[c * n + c];
      for (let k = c; k < n; k++) M[r * n + k] -= f * M[c * n + k];
      x[r] -= f * x[c];
    }
  }
  for (let r = n - 1; r >= 0; r--) {
    for (let k = r + 1; k < n; k++) x[r] -= M[r * n + k] * x[k];
    x[r] /= M[r * n + r];
  }
  return x;
}

/** The params of f(w) = ½ wᵀAw − bᵀw split over a 2 × 3 weight and a 4-vector bias, and its evaluate. */
function quadraticProblem(A: Float64Array, b: Float64Array): { params: Param[]; evaluate: () => number; w: () => number[] } {
  const params = [makeParam("kernel", zeros([2, 3]), true), makeParam("bias", zeros([4]), false)];
  const w = (): number[] => [...params[0].value.data, ...params[1].value.data];
  const n = b.length;
  const evaluate = (): number => {
    const x = w();
    let f = 0;
    const g = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) g[i] += A[i * n + j] * x[j];
      f += 0.5 * x[i] * g[i] - b[i] * x[i];
      g[i] -= b[i];
    }
    params[0].grad.data.set(g.subarray(0, 6));
    params[1].grad.data.set(g.subarray(6));
    return f;
  };
  return { params, evaluate, w };
}

describe("conjugate gradients", () => {
  it("finds the minimiser of a 10-dimensional quadratic, and of the quadratic plus ½λ‖w‖² with weightDecay λ", () => {
    const { A, b } = quadratic(10, 3);
    for (const lambda of [0, 2]) {
      const { params, evaluate, w } = quadraticProblem(A, b);
      // the bias is not regularised: only its kernel part of the diagonal gains λ
      const lam = Float64Array.from({ length: 10 }, (_, i) => (i < 6 ? lambda : 0));
      const shifted = A.slice();
      for (let i = 0; i < 10; i++) shifted[i * 10 + i] += lam[i];
      new ConjugateGradient({ lineSearches: 40, weightDecay: lambda }).minimize(params, evaluate);
      const expected = solve(shifted, b, 0);
      for (const [i, x] of w().entries()) assert.ok(Math.abs(x - expected[i]) < 1e-3, `λ ${lambda}, w[${i}] = ${x}, expected ${expected[i]}`);
    }
  });

  it("reaches Rosenbrock's minimum (1, 1) from (−1.2, 1), and the loss never rises from one call to the next", () => {
    const p = makeParam("w", zeros([2]), false);
    p.value.data.set([-1.2, 1]);
    const evaluate = (): number => {
      const [x, y] = p.value.data;
      p.grad.data.set([-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)]);
      return (1 - x) ** 2 + 100 * (y - x * x) ** 2;
    };
    const cg = new ConjugateGradient({ lineSearches: 20 });
    let last = evaluate();
    for (let k = 0; k < 20; k++) {
      const f = cg.minimize([p], evaluate);
      assert.ok(f <= last, `search ${k + 1}: loss ${f} after ${last}`);
      last = f;
    }
    assert.ok(Math.abs(p.value.data[0] - 1) < 1e-3 && Math.abs(p.value.data[1] - 1) < 1e-3, `ended at ${[...p.value.data]}`);
  });

  it("leaves the weights where they were when no step along the search direction lowers the loss", () => {
    // the evaluate reports −∇f, so every step "downhill" raises f = ‖w‖²
    const p = makeParam("w", zeros([3]), true);
    p.value.data.set([1, -2, 0.5]);
    const evaluate = (): number => {
      for (let i = 0; i < 3; i++) p.grad.data[i] = -2 * p.value.data[i];
      return p.value.data.reduce((s, x) => s + x * x, 0);
    };
    const cg = new ConjugateGradient({ lineSearches: 3 });
    assert.equal(cg.minimize([p], evaluate), 5.25);
    assert.deepEqual([...p.value.data], [1, -2, 0.5]);
    assert.ok(cg.evaluations <= 1 + 20, `${cg.evaluations} evaluations`);
  });

  it("rejects bad options and a bare step(), and round-trips its config", () => {
    assert.throws(() => new ConjugateGradient({ lineSearches: 0 }), /lineSearches must be a number > 0; got 0/);
    assert.throws(() => new ConjugateGradient({ lineSearches: 2.5 }), /lineSearches must be an integer >= 1; got 2.5/);
    assert.throws(() => new ConjugateGradient({ maxEvaluations: -1 }), /maxEvaluations must be a number > 0/);
    assert.throws(() => new ConjugateGradient().step(), /step\(\) has no loss to search along/);
    const cg = new ConjugateGradient({ lineSearches: 5, maxEvaluations: 9, weightDecay: 1e-4 });
    assert.deepEqual(optimizerFromConfig(cg.config()).config(), cg.config());
  });

  it("fits a Sequential on the bundled digits (batches of 500, 3 line searches each) and refuses a model with dropout", async () => {
    const { train, test } = await loadMnist({ limitTrain: 1500, limitTest: 500 });
    const model = new Sequential([new Dense(32, { activation: "sigmoid", inputShape: [784] }), new Dense(10, { activation: "softmax" })], { seed: 1 });
    model.compile({ loss: "categoricalCrossentropy", optimizer: new ConjugateGradient({ lineSearches: 3 }), metrics: ["accuracy"] });
    const before = model.evaluate(train.images, train.oneHot).loss;
    const history = await model.fit(train.images, train.oneHot, { epochs: 4, batchSize: 500, seed: 1 });
    const losses = history.history.loss;
    assert.ok(losses[3] < losses[0] && losses[0] < before, `loss ${before.toFixed(3)} before, then ${losses.map((l) => l.toFixed(3)).join(", ")}`);
    const accuracy = model.evaluate(test.images, test.oneHot).accuracy;
    assert.ok(accuracy > 0.8, `test accuracy ${accuracy}`);

    const noisy = new Sequential([
      new Dense(8, { activation: "relu", inputShape: [784] }),
      new Dropout(0.2, { name: "drop" }),
      new Dense(10, { activation: "softmax" }),
    ]);
    noisy.compile({ loss: "categoricalCrossentropy", optimizer: new ConjugateGradient() });
    await assert.rejects(noisy.fit(train.images, train.oneHot, { epochs: 1 }), /dropout layer "drop" changes at every evaluation/);
  });
});
