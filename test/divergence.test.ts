/**
 * The divergence stop of the one training loop (docs/training.md, "When training diverges"):
 * an error figure that explodes relative to its first value, or a weight that leaves ±maxWeight,
 * stops training with a message naming the epoch, batch, quantity and the learning rate; the CLI
 * exits non-zero with it; and a saved model whose tensors hold NaN or Infinity is refused at load.
 */
import assert from "node:assert/strict";
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { main } from "../src/cli/main.js";
import { loadRbm } from "../src/models/rbm/io.js";
import { RBM } from "../src/models/rbm/rbm.js";
import { Dense } from "../src/nn/dense.js";
import { SGD } from "../src/optim/sgd.js";
import { Rng } from "../src/tensor/random.js";
import { randNormal, type Tensor, tensor, zeros } from "../src/tensor/tensor.js";
import type { TrainableModel } from "../src/train/callbacks.js";
import { fitLoop } from "../src/train/loop.js";
import { Sequential } from "../src/train/sequential.js";

const fakeModel = (): TrainableModel => ({ stopTraining: false, getWeights: () => [], setWeights: () => {} });
const toy = (loss: (epoch: number, batch: number) => number) => ({
  trainStep: (_rows: Uint32Array, batch: number, epoch: number) => ({ loss: loss(epoch, batch) }),
});
const loopOptions = { what: "Toy.fit", model: fakeModel(), rows: 10, epochs: 3, batchSize: 3, rng: new Rng(1), advice: "lower the rate (now 5)" };

async function tempDir<T>(body: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), "lw-divergence-"));
  try {
    return await body(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test("an error figure whose moving average exceeds 1000 times its first value stops the loop, naming epoch, batch, quantity and advice", async () => {
  const step = toy((epoch, batch) => (epoch === 1 && batch === 2 ? 1e5 : 2));
  await assert.rejects(
    fitLoop({ ...loopOptions, step }),
    /^Error: Toy\.fit: training diverged: loss averages 3\.00e\+4 at epoch 2, batch 3 of 4 \(this value 1\.00e\+5\), over 1000 times its first value 2\.00; training stopped; lower the rate \(now 5\) \(or set divergence: false to train on\)$/,
  );
  // one noisy batch that the epoch's average absorbs, an unwatched figure, a custom factor, or the stop switched off: training runs
  assert.equal((await fitLoop({ ...loopOptions, step: toy((e, b) => (e === 1 && b === 2 ? 6e3 : 2)) })).epoch.length, 3);
  const accuracy = { trainStep: (_r: Uint32Array, b: number) => ({ accuracy: b === 0 ? 1e-4 : 1 }) };
  assert.equal((await fitLoop({ ...loopOptions, step: accuracy })).epoch.length, 3);
  await assert.rejects(
    fitLoop({ ...loopOptions, step: toy((e) => 2 * 11 ** e), divergence: { factor: 10 } }),
    /loss averages 83\.7 at epoch 3, batch 1 of 4 \(this value 242\)/,
  );
  assert.equal((await fitLoop({ ...loopOptions, step, divergence: false })).epoch.length, 3);
  await assert.rejects(fitLoop({ ...loopOptions, step, divergence: { factor: 1 } }), /Toy\.fit: divergence\.factor must be a number > 1; got 1/);
});

test("a figure that only epochs log is compared with the first epoch's; a zero first value waits for a non-zero one", async () => {
  let kl = 0.5;
  const step = { trainStep: () => ({}), endEpoch: (_e: number, logs: Record<string, number>) => void (logs.kl = kl *= 1e2) };
  await assert.rejects(
    fitLoop({ ...loopOptions, step, errorFigures: ["kl"] }),
    /kl averages 5\.00e\+5 at the end of epoch 3 \(this value 5\.00e\+5\), over 1000 times its first value 50\.0/,
  );
  const fromZero = toy((e, b) => (e === 0 && b === 0 ? 0 : 1));
  assert.equal((await fitLoop({ ...loopOptions, step: fromZero })).epoch.length, 3);
});

test("a weight beyond maxWeight (or not finite) at an epoch's end stops the loop, naming the tensor and index", async () => {
  const w = zeros([2, 2]);
  const step = toy(() => 1);
  const grow = {
    trainStep: (rows: Uint32Array, b: number, e: number) => {
      w.data[3] = e === 1 ? 2e4 : 1;
      return step.trainStep(rows, b, e);
    },
  };
  await assert.rejects(
    fitLoop({ ...loopOptions, step: grow, weights: () => [["dense_1.kernel", w]] }),
    /Toy\.fit: training diverged: weight dense_1\.kernel\[3\] is 2\.00e\+4 at the end of epoch 2, beyond ±10000; training stopped; lower the rate/,
  );
  assert.equal((await fitLoop({ ...loopOptions, step: grow, weights: () => [["w", w]], divergence: { maxWeight: 3e4 } })).epoch.length, 3);
  w.data[0] = Number.NaN;
  await assert.rejects(fitLoop({ ...loopOptions, step, weights: () => [["w", w]] }), /weight w\[0\] is NaN at the end of epoch 1/);
});

test("Sequential.fit with a learning rate of 1e9 stops with the epoch, batch, loss and its learning rate", async () => {
  const rng = new Rng(3);
  const x = randNormal([200, 20], rng);
  const y = zeros([200, 4]);
  for (let r = 0; r < 200; r++) y.data[r * 4 + (r % 4)] = 1;
  const model = (): Sequential => {
    const m = new Sequential([new Dense(16, { activation: "relu" }), new Dense(4, { activation: "softmax" })], { inputShape: [20], seed: 1 });
    return m.compile({ loss: "categoricalCrossentropy", optimizer: new SGD({ learningRate: 1e9 }), metrics: ["accuracy"] });
  };
  await assert.rejects(
    model().fit(x, y, { epochs: 3, batchSize: 20 }),
    /^Error: fit: training diverged: loss averages \S+ at epoch 1, batch \d+ of 10 \(this value \S+\), over 1000 times its first value \S+; training stopped; try a smaller learning rate \(now 1000000000\) or clipNorm/,
  );
});

test("an RBM whose weights run away stops at the epoch's end, naming the tensor and the learning rate", async () => {
  const rng = new Rng(4);
  const v = zeros([100, 30]);
  for (let i = 0; i < v.size; i++) v.data[i] = rng.nextFloat() < 0.3 ? 1 : 0;
  const rbm = new RBM({ visible: 30, hidden: 10, learningRate: 100, seed: 1 });
  await assert.rejects(
    rbm.fit(v, { epochs: 50, batchSize: 10, divergence: { maxWeight: 100 } }),
    /RBM\.fit: training diverged: weight [Wab]\[\d+\] is \S+ at the end of epoch \d+, beyond ±100; training stopped; lower learningRate \(now 100\)/,
  );
});

test("the CLI exits non-zero with the divergence message (train mlp --lr 1e9)", async () =>
  tempDir(async (dir) => {
    const error = console.error;
    const log = console.log;
    let err = "";
    console.error = (...a: unknown[]) => void (err += `${a.join(" ")}\n`);
    console.log = () => {};
    try {
      const args = [
        "train",
        "mlp",
        "--layers",
        "784-16-10",
        "--epochs",
        "1",
        "--lr",
        "1e9",
        "--limit-train",
        "600",
        "--limit-test",
        "100",
        "--out",
        join(dir, "m"),
      ];
      const code = await main(args);
      assert.notEqual(code, 0);
      assert.match(err, /training diverged: loss averages \S+ at epoch 1, batch \d+/);
      assert.match(err, /learning rate \(now 1000000000\)/);
    } finally {
      console.error = error;
      console.log = log;
    }
  }));

test("loading a model whose tensor holds NaN or Infinity names the tensor (this format and the version-1 layout)", async () =>
  tempDir(async (dir) => {
    const rbm = new RBM({ visible: 6, hidden: 3, seed: 2 });
    rbm.W.data[5] = Number.POSITIVE_INFINITY;
    await rbm.save(join(dir, "now"));
    await assert.rejects(
      loadRbm(join(dir, "now")),
      /model\.safetensors: tensor "W" holds Infinity at index 5; the RBM in .*model\.json cannot be loaded with non-finite values/,
    );

    // a version-1 RBM folder (no checksum): put a NaN into b's data
    const old = join(dir, "v1");
    await mkdir(old);
    for (const f of await readdir("test/fixtures/v1/rbm")) await copyFile(join("test/fixtures/v1/rbm", f), join(old, f));
    const bytes = new Uint8Array(await readFile(join(old, "model.safetensors")));
    const headerLength = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength))) as Record<string, { data_offsets: [number, number] }>;
    new DataView(bytes.buffer).setFloat32(8 + headerLength + header.b.data_offsets[0] + 4, Number.NaN, true);
    await writeFile(join(old, "model.safetensors"), bytes);
    await assert.rejects(loadRbm(old), /tensor "b" holds NaN at index 1/);
  }));

test("detection only reads: a run that does not diverge ends with the same weights with the stop on and off", async () => {
  const x = tensor([
    [0, 0],
    [0, 1],
    [1, 0],
    [1, 1],
  ]);
  const y = tensor([[0], [1], [1], [0]]);
  const weights = async (divergence: false | undefined): Promise<Tensor[]> => {
    const m = new Sequential([new Dense(4, { activation: "tanh" }), new Dense(1, { activation: "sigmoid" })], { inputShape: [2], seed: 5 });
    m.compile({ loss: "binaryCrossentropy", optimizer: new SGD({ learningRate: 0.5 }) });
    await m.fit(x, y, { epochs: 20, batchSize: 2, divergence });
    return m.getWeights();
  };
  assert.deepEqual(
    (await weights(undefined)).map((t) => [...t.data]),
    (await weights(false)).map((t) => [...t.data]),
  );
});
