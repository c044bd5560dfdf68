/**
 * The shared training loop: one protocol of callbacks for every model. EarlyStopping stops an
 * RBM on its reconstruction error and a Boltzmann machine on its KL divergence, ProgressBar
 * prints an RBM's epochs, the loggers write one row per epoch (a DBN's layers into one file),
 * a non-finite figure stops training with a message naming the epoch, batch and quantity, and
 * the synchronous loop refuses a callback that returns a promise.
 */
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import {
  BoltzmannMachine,
  binarize,
  CSVLogger,
  DBN,
  EarlyStopping,
  fitLoop,
  fitLoopSync,
  JsonLinesLogger,
  mnist,
  ProgressBar,
  RBM,
  Rng,
  randomPatterns,
  type TrainableModel,
  toBinary,
} from "layerwise";

const digits = async (n: number) => binarize((await mnist.load({ limitTrain: n, limitTest: 10 })).train.images);

function fakeModel(): TrainableModel {
  return { stopTraining: false, getWeights: () => [], setWeights: () => {} };
}

test("EarlyStopping ends an RBM's fit when its reconstruction error stops improving", async () => {
  const v = await digits(300);
  const rbm = new RBM({ visible: 784, hidden: 20, seed: 1 });
  // an improvement must be larger than any real one: the first epoch improves on +∞, the second cannot
  const stop = new EarlyStopping({ monitor: "reconstructionError", minDelta: 1e9 });
  const logs = await rbm.fit(v, { epochs: 5, batchSize: 50, callbacks: [stop] });
  assert.equal(logs.length, 2);
  assert.equal(stop.stoppedEpoch, 1);
  assert.equal(rbm.epochsTrained, 2);
});

test("ProgressBar prints an RBM's epochs with its reconstruction error and schedule", async () => {
  const v = await digits(200);
  const lines: string[] = [];
  const bar = new ProgressBar({ sink: { isTTY: false, write: (s) => void lines.push(s) } });
  await new RBM({ visible: 784, hidden: 10, seed: 2 }).fit(v, { epochs: 2, batchSize: 50, callbacks: [bar] });
  assert.equal(lines.length, 2);
  assert.match(lines[0], /^Epoch 1\/2 - .* - reconstructionError \d+\.\d+ - momentum 0\.5000 - cdSteps 1 - learningRate 0\.1000\n$/);
});

test("the loggers write one row per epoch; a DBN's layers go into one file, and a callback hears each layer begin", async () => {
  const dir = await mkdtemp(join(tmpdir(), "layerwise-loggers-"));
  try {
    const v = await digits(200);
    const csv = new CSVLogger({ path: join(dir, "log.csv") });
    const jsonl = new JsonLinesLogger({ path: join(dir, "log.jsonl") });
    const layers: string[] = [];
    const header = { onLayerBegin: (i: { layer: number; epochs: number }) => void layers.push(`${i.layer}:${i.epochs}`) };
    await new DBN({ layers: [784, 12, 8], seed: 3 }).pretrain(v, { epochs: [2, 1], batchSize: 50, callbacks: [header, csv, jsonl] });
    assert.deepEqual(layers, ["0:2", "1:1"]);
    const rows = (await readFile(join(dir, "log.csv"), "utf8")).trim().split("\n");
    assert.equal(rows[0], "epoch,reconstructionError,momentum,cdSteps,learningRate");
    assert.deepEqual(
      rows.slice(1).map((r) => r.split(",")[0]),
      ["0", "1", "0"],
    );
    const records = (await readFile(join(dir, "log.jsonl"), "utf8"))
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    assert.equal(records.length, 3);
    assert.ok(records.every((r) => Number.isFinite(r.reconstructionError)));
    // appending keeps what is there
    const again = new CSVLogger({ path: join(dir, "log.csv"), append: true });
    await new RBM({ visible: 784, hidden: 5, seed: 4 }).fit(v, { epochs: 1, batchSize: 50, callbacks: [again] });
    assert.equal((await readFile(join(dir, "log.csv"), "utf8")).trim().split("\n").length, 5);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("EarlyStopping works on the synchronous loop too: a Boltzmann machine stops on its KL divergence", () => {
  const data = toBinary(randomPatterns(6, 5, new Rng(5)));
  const bm = new BoltzmannMachine({ visible: 5, hidden: 1, seed: 6 });
  const { kl } = bm.fit(data, { epochs: 10, method: "exact", callbacks: [new EarlyStopping({ monitor: "kl", minDelta: 1e9 })] });
  assert.equal(kl.length, 1 + 2); // the KL before training, then two epochs
});

test("a non-finite figure stops the loop with the epoch, batch and quantity", async () => {
  const step = { trainStep: (_rows: Uint32Array, batch: number, epoch: number) => ({ loss: epoch === 1 && batch === 2 ? Number.NaN : 1 }) };
  await assert.rejects(
    fitLoop({ what: "Toy.fit", model: fakeModel(), step, rows: 10, epochs: 3, batchSize: 3, rng: new Rng(7), advice: "lower the rate" }),
    /^Error: Toy\.fit: loss became NaN at epoch 2, batch 3 of 4; training stopped; lower the rate$/,
  );
});

test("the synchronous loop refuses a callback that returns a promise; the loop checks its options", async () => {
  const step = { trainStep: () => ({}) };
  const options = { what: "Toy.fit", model: fakeModel(), step, rows: 4, epochs: 1, batchSize: 2, rng: new Rng(8) };
  assert.throws(
    () => fitLoopSync({ ...options, callbacks: [{ onEpochEnd: async () => {} }] }),
    /Toy\.fit runs synchronously, but a callback returned a promise/,
  );
  assert.throws(() => fitLoopSync({ ...options, epochs: 1.5 }), /Toy\.fit: epochs must be an integer >= 0; got 1.5/);
  const history = await fitLoop({ ...options, epochs: 2, callbacks: [{ onEpochEnd: async () => {} }] });
  assert.deepEqual(history.epoch, [0, 1]);
  assert.equal(history.seconds.length, 2);
});
