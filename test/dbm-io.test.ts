/**
 * Saving and loading a DBM: a save/load in the middle of joint training changes nothing (the
 * resumed run is bit-identical to an uninterrupted one: weights, momentum, persistent chains
 * and the generator all come back), and bad files are refused with the file and the problem.
 */
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { DBM } from "../src/models/dbm/dbm.js";
import { loadDbm, saveDbm } from "../src/models/dbm/io.js";
import { Rng } from "../src/tensor/random.js";
import { zeros } from "../src/tensor/tensor.js";

function binaryData(rows: number, cols: number, seed: number) {
  const rng = new Rng(seed);
  const x = zeros([rows, cols]);
  // two prototypes with flipped bits, so the DBM has structure to learn
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) x.data[r * cols + c] = ((c + (r % 2)) % 2 === 0) !== rng.nextFloat() < 0.1 ? 1 : 0;
  return x;
}

const options = { layers: [16, 8, 6], learningRate: 0.01, chains: 10, gibbsSteps: 2, seed: 3 };

test("a DBM saved mid-training and loaded resumes bit for bit", async () => {
  const x = binaryData(60, 16, 1);
  const straight = new DBM(options);
  await straight.fit(x, { epochs: 3, batchSize: 20 });

  const dir = await mkdtemp(join(tmpdir(), "layerwise-dbm-"));
  try {
    const first = new DBM(options);
    await first.fit(x, { epochs: 1, batchSize: 20 });
    await saveDbm(first, dir, { note: "test" });
    const resumed = await loadDbm(dir);
    assert.equal(resumed.epochsTrained, 1);
    assert.equal(resumed.updates, 3);
    await resumed.fit(x, { epochs: 2, batchSize: 20 });
    for (const [name, t] of straight.namedTensors()) {
      const u = resumed.namedTensors().find(([n]) => n === name)?.[1];
      assert.ok(u !== undefined, `resumed DBM lacks ${name}`);
      assert.deepEqual(u.data, t.data, `${name} differs after resuming`);
    }
    const json = JSON.parse(await readFile(join(dir, "model.json"), "utf8"));
    assert.equal(json.training.note, "test");
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("a DBM with label units and the sparsity penalty saves U, c, their momentum, the label chains and q̄, and resumes bit for bit", async () => {
  const x = binaryData(60, 16, 2);
  const labels = zeros([60, 3]);
  for (let r = 0; r < 60; r++) labels.data[r * 3 + (r % 3)] = 1;
  const withLabels = { ...options, labels: 3, sparsityCost: 0.01, sparsityTarget: [0.2, 0.1] };
  const straight = new DBM(withLabels);
  await straight.fit(x, { epochs: 3, batchSize: 20, labels });
  const dir = await mkdtemp(join(tmpdir(), "layerwise-dbm-labels-"));
  try {
    const first = new DBM(withLabels);
    await first.fit(x, { epochs: 1, batchSize: 20, labels });
    await saveDbm(first, dir);
    const resumed = await loadDbm(dir);
    assert.equal(resumed.labels, 3);
    await resumed.fit(x, { epochs: 2, batchSize: 20, labels });
    const names = straight.namedTensors().map(([n]) => n);
    for (const name of ["U", "c", "velocity.U", "velocity.c", "chains.y", "sparsity.q1", "sparsity.q2"]) assert.ok(names.includes(name), `${name} is saved`);
    for (const [name, t] of straight.namedTensors()) {
      const u = resumed.namedTensors().find(([n]) => n === name)?.[1];
      assert.ok(u !== undefined, `resumed DBM lacks ${name}`);
      assert.deepEqual(u.data, t.data, `${name} differs after resuming`);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("loading a DBM names the file and the problem", async () => {
  const dir = await mkdtemp(join(tmpdir(), "layerwise-dbm-bad-"));
  try {
    await saveDbm(new DBM(options), dir);
    const path = join(dir, "model.json");
    const good = JSON.parse(await readFile(path, "utf8"));
    await writeFile(path, JSON.stringify({ ...good, config: { ...good.config, layers: [16, 9, 6] } }));
    await assert.rejects(loadDbm(dir), /model\.safetensors: tensor "W1" has shape \[16,8\] but the DBM in .*model\.json needs \[16,9\]/);
    await writeFile(path, JSON.stringify({ ...good, format: "layerwise.dbm2" }));
    await assert.rejects(loadDbm(dir), /model\.json: "format" must be "layerwise"/);
    await writeFile(path, JSON.stringify({ ...good, state: { ...good.state, rng: [1, 2] } }));
    await assert.rejects(loadDbm(dir), /DBM: "state\.rng" must be four unsigned 32-bit integers/);
    await writeFile(path, "{ not json");
    await assert.rejects(loadDbm(dir), /model\.json: .*JSON/);
    await rm(path);
    await assert.rejects(loadDbm(dir), /model\.json/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("DBM pretraining checkpoints its doubled stack and resumes it; a stack of another shape is refused", async () => {
  const x = binaryData(40, 16, 2);
  const dir = await mkdtemp(join(tmpdir(), "layerwise-dbm-stack-"));
  try {
    const first = new DBM(options);
    await first.pretrain(x, { epochs: 1, batchSize: 20, checkpoint: dir });
    const resumed = new DBM(options);
    const stack = await resumed.pretrain(x, { epochs: 2, batchSize: 20, checkpoint: dir });
    assert.deepEqual(
      stack.rbms.map((r) => r.epochsTrained),
      [2, 2],
    );
    // the stack came back from the checkpoint (one epoch each) and trained one more epoch
    assert.notDeepEqual(resumed.W[0].data, first.W[0].data);
    await assert.rejects(new DBM({ ...options, layers: [16, 8, 7] }).pretrain(x, { epochs: 2, checkpoint: dir }), /not this DBM's doubled pretraining stack/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
