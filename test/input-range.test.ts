/**
 * Data that a model's units cannot take are refused before any work, with the row, column and
 * value and what to do: Bernoulli (binary or probability) units take [0, 1], Gaussian units any
 * finite value. One helper (checkUnitRange in src/models/rbm/core.ts) serves the RBM, the DBN,
 * up-down and the DBM; the Boltzmann machine and Hopfield nets check their {0, 1} / ±1 states,
 * the perceptron its labels.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { BoltzmannMachine } from "../src/models/boltzmann/boltzmann.js";
import { DBM } from "../src/models/dbm/dbm.js";
import { DBN } from "../src/models/dbn/dbn.js";
import { upDown } from "../src/models/dbn/updown.js";
import { Perceptron } from "../src/models/perceptron/perceptron.js";
import { RBM } from "../src/models/rbm/rbm.js";
import { Rng } from "../src/tensor/random.js";
import { type Tensor, zeros } from "../src/tensor/tensor.js";

/** n binary rows of width cols, with one entry set to `bad` at (row 2, column 3). */
function data(n: number, cols: number, bad?: number): Tensor {
  const rng = new Rng(9);
  const x = zeros([n, cols]);
  for (let i = 0; i < x.size; i++) x.data[i] = rng.nextFloat() < 0.4 ? 1 : 0;
  if (bad !== undefined) x.data[2 * cols + 3] = bad;
  return x;
}

const outside = (what: string, name = "data", value = "255") =>
  new RegExp(
    `^RangeError: ${what.replace(".", "\\.")}: ${name} row 2, column 3 is ${value}; Bernoulli units take values in \\[0, 1\\]: scale the data to \\[0, 1\\] \\(e\\.g\\. divide by 255\\) or use Gaussian visible units`,
  );

test("RBM with Bernoulli visible units refuses values outside [0, 1] in every method that reads data", async () => {
  const rbm = new RBM({ visible: 8, hidden: 3, seed: 1 });
  const bad = data(5, 8, 255);
  await assert.rejects(rbm.fit(bad, { epochs: 1, batchSize: 5 }), outside("RBM.fit"));
  assert.equal(rbm.updates, 0); // refused before any update
  assert.throws(() => rbm.transform(bad), outside("RBM.transform", "v"));
  assert.throws(() => rbm.reconstruct(bad), outside("RBM.transform", "v"));
  assert.throws(() => rbm.freeEnergy(bad), outside("RBM.freeEnergy", "v"));
  assert.throws(() => rbm.pseudoLikelihood(bad), outside("RBM.pseudoLikelihood", "v"));
  assert.throws(() => rbm.logLikelihood(bad, { method: "exact" }), outside("logLikelihood"));
  assert.throws(() => rbm.gibbs(bad), outside("RBM.gibbs", "v"));
  assert.throws(() => rbm.transform(data(5, 8, -0.5)), outside("RBM.transform", "v", "-0.5"));
  assert.throws(() => rbm.transform(data(5, 8, Number.NaN)), outside("RBM.transform", "v", "NaN"));
  // probabilities are fine
  const grey = data(5, 8);
  grey.data[7] = 0.25;
  await rbm.fit(grey, { epochs: 1, batchSize: 5 });
  assert.equal(rbm.transform(grey).shape[0], 5);
});

test("RBM with Gaussian visible units takes any finite value and refuses NaN and Infinity", async () => {
  const rbm = new RBM({ visible: 8, hidden: 3, visibleUnits: "gaussian", seed: 1 });
  await rbm.fit(data(5, 8, 255), { epochs: 1, batchSize: 5 });
  assert.throws(() => rbm.transform(data(5, 8, Number.POSITIVE_INFINITY)), /RBM\.transform: v row 2, column 3 is Infinity; Gaussian units take finite values/);
});

test("DBN pretraining, transform, classification and up-down refuse data and labels outside [0, 1]", async () => {
  const dbn = new DBN({ layers: [8, 4, 3], labels: 2, seed: 1 });
  const labels = zeros([5, 2]);
  for (let r = 0; r < 5; r++) labels.data[r * 2 + (r % 2)] = 1;
  await assert.rejects(dbn.pretrain(data(5, 8, 255), { epochs: 1, batchSize: 5, labels }), outside("DBN.pretrain"));
  const badLabels = labels.clone();
  badLabels.data[2 * 2 + 1] = 3;
  await assert.rejects(dbn.pretrain(data(5, 8), { epochs: 1, batchSize: 5, labels: badLabels }), /DBN\.pretrain: labels row 2, column 1 is 3; Bernoulli units/);
  await dbn.pretrain(data(5, 8), { epochs: 1, batchSize: 5, labels });
  assert.throws(() => dbn.transform(data(5, 8, 255)), outside("DBN.transform", "x"));
  assert.throws(() => dbn.classify(data(5, 8, 255)), outside("DBN.transform", "x"));
  await assert.rejects(upDown(dbn, data(5, 8, 255), labels, { epochs: 1, batchSize: 5 }), outside("upDown"));
});

test("DBM training, mean-field and bounds refuse data outside [0, 1]", async () => {
  const dbm = new DBM({ layers: [8, 4, 3], chains: 5, seed: 1 });
  await assert.rejects(dbm.pretrain(data(5, 8, 255), { epochs: 1, batchSize: 5 }), outside("DBM.pretrain"));
  await assert.rejects(dbm.fit(data(5, 8, 255), { epochs: 1, batchSize: 5 }), outside("DBM.fit"));
  assert.throws(() => dbm.meanField(data(5, 8, 255)), outside("DBM.meanField", "v"));
  assert.throws(() => dbm.logLikelihoodBound(data(5, 8, 255), { method: "exact" }), outside("DBM.logLikelihoodBound"));
  assert.throws(() => dbm.exactLogLikelihood(data(5, 8, 255)), outside("DBM.exactLogLikelihood"));
});

test("the Boltzmann machine takes {0, 1} states and the perceptron integer labels in range (checked already, kept)", () => {
  const bm = new BoltzmannMachine({ visible: 4, hidden: 1, seed: 1 });
  const x = data(4, 4);
  x.data[5] = 0.5;
  assert.throws(() => bm.fit(x, { epochs: 1 }), /BoltzmannMachine\.fit: data: entry 5 is 0\.5; binary states must be 0 or 1/);
  assert.throws(() => new Perceptron({ seed: 1 }).fit(data(4, 2), [0, 1, 2, 0]), /Perceptron\.fit: label 2 is 2; labels must be integers in \[0, 1\]/);
});
