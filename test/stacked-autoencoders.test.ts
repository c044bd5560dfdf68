// Stacked autoencoders: greedy layer-wise training on 2,000 bundled digits (each layer on the
// codes of the one below), the pretrainAndFinetune recipe with the stack frozen and globally
// fine-tuned against a random-init baseline, the unrolled deep autoencoder fine-tuned on
// reconstruction, bad layer lists refused by name, save/loadModel.
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { loadMnist } from "../src/data/mnist.js";
import { Autoencoder } from "../src/models/autoencoders/autoencoder.js";
import { UnrolledAutoencoder } from "../src/models/autoencoders/encoder-decoder.js";
import { StackedAutoencoder } from "../src/models/autoencoders/stacked.js";
import { loadModel } from "../src/models/load.js";
import { pretrainAndFinetune } from "../src/models/recipes/pretrain-finetune.js";
import type { Dense } from "../src/nn/dense.js";
import { meanRowError, squaredErrorPerRow } from "../src/ops/reduce.js";
import { Adam } from "../src/optim/adam.js";
import { Rng } from "../src/tensor/random.js";
import { randUniform, type Tensor } from "../src/tensor/tensor.js";

const digits = await loadMnist({ limitTrain: 2000, limitTest: 500 });
const xTrain = digits.train.images;
const xTest = digits.test.images;

const maxAbsDiff = (a: Tensor, b: Tensor): number => a.data.reduce((m, v, i) => Math.max(m, Math.abs(v - b.data[i])), 0);

/** A 784-64-32 stack of tied autoencoders (Bengio et al. 2007), 2 epochs per layer: the stack the tests below share. */
const pretrained = (async () => {
  const stack = new StackedAutoencoder({ layers: [784, 64, 32], tied: true, seed: 1 });
  const untrained = stack.autoencoders[0].reconstructionError(xTest);
  const histories = await stack.pretrain(xTrain, { epochs: 2, batchSize: 20 });
  return { stack, untrained, histories };
})();

test("bad layer lists fail naming the option and the allowed range", () => {
  for (const layers of [[784], [], [784, 0], [784, 64.5], [784, -3], "784-64", undefined])
    assert.throws(
      () => new StackedAutoencoder({ layers: layers as number[] }),
      /StackedAutoencoder: layers must list at least 2 layer sizes \(data first\), each an integer in \[1, 16777216\]/,
    );
  // each layer's own options are the Autoencoder's, checked by it
  assert.throws(() => new StackedAutoencoder({ layers: [8, 4], denoising: { noise: "masking", level: 1.5 } }), /level.*\[0, 1\]/);
  assert.throws(() => new StackedAutoencoder({ layers: [8, 4] }).toClassifier({ classes: 1 }), /classes must be an integer >= 2/);
});

test("greedy layer-wise: layer 2 is an autoencoder of layer 1's codes and learns to reconstruct them", async () => {
  const { stack, untrained, histories } = await pretrained;
  const [first, second] = stack.autoencoders;
  assert.deepEqual(stack.layers, [784, 64, 32]);
  assert.deepEqual([first.inputSize, first.codeSize, second.inputSize, second.codeSize], [784, 64, 64, 32]);
  assert.equal(histories.length, 2);
  assert.deepEqual([first.epochsTrained, second.epochsTrained], [2, 2]);
  // layer 2 reconstructs the codes of the trained layer 1 far better than its untrained self
  // (the same seed) and than the mean code, which ignores its input
  const codes = first.encode(xTest);
  const onCodes = second.reconstructionError(codes);
  const fresh = new Autoencoder({ inputSize: 64, codeSize: 32, tied: true, seed: 2 }).reconstructionError(codes);
  const meanCode = meanRowError(first.encode(xTrain), codes);
  assert.ok(onCodes < 0.5 * fresh, `layer 2 on layer-1 codes: ${onCodes.toFixed(3)} vs untrained ${fresh.toFixed(3)}`);
  assert.ok(onCodes < 0.5 * meanCode, `layer 2 on layer-1 codes: ${onCodes.toFixed(3)} vs the mean code ${meanCode.toFixed(3)}`);
  // its training loss was measured on those codes: the loss of its last epoch is that of 64-wide code rows
  const last = histories[1].history.loss.at(-1) as number;
  const codesLoss = second.model.evaluate(first.encode(xTrain), first.encode(xTrain)).loss;
  assert.ok(Math.abs(last - codesLoss) < 0.5 * codesLoss, `layer 2's training loss ${last} vs its loss on the training codes ${codesLoss}`);
  // and layer 1 learned the digits
  assert.ok(first.reconstructionError(xTest) < 0.5 * untrained);
  // encode goes all the way up
  const top = stack.encode(xTest);
  assert.deepEqual(top.shape, [xTest.rows, 32]);
  assert.ok(maxAbsDiff(top, second.encode(codes)) < 1e-6);
});

test("SdA: with denoising every layer is a denoising autoencoder, and the stack still pretrains", async () => {
  const sda = new StackedAutoencoder({ layers: [784, 32, 16], denoising: { noise: "masking", level: 0.25 }, seed: 2 });
  for (const ae of sda.autoencoders) assert.deepEqual(ae.options.denoising, { noise: "masking", level: 0.25 });
  const x = xTrain.sliceRows(0, 500);
  const before = sda.autoencoders[0].reconstructionError(xTest);
  await sda.pretrain(x, { epochs: 1, batchSize: 20 });
  assert.ok(sda.autoencoders[0].reconstructionError(xTest) < before);
});

test("pretrainAndFinetune: the classifier from the stack beats chance by far, frozen or fine-tuned, and returns its baseline", async () => {
  const { stack } = await pretrained;
  const data = {
    train: { x: xTrain, y: digits.train.oneHot },
    test: { x: xTest, y: digits.test.oneHot },
  };
  const w1 = stack.autoencoders[0].encoderWeights.clone();
  const frozen = await pretrainAndFinetune(stack, data, { epochs: 5, batchSize: 20, outputLayerOnly: true, baseline: true, seed: 3 });
  const global = await pretrainAndFinetune(stack, data, { epochs: 3, batchSize: 20, baseline: true, seed: 3 });
  // chance is 90 % error on ten classes
  assert.ok(frozen.pretrained.testError < 0.3, `frozen stack + softmax: ${frozen.pretrained.testError}`);
  assert.ok(global.pretrained.testError < 0.2, `fine-tuned: ${global.pretrained.testError}`);
  assert.ok(global.baseline.testError < 0.9 && global.baseline.model !== global.pretrained.model);
  // frozen means frozen: the classifier's first layer still holds the pretrained W
  const first = frozen.pretrained.model.layers.find((l) => l.name === "encoder_1") as Dense;
  assert.ok(maxAbsDiff(first.kernel.value, w1) === 0);
  // and the stack itself is left as it was (the classifier copies its weights)
  assert.ok(maxAbsDiff(stack.autoencoders[0].encoderWeights, w1) === 0);
});

test("toClassifier with dropout adds Dropout layers and computes the stack's codes below the output", async () => {
  const stack = new StackedAutoencoder({ layers: [10, 6, 4], seed: 5 });
  const net = stack.toClassifier({ classes: 3, dropout: { input: 0.2, hidden: 0.5 } });
  assert.deepEqual(
    net.layers.map((l) => l.name),
    ["dropout_0", "encoder_1", "dropout_1", "encoder_2", "dropout_2", "output"],
  );
  const plain = stack.toClassifier({ classes: 3 });
  const x = randUniform([7, 10], new Rng(1));
  let h = x;
  for (const layer of plain.layers.slice(0, -1)) h = layer.forward(h, false);
  assert.ok(maxAbsDiff(h, stack.encode(x)) < 1e-6);
});

test("unroll: the deep autoencoder starts as the stack's reconstruction and fine-tuning lowers its error", async () => {
  const { stack } = await pretrained;
  const deep = stack.unroll();
  assert.deepEqual(
    deep.layers.map((l) => l.name),
    ["encoder_1", "encoder_2", "decoder_2", "decoder_1"],
  );
  const error = (): number => squaredErrorPerRow(xTest, deep.predict(xTest));
  const before = error();
  assert.ok(Math.abs(before - stack.reconstructionError(xTest)) < 1e-3 * before, `${before} vs ${stack.reconstructionError(xTest)}`);
  deep.compile({ loss: "meanSquaredError", optimizer: new Adam({ learningRate: 0.003 }) });
  await deep.fit(xTrain, xTrain, { epochs: 3, batchSize: 20, seed: 4 });
  const after = error();
  assert.ok(after < 0.9 * before, `fine-tuned ${after.toFixed(2)} vs greedy ${before.toFixed(2)}`);
});

test("unroll of a tied stack copies Wᵀ into each decoder", () => {
  const stack = new StackedAutoencoder({ layers: [12, 5, 3], tied: true, seed: 6 });
  const x = randUniform([9, 12], new Rng(2));
  const deep = stack.unroll();
  assert.ok(Math.abs(stack.reconstructionError(x) - squaredErrorPerRow(x, deep.predict(x))) < 1e-5);
});

test("UnrolledAutoencoder over the unrolled stack: its encoder is the stack's, and save / loadModel give it back", async () => {
  const { stack } = await pretrained;
  const net = new UnrolledAutoencoder(stack.unroll().compile({ loss: "binaryCrossentropy", optimizer: new Adam() }), 2);
  assert.equal(net.codeSize, stack.layers[2]);
  assert.ok(maxAbsDiff(net.encode(xTest), stack.encode(xTest)) < 1e-6);
  assert.ok(Math.abs(net.reconstructionError(xTest) - stack.reconstructionError(xTest)) < 1e-3 * stack.reconstructionError(xTest));
  assert.throws(() => new UnrolledAutoencoder(stack.unroll(), 4), /encoderDepth must be an integer in \[1, 3\]; got 4/);
  const dir = await mkdtemp(join(tmpdir(), "unrolled-ae-"));
  try {
    await net.save(dir);
    const loaded = await loadModel(dir);
    assert.ok(loaded instanceof UnrolledAutoencoder);
    assert.equal(loaded.encoder.length, 2);
    assert.ok(maxAbsDiff(loaded.encode(xTest), net.encode(xTest)) === 0);
    assert.ok(maxAbsDiff(loaded.reconstruct(xTest), net.reconstruct(xTest)) === 0);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("save / loadModel: the same stack, its codes, its unrolled net and its epoch counts", async () => {
  const { stack } = await pretrained;
  const dir = await mkdtemp(join(tmpdir(), "stacked-ae-"));
  try {
    await stack.save(dir);
    const loaded = await loadModel(dir);
    assert.ok(loaded instanceof StackedAutoencoder);
    assert.deepEqual(loaded.layers, stack.layers);
    assert.equal(loaded.seed, stack.seed);
    assert.ok(maxAbsDiff(loaded.encode(xTest), stack.encode(xTest)) === 0);
    assert.ok(maxAbsDiff(loaded.unroll().predict(xTest), stack.unroll().predict(xTest)) === 0);
    assert.deepEqual(
      loaded.autoencoders.map((ae) => ae.epochsTrained),
      [2, 2],
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
