/**
 * Winner-take-all competitive learning: the rule by hand, convergence to the cluster means
 * (equal to k-means' centres from the same start), dead units that a conscience or leaky
 * learning revives, learning on the bundled digits, the shared distance GEMM, the save format
 * and bad options.
 */
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { loadMnist } from "../src/data/mnist.js";
import { nearestPrototypes, quantisationError, samplePrototypes, squaredDistances, winners } from "../src/models/competitive/core.js";
import { WinnerTakeAll } from "../src/models/competitive/wta.js";
import { loadModel } from "../src/models/load.js";
import { Rng } from "../src/tensor/random.js";
import { fromArray, type Tensor, tensor } from "../src/tensor/tensor.js";

const CENTRES = [
  [0, 0],
  [1, 0],
  [0, 1],
];

/** n points per centre, Gaussian with standard deviation sd, the blobs interleaved. */
function blobs(n: number, sd: number, seed: number): { x: Tensor; label: Int32Array } {
  const rng = new Rng(seed);
  const data: number[] = [];
  const label = new Int32Array(n * CENTRES.length);
  for (let j = 0; j < n; j++)
    CENTRES.forEach(([a, b], c) => {
      label[j * CENTRES.length + c] = c;
      data.push(a + rng.normal(0, sd), b + rng.normal(0, sd));
    });
  return { x: fromArray(data, [n * CENTRES.length, 2]), label };
}

/** Lloyd's k-means from the given centres, to convergence: the reference WTA must agree with. */
function kMeans(x: Tensor, start: Tensor): Tensor {
  const c = start.clone();
  for (let iter = 0; iter < 100; iter++) {
    const w = winners(x, c);
    const sums = new Float64Array(c.size);
    const counts = new Float64Array(c.shape[0]);
    w.forEach((i, r) => {
      counts[i]++;
      for (let k = 0; k < 2; k++) sums[i * 2 + k] += x.data[r * 2 + k];
    });
    for (let i = 0; i < c.size; i++) c.data[i] = sums[i] / counts[Math.floor(i / 2)];
  }
  return c;
}

test("squaredDistances: the GEMM identity ‖x‖² − 2xᵀw + ‖w‖² gives the distances; winners and runners-up", () => {
  const x = tensor([
    [0, 0],
    [1, 1],
    [3, 0],
  ]);
  const w = tensor([
    [0, 0],
    [3, 1],
    [1, 2],
  ]);
  assert.deepEqual(squaredDistances(x, w).toArray(), [
    [0, 10, 5],
    [2, 4, 1],
    [9, 1, 8],
  ]);
  const near = nearestPrototypes(x, w);
  assert.deepEqual([...near.winner], [0, 2, 1]);
  assert.deepEqual([...near.second], [2, 0, 2]);
  assert.deepEqual([...near.secondDistance], [5, 2, 8]);
  assert.equal(quantisationError(x, w), (0 + 1 + 1) / 3);
  assert.throws(() => squaredDistances(x, tensor([[1, 2, 3]])), /same d/);
});

test("WTA rule by hand: Δw_{i*} = η (x − w_{i*}); leaky learning moves the losers by η_l; a conscience biases the competition", () => {
  const x = tensor([[1, 1]]);
  const init = tensor([
    [0, 0],
    [4, 4],
  ]);
  const plain = new WinnerTakeAll({ units: 2, learningRate: 0.5 });
  plain.fit(x, { epochs: 1, init });
  assert.deepEqual(plain.prototypes.toArray(), [
    [0.5, 0.5],
    [4, 4],
  ]);
  const leaky = new WinnerTakeAll({ units: 2, learningRate: 0.5, leakRate: 0.25 });
  leaky.fit(x, { epochs: 1, init });
  assert.deepEqual(leaky.prototypes.toArray(), [
    [0.5, 0.5],
    [3.25, 3.25],
  ]);
  // the distances² are 2 and 18; with p = (1, 0) the biases are C(1/2 − p) = (−10, +10) for C = 20,
  // so 2 + 10 > 18 − 10: the far unit wins the biased competition and moves
  const conscience = new WinnerTakeAll({ units: 2, learningRate: 0.5, conscience: 20, conscienceRate: 0.5 });
  conscience.winFrequency.set([1, 0]);
  conscience.fit(x, { epochs: 1, init });
  assert.deepEqual(conscience.prototypes.toArray(), [
    [0, 0],
    [2.5, 2.5],
  ]);
  assert.deepEqual([...conscience.winFrequency], [0.5, 0.5]); // p ← p + β (y − p)
  // predict is the plain competition: the nearest prototype
  assert.deepEqual([...conscience.predict(tensor([[0.2, 0.1]]))], [0]);
});

test("WTA on three well-separated blobs: the prototypes converge to the cluster means, k-means' centres from the same start", () => {
  const { x, label } = blobs(200, 0.08, 3);
  const init = samplePrototypes(x, 3, new Rng(11));
  const wta = new WinnerTakeAll({ units: 3, learningRate: 0.01, seed: 2 });
  wta.fit(x, { epochs: 30, init });
  const centres = kMeans(x, init);
  const means = CENTRES.map((_, c) => {
    const m = [0, 0];
    let n = 0;
    label.forEach((l, r) => {
      if (l !== c) return;
      m[0] += x.data[r * 2];
      m[1] += x.data[r * 2 + 1];
      n++;
    });
    return m.map((v) => v / n);
  });
  for (let i = 0; i < 3; i++) {
    const w = [wta.prototypes.data[i * 2], wta.prototypes.data[i * 2 + 1]];
    const k = [centres.data[i * 2], centres.data[i * 2 + 1]];
    assert.ok(Math.hypot(w[0] - k[0], w[1] - k[1]) < 0.02, `unit ${i}: WTA ${w} vs k-means ${k}`);
    const nearestMean = Math.min(...means.map((m) => Math.hypot(w[0] - m[0], w[1] - m[1])));
    assert.ok(nearestMean < 0.02, `unit ${i}: ${w} is ${nearestMean} from the nearest cluster mean`);
  }
  assert.equal(new Set(wta.predict(x)).size, 3, "each unit has a cluster");
});

test("dead units: with 3 units for 3 blobs, one started far from the data never wins under plain WTA (two blobs share a unit); a conscience and leaky learning revive it", () => {
  const { x } = blobs(150, 0.08, 5);
  const init = tensor([
    [0.1, 0.1],
    [0.9, 0.1],
    [1.5, 1.5],
  ]);
  const plain = new WinnerTakeAll({ units: 3, learningRate: 0.05, seed: 1 });
  plain.fit(x, { epochs: 10, init });
  assert.equal(plain.deadUnits(x), 1, `plain WTA win counts ${[...plain.winCounts(x)]}`);
  assert.deepEqual([...plain.prototypes.data.subarray(4)], [1.5, 1.5], "the dead unit never moved");
  const conscience = new WinnerTakeAll({ units: 3, learningRate: 0.05, conscience: 10, conscienceRate: 1e-3, seed: 1 });
  conscience.fit(x, { epochs: 10, init });
  assert.equal(conscience.deadUnits(x), 0, `with a conscience: win counts ${[...conscience.winCounts(x)]}`);
  const leaky = new WinnerTakeAll({ units: 3, learningRate: 0.05, leakRate: 0.005, seed: 1 });
  leaky.fit(x, { epochs: 10, init });
  assert.equal(leaky.deadUnits(x), 0, `leaky: win counts ${[...leaky.winCounts(x)]}`);
  // every unit now owns one blob: 150 points each
  assert.deepEqual([...conscience.winCounts(x)].sort(), [150, 150, 150]);
});

test("WTA learns on the bundled digits: 20 prototypes quantise held-out digits better than 20 sampled digits", async () => {
  const { train, test: held } = await loadMnist({ limitTrain: 2000, limitTest: 500 });
  const wta = new WinnerTakeAll({ units: 20, learningRate: 0.05, conscience: 1, conscienceRate: 1e-3, batchSize: 10, seed: 4 });
  const history = wta.fit(train.images, { epochs: 5 });
  const q = history.history.quantisationError;
  assert.ok(q[q.length - 1] < q[0], `training error falls: ${q}`);
  const trained = quantisationError(held.images, wta.prototypes);
  const sampled = quantisationError(held.images, samplePrototypes(train.images, 20, new Rng(4)));
  assert.ok(trained < 0.9 * sampled, `held-out quantisation error ${trained} vs sampled digits ${sampled}`);
  assert.equal(wta.deadUnits(train.images), 0);
});

test("WTA with dot-product similarity keeps unit-length prototypes and picks the largest wᵀx", () => {
  const x = tensor([
    [1, 0],
    [0, 1],
    [0.6, 0.8],
  ]);
  const wta = new WinnerTakeAll({ units: 2, learningRate: 0.5, similarity: "dot" });
  wta.fit(x, {
    epochs: 3,
    init: tensor([
      [1, 0.1],
      [0.1, 1],
    ]),
  });
  for (let i = 0; i < 2; i++) assert.ok(Math.abs(Math.hypot(wta.prototypes.data[i * 2], wta.prototypes.data[i * 2 + 1]) - 1) < 1e-6);
  assert.deepEqual([...wta.predict(tensor([[1, 0]]))], [0]);
  assert.deepEqual([...wta.predict(tensor([[0, 1]]))], [1]);
});

test("WTA save and load: the same prototypes, win frequencies and predictions", async () => {
  const { x } = blobs(50, 0.1, 7);
  const wta = new WinnerTakeAll({ units: 3, conscience: 2, seed: 3 });
  wta.fit(x, { epochs: 2 });
  const dir = await mkdtemp(join(tmpdir(), "wta-"));
  try {
    await wta.save(dir);
    const back = await loadModel(dir);
    assert.ok(back instanceof WinnerTakeAll);
    assert.deepEqual(back.options, wta.options);
    assert.deepEqual([...back.prototypes.data], [...wta.prototypes.data]);
    assert.deepEqual([...back.winFrequency], [...wta.winFrequency]);
    assert.deepEqual([...back.predict(x)], [...wta.predict(x)]);
    assert.equal(back.epochsTrained, 2);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("WTA bad options name the option and the allowed range", () => {
  assert.throws(() => new WinnerTakeAll({ units: 0 }), /units must be an integer >= 1, got 0/);
  assert.throws(() => new WinnerTakeAll({ units: 2, learningRate: 0 }), /learningRate must be a number in \(0, 1\], got 0/);
  assert.throws(() => new WinnerTakeAll({ units: 2, learningRate: 1.5 }), /learningRate must be a number in \(0, 1\], got 1.5/);
  assert.throws(() => new WinnerTakeAll({ units: 2, learningRate: 0.1, leakRate: 0.2 }), /leakRate must be a number in \[0, learningRate = 0.1\]/);
  assert.throws(() => new WinnerTakeAll({ units: 2, conscience: -1 }), /conscience must be a finite number >= 0/);
  assert.throws(() => new WinnerTakeAll({ units: 2, conscienceRate: 1 }), /conscienceRate must be a number in \(0, 1\)/);
  assert.throws(() => new WinnerTakeAll({ units: 2, similarity: "cosine" as never }), /similarity must be "euclidean" or "dot"/);
  const wta = new WinnerTakeAll({ units: 2 });
  assert.throws(() => wta.predict(tensor([[1, 2]])), /not fitted/);
  assert.throws(() => wta.fit(tensor([[1, 2]]), { init: tensor([[1, 2]]) }), /init must be \[units = 2, 2\]/);
});
