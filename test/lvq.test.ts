import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { loadMnist } from "../src/data/mnist.js";
import { decodeModel, encodeModel, SavedModelError } from "../src/io/model.js";
import { knnAccuracy } from "../src/models/autoencoders/codes.js";
import { squaredDistances, winners } from "../src/models/competitive/core.js";
import { glvqCost, LVQ, labelAccuracy, lvqUpdate, nearestPrototypeLabels } from "../src/models/competitive/lvq.js";
import { loadModel } from "../src/models/load.js";
import { Rng } from "../src/tensor/random.js";
import { randNormal, tensor } from "../src/tensor/tensor.js";
import { cli } from "./helpers/cli.js";
import { assertGradientsClose } from "./helpers/gradcheck.js";

function assertClose(actual: ArrayLike<number>, expected: readonly number[]): void {
  assert.equal(actual.length, expected.length);
  for (let i = 0; i < expected.length; i++) assert.ok(Math.abs(actual[i] - expected[i]) < 1e-6, `entry ${i}: ${actual[i]} vs ${expected[i]}`);
}

const digits = await loadMnist({ limitTrain: 3000, limitTest: 1000 });
const train = digits.train;
const test = digits.test;

describe("nearest prototypes (core)", () => {
  it("squaredDistances matches Σ (x − w)² and winners the argmin, lowest index on a tie", () => {
    const rng = new Rng(2);
    const x = randNormal([7, 5], rng);
    const w = randNormal([4, 5], rng);
    const d2 = squaredDistances(x, w);
    for (let i = 0; i < 7; i++) {
      const exact = Array.from({ length: 4 }, (_, j) => x.row(i).data.reduce((s, v, k) => s + (v - w.data[j * 5 + k]) ** 2, 0));
      for (let j = 0; j < 4; j++) assert.ok(Math.abs(d2.data[i * 4 + j] - exact[j]) < 1e-4, `${i},${j}`);
      assert.equal(winners(x, w)[i], exact.indexOf(Math.min(...exact)));
    }
    const twice = tensor([
      [1, 0],
      [1, 0],
    ]);
    assert.deepEqual([...winners(tensor([[1, 0.1]]), twice)], [0]);
    assert.throws(() => winners(x, randNormal([3, 4], rng)), /with the same d/);
  });

  it("1-NN by nearestPrototypeLabels agrees with knnAccuracy's brute force (k = 1)", () => {
    const small = train.images.sliceRows(0, 500);
    const labels = train.labels.subarray(0, 500);
    const probes = test.images.sliceRows(0, 200);
    const truth = test.labels.subarray(0, 200);
    const ours = labelAccuracy(nearestPrototypeLabels(probes, small, labels), truth);
    assert.equal(ours, knnAccuracy(small, labels, probes, truth, 1));
  });
});

describe("LVQ", () => {
  const ncm = new LVQ({ classes: 10 }).initialize(train.images, train.labels).score(test.images, test.labels);

  it("one prototype per class from the class means is the nearest-class-mean classifier", () => {
    const lvq = new LVQ({ classes: 10 }).initialize(train.images, train.labels);
    for (const c of [0, 7]) {
      const rows = [...train.labels.keys()].filter((i) => train.labels[i] === c);
      const pixel = 300;
      const mean = rows.reduce((s, i) => s + train.images.data[i * 784 + pixel], 0) / rows.length;
      assert.ok(Math.abs(lvq.prototypes.data[c * 784 + pixel] - mean) < 1e-5);
    }
    assert.ok(ncm > 0.7 && ncm < 0.85, `nearest class mean ${ncm}`);
  });

  for (const [variant, epochs, margin] of [
    ["lvq1", 3, 0.04],
    ["lvq21", 3, 0.04],
    ["glvq", 3, 0.04],
  ] as const) {
    it(`${variant} with 3 prototypes per class beats the nearest class mean on the bundled digits by ${100 * margin} points`, () => {
      const lvq = new LVQ({ classes: 10, prototypesPerClass: 3, variant, seed: 1 });
      const history = lvq.fit(train.images, train.labels, { epochs });
      const accuracy = lvq.score(test.images, test.labels);
      assert.ok(accuracy > ncm + margin, `${variant} ${accuracy} vs nearest class mean ${ncm}`);
      assert.equal(history.epoch.length, epochs);
      assert.equal(lvq.epochsTrained, epochs);
      const errors = history.history.errorRate;
      assert.ok(errors[errors.length - 1] < errors[0], `training error falls: ${errors}`);
    });
  }

  it("LVQ1 moves the winner towards a sample of its class and away from one of another", () => {
    const w = tensor([
      [0, 0],
      [4, 4],
    ]);
    lvqUpdate("lvq1", [1, 0], 0, w, [0, 1], 0.5);
    assert.deepEqual([...w.data], [0.5, 0, 4, 4]);
    lvqUpdate("lvq1", [1, 0], 1, w, [0, 1], 0.5);
    assert.deepEqual([...w.data], [0.25, 0, 4, 4]);
  });

  it("LVQ2.1 updates the right and the wrong prototype only inside the window", () => {
    const labels = [0, 1];
    const near = tensor([
      [0, 0],
      [2, 0],
    ]);
    // x = 0.9: d = 0.9 and 1.1, ratio 0.82 > (1 − 0.3)/(1 + 0.3) = 0.54: inside
    lvqUpdate("lvq21", [0.9, 0], 1, near, labels, 0.5, 0.3);
    assertClose(near.data, [-0.45, 0, 1.45, 0]);
    const far = tensor([
      [0, 0],
      [2, 0],
    ]);
    // x = 0.2: ratio 0.2/1.8 = 0.11: outside, nothing moves
    const step = lvqUpdate("lvq21", [0.2, 0], 1, far, labels, 0.5, 0.3);
    assert.deepEqual([...far.data], [0, 0, 2, 0]);
    assert.equal(step.correct, false);
  });

  it("GLVQ's step is −α ∇μ: finite differences of μ(x) over the prototypes", () => {
    const rng = new Rng(4);
    const w = randNormal([6, 5], rng);
    const labels = [0, 0, 1, 1, 2, 2];
    const x = Array.from(randNormal([5], rng).data);
    const before = w.clone();
    const alpha = 1e-3;
    lvqUpdate("glvq", x, 1, w, labels, alpha);
    const gradient = new Float32Array(w.size).map((_, i) => -(w.data[i] - before.data[i]) / alpha);
    assert.ok(
      gradient.some((g) => g !== 0),
      "two prototypes moved",
    );
    assertGradientsClose("dμ/dW", before.data, gradient, () => glvqCost(x, 1, before, labels), { epsilon: 1e-3, tolerance: 2e-2, maxChecks: 30 });
  });

  it("is saved and loaded through the one format, and resumes as if never saved", async () => {
    const dir = await mkdtemp(join(tmpdir(), "layerwise-lvq-"));
    try {
      const x = train.images.sliceRows(0, 600);
      const y = train.labels.subarray(0, 600);
      const a = new LVQ({ classes: 10, prototypesPerClass: 2, variant: "glvq", learningRate: 0.5, init: "samples", seed: 3 });
      a.fit(x, y, { epochs: 1 });
      await a.save(dir);
      const b = await loadModel(dir);
      assert.ok(b instanceof LVQ);
      assert.deepEqual(b.options, a.options);
      assert.equal(b.epochsTrained, 1);
      assert.deepEqual([...b.predict(test.images)], [...a.predict(test.images)]);
      a.fit(x, y, { epochs: 1 });
      b.fit(x, y, { epochs: 1 });
      assert.deepEqual([...b.prototypes.data], [...a.prototypes.data]);
      assert.equal(b.epochsTrained, 2);
      await new LVQ({ classes: 3 }).save(dir);
      const empty = await loadModel(dir);
      assert.ok(empty instanceof LVQ && empty.features === 0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("a saved LVQ with bad options or sizes is refused by name", () => {
    const lvq = new LVQ({ classes: 3 }).initialize(tensor([[0], [1], [2]]), [0, 1, 2]);
    const { json, weights } = encodeModel(lvq);
    const refuse = (edit: (j: { config: Record<string, unknown>; state: Record<string, unknown> }) => void, problem: RegExp) => {
      const damaged = structuredClone(json);
      edit(damaged);
      assert.throws(
        () => decodeModel(damaged, weights),
        (err: Error) => err instanceof SavedModelError && problem.test(err.message),
      );
    };
    refuse((j) => Object.assign(j.config, { classes: 1 }), /LVQ: classes must be an integer >= 2, got 1/);
    refuse((j) => Object.assign(j.config, { window: 2 }), /LVQ: window must be in \(0, 1\), got 2/);
    refuse((j) => Object.assign(j.state, { features: 2 ** 40 }), /LVQ: prototypes × features/);
    refuse((j) => Object.assign(j.state, { features: 2 }), /prototypes/);
  });

  it("refuses bad options and data, naming the option and the allowed range", () => {
    assert.throws(() => new LVQ({ classes: 1 }), /classes must be an integer >= 2, got 1/);
    assert.throws(() => new LVQ({ classes: 10, prototypesPerClass: 0 }), /prototypesPerClass must be an integer >= 1, got 0/);
    assert.throws(() => new LVQ({ classes: 10, variant: "lvq3" as "lvq1" }), /variant must be one of lvq1, lvq21, glvq, got "lvq3"/);
    assert.throws(() => new LVQ({ classes: 10, window: 1 }), /window must be in \(0, 1\), got 1/);
    assert.throws(() => new LVQ({ classes: 10, learningRate: 0 }), /learningRate must be a finite number > 0, got 0/);
    assert.throws(() => new LVQ({ classes: 10, init: "kmeans" as "means" }), /init must be one of means, samples/);
    const lvq = new LVQ({ classes: 10 });
    const x = train.images.sliceRows(0, 50);
    assert.throws(() => lvq.fit(x, train.labels.subarray(0, 49)), /labels has 49 entries for 50 rows of x; it needs one per row/);
    assert.throws(() => lvq.fit(x, new Array(50).fill(10)), /labels\[0\] is 10; labels must be integers in \[0, 9\]/);
    assert.throws(() => lvq.fit(x, train.labels.subarray(0, 50), { epochs: -1 }), /epochs must be an integer >= 0, got -1/);
    assert.throws(() => lvq.predict(x), /no prototypes; call fit/);
    assert.throws(
      () => new LVQ({ classes: 10, prototypesPerClass: 40 }).initialize(x, train.labels.subarray(0, 50)),
      /class 0 has \d+ samples; prototypesPerClass \(40\)/,
    );
    lvq.fit(x, train.labels.subarray(0, 50), { epochs: 0 });
    assert.throws(() => lvq.predict(tensor([[1, 2]])), /x must be \[rows, 784\]/);
  });
});

describe("layerwise train lvq", () => {
  it("trains, saves a model loadModel reads back, and writes prototypes.png and summary.json", async () => {
    const dir = await mkdtemp(join(tmpdir(), "lw-lvq-cli-"));
    try {
      const args = ["train", "lvq", "--prototypes-per-class", "2", "--epochs", "2", "--variant", "glvq", "--data", "bundled"];
      const run = await cli([...args, "--limit-train", "1000", "--limit-test", "300", "--quiet", "--out", dir]);
      assert.equal(run.code, 0, run.err);
      const reported = Number(/test accuracy (\d+\.\d+) %/.exec(run.out)?.[1]);
      const summary = JSON.parse(await readFile(join(dir, "summary.json"), "utf8"));
      assert.equal(summary.trainErrorPerEpoch.length, 2);
      assert.ok(Math.abs(100 * summary.testAccuracy - reported) < 0.01 && reported > 60, run.out);
      const model = await loadModel(dir);
      assert.ok(model instanceof LVQ && model.options.variant === "glvq" && model.prototypeCount === 20);
      assert.equal(model.score(test.images.sliceRows(0, 300), test.labels.subarray(0, 300)), summary.testAccuracy);
      assert.ok((await readFile(join(dir, "prototypes.png"))).length > 100);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("bad options name the option and the allowed values", async () => {
    const bad: [string[], RegExp][] = [
      [["--variant", "lvq3"], /--variant must be one of lvq1, lvq21, glvq; got "lvq3"/],
      [["--prototypes-per-class", "0"], /--prototypes-per-class must be an integer >= 1/],
      [["--window", "1"], /window must be in \(0, 1\), got 1/],
      [["--lr", "0"], /--lr must be a number > 0/],
      [[], /--out DIR is required/],
    ];
    for (const [args, message] of bad) {
      const dir = await mkdtemp(join(tmpdir(), "lw-lvq-bad-"));
      try {
        const out = args.length === 0 ? [] : ["--out", dir];
        const run = await cli(["train", "lvq", "--limit-train", "100", "--limit-test", "10", "--epochs", "0", ...args, ...out]);
        assert.notEqual(run.code, 0, `${args.join(" ")}: ${run.out}`);
        assert.match(run.err, message);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    }
  });
});
