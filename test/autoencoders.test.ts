// Autoencoders: tied weights, KL sparsity and L1 activity checked by finite differences; the
// basic, tied, denoising and sparse autoencoders learning on 2,000 bundled digits; options
// refused by name; save/loadModel and resuming bit for bit.
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { loadMnist } from "../src/data/mnist.js";
import { Autoencoder, type AutoencoderOptions } from "../src/models/autoencoders/autoencoder.js";
import { corrupt } from "../src/models/autoencoders/corruption.js";
import { autoencoderFiltersImage, denoisingImage } from "../src/models/autoencoders/pictures.js";
import { loadModel } from "../src/models/load.js";
import { ActivityL1, SparsityKL } from "../src/nn/activity.js";
import { Dense } from "../src/nn/dense.js";
import { layerFromConfig } from "../src/nn/registry.js";
import { DenseTied } from "../src/nn/tied.js";
import * as ops from "../src/ops/index.js";
import { SGD } from "../src/optim/sgd.js";
import { Rng } from "../src/tensor/random.js";
import { eye, randNormal, randUniform, type Tensor } from "../src/tensor/tensor.js";
import { Sequential } from "../src/train/sequential.js";
import { assertGradientsClose } from "./helpers/gradcheck.js";

const weighted = (y: Tensor, r: Tensor): number => {
  let s = 0;
  for (let i = 0; i < y.size; i++) s += y.data[i] * r.data[i];
  return s;
};

test("tied weights: the shared W gets the encoder's and the decoder's gradient summed (finite differences)", () => {
  const rng = new Rng(3);
  const encoder = new Dense(4, { activation: "sigmoid", name: "enc" });
  encoder.build([6], rng);
  const decoder = DenseTied.transposeOf(encoder, { activation: "sigmoid", name: "dec" });
  decoder.tie([encoder]);
  assert.deepEqual(decoder.build([4], rng), [6]);
  (decoder.bias as { value: Tensor }).value.assign(randNormal([6], rng));
  const x = randNormal([5, 6], rng);
  const r = randNormal([5, 6], rng);
  const f = (): number => weighted(decoder.forward(encoder.forward(x, false), false), f.r);
  f.r = r;
  f();
  const params = [...encoder.params(), ...decoder.params()];
  for (const p of params) p.grad.data.fill(0);
  const dx = encoder.backward(decoder.backward(r)).clone();
  assertGradientsClose("x", x.data, dx.data, f);
  for (const p of params) assertGradientsClose(p.name, p.value.data, p.grad.clone().data, f);
  // both uses count: the decoder alone leaves a different dL/dW than the whole
  const whole = encoder.kernel.grad.clone();
  encoder.kernel.grad.data.fill(0);
  decoder.forward(encoder.forward(x, false), false);
  decoder.backward(r);
  assert.ok(encoder.kernel.grad.data.some((g, i) => Math.abs(g - whole.data[i]) > 1e-4));
  // W is the encoder's: the decoder lists only its own bias, so W is stepped and saved once
  assert.deepEqual(
    decoder.params().map((p) => p.name),
    ["bias"],
  );
});

test("DenseTied rebuilt from its config finds its Dense by name in a Sequential, and refuses one missing", () => {
  const model = new Sequential(
    [new Dense(3, { name: "enc", activation: "sigmoid" }), layerFromConfig({ className: "DenseTied", tiedTo: "enc", name: "dec" })],
    {
      inputShape: [5],
    },
  ).build();
  assert.deepEqual(model.outputShape, [5]);
  assert.equal((model.layers[1] as DenseTied).kernel, (model.layers[0] as Dense).kernel);
  assert.throws(
    () => new Sequential([new Dense(3, { name: "a" }), new DenseTied("enc")], { inputShape: [5] }).build(),
    /source Dense "enc" must come before it/,
  );
});

/** f = Σ r ∘ layer(x) + layer.penalty(): the layer's backward must return its derivative, the penalty included. */
function checkPenaltyLayer(layer: SparsityKL | ActivityL1, x: Tensor, training: boolean): void {
  const r = randNormal(x.shape, new Rng(11));
  const f = (): number => {
    const y = layer.forward(x, training);
    return weighted(y, r) + layer.penalty();
  };
  f();
  const dx = layer.backward(r).clone();
  assertGradientsClose(`${layer.name} dL/dx`, x.data, dx.data, f, { epsilon: 1e-3, maxChecks: 60 });
}

test("KL sparsity: penalty β Σ_j KL(ρ ‖ ρ̂_j) and its derivative (finite differences)", () => {
  const layer = new SparsityKL({ target: 0.1, weight: 3, name: "kl" });
  layer.build([7], new Rng(1));
  const x = randUniform([9, 7], new Rng(2), 0.05, 0.95);
  checkPenaltyLayer(layer, x, false);
  // ρ̂ = ρ in every unit costs nothing; the output is the input
  const atTarget = randUniform([4, 7], new Rng(3), 0.1, 0.1);
  assert.equal(layer.forward(atTarget, true), atTarget);
  assert.ok(Math.abs(layer.penalty()) < 1e-9);
  // the lecture's formula, one unit: β [ρ log(ρ/ρ̂) + (1−ρ) log((1−ρ)/(1−ρ̂))]
  const one = new SparsityKL({ target: 0.2, weight: 2 });
  one.build([1], new Rng(1));
  one.forward(randUniform([2, 1], new Rng(4), 0.5, 0.5), true);
  assert.ok(Math.abs(one.penalty() - 2 * (0.2 * Math.log(0.2 / 0.5) + 0.8 * Math.log(0.8 / 0.5))) < 1e-6);
});

test("KL sparsity with a running average: ρ̂ ← m ρ̂ + (1 − m) ρ̂_batch, kept in an untrained saved param, its share of the gradient (1 − m)", () => {
  const layer = new SparsityKL({ target: 0.1, weight: 3, momentum: 0.9, name: "kl" });
  layer.build([3], new Rng(1));
  const running = layer.params()[0];
  assert.equal(running.trainable, false);
  assert.deepEqual(
    [...running.value.data].map((v) => v.toFixed(3)),
    ["0.100", "0.100", "0.100"],
  );
  const x = randUniform([4, 3], new Rng(2), 0.5, 0.5);
  layer.forward(x, true);
  assert.deepEqual(
    [...running.value.data].map((v) => v.toFixed(3)),
    ["0.140", "0.140", "0.140"],
  );
  // in inference the running average stays put, and the gradient is the plain batch one
  checkPenaltyLayer(layer, randUniform([6, 3], new Rng(5), 0.05, 0.95), false);
  assert.deepEqual(
    [...running.value.data].map((v) => v.toFixed(3)),
    ["0.140", "0.140", "0.140"],
  );
});

test("L1 activity: penalty λ/n Σ|a| and its derivative (finite differences)", () => {
  const layer = new ActivityL1({ weight: 0.3, name: "l1" });
  layer.build([5], new Rng(1));
  const x = randUniform([6, 5], new Rng(2), 0.1, 1);
  for (let i = 0; i < x.size; i += 2) x.data[i] = -x.data[i]; // both signs, none near 0
  checkPenaltyLayer(layer, x, true);
});

test("Sequential reports the activity penalty as part of its training loss", async () => {
  const x = randUniform([50, 12], new Rng(1));
  const ae = new Autoencoder({ inputSize: 12, codeSize: 4, sparsity: { target: 0.05, weight: 2 }, optimizer: new SGD({ learningRate: 0.1 }), seed: 2 });
  const reconstruction = ae.model.evaluate(x, x, { batchSize: 50 }).loss;
  const penalty = (ae.encoder[1] as SparsityKL).penalty();
  assert.ok(penalty > 0.1);
  const history = await ae.fit(x, { epochs: 1, batchSize: 50, shuffle: false });
  assert.ok(Math.abs(history.history.loss[0] - (reconstruction + penalty)) < 1e-5, `${history.history.loss[0]} vs ${reconstruction} + ${penalty}`);
});

const digits = await loadMnist({ limitTrain: 2000, limitTest: 500 });
const xTrain = digits.train.images;
const xTest = digits.test.images;
/** Σ_i (x_i − m_i)² per test row for m the training mean image: what a model that ignores its input gets. */
const meanImageError = ops.meanRowError(xTrain, xTest);

async function trained(options: Partial<AutoencoderOptions>): Promise<{ ae: Autoencoder; before: number; after: number }> {
  const ae = new Autoencoder({ inputSize: 784, codeSize: 64, seed: 1, ...options });
  const before = ae.reconstructionError(xTest);
  await ae.fit(xTrain, { epochs: 3, batchSize: 20 });
  return { ae, before, after: ae.reconstructionError(xTest) };
}

const plain = trained({});
const masking = trained({ denoising: { noise: "masking", level: 0.5 } });
const sparse = trained({ sparsity: { target: 0.05, weight: 3 } });

test("every autoencoder lowers its test reconstruction error far below the untrained one and the mean image's", async (t) => {
  const runs: [string, Promise<{ before: number; after: number }>][] = [
    ["basic", plain],
    ["tied", trained({ tied: true })],
    ["cross-entropy", trained({ loss: "binaryCrossentropy" })],
    ["denoising (masking)", masking],
    ["denoising (salt and pepper)", trained({ denoising: { noise: "saltAndPepper", level: 0.1 } })],
    ["denoising (gaussian)", trained({ denoising: { noise: "gaussian", level: 0.3 } })],
    ["sparse (KL)", sparse],
    ["sparse (L1)", trained({ sparsity: { penalty: "l1", weight: 1e-3 } })],
  ];
  for (const [name, run] of runs) {
    const { before, after } = await run;
    t.diagnostic(`${name}: ${before.toFixed(2)} untrained -> ${after.toFixed(2)} (mean image ${meanImageError.toFixed(2)})`);
    assert.ok(after < 0.25 * before, `${name}: ${after.toFixed(2)} after vs ${before.toFixed(2)} untrained`);
    assert.ok(after < 0.8 * meanImageError, `${name}: ${after.toFixed(2)} vs the mean image's ${meanImageError.toFixed(2)}`);
  }
});

test("tied autoencoder: one weight matrix, the decoder computes σ(h Wᵀ + b′)", async () => {
  const ae = new Autoencoder({ inputSize: 784, codeSize: 16, tied: true, seed: 1 });
  assert.deepEqual(
    ae.model.namedParams().map(([n, p]) => `${n} ${p.value.shape.join("x")}`),
    ["encoder.kernel 784x16", "encoder.bias 16", "decoder.bias 784"],
  );
  const z = randUniform([2, 16], new Rng(1));
  const xHat = ae.decode(z);
  const W = ae.encoderWeights;
  const b = (ae.decoder[0] as DenseTied).bias?.value as Tensor;
  let zi = b.data[5];
  for (let j = 0; j < 16; j++) zi += z.data[16 + j] * W.data[5 * 16 + j];
  assert.ok(Math.abs(xHat.data[784 + 5] - 1 / (1 + Math.exp(-zi))) < 1e-5);
});

test("the denoising autoencoder reconstructs masked test digits closer to the clean ones than a plain one of the same size", async (t) => {
  const noisy = corrupt(xTest, { noise: "masking", level: 0.5 }, new Rng(5));
  const denoised = (await masking).ae.reconstructionError(noisy, xTest);
  const plainError = (await plain).ae.reconstructionError(noisy, xTest);
  t.diagnostic(`on 50%-masked test digits: denoising ${denoised.toFixed(2)}, plain ${plainError.toFixed(2)}`);
  assert.ok(denoised < 0.9 * plainError, `denoising ${denoised.toFixed(2)} vs plain ${plainError.toFixed(2)}`);
  const picture = denoisingImage((await masking).ae, noisy.sliceRows(0, 10), xTest.sliceRows(0, 10));
  assert.deepEqual([picture.width, picture.height], [10 * 29 - 1, 3 * 29 - 1]);
});

test("corruption: masking zeroes a fraction ν, salt and pepper sets it to 0 or 1, gaussian adds σ ε", () => {
  const x = randUniform([100, 100], new Rng(1), 0.2, 0.8);
  const count = (t: Tensor, p: (v: number, i: number) => boolean): number => t.data.reduce((s, v, i) => s + (p(v, i) ? 1 : 0), 0) / t.size;
  assert.ok(Math.abs(count(corrupt(x, { noise: "masking", level: 0.3 }, new Rng(2)), (v) => v === 0) - 0.3) < 0.02);
  const sp = corrupt(x, { noise: "saltAndPepper", level: 0.4 }, new Rng(2));
  assert.ok(Math.abs(count(sp, (v) => v === 1) - 0.2) < 0.02 && Math.abs(count(sp, (v) => v === 0) - 0.2) < 0.02);
  const g = corrupt(x, { noise: "gaussian", level: 0.5 }, new Rng(2));
  const variance = g.data.reduce((s, v, i) => s + (v - x.data[i]) ** 2, 0) / g.size;
  assert.ok(Math.abs(variance - 0.25) < 0.02, `variance ${variance}`);
});

test("the sparse autoencoder's mean hidden activation comes close to ρ; the plain one's does not", async (t) => {
  const mean = (h: Tensor): number => h.data.reduce((s, v) => s + v, 0) / h.size;
  const sparseMean = mean((await sparse).ae.encode(xTest));
  const plainMean = mean((await plain).ae.encode(xTest));
  t.diagnostic(`mean hidden activation: sparse ${sparseMean.toFixed(3)} (ρ = 0.05), plain ${plainMean.toFixed(3)}`);
  assert.ok(Math.abs(sparseMean - 0.05) < 0.06, `sparse mean activation ${sparseMean}`);
  assert.ok(plainMean > 0.3, `plain mean activation ${plainMean}`);
  const filters = autoencoderFiltersImage((await sparse).ae, { count: 64 });
  assert.deepEqual([filters.width, filters.height], [8 * 29 - 1, 8 * 29 - 1]);
});

test("bad options fail naming the option and its range", () => {
  const ok = { inputSize: 20, codeSize: 5 };
  const cases: [Partial<AutoencoderOptions> | Record<string, unknown>, RegExp][] = [
    [{ codeSize: 0 }, /codeSize must be an integer in \[1, 16777216\]; got 0/],
    [{ inputSize: 2.5 }, /inputSize must be an integer in \[1, 16777216\]; got 2.5/],
    [{ denoising: { level: 1.5 } }, /denoising.level \(the corruption level\) must be in \[0, 1\]; got 1.5/],
    [{ denoising: { level: -0.1 } }, /denoising.level \(the corruption level\) must be in \[0, 1\]; got -0.1/],
    [{ denoising: { noise: "pink", level: 0.1 } }, /denoising.noise must be one of masking, saltAndPepper, gaussian/],
    [{ sparsity: { target: 0 } }, /sparsity.target \(the sparsity target ρ\) must be in \(0, 1\); got 0/],
    [{ sparsity: { target: 1 } }, /sparsity.target \(the sparsity target ρ\) must be in \(0, 1\); got 1/],
    [{ sparsity: { target: 0.05, weight: -1 } }, /sparsity.weight \(β\) must be a finite number >= 0/],
    [{ sparsity: { momentum: 1 } }, /momentum must be in \[0, 1\); got 1/],
    [{ sparsity: { penalty: "l2" } }, /sparsity.penalty must be "kl" or "l1"/],
    [{ sparsity: { target: 0.1 }, activation: "relu" }, /KL penalty needs activation "sigmoid"/],
    [{ loss: "hinge" }, /loss must be one of mse, binaryCrossentropy/],
  ];
  for (const [bad, message] of cases) assert.throws(() => new Autoencoder({ ...ok, ...bad } as AutoencoderOptions), message, JSON.stringify(bad));
  const ae = new Autoencoder(ok);
  assert.throws(() => ae.encode(randUniform([2, 19], new Rng(1))), /Autoencoder.encode: expected \[rows, 20\]; got \[2,19\]/);
  assert.throws(() => ae.decode(randUniform([2, 4], new Rng(1))), /Autoencoder.decode: expected \[rows, 5\]; got \[2,4\]/);
});

test("save/loadModel round trip, and a resumed denoising, sparse, tied fit matches an uninterrupted one bit for bit", async () => {
  const x = xTrain.sliceRows(0, 200);
  const options: AutoencoderOptions = {
    inputSize: 784,
    codeSize: 12,
    tied: true,
    denoising: { noise: "saltAndPepper", level: 0.2 },
    sparsity: { target: 0.1, weight: 1, momentum: 0.5 },
    seed: 4,
  };
  const whole = new Autoencoder(options);
  await whole.fit(x, { epochs: 2, batchSize: 25 });
  const first = new Autoencoder(options);
  await first.fit(x, { epochs: 1, batchSize: 25 });
  const dir = await mkdtemp(join(tmpdir(), "ae-"));
  try {
    await first.save(dir);
    const loaded = await loadModel(dir);
    assert.ok(loaded instanceof Autoencoder);
    assert.deepEqual(loaded.options, first.options);
    assert.deepEqual([...loaded.reconstruct(x).data], [...first.reconstruct(x).data]);
    assert.equal(loaded.epochsTrained, 1);
    await loaded.fit(x, { epochs: 1, batchSize: 25, initialEpoch: 1 });
    assert.deepEqual(
      loaded.model.getWeights().map((w) => [...w.data]),
      whole.model.getWeights().map((w) => [...w.data]),
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

/** Orthonormalises the columns of a [rows, k] tensor in place (Gram–Schmidt, in float64 sums). */
function orthonormalColumns(a: Tensor): Tensor {
  const [rows, k] = a.shape;
  for (let c = 0; c < k; c++) {
    for (let p = 0; p < c; p++) {
      let dot = 0;
      for (let i = 0; i < rows; i++) dot += a.data[i * k + c] * a.data[i * k + p];
      for (let i = 0; i < rows; i++) a.data[i * k + c] -= dot * a.data[i * k + p];
    }
    let norm = 0;
    for (let i = 0; i < rows; i++) norm += a.data[i * k + c] ** 2;
    for (let i = 0; i < rows; i++) a.data[i * k + c] /= Math.sqrt(norm);
  }
  return a;
}

/** Σ sin² of the principal angles between the column spaces of two orthonormal [rows, k] bases: k − ‖AᵀB‖²_F. */
function sumSinSquared(a: Tensor, b: Tensor): number {
  const m = ops.matmul(a, b, { transA: true });
  return a.shape[1] - m.data.reduce((s, v) => s + v * v, 0);
}

test("a linear autoencoder with squared error spans the top-k principal subspace (as the lecture states)", async (t) => {
  const k = 5;
  const x = xTrain;
  const d = x.cols;
  // the top k principal directions: orthogonal iteration on the covariance of the centred digits
  const centred = x.clone();
  const mean = ops.sum(x, 0);
  for (let i = 0; i < centred.size; i++) centred.data[i] -= mean.data[i % d] / x.rows;
  const covariance = ops.matmul(centred, centred, { transA: true });
  let pcs = orthonormalColumns(randNormal([d, k], new Rng(1)));
  for (let it = 0; it < 200; it++) pcs = orthonormalColumns(ops.matmul(covariance, pcs));
  const ae = new Autoencoder({ inputSize: d, codeSize: k, activation: "linear", outputActivation: "linear", seed: 1 });
  // x̂ − b′ = h W̃ spans the rows of the decoder's W̃ [k, d]: taken as the columns of W̃ᵀ
  const decoderSpan = (): Tensor => {
    const W = (ae.decoder[0] as Dense).kernel.value;
    return orthonormalColumns(ops.matmul(W, eye(k), { transA: true }));
  };
  const before = sumSinSquared(decoderSpan(), pcs);
  await ae.fit(x, { epochs: 40, batchSize: 50 });
  const after = sumSinSquared(decoderSpan(), pcs);
  t.diagnostic(`Σ sin² of the ${k} principal angles: ${before.toFixed(3)} untrained, ${after.toFixed(3)} trained`);
  assert.ok(before > 4, `untrained ${before}`);
  assert.ok(after < 0.1, `trained ${after}: every principal angle should be below 18°`);
});
