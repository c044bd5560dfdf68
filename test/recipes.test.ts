/**
 * The pretrain → classifier → fine-tune → random-init baseline recipe: on the bundled digits a
 * fine-tuned DBN is far better than chance and both arms come back with their errors and
 * histories; the baseline is exactly the same net from random weights trained by hand; the
 * options are checked before the (long) pretraining; a DBM's classifier is fed [v, q(h2)];
 * the warm-up and outputLayerOnly leave the pretrained layers alone.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  type Callback,
  DBM,
  DBN,
  Dense,
  Dropout,
  type FinetuneStage,
  loadMnist,
  pretrainAndFinetune,
  Sequential,
  SGD,
  type Tensor,
  trainClassifier,
} from "layerwise";

const digits = await loadMnist({ limitTrain: 600, limitTest: 500 });
const data = {
  train: { x: digits.train.images.sliceRows(0, 500), y: digits.train.oneHot.sliceRows(0, 500) },
  validation: { x: digits.train.images.sliceRows(500, 600), y: digits.train.oneHot.sliceRows(500, 600) },
  test: { x: digits.test.images, y: digits.test.oneHot },
};

function assertSameWeights(a: Tensor[], b: Tensor[], what: string): void {
  assert.equal(a.length, b.length, `${what}: number of params`);
  a.forEach((w, k) => {
    for (let i = 0; i < w.size; i++) if (!Object.is(w.data[i], b[k].data[i])) assert.fail(`${what}: param ${k} entry ${i}: ${w.data[i]} vs ${b[k].data[i]}`);
  });
}

test("pretrainAndFinetune on the bundled digits: the fine-tuned DBN beats chance (90 % error) by far, and both arms report", async () => {
  const stages: string[] = [];
  const record = (stage: FinetuneStage): Callback[] => {
    stages.push(`${stage.arm}/${stage.phase}/${stage.epochs}`);
    return [];
  };
  let pretrained = false;
  const run = await pretrainAndFinetune(
    async () => {
      const dbn = new DBN({ layers: [784, 64, 64], seed: 3, rbm: { learningRate: 0.05 } });
      await dbn.pretrain(data.train.x, { epochs: 5, batchSize: 20 });
      pretrained = true;
      return dbn;
    },
    data,
    { epochs: 8, batchSize: 20, seed: 3, baseline: { learningRate: 0.1 }, callbacks: record },
  );
  assert.ok(pretrained);
  assert.ok(run.stack instanceof DBN);
  assert.ok(run.pretrainSeconds > 0);
  assert.ok(run.pretrained.testError < 0.3, `pretrained test error ${run.pretrained.testError}`);
  assert.ok(run.baseline.testError >= 0 && run.baseline.testError <= 1, `baseline test error ${run.baseline.testError}`);
  assert.equal(run.pretrained.testError, 1 - run.pretrained.test.accuracy);
  for (const arm of [run.pretrained, run.baseline]) {
    assert.deepEqual(arm.history.epoch, [0, 1, 2, 3, 4, 5, 6, 7]);
    assert.equal(arm.history.history.val_accuracy.length, 8, "validation rows are logged every epoch");
    assert.equal(arm.warmup, null);
  }
  assert.deepEqual(stages, ["pretrained/fine-tune/8", "random init/fine-tune/8"]);
});

test("the baseline is the same net from random weights, trained with the same budget, bit for bit", async () => {
  const dbn = new DBN({ layers: [784, 20, 16], seed: 2 });
  await dbn.pretrain(data.train.x, { epochs: 1, batchSize: 50 });
  const dropout = { input: 0.1, hidden: 0.2 };
  const schedule = { type: "cosine", epochs: 2 } as const;
  const run = await pretrainAndFinetune(dbn, data, {
    epochs: 2,
    batchSize: 50,
    seed: 7,
    dropout,
    optimizer: { type: "sgd", learningRate: 0.2, schedule },
    baseline: { learningRate: 0.05 },
  });
  const byHand = new Sequential(
    [
      new Dropout(0.1, { seed: 7 + 1000 }),
      new Dense(20, { activation: "sigmoid" }),
      new Dropout(0.2, { seed: 7 + 1001 }),
      new Dense(16, { activation: "sigmoid" }),
      new Dropout(0.2, { seed: 7 + 1002 }),
      new Dense(10, { activation: "softmax" }),
    ],
    { inputShape: [784], seed: 7 },
  );
  byHand.compile({ loss: "categoricalCrossentropy", optimizer: new SGD({ learningRate: 0.05, momentum: 0.9, schedule }), metrics: ["accuracy"] });
  await byHand.fit(data.train.x, data.train.y, { epochs: 2, batchSize: 50, seed: 7 });
  assertSameWeights(run.baseline.model.getWeights(), byHand.getWeights(), "baseline");
});

test("the options are checked before the stack is pretrained, each bad value named", async () => {
  let called = false;
  const factory = (): DBN => {
    called = true;
    return new DBN({ layers: [784, 8] });
  };
  const rejects = (options: Parameters<typeof pretrainAndFinetune>[2], message: RegExp) => assert.rejects(pretrainAndFinetune(factory, data, options), message);
  await rejects({ epochs: 2, optimizer: { type: "cg" }, dropout: { hidden: 0.5 } }, /conjugate gradients .* dropout/);
  await rejects({ epochs: -1 }, /epochs must be an integer >= 0; got -1/);
  await rejects({ epochs: 1, dropout: { input: 1 } }, /dropout.input must be a number in \[0, 1\); got 1/);
  await rejects({ epochs: 1, optimizer: { type: "cg" }, baseline: { learningRate: 0.1 } }, /baseline.learningRate is an SGD rate/);
  await rejects({ epochs: 1, optimizer: { type: "adam" } as never }, /optimizer.type must be "sgd" or "cg"; got "adam"/);
  await rejects({ epochs: 1, optimizer: { type: "sgd", learningRate: -1 } }, /learningRate/);
  assert.equal(called, false);
  await assert.rejects(pretrainAndFinetune(factory, { train: data.train } as never, { epochs: 1 }), /data.test must be \{ x, y \}/);
});

test("a DBM's classifier is fine-tuned on [v, q(h2 | v)]; its baseline reads the images alone", async () => {
  const dbm = new DBM({ layers: [784, 12, 8], seed: 4 });
  const small = {
    train: { x: data.train.x.sliceRows(0, 100), y: data.train.y.sliceRows(0, 100) },
    test: { x: data.test.x.sliceRows(0, 50), y: data.test.y.sliceRows(0, 50) },
  };
  const run = await pretrainAndFinetune(dbm, small, { epochs: 1, batchSize: 50, baseline: true });
  assert.deepEqual(run.pretrained.model.inputShape, [784 + 8]);
  assert.deepEqual(run.baseline.model.inputShape, [784]);
  assert.deepEqual(
    run.baseline.model.layers.map((l) => l.params()[0]?.value.shape),
    run.pretrained.model.layers.map((l, i) => (i === 0 ? [784, 12] : l.params()[0]?.value.shape)),
  );
});

test("the warm-up and outputLayerOnly train the output layer alone", async () => {
  const net = (): Sequential =>
    new Sequential([new Dense(16, { activation: "sigmoid" }), new Dense(10, { activation: "softmax" })], { inputShape: [784], seed: 1 }).build();
  const stages: FinetuneStage[] = [];
  const warm = net();
  const hidden = warm.layers[0].params().map((p) => p.value.clone());
  const run = await trainClassifier(warm, data, {
    epochs: 0,
    warmupEpochs: 2,
    batchSize: 50,
    arm: "shallow",
    callbacks: (stage) => {
      stages.push(stage);
      return [];
    },
  });
  assert.deepEqual(stages, [
    { arm: "shallow", phase: "warm-up", epochs: 2 },
    { arm: "shallow", phase: "fine-tune", epochs: 0 },
  ]);
  assert.deepEqual(run.warmup?.epoch, [0, 1]);
  assertSameWeights(
    warm.layers[0].params().map((p) => p.value),
    hidden,
    "hidden layer after the warm-up",
  );
  const frozen = net();
  await trainClassifier(frozen, data, { epochs: 1, batchSize: 50, outputLayerOnly: true });
  assertSameWeights(
    frozen.layers[0].params().map((p) => p.value),
    hidden,
    "hidden layer with outputLayerOnly",
  );
  const initial = net().layers[1].params()[0].value;
  assert.ok(
    frozen.layers[1].params()[0].value.data.some((w, i) => w !== initial.data[i]),
    "the output layer moved",
  );
});
