import assert from "node:assert/strict";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { loadMnist } from "../src/data/mnist.js";
import { Activation } from "../src/nn/activation.js";
import { Dense } from "../src/nn/dense.js";
import { Dropout } from "../src/nn/dropout.js";
import { Adam } from "../src/optim/adam.js";
import { SGD } from "../src/optim/sgd.js";
import { Rng } from "../src/tensor/random.js";
import { fromArray, randNormal, type Tensor, tensor } from "../src/tensor/tensor.js";
import { type Callback, EarlyStopping, ModelCheckpoint, type TrainableModel } from "../src/train/callbacks.js";
import { loadSequential as loadModel } from "../src/train/load.js";
import { ProgressBar } from "../src/train/progress.js";
import { Sequential } from "../src/train/sequential.js";

const xorX = tensor([
  [0, 0],
  [0, 1],
  [1, 0],
  [1, 1],
]);
const xorY = tensor([[0], [1], [1], [0]]);

function xorModel(seed = 1): Sequential {
  const m = new Sequential([new Dense(8, { activation: "tanh", inputShape: [2] }), new Dense(1, { activation: "sigmoid" })], { seed });
  m.compile({ loss: "binaryCrossentropy", optimizer: new Adam({ learningRate: 0.05 }), metrics: ["accuracy"] });
  return m;
}

/** A linearly separable 3-class problem: class = which of 3 centres a point is near. */
function blobs(n: number, seed: number): { x: Tensor; y: Tensor } {
  const rng = new Rng(seed);
  const centres = [
    [2, 0],
    [-2, 2],
    [-2, -2],
  ];
  const x: number[] = [];
  const y: number[] = [];
  for (let i = 0; i < n; i++) {
    const c = i % 3;
    x.push(centres[c][0] + rng.normal(0, 0.5), centres[c][1] + rng.normal(0, 0.5));
    y.push(...[0, 1, 2].map((k) => (k === c ? 1 : 0)));
  }
  return { x: fromArray(x, [n, 2]), y: fromArray(y, [n, 3]) };
}

function blobModel(seed = 3): Sequential {
  const m = new Sequential([new Dense(16, { activation: "relu", inputShape: [2] }), new Dropout(0.1), new Dense(3, { activation: "softmax" })], { seed });
  m.compile({ loss: "categoricalCrossentropy", optimizer: new SGD({ learningRate: 0.1, momentum: 0.9 }), metrics: ["accuracy"] });
  return m;
}

describe("Sequential", () => {
  it("an MLP solves XOR", async () => {
    const m = xorModel();
    const h = await m.fit(xorX, xorY, { epochs: 300, batchSize: 4 });
    assert.equal(h.history.accuracy.at(-1), 1);
    const p = m.predict(xorX).data;
    assert.ok(p[0] < 0.1 && p[1] > 0.9 && p[2] > 0.9 && p[3] < 0.1, `predictions ${[...p]}`);
  });

  it("is reproducible from its seeds and the same for any batch split of predict", async () => {
    const { x, y } = blobs(90, 1);
    const a = blobModel();
    const b = blobModel();
    await a.fit(x, y, { epochs: 3, batchSize: 16, seed: 5 });
    await b.fit(x, y, { epochs: 3, batchSize: 16, seed: 5 });
    assert.deepEqual(
      a.getWeights().map((w) => [...w.data]),
      b.getWeights().map((w) => [...w.data]),
    );
    assert.deepEqual([...a.predict(x, { batchSize: 7 }).data], [...a.predict(x, { batchSize: 90 }).data]);
  });

  it("learns a separable problem with full-batch, mini-batch and single-sample SGD", async () => {
    const { x, y } = blobs(60, 2);
    for (const batchSize of [60, 10, 1]) {
      const m = blobModel();
      await m.fit(x, y, { epochs: batchSize === 60 ? 40 : 10, batchSize });
      assert.ok(m.evaluate(x, y).accuracy >= 0.95, `batchSize ${batchSize}: ${JSON.stringify(m.evaluate(x, y))}`);
    }
  });

  it("keeps frozen layers fixed and restores their flags after fit", async () => {
    const { x, y } = blobs(30, 3);
    const m = blobModel();
    m.build();
    const before = m.getWeights();
    await m.fit(x, y, { epochs: 2, batchSize: 10, frozen: [0] });
    const after = m.getWeights();
    assert.deepEqual([...after[0].data], [...before[0].data], "frozen kernel");
    assert.deepEqual([...after[1].data], [...before[1].data], "frozen bias");
    assert.notDeepEqual([...after[2].data], [...before[2].data], "trainable kernel moved");
    assert.ok(m.params().every((p) => p.trainable));
    for (const p of m.layers[2].params()) p.trainable = false;
    const k2 = [...m.getWeights()[2].data];
    await assert.rejects(m.fit(x, y, { epochs: 1, batchSize: 10, frozen: ["dense_1"] }), /every param is frozen/);
    assert.deepEqual([...m.getWeights()[2].data], k2);
    await assert.rejects(m.fit(x, y, { frozen: [7] }), /frozen entry 7 is not a layer index in \[0, 2\] or a layer name \(dense_1, dropout_1, dense_2\)/);
  });

  it("stops on a non-finite loss, naming the epoch and batch, and writes no checkpoint", async () => {
    const dir = await mkdtemp(join(tmpdir(), "lw-nan-"));
    try {
      const m = new Sequential([new Dense(1, { inputShape: [2] })], { seed: 0 });
      m.compile({ loss: "meanSquaredError", optimizer: new SGD({ learningRate: 1e6 }) });
      const x = randNormal([40, 2], new Rng(1), 0, 100);
      const y = randNormal([40, 1], new Rng(2), 0, 100);
      const checkpoint = new ModelCheckpoint({ dir, monitor: "loss" });
      await assert.rejects(
        m.fit(x, y, { epochs: 50, batchSize: 4, shuffle: false, callbacks: [checkpoint], divergence: false }), // the NaN path, not the divergence stop
        /the loss became (Infinity|NaN) at epoch 1, batch \d+/,
      );
      assert.deepEqual(checkpoint.savedEpochs, []);
      assert.deepEqual(await readdir(dir), []);
      if (!m.getWeights().every((w) => w.data.every(Number.isFinite))) {
        await assert.rejects(m.save(dir), /refusing to continue with non-finite weights/);
        assert.deepEqual(await readdir(dir), []);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("validationSplit holds out the last rows and history records val figures", async () => {
    const { x, y } = blobs(40, 4);
    const m = blobModel();
    const seen: number[] = [];
    const h = await m.fit(x, y, {
      epochs: 2,
      batchSize: 8,
      validationSplit: 0.25,
      callbacks: [{ onTrainBegin: (info) => void seen.push(info.samples, info.batchesPerEpoch) }],
    });
    assert.deepEqual(seen, [30, 4]);
    assert.deepEqual(Object.keys(h.history).sort(), ["accuracy", "loss", "val_accuracy", "val_loss"]);
    assert.deepEqual(h.epoch, [0, 1]);
    assert.equal(h.history.val_loss[1], m.evaluate(x.sliceRows(30, 40), y.sliceRows(30, 40), { batchSize: 3 }).loss);
  });

  it("calls callbacks in order", async () => {
    const events: string[] = [];
    const cb: Callback = {
      onTrainBegin: () => void events.push("begin"),
      onEpochBegin: (e) => void events.push(`e${e}`),
      onBatchEnd: (b) => void events.push(`b${b}`),
      onEpochEnd: (e, logs) => void events.push(`end${e}:${Object.keys(logs).join(",")}`),
      onTrainEnd: () => void events.push("done"),
    };
    await xorModel().fit(xorX, xorY, { epochs: 2, batchSize: 3, shuffle: false, callbacks: [cb] });
    assert.deepEqual(events, ["begin", "e0", "b0", "b1", "end0:loss,accuracy", "e1", "b0", "b1", "end1:loss,accuracy", "done"]);
  });

  it("validates options and shapes with clear messages", async () => {
    const m = xorModel();
    await assert.rejects(
      m.fit(
        xorX,
        tensor([
          [1, 0],
          [0, 1],
          [1, 0],
          [0, 1],
        ]),
      ),
      /y has shape \[4,2\] but the model outputs \[rows, 1\]/,
    );
    await assert.rejects(m.fit(tensor([[1, 2, 3]]), tensor([[1]])), /x has shape \[1,3\] but the model takes \[rows, 2\]/);
    await assert.rejects(m.fit(xorX, xorY, { batchSize: 0 }), /batchSize must be an integer >= 1/);
    await assert.rejects(m.fit(xorX, xorY, { validationSplit: 1 }), /validationSplit must be in \[0, 1\)/);
    assert.throws(() => new Sequential([new Dense(1)]).evaluate(xorX, xorY), /call compile/);
    assert.throws(() => m.compile({ loss: "mae" as "meanSquaredError", optimizer: new SGD() }), /loss must be one of/);
    assert.throws(() => m.compile({ loss: "meanSquaredError", optimizer: new SGD(), metrics: ["auc" as "accuracy"] }), /metrics must be drawn from accuracy/);
  });

  it("summary lists layers, output shapes and parameter counts", () => {
    const m = new Sequential([new Dense(100, { activation: "relu" }), new Dropout(0.5), new Dense(10), new Activation("softmax")], {
      inputShape: [784],
    }).build();
    const s = m.summary();
    assert.match(s, /dense_1 \(Dense\)\s+\[batch, 100\]\s+78,500/);
    assert.match(s, /dropout_1 \(Dropout\)\s+\[batch, 100\]\s+0/);
    assert.match(s, /Total params: 79,510/);
  });
});

describe("callbacks", () => {
  function stubModel(): TrainableModel & { current: number; restored: number | null } {
    const m = {
      stopTraining: false,
      current: 0,
      restored: null as number | null,
      getWeights: () => [fromArray([m.current])],
      setWeights: (w: readonly Tensor[]) => void (m.restored = w[0].data[0]),
      save: async () => {},
    };
    return m;
  }

  it("EarlyStopping waits `patience` epochs and restores the best weights", () => {
    const es = new EarlyStopping({ monitor: "val_loss", patience: 1, restoreBestWeights: true });
    const model = stubModel();
    es.setModel(model);
    es.onTrainBegin();
    const losses = [1, 0.5, 0.6, 0.7, 0.1];
    for (let e = 0; e < losses.length && !model.stopTraining; e++) {
      model.current = e;
      es.onEpochEnd(e, { val_loss: losses[e] });
    }
    es.onTrainEnd();
    assert.equal(es.stoppedEpoch, 3);
    assert.equal(es.bestEpoch, 1);
    assert.equal(model.restored, 1);
    assert.throws(() => new EarlyStopping().onEpochEnd(0, { loss: 1 }), /monitor "val_loss" is not in the epoch logs \(have: loss\)/);
  });

  it("EarlyStopping ends fit early", async () => {
    const h = await xorModel().fit(xorX, xorY, { epochs: 20, batchSize: 4, callbacks: [new EarlyStopping({ monitor: "loss", mode: "max", patience: 1 })] });
    assert.equal(h.epoch.length, 3, "loss falls, so under mode max only epoch 0 is best; 2 more epochs of patience");
  });

  it("ModelCheckpoint saves the best epochs, loadable with identical predictions", async () => {
    const dir = await mkdtemp(join(tmpdir(), "lw-ckpt-"));
    try {
      const m = xorModel();
      const checkpoint = new ModelCheckpoint({ dir, monitor: "loss", saveBestOnly: true });
      await m.fit(xorX, xorY, { epochs: 5, batchSize: 4, callbacks: [checkpoint] });
      assert.deepEqual(checkpoint.savedEpochs, [0, 1, 2, 3, 4], "the loss falls every epoch here");
      assert.deepEqual([...(await loadModel(dir)).predict(xorX).data], [...m.predict(xorX).data]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("ProgressBar prints plain lines off a terminal and a bar with ETA on one", async () => {
    for (const isTTY of [false, true]) {
      let out = "";
      const bar = new ProgressBar({ sink: { isTTY, write: (s) => void (out += s) }, intervalMs: 0 });
      await xorModel().fit(xorX, xorY, { epochs: 2, batchSize: 2, callbacks: [bar] });
      const lines = out.split("\n").filter((l) => l !== "");
      if (!isTTY) {
        assert.equal(lines.length, 2);
        assert.match(lines[0], /^Epoch 1\/2 - \d+(\.\d)?s - loss \d\.\d{4} - accuracy \d\.\d{4}$/);
      } else {
        assert.match(out, /\rEpoch 1\/2 \[=*>?\.*\] 1\/2 - ETA [\d.]+s - loss/);
        assert.match(out, /\rEpoch 2\/2 - .*accuracy.*\n$/);
      }
    }
  });
});

describe("MNIST (bundled digits)", () => {
  it("a 784-100-10 ReLU MLP reaches at least 93 % test accuracy", async () => {
    const { train, test } = await loadMnist({ source: "bundled" });
    const epochs = 5;
    const m = new Sequential([new Dense(100, { activation: "relu", kernelInitializer: "heNormal" }), new Dense(10, { activation: "softmax" })], {
      seed: 1,
      inputShape: [784],
    });
    m.compile({
      loss: "categoricalCrossentropy",
      optimizer: new SGD({ learningRate: 0.05, momentum: 0.9, schedule: { type: "cosine", epochs } }),
      metrics: ["accuracy"],
    });
    await m.fit(train.images, train.oneHot, { epochs, batchSize: 32, seed: 1 });
    const { accuracy } = m.evaluate(test.images, test.oneHot);
    assert.ok(accuracy >= 0.93, `test accuracy ${accuracy}`);
  });
});
