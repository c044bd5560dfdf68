/**
 * ModelCheckpoint + resume: a run that is checkpointed every epoch, stopped, loaded back with
 * loadModel and continued ends with the same weights, bit for bit, as the run that was never
 * interrupted — for an RBM trained by CD-1 and by PCD (momentum buffers, persistent chains and
 * the generator are in the checkpoint), for a DBN's up-down fine-tuning, and for an MLP trained with Adam through dropout (the
 * optimiser's moments and step count, the shuffling and transform streams and the dropout
 * generator are).
 */
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import {
  Adam,
  type BatchTransform,
  binarize,
  type Callback,
  DBN,
  Dense,
  Dropout,
  loadModel,
  ModelCheckpoint,
  mnist,
  RBM,
  Sequential,
  type Tensor,
  type TrainableModel,
  upDown,
} from "layerwise";

const digits = async (n: number) => (await mnist.load({ limitTrain: n, limitTest: 10 })).train;
const bits = (ts: readonly Tensor[]) => ts.map((t) => Array.from(t.data));
/** Ends training after `epochs` epochs, as a crash or a Ctrl-C after a checkpoint would. */
function stopAfter(epochs: number): Callback {
  let model: TrainableModel | null = null;
  return {
    setModel: (m) => void (model = m),
    onEpochEnd: (e) => {
      if (e + 1 >= epochs && model !== null) model.stopTraining = true;
    },
  };
}

async function withDir(run: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "layerwise-resume-"));
  try {
    await run(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

for (const [what, persistent] of [
  ["CD-1", 0],
  ["PCD", 25],
] as const) {
  test(`an RBM (${what}) checkpointed, stopped after 2 of 4 epochs and resumed from the checkpoint ends bit for bit as the uninterrupted run`, async () => {
    const v = binarize((await digits(300)).images);
    const options = { visible: 784, hidden: 24, persistent, learningRate: 0.05, momentumEpochs: 1, seed: 11 };
    const straight = new RBM(options);
    await straight.fit(v, { epochs: 4, batchSize: 50 });
    await withDir(async (dir) => {
      const first = new RBM(options);
      await first.fit(v, { epochs: 4, batchSize: 50, callbacks: [new ModelCheckpoint({ dir }), stopAfter(2)] });
      assert.equal(first.epochsTrained, 2);
      const resumed = await loadModel(dir);
      assert.ok(resumed instanceof RBM);
      await resumed.fit(v, { epochs: 2, batchSize: 50 });
      assert.deepEqual(bits(resumed.getWeights()), bits(straight.getWeights()));
    });
  });
}

test("an MLP with Adam, dropout and a random batch transform, checkpointed and resumed, ends bit for bit as the uninterrupted run", async () => {
  const train = await digits(400);
  // input noise drawn from the transform's own stream, which the checkpoint must carry on
  const transform: BatchTransform = (xb, _yb, info) => {
    for (let i = 0; i < xb.size; i++) xb.data[i] += info.rng.normal(0, 0.1);
  };
  const make = () => {
    const m = new Sequential([new Dense(32, { activation: "relu" }), new Dropout(0.3), new Dense(10, { activation: "softmax" })], {
      inputShape: [784],
      seed: 12,
    });
    m.compile({ loss: "categoricalCrossentropy", optimizer: new Adam({ learningRate: 0.005 }), metrics: ["accuracy"] });
    return m;
  };
  const straight = make();
  await straight.fit(train.images, train.oneHot, { epochs: 3, batchSize: 40, transform });
  await withDir(async (dir) => {
    const first = make();
    await first.fit(train.images, train.oneHot, { epochs: 3, batchSize: 40, transform, callbacks: [new ModelCheckpoint({ dir }), stopAfter(1)] });
    const resumed = await loadModel(dir);
    assert.ok(resumed instanceof Sequential);
    assert.equal(resumed.epochsTrained, 1);
    await resumed.fit(train.images, train.oneHot, { epochs: 2, batchSize: 40, transform, initialEpoch: resumed.epochsTrained });
    assert.deepEqual(bits(resumed.getWeights()), bits(straight.getWeights()));
  });
});

test("up-down fine-tuning of a DBN, checkpointed and resumed, ends bit for bit as the uninterrupted run", async () => {
  const train = await digits(300);
  const v = binarize(train.images);
  const pretrained = async () => {
    const dbn = new DBN({ layers: [784, 20, 16], labels: 10, seed: 13 });
    await dbn.pretrain(v, { epochs: 1, batchSize: 50, labels: train.oneHot });
    return dbn;
  };
  const straight = await pretrained();
  await upDown(straight, v, train.oneHot, { epochs: 3, batchSize: 50 });
  await withDir(async (dir) => {
    const first = await pretrained();
    await upDown(first, v, train.oneHot, { epochs: 3, batchSize: 50, callbacks: [new ModelCheckpoint({ dir }), stopAfter(2)] });
    const resumed = await loadModel(dir);
    assert.ok(resumed instanceof DBN);
    assert.equal(resumed.upDownEpochs, 2);
    const logs = await upDown(resumed, v, train.oneHot, { epochs: 1, batchSize: 50 });
    assert.equal(logs[0].epoch, 3);
    assert.deepEqual(bits(resumed.getWeights()), bits(straight.getWeights()));
  });
});
