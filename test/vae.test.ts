// The variational autoencoder: the reparameterisation layer and the whole reparameterised ELBO
// (BCE + analytic KL) checked by finite differences at fixed ε; the ELBO on held-out bundled
// digits rising with training; the importance-weighted estimate against the ELBO, against k and
// against log p(x) by quadrature; bad options refused by name; save/loadModel; the pictures.
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { loadMnist } from "../src/data/mnist.js";
import { normalQuantile, vaeManifoldImage, vaeSamplesImage } from "../src/models/autoencoders/pictures.js";
import { binarizeTransform, VAE } from "../src/models/autoencoders/vae.js";
import { loadModel } from "../src/models/load.js";
import type { Dense } from "../src/nn/dense.js";
import { gaussianKl, Reparameterize } from "../src/nn/reparameterize.js";
import { bernoulli } from "../src/ops/random.js";
import { Rng } from "../src/tensor/random.js";
import { randNormal, randUniform, type Tensor, zeros } from "../src/tensor/tensor.js";
import { assertGradientsClose } from "./helpers/gradcheck.js";

const weighted = (y: Tensor, r: Tensor): number => {
  let s = 0;
  for (let i = 0; i < y.size; i++) s += y.data[i] * r.data[i];
  return s;
};

test("Reparameterize: z = μ + σ ε in training, μ at inference; dL/d[μ, log σ²] with the KL penalty by finite differences at fixed ε", () => {
  const rng = new Rng(2);
  const layer = new Reparameterize({ name: "z", seed: 5 });
  assert.deepEqual(layer.build([6], rng), [3]);
  const x = randNormal([4, 6], rng, 0, 0.8);
  // inference: z = μ, and the penalty is the batch mean of the analytic KL
  const mu = layer.forward(x, false).clone();
  let kl = 0;
  for (let i = 0; i < 4; i++)
    for (let j = 0; j < 3; j++) {
      assert.equal(mu.data[i * 3 + j], x.data[i * 6 + j]);
      kl += gaussianKl(x.data[i * 6 + j], x.data[i * 6 + 3 + j]);
    }
  assert.ok(Math.abs(layer.penalty() - kl / 4) < 1e-9);
  // KL(N(0, 1) ‖ N(0, 1)) = 0; KL(N(1, e) ‖ N(0, 1)) = −½(1 + 1 − 1 − e)
  assert.ok(Math.abs(gaussianKl(0, 0)) < 1e-15);
  assert.ok(Math.abs(gaussianKl(1, 1) - 0.5 * (Math.E - 1)) < 1e-12);
  // training: fresh ε each forward, unless fixed
  const z1 = layer.forward(x, true).clone();
  const z2 = layer.forward(x, true).clone();
  assert.ok(
    z1.data.some((v, i) => v !== z2.data[i]),
    "ε is drawn afresh each training forward",
  );
  layer.fixedNoise = true;
  const r = randNormal([4, 3], new Rng(9));
  const f = (): number => weighted(layer.forward(x, true), r) + layer.penalty();
  f();
  const dx = layer.backward(r).clone();
  assertGradientsClose("d[μ, log σ²]", x.data, dx.data, f, { epsilon: 1e-3 });
});

/** A tiny VAE on binary rows: −ELBO = BCE(x, decoder(μ + σ ε)) + KL, as Sequential.fit computes it. */
function negativeElbo(vae: VAE, x: Tensor): number {
  const out = vae.model.forward(x, true);
  const last = vae.decoder[vae.decoder.length - 1] as Dense;
  return (vae.model.loss?.value(out, x, last.preActivation()) as number) + vae.sampler.penalty();
}

test("the reparameterised ELBO of a whole VAE (BCE + analytic KL) has the gradient backprop gives (finite differences, fixed ε)", () => {
  const vae = new VAE({ inputSize: 7, hidden: [5], latentSize: 3, seed: 4 });
  const x = bernoulli(randUniform([6, 7], new Rng(1)), new Rng(2));
  vae.sampler.fixedNoise = true;
  const params = vae.model.params();
  for (const p of params) p.grad.data.fill(0);
  const f = (): number => negativeElbo(vae, x);
  f();
  const out = vae.model.forward(x, true);
  const loss = vae.model.loss as NonNullable<typeof vae.model.loss>;
  let delta = loss.gradient(out, x, zeros(out.shape), true);
  const layers = vae.model.layers;
  delta = (layers[layers.length - 1] as Dense).backwardFromPreActivation(delta);
  for (let i = layers.length - 2; i >= 0; i--) delta = layers[i].backward(delta);
  for (const [name, p] of vae.model.namedParams()) assertGradientsClose(name, p.value.data, p.grad.clone().data, f, { epsilon: 1e-3 });
});

test("VAE on bundled digits: the held-out ELBO rises with training and beats independent pixels by a clear margin", async () => {
  const { train, test: held } = await loadMnist({ limitTrain: 2000, limitTest: 300 });
  const x = bernoulli(held.images, new Rng(7));
  const vae = new VAE({ inputSize: 784, hidden: [200], latentSize: 10, seed: 1 });
  const before = vae.elbo(x);
  await vae.fit(train.images, { epochs: 1, batchSize: 50, binarize: true });
  const one = vae.elbo(x);
  await vae.fit(train.images, { epochs: 4, batchSize: 50, binarize: true, initialEpoch: 1 });
  const five = vae.elbo(x);
  // the baseline: each pixel an independent Bernoulli with its training mean (what a code that says nothing gives)
  const D = 784;
  const mean = new Float64Array(D);
  for (let i = 0; i < train.images.size; i++) mean[i % D] += train.images.data[i] / train.images.rows;
  let independent = 0;
  for (let i = 0; i < x.size; i++) {
    const p = Math.min(Math.max(mean[i % D], 1e-3), 1 - 1e-3);
    independent += x.data[i] === 1 ? Math.log(p) : Math.log(1 - p);
  }
  independent /= x.rows;
  assert.ok(one > before + 100, `one epoch: ${before.toFixed(1)} → ${one.toFixed(1)}`);
  assert.ok(five > one + 10, `five epochs: ${one.toFixed(1)} → ${five.toFixed(1)}`);
  assert.ok(five > independent + 25, `ELBO ${five.toFixed(1)} vs independent pixels ${independent.toFixed(1)}`);

  // Burda et al.: L_k ≥ L_1 (the ELBO), rising with k; L_1 is an ELBO estimate (one draw per digit)
  const iw1 = vae.importanceWeightedLogLikelihood(x, { k: 1, seed: 3 });
  const iw10 = vae.importanceWeightedLogLikelihood(x, { k: 10, seed: 3 });
  const iw100 = vae.importanceWeightedLogLikelihood(x, { k: 100, seed: 3, batchSize: 64 }); // a digit's draws split over passes
  assert.ok(Math.abs(iw1 - five) < 1.5, `L_1 ${iw1.toFixed(2)} vs ELBO ${five.toFixed(2)}`);
  assert.ok(iw10 > iw1 + 0.5 && iw100 > iw10, `L_1 ${iw1.toFixed(2)}, L_10 ${iw10.toFixed(2)}, L_100 ${iw100.toFixed(2)}`);
  assert.ok(iw100 > five + 1, `L_100 ${iw100.toFixed(2)} vs ELBO ${five.toFixed(2)}`);
});

test("the importance-weighted estimate converges to log p(x) computed by quadrature over z (Nz = 1), and the ELBO lies below it", () => {
  const vae = new VAE({ inputSize: 5, hidden: [4], latentSize: 1, seed: 3 });
  // a sharper decoder than the initialisation, so p(x | z) is not flat in z
  for (const layer of vae.decoder) for (const p of layer.params()) for (let i = 0; i < p.value.size; i++) p.value.data[i] *= 3;
  const x = bernoulli(randUniform([3, 5], new Rng(5)), new Rng(6));
  // log p(x) = log ∫ p(x | z) N(z; 0, 1) dz on a fine grid over [−8, 8]
  const steps = 4001;
  const h = 16 / (steps - 1);
  const z = zeros([steps, 1]);
  for (let i = 0; i < steps; i++) z.data[i] = -8 + i * h;
  const p = vae.decode(z);
  let exact = 0;
  for (let r = 0; r < x.rows; r++) {
    let integral = 0;
    for (let i = 0; i < steps; i++) {
      let likelihood = 1;
      for (let j = 0; j < 5; j++) likelihood *= x.data[r * 5 + j] === 1 ? p.data[i * 5 + j] : 1 - p.data[i * 5 + j];
      integral += likelihood * Math.exp(-0.5 * z.data[i] ** 2) * (h / Math.sqrt(2 * Math.PI));
    }
    exact += Math.log(integral) / x.rows;
  }
  const iw = vae.importanceWeightedLogLikelihood(x, { k: 20000, seed: 1 });
  assert.ok(Math.abs(iw - exact) < 0.02, `L_20000 ${iw} vs log p(x) ${exact}`);
  let elbo = 0;
  for (let s = 0; s < 200; s++) elbo += vae.elbo(x, { seed: s }) / 200;
  assert.ok(elbo < exact - 0.01, `ELBO ${elbo} must lie below log p(x) ${exact}`);
});

test("VAE: a latent size < 1 and other bad options fail naming the option", () => {
  assert.throws(
    () => new VAE({ inputSize: 784, latentSize: 0 }),
    (e: Error) => e instanceof RangeError && /latentSize/.test(e.message) && /got 0/.test(e.message),
  );
  assert.throws(() => new VAE({ inputSize: 784, latentSize: 2.5 }), /VAE: latentSize .* must be an integer in \[1, /);
  assert.throws(() => new VAE({ inputSize: 0, latentSize: 2 }), /VAE: inputSize must be an integer/);
  assert.throws(() => new VAE({ inputSize: 784, latentSize: 2, hidden: [100, 0] }), /VAE: hidden\[1\] must be an integer/);
  assert.throws(() => new VAE({ inputSize: 784, latentSize: 2, activation: "nope" as "tanh" }), /activation/);
  const vae = new VAE({ inputSize: 4, latentSize: 2, hidden: [3] });
  assert.throws(() => vae.importanceWeightedLogLikelihood(zeros([2, 4]), { k: 0 }), /k \(samples per row\) must be an integer >= 1; got 0/);
  assert.throws(() => vae.sample(0), /VAE.sample: n must be an integer >= 1/);
  assert.throws(() => vae.elbo(zeros([2, 5])), /VAE.elbo: expected \[rows, 4\]/);
});

test("VAE: save and loadModel give the same encoder, decoder and samples; the options come back", async () => {
  const dir = await mkdtemp(join(tmpdir(), "lw-vae-"));
  try {
    const { train } = await loadMnist({ limitTrain: 200, limitTest: 1 });
    const vae = new VAE({ inputSize: 784, hidden: [32, 16], latentSize: 2, activation: "relu", seed: 3 });
    await vae.fit(train.images, { epochs: 1, batchSize: 50, binarize: true });
    await vae.save(dir);
    const loaded = await loadModel(dir);
    assert.ok(loaded instanceof VAE);
    assert.deepEqual(loaded.options, vae.options);
    assert.equal(loaded.epochsTrained, 1);
    const x = train.images.sliceRows(0, 5);
    assert.deepEqual(loaded.encode(x).data, vae.encode(x).data);
    assert.deepEqual(loaded.sample(4, 9).data, vae.sample(4, 9).data);
    assert.equal(loaded.elbo(x, { seed: 2 }), vae.elbo(x, { seed: 2 }));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("dynamic binarisation: each batch drawn x ~ Bernoulli(x), the target the same draw", () => {
  const x = randUniform([50, 20], new Rng(1));
  const y = x.clone();
  const original = x.clone();
  binarizeTransform()(x, y, { epoch: 0, batch: 0, rng: new Rng(2), out: zeros(x.shape) });
  assert.ok(x.data.every((v) => v === 0 || v === 1));
  assert.deepEqual(y.data, x.data);
  let drawn = 0;
  let expected = 0;
  for (let i = 0; i < x.size; i++) {
    drawn += x.data[i];
    expected += original.data[i];
  }
  assert.ok(Math.abs(drawn - expected) < 4 * Math.sqrt(x.size / 4), `${drawn} ones for an expected ${expected.toFixed(1)}`);
});

test("VAE pictures: Φ⁻¹, the 2-D manifold grid (fig. 4) and the sample grid", () => {
  assert.ok(Math.abs(normalQuantile(0.975) - 1.959963985) < 1e-8);
  assert.ok(Math.abs(normalQuantile(0.01) + 2.326347874) < 1e-8);
  assert.equal(normalQuantile(0.5), 0);
  assert.throws(() => normalQuantile(1), /p must be in \(0, 1\)/);
  const vae = new VAE({ inputSize: 784, hidden: [8], latentSize: 2 });
  const m = vaeManifoldImage(vae, { steps: 5 });
  assert.equal(m.width, 5 * 28);
  assert.equal(m.height, 5 * 28);
  const s = vaeSamplesImage(vae, { n: 9 });
  assert.equal(s.width, 3 * 28 + 2);
  assert.throws(() => vaeManifoldImage(new VAE({ inputSize: 784, hidden: [8], latentSize: 3 })), /latentSize 2/);
});
