/**
 * The RBM learns real data: on the bundled digits (binarised) training lowers the
 * reconstruction error and raises the exact test log-likelihood against an untrained RBM;
 * Gaussian visible units fit standardised correlated data and reproduce its correlations.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { loadMnist } from "../src/data/mnist.js";
import { binarize } from "../src/data/transforms.js";
import { RBM } from "../src/models/rbm/rbm.js";
import { Rng } from "../src/tensor/random.js";
import { type Tensor, zeros } from "../src/tensor/tensor.js";

test("on the bundled digits, CD-1 lowers reconstruction error and raises the exact test log-likelihood", async () => {
  const { train, test: held } = await loadMnist({ limitTrain: 2000, limitTest: 500 });
  const x = binarize(train.images);
  const xt = binarize(held.images);
  // 14 hidden units: log Z enumerates 2^14 hidden states exactly
  const rbm = new RBM({ visible: 784, hidden: 14, learningRate: 0.1, seed: 1 });
  rbm.initVisibleBiases(x);
  const before = rbm.logLikelihood(xt, { method: "exact" });
  const errBefore = rbm.reconstructionError(xt);
  const logs = await rbm.fit(x, { epochs: 6, batchSize: 50 });
  const after = rbm.logLikelihood(xt, { method: "exact" });
  const errAfter = rbm.reconstructionError(xt);
  assert.ok(
    logs[logs.length - 1].reconstructionError < 0.8 * logs[0].reconstructionError,
    `training error ${logs.map((l) => l.reconstructionError.toFixed(1)).join(" → ")}`,
  );
  assert.ok(errAfter < 0.8 * errBefore, `test reconstruction error ${errBefore.toFixed(1)} → ${errAfter.toFixed(1)}`);
  assert.ok(
    after.logLikelihood > before.logLikelihood + 20,
    `exact test log-likelihood ${before.logLikelihood.toFixed(2)} → ${after.logLikelihood.toFixed(2)}`,
  );
  // the learned model beats the base-rate (independent pixels) model, which is the untrained RBM
  assert.ok(Number.isFinite(after.logZ));
});

/** Two blocks of variables, each driven by one latent factor, standardised. */
function factorData(n: number, V: number, rng: Rng): Tensor {
  const x = zeros([n, V]);
  for (let r = 0; r < n; r++) {
    const z = [rng.normal(), rng.normal()];
    for (let i = 0; i < V; i++) x.data[r * V + i] = 0.9 * z[i < V / 2 ? 0 : 1] + Math.sqrt(1 - 0.81) * rng.normal();
  }
  return x;
}

function correlation(x: Tensor, i: number, j: number): number {
  const n = x.rows;
  const V = x.cols;
  let mi = 0;
  let mj = 0;
  for (let r = 0; r < n; r++) {
    mi += x.data[r * V + i];
    mj += x.data[r * V + j];
  }
  mi /= n;
  mj /= n;
  let sij = 0;
  let sii = 0;
  let sjj = 0;
  for (let r = 0; r < n; r++) {
    const a = x.data[r * V + i] - mi;
    const b = x.data[r * V + j] - mj;
    sij += a * b;
    sii += a * a;
    sjj += b * b;
  }
  return sij / Math.sqrt(sii * sjj);
}

test("Gaussian visible units fit standardised data: error falls, likelihood rises, correlations are learned", async () => {
  const V = 8;
  const rng = new Rng(1);
  const data = factorData(2000, V, rng);
  const rbm = new RBM({ visible: V, hidden: 10, visibleUnits: "gaussian", learningRate: 0.05, seed: 2 });
  rbm.initVisibleBiases(data);
  const errBefore = rbm.reconstructionError(data);
  const llBefore = rbm.logLikelihood(data).logLikelihood;
  await rbm.fit(data, { epochs: 30, batchSize: 20 });
  const errAfter = rbm.reconstructionError(data);
  const llAfter = rbm.logLikelihood(data).logLikelihood;
  assert.ok(errAfter < 0.6 * errBefore, `reconstruction error ${errBefore.toFixed(2)} → ${errAfter.toFixed(2)}`);
  assert.ok(llAfter > llBefore + 0.4, `exact log-likelihood ${llBefore.toFixed(3)} → ${llAfter.toFixed(3)}`);
  // samples from the model: variables within a block correlate, across blocks they do not.
  // (Unit-variance Gaussian visible units cannot shrink the 0.19 noise variance, so the
  // sample correlation stays below the data's 0.82: about 0.45 here, and 0 before training.)
  const samples = rbm.sample({ n: 2000, steps: 200, seed: 3, output: "sample" });
  const within = correlation(samples, 0, 1);
  const across = correlation(samples, 0, V - 1);
  assert.ok(within > 0.3, `within-block correlation of samples ${within.toFixed(2)} (data ${correlation(data, 0, 1).toFixed(2)})`);
  assert.ok(Math.abs(across) < 0.2, `across-block correlation of samples ${across.toFixed(2)}`);
});
