/**
 * The DBM's formulas (models/dbm/core.ts) on their own: the total input of a layer under each
 * of its named options against the sum written out; the positive-phase statistics are the
 * gradient of the variational bound at the mean-field fixed point (finite differences); Gibbs
 * sweeps sample the model's exact distribution, labels included or clamped; and the class's
 * trainStep, driven by a hand-written epoch loop, trains bit for bit as `fit` does.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { batchIndices, gatherRows } from "../src/data/batch.js";
import {
  accumulatePairs,
  type DbmParams,
  gibbsSweep,
  labelParity,
  layerMean,
  meanField,
  meanFieldBuffers,
  negEnergyPlusEntropy,
  totalInput,
} from "../src/models/dbm/core.js";
import { DBM } from "../src/models/dbm/dbm.js";
import { zeroStats } from "../src/models/rbm/core.js";
import { bernoulli } from "../src/ops/random.js";
import { Rng } from "../src/tensor/random.js";
import { type Tensor, zeros } from "../src/tensor/tensor.js";

function normal(shape: number[], std: number, rng: Rng): Tensor {
  const t = zeros(shape);
  for (let i = 0; i < t.size; i++) t.data[i] = rng.normal(0, std);
  return t;
}

function uniform(shape: number[], rng: Rng): Tensor {
  const t = zeros(shape);
  for (let i = 0; i < t.size; i++) t.data[i] = rng.nextFloat();
  return t;
}

/** Parameters of a DBM with these layers (and label units), weights of standard deviation std. */
function randomParams(layers: number[], labels: number, std: number, seed: number): DbmParams {
  const rng = new Rng(seed);
  const top = layers[layers.length - 1];
  return {
    W: layers.slice(0, -1).map((n, l) => normal([n, layers[l + 1]], std, rng)),
    biases: layers.map((n) => normal([n], 0.5, rng)),
    U: labels > 0 ? normal([labels, top], std, rng) : null,
    c: labels > 0 ? normal([labels], 0.5, rng) : null,
  };
}

/** Entry [r, j] of Σ_i a[r, i] B[i, j] (or B[j, i] transposed), in float64. */
function dot(a: Tensor, B: Tensor, r: number, j: number, transB = false): number {
  const k = a.cols;
  let s = 0;
  for (let i = 0; i < k; i++) s += a.data[r * k + i] * (transB ? B.data[j * k + i] : B.data[i * B.cols + j]);
  return s;
}

test("totalInput: 'both' neighbours, 'below' only and doubled, a precomputed input from below, and yU on the top layer only", () => {
  const layers = [4, 3, 5, 2];
  const L = 3;
  const p = randomParams(layers, 3, 0.7, 1);
  const rng = new Rng(2);
  const n = 6;
  const x = layers.map((u) => uniform([n, u], rng));
  const y = uniform([n, 3], rng);
  const U = p.U as Tensor;
  const expected = (l: number, from: "both" | "below", below: number, withLabels: boolean) => (r: number, j: number) =>
    p.biases[l].data[j] +
    (l > 0 ? below * dot(x[l - 1], p.W[l - 1], r, j) : 0) +
    (l < L && from === "both" ? dot(x[l + 1], p.W[l], r, j, true) : 0) +
    (l === L && withLabels ? dot(y, U, r, j) : 0);
  const close = (got: Tensor, want: (r: number, j: number) => number, what: string) => {
    for (let r = 0; r < n; r++)
      for (let j = 0; j < got.cols; j++) {
        const g = got.data[r * got.cols + j];
        assert.ok(Math.abs(g - want(r, j)) < 1e-5, `${what} [${r}, ${j}]: ${g} vs ${want(r, j)}`);
      }
  };
  for (let l = 0; l <= L; l++) {
    const out = zeros([n, layers[l]]);
    close(totalInput(p, x, l, out), expected(l, "both", 1, false), `layer ${l} from both`);
    close(totalInput(p, x, l, out, { labels: y }), expected(l, "both", 1, true), `layer ${l} from both, with labels`);
    if (l === 0) continue;
    close(totalInput(p, x, l, out, { from: "below" }), expected(l, "below", 1, false), `layer ${l} from below`);
    close(totalInput(p, x, l, out, { from: "below", doubleBelow: true }), expected(l, "below", 2, false), `layer ${l} from below, doubled`);
    // the input from below computed once and passed in gives the same bits as computing it
    const computed = totalInput(p, x, l, zeros([n, layers[l]]), { doubleBelow: true, labels: y });
    const belowInput = totalInput({ ...p, biases: p.biases.map((b) => zeros([b.size])) }, x, l, zeros([n, layers[l]]), { from: "below" });
    assert.deepEqual(totalInput(p, x, l, out, { doubleBelow: true, belowInput, labels: y }).data, computed.data, `layer ${l}: belowInput`);
  }
  const mean = layerMean(p, x, 2, zeros([n, 5]));
  const input = totalInput(p, x, 2, zeros([n, 5]));
  for (let i = 0; i < mean.size; i++) assert.ok(Math.abs(mean.data[i] - 1 / (1 + Math.exp(-input.data[i]))) < 1e-6, "layerMean is σ(totalInput)");
});

test("the positive-phase statistics ⟨μ_l μ_{l+1}ᵀ⟩ and ⟨μ_l⟩ are the gradient of the variational bound at the mean-field fixed point (finite differences)", () => {
  const layers = [6, 5, 4, 3];
  const p = randomParams(layers, 0, 0.5, 3);
  const rng = new Rng(4);
  const v = bernoulli(uniform([8, 6], rng), rng);
  const buf = meanFieldBuffers(layers, v.rows);
  // the bound before log Z, with q re-solved for the parameters as they are now
  const objective = (): number => negEnergyPlusEntropy(p, [v, ...meanField(p, v, buf, { maxIterations: 500, tolerance: 1e-7 }).mu]);
  objective();
  const stats = p.W.map((w) => zeroStats(w.rows, w.cols));
  accumulatePairs(stats, [v, ...buf.mu], 1 / v.rows, 0);
  const check = (param: Tensor, i: number, analytic: number, what: string) => {
    const saved = param.data[i];
    param.data[i] = saved + 0.01;
    const up = param.data[i];
    const fUp = objective();
    param.data[i] = saved - 0.01;
    const down = param.data[i];
    const fDown = objective();
    param.data[i] = saved;
    const numeric = (fUp - fDown) / (up - down);
    assert.ok(Math.abs(numeric - analytic) < 1e-4, `${what}: finite differences ${numeric} vs statistics ${analytic}`);
  };
  p.W.forEach((w, l) => {
    for (let i = 0; i < w.size; i++) check(w, i, stats[l].dW.data[i], `W${l + 1}[${i}]`);
    check(p.biases[l + 1], 0, stats[l].db.data[0], `b${l + 1}[0]`);
  });
  check(p.biases[0], 2, stats[0].da.data[2], "b0[2]");
});

/** p(v, y) by enumerating every state of the tiny DBM [3, 2, 2] with 2 label units, as [v index * 2 + y]. */
function exactVisibleLabel(p: DbmParams): number[] {
  const bits = (s: number, k: number) => Array.from({ length: k }, (_, i) => (s >> i) & 1);
  const layers = p.biases.map((b) => b.size);
  const weights = new Array(16).fill(0);
  for (let s = 0; s < 2 ** 7; s++) {
    const x = [bits(s, 3), bits(s >> 3, 2), bits(s >> 5, 2)];
    for (let label = 0; label < 2; label++) {
      let negE = (p.c as Tensor).data[label];
      for (let j = 0; j < 2; j++) negE += (p.U as Tensor).data[label * 2 + j] * x[2][j];
      x.forEach((xl, l) => {
        xl.forEach((xi, i) => {
          negE += p.biases[l].data[i] * xi;
          if (l < 2) for (let j = 0; j < layers[l + 1]; j++) negE += xi * p.W[l].data[i * layers[l + 1] + j] * x[l + 1][j];
        });
      });
      weights[(s & 7) * 2 + label] += Math.exp(negE);
    }
  }
  const Z = weights.reduce((a, b) => a + b, 0);
  return weights.map((w) => w / Z);
}

test("Gibbs sweeps sample the DBM's exact p(v, y); clamped labels give p(v | y); each odd layer's scratch is p(h | final even states)", () => {
  const p = randomParams([3, 2, 2], 2, 1, 5);
  assert.equal(labelParity(p), 1, "with two hidden layers the labels sit on the odd side");
  const exact = exactVisibleLabel(p);
  const run = (clampedLabel: number | null): number[] => {
    const rng = new Rng(6);
    const M = 4000;
    const x = [3, 2, 2].map((u) => bernoulli(uniform([M, u], rng), rng));
    const scratch = [3, 2, 2].map((u) => zeros([M, u]));
    const y = zeros([M, 2]);
    for (let r = 0; r < M; r++) y.data[r * 2 + (clampedLabel ?? rng.int(2))] = 1;
    const labels = { y, probabilities: zeros([M, 2]), clamped: clampedLabel !== null };
    const counts = new Array(16).fill(0);
    for (let sweep = 0; sweep < 60; sweep++) {
      gibbsSweep(p, x, scratch, rng, labels);
      if (sweep < 20) continue;
      for (let r = 0; r < M; r++) {
        const v = x[0].data[r * 3] + 2 * x[0].data[r * 3 + 1] + 4 * x[0].data[r * 3 + 2];
        counts[v * 2 + (y.data[r * 2 + 1] === 1 ? 1 : 0)]++;
      }
    }
    assert.deepEqual(layerMean(p, x, 1, zeros([M, 2]), { labels: y }).data, scratch[1].data, "scratch[1] is p(h1 | v, h2) of the final states");
    const total = counts.reduce((a, b) => a + b, 0);
    return counts.map((c) => c / total);
  };
  const tv = (a: number[], b: number[]) => 0.5 * a.reduce((s, ai, i) => s + Math.abs(ai - b[i]), 0);
  const free = run(null);
  assert.ok(tv(free, exact) < 0.02, `p(v, y): total variation ${tv(free, exact)} from the exact distribution`);
  const clamped = run(1);
  const given1 = exact.map((q, i) => (i % 2 === 1 ? q : 0));
  const z1 = given1.reduce((a, b) => a + b, 0);
  assert.ok(
    tv(
      clamped,
      given1.map((q) => q / z1),
    ) < 0.02,
    "clamped labels: p(v | y = 1)",
  );
});

test("trainStep is one update on its own: a hand-written epoch loop over it (start chains, shuffle, binarise, step, count the epoch) trains bit for bit as fit", async () => {
  const rng = new Rng(7);
  const x = uniform([60, 16], rng);
  const labels = zeros([60, 3]);
  for (let r = 0; r < 60; r++) labels.data[r * 3 + (r % 3)] = 1;
  const options = {
    layers: [16, 8, 6],
    labels: 3,
    chains: 10,
    gibbsSteps: 2,
    sparsityCost: 0.01,
    chainMeanStep: true,
    momentumEpochs: 1,
    learningRateDecay: 0.8,
    seed: 8,
  };
  const byFit = new DBM(options);
  const logs = await byFit.fit(x, { epochs: 2, batchSize: 25, sampleData: true, labels });

  const byStep = new DBM(options);
  byStep.startChains(x, labels);
  const steps = [];
  for (let epoch = 0; epoch < 2; epoch++) {
    for (const idx of batchIndices(x.rows, 25, { shuffle: true, rng: byStep.rng })) {
      const v = gatherRows(x, idx);
      bernoulli(v, byStep.rng, v);
      steps.push(byStep.trainStep(v, gatherRows(labels, idx)));
    }
    byStep.epochsTrained++;
  }
  for (const [name, t] of byFit.namedTensors()) {
    const u = byStep.namedTensors().find(([k]) => k === name)?.[1];
    assert.deepEqual(u?.data, t.data, `${name} differs`);
  }
  assert.equal(byStep.updates, 6);
  assert.deepEqual(
    steps.map((s) => [s.momentum, s.learningRate]),
    [0.5, 0.5, 0.5, 0.9, 0.9, 0.9].map((m, i) => [m, i < 3 ? 0.001 : 0.001 * 0.8]),
    "the schedules read epochsTrained",
  );
  assert.ok(steps.every((s) => Number.isFinite(s.reconstructionError) && s.meanFieldIterations >= 1));
  assert.deepEqual(
    logs.map((l) => l.learningRate),
    [0.001, 0.001 * 0.8],
  );
  assert.throws(() => byStep.trainStep(x.sliceRows(0, 5)), /DBM.trainStep: this DBM has 3 label units; pass labels/);
  assert.throws(() => byStep.trainStep(zeros([5, 15])), /DBM.trainStep: v must have shape \[n, 16\]/);
  // without startChains, the first step starts the chains from its own batch
  const fresh = new DBM({ layers: [16, 8, 6], chains: 10, seed: 9 });
  fresh.trainStep(bernoulli(x.sliceRows(0, 4), fresh.rng));
  assert.deepEqual(fresh.namedTensors().find(([k]) => k === "chains.h0")?.[1].shape, [10, 16]);
});
