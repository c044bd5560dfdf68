/** Annealed importance sampling against exact enumeration of log Z. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { aisLogZ, baseRateBiases, betaSchedule, DEFAULT_BETAS, logMeanExpWithError, PAPER_BETAS } from "../src/models/rbm/ais.js";
import { exactLogZ } from "../src/models/rbm/partition.js";
import { RBM } from "../src/models/rbm/rbm.js";
import { Rng } from "../src/tensor/random.js";
import { fromArray, zeros } from "../src/tensor/tensor.js";

function randomRbm(V: number, H: number, seed: number, std: number): RBM {
  const rbm = new RBM({ visible: V, hidden: H, seed });
  const rng = new Rng(seed + 100);
  for (let i = 0; i < rbm.W.size; i++) rbm.W.data[i] = rng.normal(0, std);
  for (let i = 0; i < V; i++) rbm.a.data[i] = rng.normal(-0.5, 0.5);
  for (let j = 0; j < H; j++) rbm.b.data[j] = rng.normal(0, 0.5);
  return rbm;
}

test("β schedules: the paper's has 14,500 steps, the default 5,500, both from 0 to 1 increasing", () => {
  const paper = betaSchedule(PAPER_BETAS);
  assert.equal(paper.length - 1, 14500);
  const def = betaSchedule(DEFAULT_BETAS);
  assert.equal(def.length - 1, 5500);
  for (const b of [paper, def]) {
    assert.equal(b[0], 0);
    assert.equal(b[b.length - 1], 1);
    for (let i = 1; i < b.length; i++) assert.ok(b[i] > b[i - 1]);
  }
  assert.throws(() => betaSchedule([[0, 0.5, 0.1]]), /end at 0.5, not at 1/);
});

test("log-mean-exp and its ±3 standard-error band", () => {
  const r = logMeanExpWithError([Math.log(1), Math.log(2), Math.log(3)]);
  assert.ok(Math.abs(r.mean - Math.log(2)) < 1e-12);
  assert.ok(r.low < r.mean && r.mean < r.high);
  const same = logMeanExpWithError([5, 5, 5]);
  assert.ok(Math.abs(same.low - 5) < 1e-12 && Math.abs(same.high - 5) < 1e-12);
});

test("AIS agrees with exact log Z within its error bar on a tiny RBM (6 x 4)", () => {
  const rbm = randomRbm(6, 4, 1, 1);
  const exact = exactLogZ(rbm);
  const ais = aisLogZ(rbm, { runs: 500, betas: [[0, 1, 1e-3]], seed: 2 });
  assert.ok(ais.logZLow <= exact && exact <= ais.logZHigh, `exact ${exact} outside AIS [${ais.logZLow}, ${ais.logZHigh}]`);
  assert.ok(Math.abs(ais.logZ - exact) < 0.05, `AIS ${ais.logZ} vs exact ${exact}`);
  assert.equal(ais.steps, 1000);
});

test("AIS agrees with exact log Z on a 24 x 12 RBM with strong weights, from a base rate of data", () => {
  const rbm = randomRbm(24, 12, 3, 1.2);
  // 'data': samples of the model itself, so the base rate is near its marginals
  const data = rbm.sample({ n: 300, steps: 200, seed: 4, output: "sample" });
  const exact = exactLogZ(rbm);
  const ais = aisLogZ(rbm, {
    runs: 200,
    betas: [
      [0, 0.5, 5e-3],
      [0.5, 1, 1e-3],
    ],
    baseData: data,
    seed: 5,
  });
  assert.ok(ais.logZLow <= exact && exact <= ais.logZHigh, `exact ${exact} outside AIS [${ais.logZLow}, ${ais.logZHigh}] (estimate ${ais.logZ})`);
  assert.ok(Math.abs(ais.logZ - exact) < 0.2, `AIS ${ais.logZ} vs exact ${exact}`);
  // a wrong base rate must still give an unbiased estimate, only a noisier one
  const flat = aisLogZ(rbm, {
    runs: 200,
    betas: [
      [0, 0.5, 5e-3],
      [0.5, 1, 1e-3],
    ],
    baseBiases: zeros([24]),
    seed: 6,
  });
  assert.ok(flat.logZLow <= exact && exact <= flat.logZHigh, `flat base: exact ${exact} outside [${flat.logZLow}, ${flat.logZHigh}]`);
});

test("AIS with too short a schedule is detectably off: the error bar is honest about variance only", () => {
  // the estimator is unbiased in Z but a 2-step path underestimates log Z on average (Jensen)
  const rbm = randomRbm(24, 12, 3, 1.2);
  const exact = exactLogZ(rbm);
  const ais = aisLogZ(rbm, { runs: 50, betas: [0, 0.5, 1], seed: 7 });
  assert.ok(ais.logZ < exact, `2-step AIS ${ais.logZ} should fall below exact ${exact}`);
});

test("logLikelihood: exact and AIS methods agree, and AIS reports a band around its estimate", () => {
  const rbm = randomRbm(10, 6, 8, 0.8);
  const data = rbm.sample({ n: 100, steps: 100, seed: 9, output: "sample" });
  const exact = rbm.logLikelihood(data, { method: "exact" });
  const ais = rbm.logLikelihood(data, { method: "ais", runs: 200, betas: [[0, 1, 2e-3]], seed: 10 });
  assert.equal(exact.method, "exact");
  assert.equal(ais.method, "ais");
  assert.ok(ais.lower !== undefined && ais.upper !== undefined && ais.lower <= ais.logLikelihood && ais.logLikelihood <= ais.upper);
  assert.ok(Math.abs(ais.logLikelihood - exact.logLikelihood) < 0.05, `AIS ${ais.logLikelihood} vs exact ${exact.logLikelihood}`);
  assert.ok(exact.logLikelihood < 0);
  assert.throws(
    () => new RBM({ visible: 4, hidden: 3, visibleUnits: "gaussian", hiddenUnits: "gaussian" }).logLikelihood(zeros([2, 4]), { method: "exact" }),
    /both layers are Gaussian/,
  );
});

test("base-rate biases follow the smoothed pixel means", () => {
  const data = fromArray([1, 0, 1, 0, 1, 0, 1, 1], [4, 2]);
  const aA = baseRateBiases(data);
  const p0 = (4 + 0.2) / 4.4;
  const p1 = (1 + 0.2) / 4.4;
  assert.ok(Math.abs(aA.data[0] - Math.log(p0 / (1 - p0))) < 1e-5);
  assert.ok(Math.abs(aA.data[1] - Math.log(p1 / (1 - p1))) < 1e-5);
});
