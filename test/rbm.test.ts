/**
 * RBM mathematics on tiny machines, checked against float64 enumeration written here from the
 * energy function alone: free energy, log Z, the CD-∞ gradient against the exact gradient of
 * the log-likelihood, and the update rule's plumbing (options, determinism, PCD, sparsity).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { accumulatePhase, hiddenMean, type RbmParams, zeroStats } from "../src/models/rbm/core.js";
import { exactLogZ } from "../src/models/rbm/partition.js";
import { RBM } from "../src/models/rbm/rbm.js";
import { Rng } from "../src/tensor/random.js";
import { fromArray, type Tensor, zeros } from "../src/tensor/tensor.js";

function randomRbm(
  V: number,
  H: number,
  seed: number,
  std = 1,
  visibleUnits: "bernoulli" | "gaussian" = "bernoulli",
  hiddenUnits: "bernoulli" | "gaussian" = "bernoulli",
): RBM {
  const rbm = new RBM({ visible: V, hidden: H, seed, visibleUnits, hiddenUnits });
  const rng = new Rng(seed + 100);
  for (let i = 0; i < rbm.W.size; i++) rbm.W.data[i] = rng.normal(0, std);
  for (let i = 0; i < V; i++) rbm.a.data[i] = rng.normal(0, 0.5);
  for (let j = 0; j < H; j++) rbm.b.data[j] = rng.normal(0, 0.5);
  return rbm;
}

const bits = (s: number, k: number): number[] => Array.from({ length: k }, (_, j) => (s >> j) & 1);

/** E(v, h) in float64 from the definition, Bernoulli hidden units; visible Bernoulli or Gaussian. */
function energy64(p: RbmParams, v: number[], h: number[]): number {
  const V = v.length;
  const H = h.length;
  let e = 0;
  for (let i = 0; i < V; i++) {
    e += p.visibleUnits === "bernoulli" ? -p.a.data[i] * v[i] : 0.5 * (v[i] - p.a.data[i]) ** 2;
    for (let j = 0; j < H; j++) e -= v[i] * p.W.data[i * H + j] * h[j];
  }
  for (let j = 0; j < H; j++) e -= p.b.data[j] * h[j];
  return e;
}

function logSumExp(xs: number[]): number {
  const m = Math.max(...xs);
  return m + Math.log(xs.reduce((s, x) => s + Math.exp(x - m), 0));
}

/** log Z and p(v) of a Bernoulli–Bernoulli RBM by enumerating every joint state. */
function enumerate64(p: RbmParams): { logZ: number; pv: number[] } {
  const V = p.W.shape[0];
  const H = p.W.shape[1];
  const negF: number[] = [];
  for (let s = 0; s < 2 ** V; s++) {
    const v = bits(s, V);
    negF.push(logSumExp(Array.from({ length: 2 ** H }, (_, t) => -energy64(p, v, bits(t, H)))));
  }
  const logZ = logSumExp(negF);
  return { logZ, pv: negF.map((x) => Math.exp(x - logZ)) };
}

const close = (actual: number, expected: number, tol: number, what: string): void => {
  assert.ok(Math.abs(actual - expected) <= tol * Math.max(1, Math.abs(expected)), `${what}: ${actual} vs ${expected} (tol ${tol})`);
};

test("free energy equals −log Σ_h exp(−E(v, h)) by enumeration (Bernoulli and Gaussian visible units)", () => {
  for (const visibleUnits of ["bernoulli", "gaussian"] as const) {
    const rbm = randomRbm(6, 4, 1, 1, visibleUnits);
    const rng = new Rng(5);
    const rows = Array.from({ length: 10 }, () => Array.from({ length: 6 }, () => (visibleUnits === "bernoulli" ? rng.bernoulli(0.5) : rng.normal())));
    const F = rbm.freeEnergy(fromArray(rows.flat(), [10, 6]));
    rows.forEach((v, r) => {
      const expected = -logSumExp(Array.from({ length: 16 }, (_, t) => -energy64(rbm, v, bits(t, 4))));
      close(F.data[r], expected, 1e-5, `${visibleUnits} F(v${r})`);
    });
  }
});

test("free energy with Gaussian hidden units matches numerical integration over h", () => {
  const rbm = randomRbm(5, 2, 3, 0.5, "bernoulli", "gaussian");
  const v = [1, 0, 1, 1, 0];
  const F = rbm.freeEnergy(fromArray(v, [1, 5])).data[0];
  // E = −aᵀv + ½ Σ (h_j − b_j)² − vᵀWh; integrate exp(−E) on a grid
  const step = 0.02;
  let z = 0;
  for (let h0 = -12; h0 <= 12; h0 += step) {
    for (let h1 = -12; h1 <= 12; h1 += step) {
      const h = [h0, h1];
      let e = 0;
      for (let i = 0; i < 5; i++) {
        e -= rbm.a.data[i] * v[i];
        for (let j = 0; j < 2; j++) e -= v[i] * rbm.W.data[i * 2 + j] * h[j];
      }
      for (let j = 0; j < 2; j++) e += 0.5 * (h[j] - rbm.b.data[j]) ** 2;
      z += Math.exp(-e) * step * step;
    }
  }
  close(F, -Math.log(z), 1e-4, "F(v) with Gaussian hidden units");
});

test("exact log Z by blocked enumeration matches float64 enumeration of the joint", () => {
  const small = randomRbm(6, 4, 7); // enumerates the 4 hidden units
  close(exactLogZ(small), enumerate64(small).logZ, 1e-5, "log Z (6x4)");
  const wide = randomRbm(4, 7, 8); // enumerates the 4 visible units
  close(exactLogZ(wide), enumerate64(wide).logZ, 1e-5, "log Z (4x7)");
  // blocks smaller than the state count must give the same sum
  close(exactLogZ(small, 3), exactLogZ(small), 1e-6, "log Z with blocks of 3 states");
});

test("exact log-likelihood: Σ_v p(v) = 1", () => {
  const rbm = randomRbm(6, 4, 9);
  const all = fromArray(Array.from({ length: 64 }, (_, s) => bits(s, 6)).flat(), [64, 6]);
  const F = rbm.freeEnergy(all);
  const logZ = exactLogZ(rbm);
  let total = 0;
  for (let s = 0; s < 64; s++) total += Math.exp(-F.data[s] - logZ);
  close(total, 1, 1e-5, "Σ_v p(v)");
});

test("the CD-∞ gradient (model expectations by enumeration) equals the exact log-likelihood gradient", () => {
  const V = 6;
  const H = 4;
  const rbm = randomRbm(V, H, 11, 0.7);
  const rng = new Rng(12);
  const n = 8;
  const data = fromArray(
    Array.from({ length: n * V }, () => rng.bernoulli(0.4)),
    [n, V],
  );

  // ours: positive phase from the data, negative phase with each visible state weighted by p(v)
  const grad = zeroStats(V, H);
  accumulatePhase(grad, data, hiddenMean(rbm, data), 1 / n, 0);
  const { pv } = enumerate64(rbm);
  const vs = zeros([1, V]);
  for (let s = 0; s < 2 ** V; s++) {
    vs.data.set(bits(s, V));
    accumulatePhase(grad, vs, hiddenMean(rbm, vs), -pv[s], 1);
  }

  // reference: central differences of the float64 mean log-likelihood
  const meanLogLik = (): number => {
    const { logZ } = enumerate64(rbm);
    let s = 0;
    for (let r = 0; r < n; r++) {
      const v = Array.from(data.data.subarray(r * V, (r + 1) * V));
      s += logSumExp(Array.from({ length: 2 ** H }, (_, t) => -energy64(rbm, v, bits(t, H)))) - logZ;
    }
    return s / n;
  };
  const check = (param: Tensor, g: Tensor, name: string): void => {
    for (let i = 0; i < param.size; i++) {
      const old = param.data[i];
      const eps = 3e-3;
      param.data[i] = old + eps;
      const hi = param.data[i]; // the float32 value actually stored
      const up = meanLogLik();
      param.data[i] = old - eps;
      const lo = param.data[i];
      const down = meanLogLik();
      param.data[i] = old;
      const numeric = (up - down) / (hi - lo);
      assert.ok(Math.abs(g.data[i] - numeric) < 2e-4, `${name}[${i}]: CD-∞ ${g.data[i]} vs exact ${numeric}`);
    }
  };
  check(rbm.W, grad.dW, "dW");
  check(rbm.a, grad.da, "da");
  check(rbm.b, grad.db, "db");
});

test("options: literature defaults, and errors that name the option and the range", () => {
  const rbm = new RBM({ visible: 10, hidden: 5 });
  assert.equal(rbm.options.learningRate, 0.1);
  assert.equal(rbm.options.cdSteps, 1);
  assert.equal(rbm.options.persistent, 0);
  assert.equal(rbm.currentMomentum(), 0.5);
  assert.equal(new RBM({ visible: 10, hidden: 5, visibleUnits: "gaussian" }).options.learningRate, 0.01);
  assert.equal(new RBM({ visible: 10, hidden: 5, hiddenUnits: "gaussian" }).options.learningRate, 0.001);
  assert.throws(() => new RBM({ visible: 0, hidden: 5 }), /visible must be an integer >= 1/);
  assert.throws(() => new RBM({ visible: 10, hidden: 5, learningRate: -1 }), /learningRate must be a number in \(0, 100\]/);
  assert.throws(() => new RBM({ visible: 10, hidden: 5, momentum: 1.5 }), /momentum must be a number in \[0, 0.999\]/);
  assert.throws(() => new RBM({ visible: 10, hidden: 5, cdSteps: 0 }), /cdSteps must be an integer >= 1/);
  assert.throws(() => new RBM({ visible: 10, hidden: 5, persistent: 2.5 }), /persistent must be an integer >= 0/);
  assert.throws(() => new RBM({ visible: 10, hidden: 5, visibleUnits: "softmax" as "gaussian" }), /visibleUnits must be "bernoulli" or "gaussian"/);
  assert.throws(() => rbm.transform(zeros([3, 9])), /v must have shape \[n, 10\]/);
});

test("momentum schedule switches from 0.5 to 0.9 after momentumEpochs", async () => {
  const rbm = new RBM({ visible: 6, hidden: 3, momentumEpochs: 2, seed: 1 });
  const data = fromArray(
    Array.from({ length: 60 }, (_, i) => (i % 3 === 0 ? 1 : 0)),
    [10, 6],
  );
  const logs = await rbm.fit(data, { epochs: 3, batchSize: 5 });
  assert.deepEqual(
    logs.map((l) => l.momentum),
    [0.5, 0.5, 0.9],
  );
  assert.equal(rbm.epochsTrained, 3);
  assert.equal(rbm.updates, 6);
});

test("cdGrowEvery: k grows by cdSteps every N epochs and ε shrinks by the same factor (rbm_l2.m's schedule)", async () => {
  const data = fromArray(
    Array.from({ length: 60 }, (_, i) => (i % 3 === 0 ? 1 : 0)),
    [10, 6],
  );
  const rbm = new RBM({ visible: 6, hidden: 3, learningRate: 0.06, cdGrowEvery: 2, seed: 1 });
  const logs = await rbm.fit(data, { epochs: 5, batchSize: 5 });
  assert.deepEqual(
    logs.map((l) => l.cdSteps),
    [1, 1, 2, 2, 3],
  );
  assert.deepEqual(
    logs.map((l) => +l.learningRate.toFixed(12)),
    [0.06, 0.06, 0.03, 0.03, 0.02],
  );
  assert.equal(new RBM({ visible: 6, hidden: 3, cdSteps: 3, cdGrowEvery: 4 }).currentCdSteps(), 3);
  assert.throws(() => new RBM({ visible: 6, hidden: 3, cdGrowEvery: 1.5 }), /cdGrowEvery must be an integer >= 0/);
  // an update in a grown epoch is exactly CD-k at ε / k: same seed, same state, same weights
  const grown = new RBM({ visible: 6, hidden: 3, learningRate: 0.06, cdGrowEvery: 1, seed: 7 });
  const fixed = new RBM({ visible: 6, hidden: 3, learningRate: 0.02, cdSteps: 3, seed: 7 });
  grown.epochsTrained = 2;
  fixed.epochsTrained = 2;
  grown.partialFit(data);
  fixed.partialFit(data);
  assert.deepEqual(Array.from(grown.W.data), Array.from(fixed.W.data));
  const cd1 = new RBM({ visible: 6, hidden: 3, learningRate: 0.02, cdSteps: 1, seed: 7 });
  cd1.epochsTrained = 2;
  cd1.partialFit(data);
  assert.notDeepEqual(Array.from(grown.W.data), Array.from(cd1.W.data), "the grown k is used");
});

test("training is deterministic for a seed, and CD-k / PCD / mean-field / sparsity variants stay finite and learn", async () => {
  const rng = new Rng(3);
  // two prototypes with noise: an easy distribution
  const n = 200;
  const V = 12;
  const data = zeros([n, V]);
  for (let r = 0; r < n; r++) {
    const proto = r % 2;
    for (let i = 0; i < V; i++) data.data[r * V + i] = rng.bernoulli(i < V / 2 === (proto === 0) ? 0.9 : 0.1);
  }
  const train = async (extra: object, epochs = 15): Promise<{ rbm: RBM; ll: number; start: number }> => {
    const rbm = new RBM({ visible: V, hidden: 6, seed: 4, ...extra });
    rbm.initVisibleBiases(data);
    const start = rbm.logLikelihood(data).logLikelihood;
    await rbm.fit(data, { epochs, batchSize: 20 });
    return { rbm, ll: rbm.logLikelihood(data).logLikelihood, start };
  };
  const a = await train({});
  const b = await train({});
  assert.deepEqual(Array.from(a.rbm.W.data), Array.from(b.rbm.W.data), "same seed, same weights");
  // PCD's fantasy chains get stuck in one of the two modes at high learning rates (the
  // oscillation Tieleman & Hinton 2009 describe), so it learns here with a smaller step
  const variants: [object, number][] = [
    [{}, 15],
    [{ cdSteps: 5 }, 15],
    [{ persistent: 20, learningRate: 0.01 }, 30],
    [{ sampleHidden: false }, 15],
    [{ sampleVisible: true }, 15],
    [{ sparsityTarget: 0.1, sparsityCost: 1 }, 15],
  ];
  for (const [extra, epochs] of variants) {
    const { ll, start } = await train(extra, epochs);
    assert.ok(Number.isFinite(ll) && ll > start + 1, `${JSON.stringify(extra)}: log-likelihood ${start.toFixed(3)} → ${ll.toFixed(3)}`);
  }
  // sparsity pulls the mean hidden activation towards its target
  const sparse = await train({ sparsityTarget: 0.05, sparsityCost: 5 });
  const meanAct = (r: RBM): number => {
    const h = r.transform(data);
    return h.data.reduce((s, x) => s + x, 0) / h.size;
  };
  assert.ok(meanAct(sparse.rbm) < meanAct(a.rbm), `sparse ${meanAct(sparse.rbm)} vs dense ${meanAct(a.rbm)}`);
});

test("sampleData: probabilities binarised afresh each batch train the RBM on binary draws, reproducibly", async () => {
  // two prototypes given as pixel probabilities 0.9 / 0.1; the model should learn their binary draws
  const n = 200;
  const V = 12;
  const probs = zeros([n, V]);
  for (let r = 0; r < n; r++) for (let i = 0; i < V; i++) probs.data[r * V + i] = i < V / 2 === (r % 2 === 0) ? 0.9 : 0.1;
  const draws = zeros([n, V]);
  const rng = new Rng(9);
  for (let i = 0; i < draws.size; i++) draws.data[i] = rng.bernoulli(probs.data[i]);
  const fit = async (): Promise<RBM> => {
    const rbm = new RBM({ visible: V, hidden: 6, seed: 4 });
    await rbm.fit(probs, { epochs: 15, batchSize: 20, sampleData: true });
    return rbm;
  };
  const a = await fit();
  const b = await fit();
  assert.deepEqual(a.W.data, b.W.data, "same seed, same draws, same weights");
  const untrained = new RBM({ visible: V, hidden: 6, seed: 4 });
  untrained.initVisibleBiases(probs);
  const ll = a.logLikelihood(draws).logLikelihood;
  const start = untrained.logLikelihood(draws).logLikelihood;
  assert.ok(ll > start + 1, `log-likelihood of fresh binary draws ${start.toFixed(3)} → ${ll.toFixed(3)}`);
  const gaussian = new RBM({ visible: V, hidden: 6, visibleUnits: "gaussian" });
  await assert.rejects(gaussian.fit(probs, { epochs: 1, sampleData: true }), /sampleData binarises the data, so it needs Bernoulli visible units/);
});

test("a NaN stops fit with an error naming the epoch and batch", async () => {
  const rbm = new RBM({ visible: 4, hidden: 2, seed: 1 });
  const data = fromArray([1, 0, 1, 0, 0, 1, 0, 1, 1, 1, 0, 0, 0, 0, 1, 1], [4, 4]);
  await rbm.fit(data, { epochs: 1, batchSize: 2 });
  rbm.W.data[0] = Number.NaN;
  await assert.rejects(rbm.fit(data, { epochs: 1, batchSize: 2 }), /at epoch 2, batch 1 of 2/);
});

test("gibbs, sample, reconstruct and pseudoLikelihood have the right shapes and ranges", () => {
  const rbm = randomRbm(6, 4, 21, 0.5);
  const v = fromArray(
    Array.from({ length: 18 }, (_, i) => i % 2),
    [3, 6],
  );
  const g = rbm.gibbs(v, 5);
  assert.deepEqual(g.shape, [3, 6]);
  assert.ok(g.data.every((x) => x === 0 || x === 1));
  const s = rbm.sample({ n: 7, steps: 20, seed: 1 });
  assert.deepEqual(s.shape, [7, 6]);
  assert.ok(s.data.every((x) => x >= 0 && x <= 1));
  assert.deepEqual(Array.from(rbm.sample({ n: 7, steps: 20, seed: 1 }).data), Array.from(s.data), "seeded sampling repeats");
  const r = rbm.reconstruct(v);
  assert.deepEqual(r.shape, [3, 6]);
  const pl = rbm.pseudoLikelihood(v, new Rng(1));
  assert.deepEqual(pl.shape, [3]);
  assert.ok(pl.data.every((x) => x <= 0 && Number.isFinite(x)));
});

test("long Gibbs chains sample the model distribution: visible marginals match enumeration", () => {
  const rbm = randomRbm(5, 3, 31, 0.8);
  const { pv } = enumerate64(rbm);
  const marginal = new Array(5).fill(0);
  for (let s = 0; s < 32; s++)
    bits(s, 5).forEach((b, i) => {
      marginal[i] += b * pv[s];
    });
  const samples = rbm.sample({ n: 4000, steps: 50, seed: 2, output: "sample" });
  for (let i = 0; i < 5; i++) {
    let m = 0;
    for (let r = 0; r < 4000; r++) m += samples.data[r * 5 + i];
    m /= 4000;
    assert.ok(Math.abs(m - marginal[i]) < 0.03, `p(v${i} = 1): chains ${m.toFixed(3)} vs exact ${marginal[i].toFixed(3)}`);
  }
});
