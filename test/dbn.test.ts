/**
 * Deep belief nets: greedy pretraining reuses the RBM bit for bit, the classifier and the
 * autoencoder start from exactly the stack's weights, sampling gives binary images, a saved
 * stack loads and resumes, and on the bundled digits pretraining + fine-tuning (protocol c)
 * beats the same net trained from random weights (protocol a) with the same budget.
 */
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { loadMnist } from "../src/data/mnist.js";
import { binarize } from "../src/data/transforms.js";
import { DBN } from "../src/models/dbn/dbn.js";
import { loadDbn } from "../src/models/dbn/io.js";
import { RBM } from "../src/models/rbm/rbm.js";
import { Dense } from "../src/nn/dense.js";
import { SGD } from "../src/optim/sgd.js";
import type { Tensor } from "../src/tensor/tensor.js";
import { Sequential } from "../src/train/sequential.js";

const digits = await loadMnist({ limitTrain: 1000, limitTest: 2000 });
const small = digits.train.images.sliceRows(0, 400);

function assertBitwise(a: Tensor, b: Tensor, what: string): void {
  assert.deepEqual(a.shape, b.shape, `${what}: shapes`);
  for (let i = 0; i < a.size; i++) {
    if (!Object.is(a.data[i], b.data[i])) assert.fail(`${what}: entry ${i} differs: ${a.data[i]} vs ${b.data[i]}`);
  }
}

test("the DBN's first layer is the RBM trained alone with the same seed, bit for bit", async () => {
  const dbn = new DBN({ layers: [784, 24, 12], seed: 5, rbm: { learningRate: 0.05 } });
  const history = await dbn.pretrain(small, { epochs: 2, batchSize: 50 });
  const alone = new RBM({ visible: 784, hidden: 24, learningRate: 0.05, seed: 5 });
  const logs = await alone.fit(small, { epochs: 2, batchSize: 50 });
  assertBitwise(dbn.rbms[0].W, alone.W, "W");
  assertBitwise(dbn.rbms[0].a, alone.a, "a");
  assertBitwise(dbn.rbms[0].b, alone.b, "b");
  assert.deepEqual(
    history[0].map((l) => l.reconstructionError),
    logs.map((l) => l.reconstructionError),
  );
  // the second layer learned from p(h | v) of the first: its visible biases came from those features
  assert.equal(history[1].length, 2);
  assert.equal(dbn.rbms[1].visible, 24);
  assert.ok(history[1][1].reconstructionError < history[1][0].reconstructionError * 1.05);
});

test("toClassifier and toSequential reproduce the stack's p(h | v) exactly before fine-tuning; unroll starts tied", async () => {
  const dbn = new DBN({ layers: [784, 20, 16, 8], seed: 2 });
  await dbn.pretrain(small, { epochs: 1, batchSize: 50, propagate: "sample" });
  const x = digits.test.images.sliceRows(0, 64);
  const features = dbn.transform(x);
  const clf = dbn.toClassifier({ classes: 10 });
  assert.equal(clf.layers.length, 4);
  let h = x;
  for (let i = 0; i < 3; i++) h = clf.layers[i].forward(h, false);
  assertBitwise(h, features, "classifier's hidden layers vs DBN.transform");
  assertBitwise(dbn.toSequential().predict(x, { batchSize: 64 }), features, "toSequential vs DBN.transform");
  assert.deepEqual(clf.outputShape, [10]);
  // with dropout for fine-tuning: Dropout layers interleaved, inference unchanged
  const dropped = dbn.toClassifier({ classes: 10, dropout: { input: 0.2, hidden: 0.5 } });
  assert.deepEqual(
    dropped.layers.map((l) => l.constructor.name),
    ["Dropout", "Dense", "Dropout", "Dense", "Dropout", "Dense", "Dropout", "Dense"],
  );
  h = x;
  for (let i = 0; i < 7; i++) h = dropped.layers[i].forward(h, false);
  assertBitwise(h, features, "dropout classifier's hidden layers at inference vs DBN.transform");

  const ae = dbn.unroll();
  assert.equal(ae.layers.length, 6);
  assert.deepEqual(ae.outputShape, [784]);
  const r = ae.predict(x, { batchSize: 64 });
  // the decoder is the RBMs' generative pass: p(v | h) applied top-down to the features
  let down = features;
  for (let i = 2; i >= 0; i--) down = dbn.rbms[i].generate(down);
  for (let i = 0; i < r.size; i++) assert.ok(Math.abs(r.data[i] - down.data[i]) < 1e-5, `unrolled output ${i}: ${r.data[i]} vs ${down.data[i]}`);
  // tied initial weights, separate copies
  const dec = ae.layers[5] as Dense;
  assert.equal(dec.kernel.value.get(3, 100), dbn.rbms[0].W.get(100, 3));
  dec.kernel.value.data[0] += 1;
  assert.notEqual(dec.kernel.value.get(0, 0), dbn.rbms[0].W.get(0, 0));
});

test("sampling gives binary images of the right shape, clamped to a label or free; classify reads the label by free energy", async () => {
  const x = binarize(digits.train.images);
  const dbn = new DBN({ layers: [784, 64, 96], labels: 10, seed: 3, rbm: { learningRate: 0.05 } });
  await dbn.pretrain(x, { epochs: 4, batchSize: 20, labels: digits.train.oneHot });
  assert.equal(dbn.top.visible, 64 + 10);
  for (const s of [
    dbn.sample({ n: 12, gibbsSteps: 30, label: 7, seed: 1 }),
    dbn.sample({ n: 5, gibbsSteps: 30, seed: 2 }),
    dbn.sample({ gibbsSteps: 10, label: [0, 1, 2], seed: 3 }),
  ]) {
    assert.equal(s.cols, 784);
    for (const v of s.data) assert.ok(v === 0 || v === 1, `sample value ${v} is not binary`);
  }
  assert.equal(dbn.sample({ n: 12, gibbsSteps: 5, label: 7 }).rows, 12);
  const mean = dbn.sample({ n: 4, gibbsSteps: 5, output: "mean", seed: 1 });
  assert.ok(mean.data.every((v) => v >= 0 && v <= 1) && mean.data.some((v) => v > 0 && v < 1));
  assert.throws(() => dbn.sample({ label: 10 }), /label 10 is outside 0..9/);
  // the chain stepped a few steps at a time (an animation) is the chain sample runs in one go
  const dream = dbn.dream({ n: 6, label: 4, seed: 9 });
  for (let k = 0; k < 5; k++) dream.step(6);
  assert.equal(dream.steps, 30);
  assert.deepEqual(dream.images(), dbn.sample({ n: 6, gibbsSteps: 30, label: 4, seed: 9 }));
  assert.equal(Array.from(dream.label?.data ?? []).filter((v, i) => v === 1 && i % 10 === 4).length, 6, "the label stays clamped");
  // generative classification by the top RBM (no fine-tuning): well above chance (10 %)
  const xt = binarize(digits.test.images.sliceRows(0, 500));
  const predicted = dbn.classify(xt);
  let correct = 0;
  for (let i = 0; i < predicted.length; i++) if (predicted[i] === digits.test.labels[i]) correct++;
  assert.ok(correct / predicted.length > 0.5, `free-energy classification accuracy ${(correct / predicted.length).toFixed(3)}`);
});

test("a saved stack loads with the same weights and resumes pretraining where it stopped", async () => {
  const dir = await mkdtemp(join(tmpdir(), "layerwise-dbn-"));
  try {
    const dbn = new DBN({ layers: [784, 16, 8], seed: 4 });
    await dbn.pretrain(small, { epochs: [1, 0], batchSize: 100 });
    await dbn.save(dir);
    const loaded = await loadDbn(dir);
    assert.deepEqual(loaded.layers, [784, 16, 8]);
    assertBitwise(loaded.transform(small), dbn.transform(small), "loaded transform");
    const history = await loaded.pretrain(small, { epochs: 2, batchSize: 100 });
    assert.deepEqual(
      history.map((h) => h.length),
      [1, 2],
      "layer 1 trains one more epoch, layer 2 both",
    );
    assert.deepEqual(
      loaded.rbms.map((r) => r.epochsTrained),
      [2, 2],
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  assert.throws(() => new DBN({ layers: [784] }), /at least two layer sizes/);
  await assert.rejects(new DBN({ layers: [784, 8], labels: 10 }).pretrain(small), /pass labels/);
});

test("on 1,000 bundled digits, pretraining + fine-tuning (c) beats random init (a) with the same net and budget", async () => {
  const { train, test: held } = digits;
  const H = 128;
  const fit = async (model: Sequential, seed: number): Promise<number> => {
    model.compile({ loss: "categoricalCrossentropy", optimizer: new SGD({ learningRate: 0.1, momentum: 0.9 }), metrics: ["accuracy"] });
    await model.fit(train.images, train.oneHot, { epochs: 10, batchSize: 20, seed });
    return model.evaluate(held.images, held.oneHot).accuracy;
  };
  const a: number[] = [];
  const c: number[] = [];
  for (const seed of [1, 2]) {
    const dbn = new DBN({ layers: [784, H, H], seed, rbm: { learningRate: 0.05 } });
    await dbn.pretrain(train.images, { epochs: 8, batchSize: 20 });
    c.push(await fit(dbn.toClassifier({ classes: 10, seed }), seed));
    const scratch = new Sequential(
      [new Dense(H, { activation: "sigmoid" }), new Dense(H, { activation: "sigmoid" }), new Dense(10, { activation: "softmax" })],
      { inputShape: [784], seed },
    );
    a.push(await fit(scratch, seed));
  }
  const mean = (v: number[]): number => v.reduce((s, x) => s + x, 0) / v.length;
  assert.ok(mean(c) > mean(a) + 0.01, `test accuracy: pretrained ${c.map((v) => v.toFixed(4))} vs random init ${a.map((v) => v.toFixed(4))}`);
  assert.ok(mean(c) > 0.85, `pretrained accuracy ${mean(c)}`);
});

test("layerwise demo and train dbn write the stack, classifier, pictures and summary, and resume from the stack", async () => {
  const { main } = await import("../src/cli/main.js");
  const { readFile, stat } = await import("node:fs/promises");
  const dir = await mkdtemp(join(tmpdir(), "layerwise-dbn-cli-"));
  const log = console.log;
  const lines: string[] = [];
  console.log = (...args: unknown[]) => lines.push(args.join(" "));
  try {
    const code = await main([
      "demo",
      "--out",
      join(dir, "demo"),
      "--layers",
      "784-16-16",
      "--limit",
      "200",
      "--pretrain-epochs",
      "1",
      "--finetune-epochs",
      "1",
    ]);
    assert.equal(code, 0, lines.join("\n"));
    for (const f of ["stack/model.json", "stack/model.safetensors", "classifier/model.json", "filters.png", "samples.png", "summary.json"])
      assert.ok((await stat(join(dir, "demo", f))).size > 0, f);
    const summary = JSON.parse(await readFile(join(dir, "demo", "summary.json"), "utf8"));
    assert.ok(summary.testAccuracyPretrained > 0 && summary.testAccuracyRandomInit > 0);
    assert.ok(lines.some((l) => /test accuracy: pretrained DBN .* %, same net from random weights .* %/.test(l)));
    const args = [
      "train",
      "dbn",
      "--out",
      join(dir, "t"),
      "--layers",
      "784-12-8",
      "--limit",
      "200",
      "--pretrain-epochs",
      "1",
      "--finetune-epochs",
      "1",
      "--sample-steps",
      "5",
      "--quiet",
    ];
    assert.equal(await main(args), 0);
    lines.length = 0;
    assert.equal(await main([...args.slice(0, -5), "--pretrain-epochs", "2", "--finetune-epochs", "1", "--sample-steps", "5"]), 0);
    assert.ok(
      lines.some((l) => l.includes("resuming the stack") && l.includes("1, 1")),
      lines.join("\n"),
    );
    assert.equal(await main(["train", "dbn", "--out", join(dir, "t"), "--layers", "784-30", "--limit", "50"]), 2);
  } finally {
    console.log = log;
    await rm(dir, { recursive: true, force: true });
  }
});
