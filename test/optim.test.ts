import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Param } from "../src/nn/layer.js";
import { makeParam } from "../src/nn/param.js";
import { Adagrad } from "../src/optim/adagrad.js";
import { Adam } from "../src/optim/adam.js";
import { optimizerFromConfig } from "../src/optim/config.js";
import type { Optimizer } from "../src/optim/optimizer.js";
import { scheduledRate } from "../src/optim/schedules.js";
import { SGD } from "../src/optim/sgd.js";
import { fromArray } from "../src/tensor/tensor.js";

function param(values: number[], regularize = true): Param {
  return makeParam("w", fromArray(values), regularize);
}

function close(actual: ArrayLike<number>, expected: number[], tol = 1e-6): void {
  assert.equal(actual.length, expected.length);
  for (let i = 0; i < expected.length; i++) assert.ok(Math.abs(actual[i] - expected[i]) <= tol, `[${i}] ${actual[i]} vs ${expected[i]}`);
}

/** Runs `steps` steps of an optimiser with a fixed gradient sequence g_t = grads[t]. */
function run(opt: Optimizer, w0: number[], grads: number[][]): Float32Array {
  const p = param(w0);
  for (const g of grads) {
    p.grad.assign(g);
    opt.step([p]);
  }
  return p.value.data;
}

describe("optimisers follow their update rules", () => {
  it("SGD: w ← w − ηg", () => {
    close(
      run(
        new SGD({ learningRate: 0.1 }),
        [1, 2],
        [
          [1, -1],
          [2, 0],
        ],
      ),
      [1 - 0.1 - 0.2, 2 + 0.1],
    );
  });

  it("momentum: v ← μv − ηg, w ← w + v", () => {
    // v1 = −0.1, w1 = 0.9; v2 = 0.9(−0.1) − 0.1 = −0.19, w2 = 0.71
    close(run(new SGD({ learningRate: 0.1, momentum: 0.9 }), [1], [[1], [1]]), [0.71]);
  });

  it("Nesterov: w ← w + μv − ηg", () => {
    // v1 = −0.1, w1 = 1 + 0.9(−0.1) − 0.1 = 0.81; v2 = −0.19, w2 = 0.81 − 0.171 − 0.1 = 0.539
    close(run(new SGD({ learningRate: 0.1, momentum: 0.9, nesterov: true }), [1], [[1], [1]]), [0.539]);
  });

  it("Adagrad: G ← G + g², w ← w − ηg/(√G + ε)", () => {
    const G1 = 0.1 + 4;
    const w1 = 1 - (0.5 * 2) / (Math.sqrt(G1) + 1e-7);
    const G2 = G1 + 1;
    const w2 = w1 - (0.5 * -1) / (Math.sqrt(G2) + 1e-7);
    close(run(new Adagrad({ learningRate: 0.5 }), [1], [[2], [-1]]), [w2], 1e-5);
  });

  it("Adam: bias-corrected moments", () => {
    let m = 0;
    let v = 0;
    let w = 1;
    const gs = [0.5, -0.2, 0.3];
    gs.forEach((g, i) => {
      const t = i + 1;
      m = 0.9 * m + 0.1 * g;
      v = 0.999 * v + 0.001 * g * g;
      const lr = (0.01 * Math.sqrt(1 - 0.999 ** t)) / (1 - 0.9 ** t);
      w -= (lr * m) / (Math.sqrt(v) + 1e-7);
    });
    close(
      run(
        new Adam({ learningRate: 0.01 }),
        [1],
        gs.map((g) => [g]),
      ),
      [w],
      1e-6,
    );
  });

  it("Adam minimises a quadratic", () => {
    const p = param([3, -4]);
    const opt = new Adam({ learningRate: 0.1 });
    for (let i = 0; i < 500; i++) {
      p.grad.assign(p.value); // d/dw ½‖w‖²
      opt.step([p]);
    }
    close(p.value.data, [0, 0], 1e-2);
  });
});

describe("regularisation and clipping", () => {
  it("weightDecay adds λw and l1 adds λ sign(w), to weights only", () => {
    close(run(new SGD({ learningRate: 1, weightDecay: 0.1 }), [2, -3], [[0, 0]]), [2 - 0.2, -3 + 0.3]);
    close(run(new SGD({ learningRate: 1, l1: 0.1 }), [2, -3], [[0, 0]]), [1.9, -2.9]);
    const bias = param([2], false);
    bias.grad.assign([0]);
    new SGD({ learningRate: 1, weightDecay: 0.1, l1: 0.1 }).step([bias]);
    close(bias.value.data, [2]);
  });

  it("clipNorm rescales all gradients together", () => {
    const a = param([0, 0]);
    const b = param([0]);
    a.grad.assign([3, 0]);
    b.grad.assign([4]); // global norm 5
    new SGD({ learningRate: 1, clipNorm: 1 }).step([a, b]);
    close(a.value.data, [-0.6, 0]);
    close(b.value.data, [-0.8]);
  });

  it("clipValue clips each component, after clipNorm has rescaled them together", () => {
    close(run(new SGD({ learningRate: 1, clipValue: 0.5 }), [0, 0, 0], [[3, -0.2, -7]]), [-0.5, 0.2, 0.5]);
    const a = param([0, 0]);
    a.grad.assign([3, 4]); // norm 5 → (0.6, 0.8) → clipped to (0.6, 0.7)
    new SGD({ learningRate: 1, clipNorm: 1, clipValue: 0.7 }).step([a]);
    close(a.value.data, [-0.6, -0.7]);
  });

  it("frozen params are skipped", () => {
    const p = param([1]);
    p.trainable = false;
    p.grad.assign([1]);
    new SGD({ learningRate: 1 }).step([p]);
    close(p.value.data, [1]);
  });
});

describe("schedules and configs", () => {
  it("step, exponential, cosine and functions", () => {
    assert.equal(scheduledRate({ type: "step", every: 2, factor: 0.5 }, 5, 1), 0.25);
    assert.ok(Math.abs(scheduledRate({ type: "exponential", decay: 0.9 }, 2, 1) - 0.81) < 1e-12);
    assert.equal(scheduledRate({ type: "cosine", epochs: 10 }, 0, 1), 1);
    assert.ok(Math.abs(scheduledRate({ type: "cosine", epochs: 10, minLearningRate: 0.1 }, 10, 1) - 0.1) < 1e-12);
    const opt = new SGD({ learningRate: 1, schedule: (e) => 1 / (1 + e) });
    opt.setEpoch(3);
    assert.equal(opt.learningRate, 0.25);
  });

  it("options are validated with the option named", () => {
    assert.throws(() => new SGD({ learningRate: -1 }), /SGD: learningRate must be a number > 0/);
    assert.throws(() => new SGD({ momentum: 1 }), /momentum must be in \[0, 1\)/);
    assert.throws(() => new SGD({ nesterov: true }), /nesterov needs momentum/);
    assert.throws(() => new Adam({ beta2: 1.5 }), /beta2 must be in \[0, 1\)/);
    assert.throws(() => new Adam({ clipNorm: 0 }), /clipNorm must be a number > 0/);
    assert.throws(() => new SGD({ clipValue: -1 }), /SGD: clipValue must be a number > 0/);
    assert.throws(() => new SGD({ schedule: { type: "linear" } as never }), /schedule.type must be one of step, exponential, cosine/);
  });

  it("round-trip through config", () => {
    for (const opt of [
      new SGD({ learningRate: 0.2, momentum: 0.5, nesterov: true, weightDecay: 1e-4 }),
      new Adagrad({ l1: 0.01 }),
      new SGD({ clipValue: 0.25 }),
      new Adam({ beta1: 0.8, clipNorm: 2, schedule: { type: "step", every: 3, factor: 0.1 } }),
    ]) {
      assert.deepEqual(optimizerFromConfig(JSON.parse(JSON.stringify(opt.config()))).config(), opt.config());
    }
  });
});
