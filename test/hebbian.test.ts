import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { hebbianUpdate } from "../src/models/perceptron/hebbian.js";
import * as ops from "../src/ops/index.js";
import { Rng } from "../src/tensor/random.js";
import { fromArray, randNormal, type Tensor, zeros } from "../src/tensor/tensor.js";

function close(actual: Tensor, expected: number[], tol: number, what: string): void {
  assert.equal(actual.size, expected.length);
  for (let i = 0; i < expected.length; i++) {
    assert.ok(Math.abs(actual.data[i] - expected[i]) <= tol, `${what}[${i}]: ${actual.data[i]} vs ${expected[i]}`);
  }
}

/** 2-D data with variance 9 along (1, 1)/√2 and 1 along (1, −1)/√2 (centred). */
function elongated(n: number, seed: number): Tensor {
  const rng = new Rng(seed);
  const x = zeros([n, 2]);
  for (let i = 0; i < n; i++) {
    const a = 3 * rng.normal();
    const b = rng.normal();
    x.data[2 * i] = (a + b) / Math.SQRT2;
    x.data[2 * i + 1] = (a - b) / Math.SQRT2;
  }
  return x;
}

/** Runs an unsupervised Hebbian rule with linear units y = xW over mini-batches. */
function trainLinear(w: Tensor, x: Tensor, rule: "oja" | "sanger", epochs: number, eta: number): void {
  const batch = 10;
  const y = zeros([batch, w.shape[1]]);
  for (let e = 0; e < epochs; e++) {
    for (let s = 0; s + batch <= x.rows; s += batch) {
      const xb = x.sliceRows(s, s + batch);
      ops.matmul(xb, w, { out: y });
      hebbianUpdate(w, xb, y, { learningRate: eta, rule });
    }
  }
}

describe("hebbianUpdate", () => {
  it("plain Hebb adds η Σ_n x_n y_nᵀ (checked against the explicit sum)", () => {
    const rng = new Rng(3);
    const x = randNormal([7, 5], rng);
    const y = randNormal([7, 3], rng);
    const w0 = randNormal([5, 3], rng);
    const eta = 0.05;
    const expected: number[] = [];
    for (let i = 0; i < 5; i++) {
      for (let j = 0; j < 3; j++) {
        let s = 0;
        for (let n = 0; n < 7; n++) s += x.get(n, i) * y.get(n, j);
        expected.push(w0.get(i, j) + eta * s);
      }
    }
    const w = w0.clone();
    const returned = hebbianUpdate(w, x, y, { learningRate: eta });
    assert.equal(returned, w, "updates in place");
    close(w, expected, 1e-5, "W");
  });

  it("Oja's rule is Δw_ij = η Σ_n y_nj (x_ni − y_nj w_ij)", () => {
    const rng = new Rng(4);
    const x = randNormal([6, 4], rng);
    const y = randNormal([6, 2], rng);
    const w0 = randNormal([4, 2], rng);
    const eta = 0.1;
    const expected: number[] = [];
    for (let i = 0; i < 4; i++) {
      for (let j = 0; j < 2; j++) {
        let s = 0;
        for (let n = 0; n < 6; n++) s += y.get(n, j) * (x.get(n, i) - y.get(n, j) * w0.get(i, j));
        expected.push(w0.get(i, j) + eta * s);
      }
    }
    const w = w0.clone();
    hebbianUpdate(w, x, y, { learningRate: eta, rule: "oja" });
    close(w, expected, 1e-5, "W");
  });

  it("Sanger's rule is Δw_ij = η Σ_n y_nj (x_ni − Σ_{k≤j} w_ik y_nk)", () => {
    const rng = new Rng(5);
    const x = randNormal([6, 4], rng);
    const y = randNormal([6, 3], rng);
    const w0 = randNormal([4, 3], rng);
    const eta = 0.1;
    const expected: number[] = [];
    for (let i = 0; i < 4; i++) {
      for (let j = 0; j < 3; j++) {
        let s = 0;
        for (let n = 0; n < 6; n++) {
          let back = 0;
          for (let k = 0; k <= j; k++) back += w0.get(i, k) * y.get(n, k);
          s += y.get(n, j) * (x.get(n, i) - back);
        }
        expected.push(w0.get(i, j) + eta * s);
      }
    }
    const w = w0.clone();
    hebbianUpdate(w, x, y, { learningRate: eta, rule: "sanger" });
    close(w, expected, 1e-5, "W");
  });

  it("plain Hebb with linear units lets ‖w‖ grow without bound; Oja keeps it at 1 along the first principal component", () => {
    const x = elongated(500, 1);
    const hebb = fromArray([0.3, 0.1], [2, 1]);
    const y = zeros([500, 1]);
    for (let e = 0; e < 5; e++) hebbianUpdate(hebb, x, ops.matmul(x, hebb, { out: y }), { learningRate: 0.001 });
    assert.ok(Math.hypot(hebb.data[0], hebb.data[1]) > 10, "Hebb diverges");

    const oja = fromArray([0.3, 0.1], [2, 1]);
    trainLinear(oja, x, "oja", 20, 0.002);
    const norm = Math.hypot(oja.data[0], oja.data[1]);
    assert.ok(Math.abs(norm - 1) < 0.05, `‖w‖ = ${norm}`);
    const cosine = Math.abs(oja.data[0] + oja.data[1]) / Math.SQRT2 / norm;
    assert.ok(cosine > 0.99, `|cos(w, pc1)| = ${cosine}`);
  });

  it("Sanger's rule finds the first two principal components in order", () => {
    const x = elongated(500, 2);
    const w = fromArray([0.2, 0.5, -0.4, 0.1], [2, 2]);
    trainLinear(w, x, "sanger", 40, 0.002);
    // Column 0 → ±(1, 1)/√2 (variance 9), column 1 → ±(1, −1)/√2 (variance 1).
    const c0 = Math.abs(w.get(0, 0) + w.get(1, 0)) / Math.SQRT2;
    const c1 = Math.abs(w.get(0, 1) - w.get(1, 1)) / Math.SQRT2;
    assert.ok(c0 > 0.98, `unit 0 · pc1 = ${c0}`);
    assert.ok(c1 > 0.95, `unit 1 · pc2 = ${c1}`);
  });

  it("checks shapes and options", () => {
    const w = zeros([3, 2]);
    assert.throws(() => hebbianUpdate(w, zeros([4, 3]), zeros([5, 2])), /need x \[batch, 3\] and y \[batch, 2\]/);
    assert.throws(() => hebbianUpdate(w, zeros([4, 2]), zeros([4, 2])), /need x \[batch, 3\]/);
    assert.throws(() => hebbianUpdate(w, zeros([4, 3]), zeros([4, 2]), { learningRate: Number.NaN }), /learningRate must be a finite number/);
    // @ts-expect-error: an unknown rule name is a run-time error too
    assert.throws(() => hebbianUpdate(w, zeros([4, 3]), zeros([4, 2]), { rule: "hopfield" }), /rule must be one of hebb, oja, sanger/);
  });
});
