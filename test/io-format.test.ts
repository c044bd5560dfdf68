/**
 * The one save format: every model class saves through saveModel and comes back from
 * loadModel as itself; saving mid-training and resuming gives the bits of the uninterrupted
 * run (RBM with CD-1 and with PCD, an MLP with Adam); folders written by the previous version
 * (test/fixtures/v1) still load; damaged files are refused with the file, field and class.
 */
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import {
  Adam,
  BAM,
  BoltzmannMachine,
  DBM,
  DBN,
  Dense,
  decodeSafetensors,
  fromArray,
  Hopfield,
  hasSavedModel,
  loadDbm,
  loadDbn,
  loadModel,
  loadRbm,
  loadSequential,
  Perceptron,
  RBM,
  Rng,
  Sequential,
  type Tensor,
  upDown,
  zeros,
} from "layerwise";

const FIXTURES = join(import.meta.dirname, "fixtures", "v1");

function bits(rows: number, cols: number, seed: number, p = 0.4): Tensor {
  const rng = new Rng(seed);
  const x = zeros([rows, cols]);
  for (let i = 0; i < x.size; i++) x.data[i] = rng.bernoulli(p);
  return x;
}

function oneHot(rows: number, classes: number): Tensor {
  const y = zeros([rows, classes]);
  for (let r = 0; r < rows; r++) y.data[r * classes + (r % classes)] = 1;
  return y;
}

/** Every tensor the model saves, by name, as plain arrays. */
function savedTensors(model: { toSaved(): { tensors: readonly (readonly [string, { data: Float32Array }])[] } }): Record<string, number[]> {
  return Object.fromEntries(model.toSaved().tensors.map(([name, t]) => [name, Array.from(t.data)]));
}

let tmp = "";
before(async () => {
  tmp = await mkdtemp(join(tmpdir(), "layerwise-format-"));
});
after(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe("saveModel / loadModel", () => {
  it("every model class comes back as itself with the same tensors, config and state", async () => {
    const x = bits(12, 6, 1);
    const y = oneHot(12, 2);
    const mlp = new Sequential([new Dense(4, { activation: "tanh" }), new Dense(2, { activation: "softmax" })], { inputShape: [6], seed: 1 }).build();
    const rbm = new RBM({ visible: 6, hidden: 3, persistent: 4, sparsityCost: 0.1, sparsityTarget: 0.2, seed: 2 });
    await rbm.fit(x, { epochs: 1, batchSize: 4 });
    const dbn = new DBN({ layers: [6, 4, 3], labels: 2, seed: 3 });
    await dbn.pretrain(x, { epochs: 1, batchSize: 4, labels: y });
    await upDown(dbn, x, y, { epochs: 1, batchSize: 4 });
    const dbm = new DBM({ layers: [6, 4, 3], chains: 4, gibbsSteps: 1, seed: 4 });
    await dbm.fit(x, { epochs: 1, batchSize: 4 });
    const hopfield = new Hopfield({ size: 6, states: "binary" }).store(x.sliceRows(0, 2));
    const bam = new BAM({ xSize: 3, ySize: 2 });
    bam.store(fromArray([1, -1, 1], [1, 3]), fromArray([-1, 1], [1, 2]));
    const boltzmann = new BoltzmannMachine({ visible: 3, hidden: 1, seed: 5 });
    const perceptron = new Perceptron({ classes: 3, seed: 6 });
    perceptron.fit(x, [0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2]);
    const models = { mlp, rbm, dbn, dbm, hopfield, bam, boltzmann, perceptron, unfitted: new Perceptron() };
    for (const [name, model] of Object.entries(models)) {
      const dir = join(tmp, `class-${name}`);
      await model.save(dir);
      assert.ok(await hasSavedModel(dir));
      const json = JSON.parse(await readFile(join(dir, "model.json"), "utf8"));
      assert.equal(json.format, "layerwise");
      assert.equal(json.formatVersion, 2);
      const back = await loadModel(dir);
      assert.equal(back.constructor, model.constructor, `${name} comes back as a ${model.constructor.name}`);
      assert.deepEqual(back.toSaved(), model.toSaved(), `${name}: config, state and tensors`);
    }
    assert.ok(savedTensors(dbn).G1 !== undefined, "an untied DBN saves its generative weights");
    assert.ok(savedTensors(rbm)["sparsity.q"] !== undefined && savedTensors(rbm)["chains.v"] !== undefined);
  });

  it("the typed loaders refuse a folder of another class, naming both", async () => {
    const dir = join(tmp, "typed");
    await new RBM({ visible: 4, hidden: 2 }).save(dir);
    await assert.rejects(loadDbm(dir), /model\.json: holds a RBM, not a DBM/);
    await assert.rejects(loadSequential(dir), /holds a RBM, not a Sequential/);
    assert.ok((await loadRbm(dir)) instanceof RBM);
  });

  it("damaged files are refused with the file, the field or tensor, and the class", async () => {
    const dir = join(tmp, "damaged");
    const rbm = new RBM({ visible: 4, hidden: 2, persistent: 2, seed: 1 });
    await rbm.fit(bits(8, 4, 2), { epochs: 1, batchSize: 4 });
    await rbm.save(dir);
    const jsonPath = join(dir, "model.json");
    const good = JSON.parse(await readFile(jsonPath, "utf8"));
    const write = (json: unknown) => writeFile(jsonPath, JSON.stringify(json));
    await write({ ...good, config: { ...good.config, hidden: 3 } });
    await assert.rejects(loadModel(dir), /model\.safetensors: tensor "W" has shape \[4,2\] but the RBM in .*model\.json needs \[4,3\]/);
    await write({ ...good, config: { ...good.config, learningRate: -1 } });
    await assert.rejects(loadModel(dir), /model\.json: cannot rebuild the RBM from its "config": .*learningRate/);
    await write({ ...good, state: { ...good.state, updates: -2 } });
    await assert.rejects(loadModel(dir), /model\.json: RBM: "state\.updates" must be an integer >= 0; got -2/);
    await write({ ...good, state: { ...good.state, rng: [1, 2] } });
    await assert.rejects(loadModel(dir), /model\.json: RBM: "state\.rng" must be four unsigned 32-bit integers/);
    await write({ ...good, className: "Transformer" });
    await assert.rejects(
      loadModel(dir),
      /model\.json: "className" "Transformer" is not a model class this layerwise can load \(known: Autoencoder, BAM, BimodalAutoencoder, BoltzmannMachine, CharLM, DBM, DBN, DeepAutoencoder, Hopfield, LVQ, MaskedAutoencoder, PCA, Perceptron, RBM, SOM, SeqAutoencoder, Sequential, StackedAutoencoder, UnrolledAutoencoder, VAE, WinnerTakeAll;/,
    );
    await write({ ...good, weights: { ...good.weights, crc32: good.weights.crc32 ^ 1 } });
    await assert.rejects(loadModel(dir), /model\.safetensors does not match the checksum in .*model\.json .*damaged or from another save/);
    await write({ ...good, config: "RBM" });
    await assert.rejects(loadModel(dir), /model\.json: "config" must be a JSON object/);
    await rm(jsonPath);
    await assert.rejects(loadModel(dir), /model\.json: no saved model in/);
  });

  it("a failed save (non-finite weights) leaves the previous pair in place", async () => {
    const dir = join(tmp, "atomic");
    const mlp = new Sequential([new Dense(2)], { inputShape: [3], seed: 1 });
    mlp.build();
    await mlp.save(dir);
    const before = [await readFile(join(dir, "model.json")), await readFile(join(dir, "model.safetensors"))];
    mlp.params()[0].value.data[0] = Number.POSITIVE_INFINITY;
    await assert.rejects(mlp.save(dir), /weight dense_1\.kernel\[0\] is Infinity/);
    assert.deepEqual([await readFile(join(dir, "model.json")), await readFile(join(dir, "model.safetensors"))], before);
  });
});

describe("resuming from a save is bit for bit the uninterrupted run", () => {
  for (const [what, options] of [
    ["RBM with CD-1", { visible: 16, hidden: 6, cdSteps: 1, momentumEpochs: 1, seed: 3 }],
    ["RBM with PCD and sparsity", { visible: 16, hidden: 6, persistent: 5, sparsityCost: 0.1, sparsityTarget: 0.1, seed: 4 }],
  ] as const) {
    it(what, async () => {
      const x = bits(40, 16, 5, 0.3);
      const straight = new RBM(options);
      await straight.fit(x, { epochs: 3, batchSize: 10 });
      const first = new RBM(options);
      await first.fit(x, { epochs: 1, batchSize: 10 });
      const dir = join(tmp, `resume-${what}`);
      await first.save(dir);
      const resumed = await loadRbm(dir);
      await resumed.fit(x, { epochs: 2, batchSize: 10 });
      assert.deepEqual(savedTensors(resumed), savedTensors(straight));
      assert.deepEqual(resumed.toSaved().state, straight.toSaved().state);
    });
  }

  it("an MLP compiled with Adam: fit 2 epochs = fit 1, save, load, fit 1 more from initialEpoch", async () => {
    const x = bits(30, 6, 6);
    const y = oneHot(30, 3);
    const make = () => {
      const m = new Sequential([new Dense(5, { activation: "relu" }), new Dense(3, { activation: "softmax" })], { inputShape: [6], seed: 7 });
      return m.compile({ loss: "categoricalCrossentropy", optimizer: new Adam({ learningRate: 0.01 }), metrics: ["accuracy"] });
    };
    const straight = make();
    await straight.fit(x, y, { epochs: 2, batchSize: 8 });
    const first = make();
    await first.fit(x, y, { epochs: 1, batchSize: 8 });
    const dir = join(tmp, "resume-mlp");
    await first.save(dir);
    const resumed = await loadSequential(dir);
    assert.equal(resumed.optimizer?.className, "Adam", "the loaded model comes back compiled");
    await resumed.fit(x, y, { epochs: 1, batchSize: 8, initialEpoch: resumed.epochsTrained });
    assert.deepEqual(savedTensors(resumed), savedTensors(straight));
    assert.equal((resumed.optimizer as Adam).iterations, 8);
    // without the optimiser's state the moments restart, and the weights differ
    await first.save(dir, { includeOptimizer: false });
    const fresh = await loadSequential(dir);
    await fresh.fit(x, y, { epochs: 1, batchSize: 8, initialEpoch: 1 });
    assert.notDeepEqual(fresh.getWeights()[0].data, straight.getWeights()[0].data);
  });
});

describe("folders written by the previous version (test/fixtures/v1)", () => {
  const fileTensors = async (path: string) => decodeSafetensors(new Uint8Array(await readFile(path))).tensors;
  const expected = async () => JSON.parse(await readFile(join(FIXTURES, "expected.json"), "utf8"));

  it("an MLP: its weights, compile settings, epochs and predictions", async () => {
    const mlp = await loadModel(join(FIXTURES, "mlp"));
    assert.ok(mlp instanceof Sequential);
    for (const [name, t] of await fileTensors(join(FIXTURES, "mlp", "model.safetensors")))
      assert.deepEqual(mlp.namedParams().find(([n]) => n === name)?.[1].value.data, t.data, name);
    assert.equal(mlp.epochsTrained, 2);
    assert.equal(mlp.optimizer?.className, "Adam");
    const e = await expected();
    const probe = zeros(e.probe.shape).assign(Float32Array.from(e.probe.data));
    // the weights are the same bits (above); the products follow the backend's summation order
    // (OpenBLAS's on the native backend), so predictions agree to float32 rounding
    for (const [i, p] of mlp.predict(probe).data.entries()) assert.ok(Math.abs(p - e.mlpPredict[i]) < 1e-6, `prediction ${i}: ${p} vs ${e.mlpPredict[i]}`);
  });

  it("an RBM: its weights, options, counters and free energies", async () => {
    const rbm = await loadRbm(join(FIXTURES, "rbm"));
    const t = await fileTensors(join(FIXTURES, "rbm", "model.safetensors"));
    assert.deepEqual(rbm.W.data, t.get("W")?.data);
    assert.deepEqual(rbm.a.data, t.get("a")?.data);
    assert.deepEqual(rbm.b.data, t.get("b")?.data);
    assert.equal(rbm.options.persistent, 4);
    assert.deepEqual([rbm.epochsTrained, rbm.updates], [2, 6]);
    const e = await expected();
    assert.deepEqual(Array.from(rbm.freeEnergy(zeros(e.probe.shape).assign(Float32Array.from(e.probe.data))).data), e.rbmFreeEnergy);
  });

  it("a DBN: its RBM folders, labels and generative weights", async () => {
    const dbn = await loadDbn(join(FIXTURES, "dbn"));
    assert.deepEqual([...dbn.layers], [6, 4, 3]);
    assert.equal(dbn.labels, 2);
    for (const [i, rbm] of dbn.rbms.entries()) {
      const t = await fileTensors(join(FIXTURES, "dbn", `rbm-${i + 1}`, "model.safetensors"));
      assert.deepEqual(rbm.W.data, t.get("W")?.data);
      assert.deepEqual(rbm.b.data, t.get("b")?.data);
      assert.equal(rbm.epochsTrained, 1);
    }
    const g = await fileTensors(join(FIXTURES, "dbn", "generative.safetensors"));
    assert.deepEqual(dbn.generativeW?.[0].data, g.get("G1")?.data);
  });

  it("a DBM: its weights, momentum, chains, counters and generator", async () => {
    const dbm = await loadDbm(join(FIXTURES, "dbm"));
    const t = await fileTensors(join(FIXTURES, "dbm", "dbm.safetensors"));
    const mine = Object.fromEntries(dbm.namedTensors());
    assert.deepEqual(Object.keys(mine).sort(), [...t.keys()].sort());
    for (const [name, saved] of t) assert.deepEqual(mine[name].data, saved.data, name);
    const json = JSON.parse(await readFile(join(FIXTURES, "dbm", "dbm.json"), "utf8"));
    assert.deepEqual([dbm.epochsTrained, dbm.updates, [...dbm.rngState]], [json.epochsTrained, json.updates, json.rng]);
  });
});
