/**
 * Deep Boltzmann machines: on a model small enough to enumerate every state, the even/odd RBM
 * view gives the exact log Z, mean-field reaches a fixed point, and the variational bound lies
 * below the exact log-likelihood; AIS on the view agrees with the exact log Z; joint
 * training's update, with enough chains, is ε times the exact gradient of the bound (labels
 * included); on the bundled digits pretraining and joint training raise the exact test
 * log-likelihood, and the discriminative net starts from the mean-field fixed point.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { loadMnist } from "../src/data/mnist.js";
import { binarize } from "../src/data/transforms.js";
import { chainAsRbm, DBM, type DBMOptions } from "../src/models/dbm/dbm.js";
import { exactLogZ } from "../src/models/rbm/partition.js";
import type { Dense } from "../src/nn/dense.js";
import { argmax } from "../src/ops/reduce.js";
import { Rng } from "../src/tensor/random.js";
import { type Tensor, zeros } from "../src/tensor/tensor.js";

/** A DBM with random weights of standard deviation `std` (so the layers interact strongly). */
function randomDbm(layers: number[], std: number, seed: number): DBM {
  const dbm = new DBM({ layers, seed });
  const rng = new Rng(seed + 100);
  for (const w of dbm.W) for (let i = 0; i < w.size; i++) w.data[i] = rng.normal(0, std);
  for (const b of dbm.biases) for (let i = 0; i < b.size; i++) b.data[i] = rng.normal(0, 0.5);
  return dbm;
}

/**
 * A DBM (by default [784, 12, 8]) whose updates are plain SGD steps (no momentum, no weight
 * decay): one full-batch update is exactly ε times the difference of its statistics, so two
 * such DBMs from the same seed differ by ε times the difference of theirs.
 */
function plainStepDbm(options: Partial<DBMOptions>): DBM {
  return new DBM({ layers: [784, 12, 8], initStd: 0.1, initialMomentum: 0, momentumEpochs: 100, weightDecay: 0, ...options });
}

/** log Σ over every joint state of exp(−E), and log Σ_h exp(−E(v, h)) per row of data, in float64. */
function bruteForce(dbm: DBM, data: Tensor): { logZ: number; logUnnorm: number[] } {
  const sizes = dbm.layers;
  const total = sizes.reduce((s, n) => s + n, 0);
  const hiddenBits = total - sizes[0];
  const negEnergy = (states: number[][]): number => {
    let e = 0;
    states.forEach((x, l) => {
      for (let i = 0; i < x.length; i++) e += dbm.biases[l].data[i] * x[i];
      if (l < states.length - 1) {
        const y = states[l + 1];
        for (let i = 0; i < x.length; i++) for (let j = 0; j < y.length; j++) e += x[i] * dbm.W[l].data[i * y.length + j] * y[j];
      }
    });
    return e;
  };
  const split = (bits: number, from: number): number[][] => {
    const out: number[][] = [];
    let at = 0;
    for (let l = from; l < sizes.length; l++) {
      out.push(Array.from({ length: sizes[l] }, (_, i) => (bits >> (at + i)) & 1));
      at += sizes[l];
    }
    return out;
  };
  const lse = (xs: number[]): number => {
    const m = Math.max(...xs);
    return m + Math.log(xs.reduce((s, x) => s + Math.exp(x - m), 0));
  };
  const all: number[] = [];
  for (let s = 0; s < 2 ** total; s++) all.push(negEnergy(split(s, 0)));
  const logUnnorm: number[] = [];
  for (let r = 0; r < data.rows; r++) {
    const v = Array.from(data.row(r).data);
    const terms: number[] = [];
    for (let s = 0; s < 2 ** hiddenBits; s++) terms.push(negEnergy([v, ...split(s, 1)]));
    logUnnorm.push(lse(terms));
  }
  return { logZ: lse(all), logUnnorm };
}

function randomBinary(n: number, cols: number, seed: number): Tensor {
  const rng = new Rng(seed);
  const x = zeros([n, cols]);
  for (let i = 0; i < x.size; i++) x.data[i] = rng.nextFloat() < 0.4 ? 1 : 0;
  return x;
}

test("tiny DBM: exact log Z and log p(v) match brute force; mean-field converges; the bound is below log p(v)", () => {
  for (const [layers, seed] of [
    [[6, 4, 3], 1],
    [[5, 3, 4, 2], 2],
  ] as const) {
    const dbm = randomDbm([...layers], 1, seed);
    const data = randomBinary(12, layers[0], seed);
    const brute = bruteForce(dbm, data);
    const logZ = dbm.logZ({ method: "exact" }).logZ;
    assert.ok(Math.abs(logZ - brute.logZ) < 1e-3, `log Z ${logZ} vs brute force ${brute.logZ}`);
    const meanLogP = brute.logUnnorm.reduce((s, x) => s + x, 0) / data.rows - brute.logZ;
    const exact = dbm.exactLogLikelihood(data);
    assert.ok(Math.abs(exact - meanLogP) < 1e-3, `exact log p(v) ${exact} vs brute force ${meanLogP}`);

    const mf = dbm.meanField(data, { maxIterations: 200, tolerance: 1e-6 });
    assert.ok(mf.change <= 1e-6 && mf.iterations < 200, `mean-field change ${mf.change} after ${mf.iterations} iterations`);
    // a fixed point: one more sweep moves nothing beyond the tolerance
    const again = dbm.meanField(data, { maxIterations: 200, tolerance: 1e-6 });
    assert.ok(again.iterations >= 1 && again.change <= 1e-6);

    const { bound } = dbm.logLikelihoodBound(data, { method: "exact" });
    assert.ok(bound <= exact + 1e-6, `bound ${bound} must not exceed log p(v) ${exact}`);
    assert.ok(bound > exact - 5, `bound ${bound} is implausibly loose against ${exact}`);
  }
});

test("the even/odd RBM view of a DBM: block layout, and AIS on it agrees with the exact log Z", () => {
  const dbm = randomDbm([7, 5, 6, 4], 0.5, 3);
  const rbm = chainAsRbm(dbm.W, dbm.biases);
  // even layers v (7) and h2 (6) are visible, odd h1 (5) and h3 (4) hidden
  assert.deepEqual(rbm.W.shape, [13, 9]);
  assert.equal(rbm.W.get(2, 3), dbm.W[0].get(2, 3));
  assert.equal(rbm.W.get(7 + 4, 1), dbm.W[1].get(1, 4));
  assert.equal(rbm.W.get(7 + 2, 5 + 3), dbm.W[2].get(2, 3));
  assert.equal(rbm.W.get(0, 5), 0, "v and h3 are not connected");
  const exact = exactLogZ(rbm);
  const ais = dbm.logZ({ method: "ais", runs: 200, seed: 4 });
  assert.ok(Math.abs(ais.logZ - exact) < 0.1, `AIS log Z ${ais.logZ} vs exact ${exact}`);
});

test("on the bundled digits: pretraining then joint training raise the exact test log-likelihood; bound ≤ exact; classifier starts at the mean-field fixed point", async () => {
  const { train, test: held } = await loadMnist({ limitTrain: 1000, limitTest: 300 });
  const x = binarize(train.images);
  const xt = binarize(held.images);
  // 12 units in h1: log Z enumerates the 2^12 odd states exactly
  const dbm = new DBM({ layers: [784, 12, 8], seed: 1, learningRate: 0.005, chains: 50 });
  const before = dbm.exactLogLikelihood(xt); // all-zero biases: the untrained model is nearly uniform
  await dbm.pretrain(x, { epochs: 3, batchSize: 20, rbm: { learningRate: 0.05 } });
  const pretrained = dbm.exactLogLikelihood(xt);
  const logs = await dbm.fit(x, { epochs: 2, batchSize: 20 });
  const after = dbm.exactLogLikelihood(xt);
  assert.ok(pretrained > before + 100, `exact test log p(v): untrained ${before.toFixed(1)}, pretrained ${pretrained.toFixed(1)}`);
  assert.ok(after > pretrained - 2, `joint training kept the model: ${pretrained.toFixed(1)} → ${after.toFixed(1)}`);
  assert.ok(logs.every((l) => Number.isFinite(l.reconstructionError) && l.meanFieldIterations >= 1));
  const { bound } = dbm.logLikelihoodBound(xt, { method: "exact" });
  assert.ok(bound <= after && bound > after - 20, `bound ${bound.toFixed(2)} vs exact ${after.toFixed(2)}`);

  const s = dbm.sample({ n: 6, steps: 20, seed: 2, output: "sample" });
  assert.deepEqual(s.shape, [6, 784]);
  assert.ok(s.data.every((v) => v === 0 || v === 1));

  const inputs = dbm.classifierInputs(xt.sliceRows(0, 40));
  assert.deepEqual(inputs.shape, [40, 784 + 8]);
  const clf = dbm.toClassifier({ classes: 10 });
  const h1 = clf.layers[0].forward(inputs, false);
  const { mu } = dbm.meanField(xt.sliceRows(0, 40));
  for (let i = 0; i < h1.size; i++) assert.ok(Math.abs(h1.data[i] - mu[0].data[i]) < 1e-3, `h1 ${i}: ${h1.data[i]} vs μ1 ${mu[0].data[i]}`);
  assert.deepEqual(clf.outputShape, [10]);
  // dropout for fine-tuning sits between the same layers: at test time the net is unchanged
  const withDropout = dbm.toClassifier({ classes: 10, dropout: { input: 0.2, hidden: 0.5 } });
  assert.equal(withDropout.layers.filter((l) => l.constructor.name === "Dropout").length, 3);
  const outputOf = (m: typeof clf): Dense => m.layers[m.layers.length - 1] as Dense;
  outputOf(withDropout).kernel.value.assign(outputOf(clf).kernel.value); // the fresh output layers start apart
  assert.deepEqual(withDropout.predict(inputs).data, clf.predict(inputs).data);
});

test("pretraining takes per-RBM options (rbm_l2.m's growing CD-k for the top RBM only) and passes sampled states up on request", async () => {
  const { train } = await loadMnist({ limitTrain: 200, limitTest: 10 });
  const x = binarize(train.images);
  const pretrain = async (propagate: "mean" | "sample") => {
    const dbm = new DBM({ layers: [784, 12, 8], seed: 3 });
    const logs: number[][] = [[], []];
    const dbn = await dbm.pretrain(x, {
      epochs: 3,
      batchSize: 20,
      rbm: [{ learningRate: 0.05 }, { learningRate: 0.06, cdGrowEvery: 2 }],
      propagate,
      callbacks: { onEpochEnd: (l, e) => void logs[l].push(e.cdSteps) },
    });
    return { dbm, dbn, logs };
  };
  const mean = await pretrain("mean");
  assert.deepEqual(mean.logs, [
    [1, 1, 1],
    [1, 1, 2],
  ]);
  const [bottom, top] = mean.dbn.rbms;
  assert.equal(bottom.options.cdGrowEvery, 0);
  assert.equal(top.options.learningRate, 0.06);
  assert.deepEqual([bottom.upScale, bottom.downScale, top.upScale, top.downScale], [2, 1, 1, 2], "the DBM still sets the doubling");
  const sampled = await pretrain("sample");
  assert.deepEqual(Array.from(sampled.dbm.W[0].data), Array.from(mean.dbm.W[0].data), "the bottom RBM does not depend on what is passed up");
  assert.notDeepEqual(Array.from(sampled.dbm.W[1].data), Array.from(mean.dbm.W[1].data), "the top RBM saw binary states");
  await assert.rejects(new DBM({ layers: [784, 12, 8] }).pretrain(x, { epochs: 1, rbm: [{}] }), /rbm options must be one object or an array of 2/);
});

test("joint training: ε decays per epoch to its floor; grey-level data are binarised afresh each batch, reproducibly", async () => {
  const { train } = await loadMnist({ limitTrain: 200, limitTest: 10 });
  const grey = train.images;
  const make = (): DBM => new DBM({ layers: [784, 10, 6], seed: 4, learningRate: 0.001, learningRateDecay: 0.5, minLearningRate: 3e-4, chains: 20 });
  const a = make();
  const logs = await a.fit(grey, { epochs: 3, batchSize: 50, sampleData: true });
  assert.deepEqual(
    logs.map((l) => l.learningRate),
    [0.001, 0.0005, 0.0003],
  );
  const b = make();
  await b.fit(grey, { epochs: 3, batchSize: 50, sampleData: true });
  assert.deepEqual(b.W[0].data, a.W[0].data, "same seed, same binary draws, same weights");
  const c = make();
  await c.fit(binarize(grey), { epochs: 3, batchSize: 50 });
  assert.notDeepEqual(c.W[0].data, a.W[0].data, "fresh binarisation is not the fixed thresholded data");
  assert.throws(() => new DBM({ layers: [784, 10, 6], learningRateDecay: 1.5 }), /learningRateDecay must be a number in \(0, 1\]/);
});

test("retune: a DBM goes on under another momentum exactly as one built with it; fixed options and bad values are refused and change nothing", async () => {
  const { train } = await loadMnist({ limitTrain: 120, limitTest: 10 });
  const make = (momentum: number): DBM => new DBM({ layers: [784, 10, 6], seed: 3, momentum, initialMomentum: 0.5, momentumEpochs: 2, chains: 20 });
  const resumed = make(0.5);
  const first = await resumed.fit(train.images, { epochs: 2, batchSize: 40, sampleData: true });
  assert.deepEqual(
    resumed.retune({ momentum: 0.9, learningRate: undefined, gibbsSteps: 1 }),
    [{ option: "momentum", from: 0.5, to: 0.9 }],
    "only what changed",
  );
  const rest = await resumed.fit(train.images, { epochs: 2, batchSize: 40, sampleData: true });
  const direct = make(0.9);
  const all = await direct.fit(train.images, { epochs: 4, batchSize: 40, sampleData: true });
  assert.deepEqual(
    [...first, ...rest].map((l) => l.momentum),
    all.map((l) => l.momentum),
  );
  assert.deepEqual(
    all.map((l) => l.momentum),
    [0.5, 0.5, 0.9, 0.9],
  );
  assert.deepEqual(resumed.W[1].data, direct.W[1].data, "same updates bit for bit");
  assert.equal(resumed.config().momentum, 0.9, "saved with the new value");
  assert.throws(() => resumed.retune({ layers: [784, 10, 7] } as never), /DBM.retune: layers cannot change after construction.*momentum/);
  assert.throws(() => resumed.retune({ chains: 5 } as never), /chains cannot change/);
  assert.throws(() => resumed.retune({ momentum: 1.5, learningRate: 0.01 }), /momentum must be a number in \[0, 1\)/);
  assert.equal(resumed.options.learningRate, 0.001, "a refused retune changes nothing");
  assert.equal(resumed.options.momentum, 0.9);
});

test("chainMeanStep: the chains' h2 ends the update as σ(p(h1) W2 + p(y) U + b2), and W2, b2 and U's model statistics use it", async () => {
  const { train } = await loadMnist({ limitTrain: 200, limitTest: 10 });
  const v = binarize(train.images);
  const M = 10;
  const make = (chainMeanStep: boolean): DBM => plainStepDbm({ labels: 10, seed: 3, chains: M, gibbsSteps: 2, chainMeanStep });
  const gibbs = make(false);
  const smooth = make(true);
  const [W1, W2, b1, b2, U, c] = [gibbs.W[0], gibbs.W[1], gibbs.biases[1], gibbs.biases[2], gibbs.U, gibbs.c].map((t) => {
    assert.ok(t !== null);
    return t.clone();
  });
  await gibbs.fit(v, { epochs: 1, batchSize: v.rows, labels: train.oneHot });
  await smooth.fit(v, { epochs: 1, batchSize: v.rows, labels: train.oneHot });
  const chain = (dbm: DBM, name: string): Tensor => {
    const t = dbm.namedTensors().find(([n]) => n === name);
    assert.ok(t !== undefined, name);
    return t[1];
  };
  // the sweeps draw the same states in both (same seed); the last one drew h1 and y from the final v and h2
  for (const name of ["chains.h0", "chains.h1", "chains.y"]) assert.deepEqual(chain(smooth, name).data, chain(gibbs, name).data, name);
  const [v0, h2] = [chain(gibbs, "chains.h0"), chain(gibbs, "chains.h2")];
  const sig = (z: number): number => 1 / (1 + Math.exp(-z));
  const p1 = Array.from({ length: M }, (_, r) =>
    Array.from({ length: 12 }, (_, j) => {
      let z = b1.data[j];
      for (let i = 0; i < 784; i++) z += v0.data[r * 784 + i] * W1.data[i * 12 + j];
      for (let k = 0; k < 8; k++) z += h2.data[r * 8 + k] * W2.data[j * 8 + k];
      return sig(z);
    }),
  );
  const py = Array.from({ length: M }, (_, r) => {
    const z = Array.from({ length: 10 }, (_, y) => {
      let s = c.data[y];
      for (let k = 0; k < 8; k++) s += h2.data[r * 8 + k] * U.data[y * 8 + k];
      return s;
    });
    const m = Math.max(...z);
    const e = z.map((x) => Math.exp(x - m));
    const total = e.reduce((a, x) => a + x, 0);
    return e.map((x) => x / total);
  });
  const h2mf = Array.from({ length: M }, (_, r) =>
    Array.from({ length: 8 }, (_, k) => {
      let z = b2.data[k];
      for (let j = 0; j < 12; j++) z += p1[r][j] * W2.data[j * 8 + k];
      for (let y = 0; y < 10; y++) z += py[r][y] * U.data[y * 8 + k];
      return sig(z);
    }),
  );
  const close = (a: number, b: number, what: string): void => assert.ok(Math.abs(a - b) < 1e-6, `${what}: ${a} vs ${b}`);
  const h2s = chain(smooth, "chains.h2");
  for (let r = 0; r < M; r++) for (let k = 0; k < 8; k++) close(h2s.data[r * 8 + k], h2mf[r][k], `chain h2[${r}][${k}]`);
  // model statistics: the step differs by −ε/M Σ_r a_r (h2mf − h2)_r for W2 (a = p1), U (a = p(y)) and b2 (a = 1)
  const eps = gibbs.options.learningRate;
  const delta = (r: number, k: number): number => h2mf[r][k] - h2.data[r * 8 + k];
  const expected = (a: number[][], i: number, k: number): number => (-eps / M) * a.reduce((s, row, r) => s + row[i] * delta(r, k), 0);
  const ones = Array.from({ length: M }, () => [1]);
  for (const [name, after, base, a, rows] of [
    ["W2", smooth.W[1], gibbs.W[1], p1, 12],
    ["U", smooth.U, gibbs.U, py, 10],
    ["b2", smooth.biases[2], gibbs.biases[2], ones, 1],
  ] as const) {
    assert.ok(after !== null && base !== null);
    for (let i = 0; i < rows; i++) for (let k = 0; k < 8; k++) close(after.data[i * 8 + k] - base.data[i * 8 + k], expected(a, i, k), `${name}[${i}][${k}]`);
  }
  assert.ok(
    h2.data.some((x, i) => Math.abs(x - h2s.data[i]) > 0.01),
    "the mean-field step changed the chains' h2",
  );
  assert.deepEqual(smooth.W[0].data, gibbs.W[0].data, "W1's statistics see only v and p(h1), unchanged");
  assert.throws(() => new DBM({ layers: [784, 12, 8], chainMeanStep: 1 as unknown as boolean }), /chainMeanStep must be true or false, got 1/);
});

test("sparsity penalty: one step moves each weight by −ε (neighbour's mean activity) ⊗ cost (q̄ − target), and pulls the activity toward its target", async () => {
  const { train } = await loadMnist({ limitTrain: 300, limitTest: 10 });
  const v = binarize(train.images);
  const cost = 0.05;
  const damping = 0.9;
  const target = [0.05, 0.02];
  const make = (sparsityCost: number): DBM => plainStepDbm({ seed: 7, chains: 10, sparsityCost, sparsityTarget: target, sparsityDamping: damping });
  const plain = make(0);
  const sparse = make(cost);
  const eps = plain.options.learningRate;
  const { mu } = sparse.meanField(v);
  const means = [v, ...mu].map((t) =>
    Array.from({ length: t.cols }, (_, j) => {
      let m = 0;
      for (let r = 0; r < t.rows; r++) m += t.data[r * t.cols + j];
      return m / t.rows;
    }),
  );
  const s = [1, 2].map((l) => means[l].map((q) => cost * (damping * target[l - 1] + (1 - damping) * q - target[l - 1])));
  const w0 = [plain.W[0].clone(), plain.W[1].clone()];
  await plain.fit(v, { epochs: 1, batchSize: v.rows });
  await sparse.fit(v, { epochs: 1, batchSize: v.rows });
  const expected = (l: number, i: number, j: number): number =>
    l === 0 ? -eps * means[0][i] * s[0][j] : -eps * (means[1][i] * s[1][j] + s[0][i] * means[2][j]);
  for (const l of [0, 1]) {
    const n = plain.W[l].cols;
    let worst = 0;
    for (let k = 0; k < plain.W[l].size; k++) {
      const d = sparse.W[l].data[k] - plain.W[l].data[k];
      worst = Math.max(worst, Math.abs(d - expected(l, Math.floor(k / n), k % n)));
    }
    assert.ok(worst < 1e-7, `W${l + 1}: penalty step off by ${worst}`);
    assert.notDeepEqual(sparse.W[l].data, w0[l].data);
  }
  for (const l of [1, 2]) {
    for (let j = 0; j < s[l - 1].length; j++) {
      const d = sparse.biases[l].data[j] - plain.biases[l].data[j];
      assert.ok(Math.abs(d + eps * s[l - 1][j]) < 1e-7, `b${l}[${j}]: ${d} vs ${-eps * s[l - 1][j]}`);
    }
  }
  // over a few epochs the penalty lowers h1's activity toward its 5 % target
  const activity = (dbm: DBM): number => {
    const m = dbm.meanField(v).mu[0];
    return m.data.reduce((a, x) => a + x, 0) / m.size;
  };
  const a = make(0);
  const b = make(1);
  await a.fit(v, { epochs: 5, batchSize: 50 });
  await b.fit(v, { epochs: 5, batchSize: 50 });
  assert.ok(activity(b) < activity(a) - 0.05, `h1 activity with the penalty ${activity(b).toFixed(3)}, without ${activity(a).toFixed(3)}`);
  assert.throws(() => new DBM({ layers: [784, 12, 8], sparsityTarget: [0.1] }), /one target per hidden layer \(2\), got 1/);
  assert.throws(() => new DBM({ layers: [784, 12, 8], sparsityTarget: 1 }), /sparsityTarget\[0\] must be a number in \(0, 1\)/);
});

test("a DBM with label units: the top RBM splits into W and U, clamped mean-field is the fixed point with yU, labels are learnt, class-conditional samples", async () => {
  const { train, test: held } = await loadMnist({ limitTrain: 1000, limitTest: 300 });
  const x = binarize(train.images);
  const dbm = new DBM({ layers: [784, 40, 60], labels: 10, seed: 2, learningRate: 0.005, chains: 50 });
  const dbn = await dbm.pretrain(x, { epochs: 4, batchSize: 20, rbm: { learningRate: 0.05 }, labels: train.oneHot });
  // the top RBM's visible layer is [h1, y]: its first 40 rows are W2, the last 10 are U
  assert.deepEqual(dbm.W[1].data, dbn.top.W.sliceRows(0, 40).data);
  assert.deepEqual(dbm.U?.data, dbn.top.W.sliceRows(40, 50).data);
  assert.deepEqual(dbm.c?.data, dbn.top.a.sliceRows(40, 50).data);

  await assert.rejects(dbm.fit(x, { epochs: 1 }), /this DBM has 10 label units; pass labels/);
  const logs = await dbm.fit(x, { epochs: 3, batchSize: 20, labels: train.oneHot });
  assert.ok(logs.every((l) => Number.isFinite(l.reconstructionError)));

  // clamped mean-field: μ2 = σ(μ1 W2 + y U + b2) at the fixed point
  const v = x.sliceRows(0, 30);
  const y = train.oneHot.sliceRows(0, 30);
  const { mu, change } = dbm.meanField(v, { labels: y, maxIterations: 300, tolerance: 1e-7 });
  assert.ok(change <= 1e-7, `mean-field residual ${change}`);
  const U = dbm.U as Tensor;
  for (let r = 0; r < 30; r++) {
    for (let j = 0; j < 60; j += 7) {
      let a = dbm.biases[2].data[j];
      for (let i = 0; i < 40; i++) a += mu[0].data[r * 40 + i] * dbm.W[1].data[i * 60 + j];
      for (let c = 0; c < 10; c++) a += y.data[r * 10 + c] * U.data[c * 60 + j];
      assert.ok(Math.abs(1 / (1 + Math.exp(-a)) - mu[1].data[r * 60 + j]) < 1e-4, `row ${r} unit ${j}`);
    }
  }
  // the label units learnt the digits: read out from the top layer of held-out digits (chance 10 %)
  const predicted = argmax(dbm.labelProbabilities(binarize(held.images)));
  const correct = predicted.filter((c, r) => c === held.labels[r]).length;
  assert.ok(correct / predicted.length > 0.45, `label read-out accuracy ${(correct / predicted.length).toFixed(3)}`);

  const s = dbm.sample({ n: 4, steps: 10, seed: 1, label: 3, output: "sample" });
  assert.deepEqual(s.shape, [4, 784]);
  assert.ok(s.data.every((u) => u === 0 || u === 1));
  assert.throws(() => dbm.sample({ label: 10 }), /label must be an integer in \[0, 9\]/);
  assert.throws(() => dbm.logZ(), /for DBMs without label units/);
  assert.throws(() => new DBM({ layers: [784, 10, 6] }).meanField(v, { labels: y }), /labels given but the DBM has no label units/);
});

test("joint training's update with many long chains is ε (⟨·⟩_data − ⟨·⟩_model), ⟨·⟩_model by exact enumeration (labels included)", async () => {
  // [4, 3, 3] with 3 label units on the top layer: 2^10 · 3 joint states; a plain step, so one
  // full-batch update is exactly ε (data statistics − chain statistics)
  const dbm = plainStepDbm({ layers: [4, 3, 3], labels: 3, seed: 4, chains: 20000, gibbsSteps: 60, learningRate: 0.01 });
  const rng = new Rng(9);
  const U = dbm.U as Tensor;
  const c = dbm.c as Tensor;
  for (const t of [...dbm.W, U]) for (let i = 0; i < t.size; i++) t.data[i] = rng.normal(0, 1.5);
  for (const t of [...dbm.biases, c]) for (let i = 0; i < t.size; i++) t.data[i] = rng.normal(0, 0.5);
  const v = randomBinary(6, 4, 5);
  const y = zeros([6, 3]);
  for (let r = 0; r < 6; r++) y.data[r * 3 + (r % 3)] = 1;
  const { mu } = dbm.meanField(v, { labels: y });
  const [mu1, mu2] = mu.map((m) => m.clone());
  const before = [...dbm.W, U, ...dbm.biases, c].map((t) => t.clone());

  // exact ⟨·⟩_model: every (v, h1, h2, y), weighted by exp(−E)
  const bits = (s: number, n: number): number[] => Array.from({ length: n }, (_, i) => (s >> i) & 1);
  const dot = (x: number[], w: Float32Array): number => x.reduce((t, a, i) => t + a * w[i], 0);
  const pairTerm = (x: number[], w: Float32Array, h: number[]): number => x.reduce((t, a, i) => t + a * dot(h, w.subarray(i * h.length)), 0);
  const addOuter = (acc: Float64Array, p: number, x: number[], h: number[]): void => {
    for (let i = 0; i < x.length; i++) for (let j = 0; j < h.length; j++) acc[i * h.length + j] += p * x[i] * h[j];
  };
  const stats = {
    W1: new Float64Array(12),
    W2: new Float64Array(9),
    U: new Float64Array(9),
    b0: new Float64Array(4),
    b1: new Float64Array(3),
    b2: new Float64Array(3),
    c: new Float64Array(3),
  };
  let Z = 0;
  for (let s = 0; s < 2 ** 10; s++) {
    const x = [bits(s, 4), bits(s >> 4, 3), bits(s >> 7, 3)];
    for (let k = 0; k < 3; k++) {
      const yk = bits(1 << k, 3);
      const negE =
        x.reduce((t, xl, l) => t + dot(xl, dbm.biases[l].data), 0) +
        dot(yk, c.data) +
        pairTerm(x[0], dbm.W[0].data, x[1]) +
        pairTerm(x[1], dbm.W[1].data, x[2]) +
        pairTerm(yk, U.data, x[2]);
      const p = Math.exp(negE);
      Z += p;
      addOuter(stats.W1, p, x[0], x[1]);
      addOuter(stats.W2, p, x[1], x[2]);
      addOuter(stats.U, p, yk, x[2]);
      addOuter(stats.b0, p, x[0], [1]);
      addOuter(stats.b1, p, x[1], [1]);
      addOuter(stats.b2, p, x[2], [1]);
      addOuter(stats.c, p, yk, [1]);
    }
  }
  // ⟨·⟩_data: the mean-field statistics of the batch (labels clamped)
  const pairMean = (a: Tensor, b: Tensor, i: number, j: number): number => {
    let s = 0;
    for (let r = 0; r < a.rows; r++) s += a.data[r * a.cols + i] * b.data[r * b.cols + j];
    return s / a.rows;
  };
  const ones = zeros([6, 1]);
  ones.data.fill(1);
  const colMean = (a: Tensor, i: number): number => pairMean(a, ones, i, 0);
  await dbm.fit(v, { epochs: 1, batchSize: 6, labels: y });
  const check = (name: string, after: Tensor, old: Tensor, data: (i: number) => number, model: Float64Array): void => {
    let worst = 0;
    for (let i = 0; i < model.length; i++) {
      const chain = data(i) - (after.data[i] - old.data[i]) / dbm.options.learningRate; // the chains' estimate of ⟨·⟩_model
      worst = Math.max(worst, Math.abs(chain - model[i] / Z));
    }
    assert.ok(worst < 0.02, `${name}: chain statistics differ from the exact ⟨·⟩_model by up to ${worst.toFixed(4)}`);
  };
  const [W1, W2, U0, b0, b1, b2, c0] = before;
  check("W1", dbm.W[0], W1, (i) => pairMean(v, mu1, Math.floor(i / 3), i % 3), stats.W1);
  check("W2", dbm.W[1], W2, (i) => pairMean(mu1, mu2, Math.floor(i / 3), i % 3), stats.W2);
  check("U", U, U0, (i) => pairMean(y, mu2, Math.floor(i / 3), i % 3), stats.U);
  check("b0", dbm.biases[0], b0, (i) => colMean(v, i), stats.b0);
  check("b1", dbm.biases[1], b1, (i) => colMean(mu1, i), stats.b1);
  check("b2", dbm.biases[2], b2, (i) => colMean(mu2, i), stats.b2);
  check("c", c, c0, (i) => colMean(y, i), stats.c);
});
