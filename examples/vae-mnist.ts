/**
 * The variational autoencoder on MNIST, binarised dynamically (each training pixel drawn
 * x_i ~ Bernoulli(x_i) afresh every batch; the test digits binarised once, seeded), as the
 * papers train it. Prints the test ELBO and the importance-weighted estimate of log p(x) in
 * nats per digit beside the published figures:
 *   --model kw     Kingma & Welling (2014) 784-400-20 (tanh): their fig. 2 lower bound at Nz = 20,
 *                  about −100 nats;
 *   --model burda  Burda et al. (2016), the one-stochastic-layer VAE 784-200-200-50 (tanh):
 *                  test NLL 86.76 nats by the k = 5000 estimate, after 3280 epochs.
 * Writes samples.png (z ~ N(0, I) decoded) and, with --latent 2, manifold.png (fig. 4).
 *
 *   node --import tsx examples/vae-mnist.ts --data /path/to/mnist [--model kw|burda] [--epochs 100]
 *        [--minutes 45] [--lr 0.001] [--batch-size 100] [--k 5000] [--iw-digits N] [--eval-every 5]
 *        [--latent N] [--save DIR] [--load DIR [--load-lr 0.0003]] [--out out]
 *
 * --minutes stops training after the epoch that crosses the wall-clock budget (a bounded run);
 * --save keeps the model after every evaluation, --load evaluates a saved one without training.
 * Without --data it runs on the bundled digits.
 */
import { Adam, ensureDir, fileExists, joinPath, loadMnist, loadModel, ops, Rng, VAE, vaeManifoldImage, vaeSamplesImage, writePng } from "layerwise";
import { parseOptions } from "layerwise/cli";

const PRESETS = {
  kw: { hidden: [400], latent: 20, published: "test ELBO ≈ −100 nats (Kingma & Welling 2014, fig. 2, Nz = 20)" },
  burda: { hidden: [200, 200], latent: 50, published: "test NLL 86.76 nats, k = 5000 (Burda et al. 2016, VAE, 1 stochastic layer)" },
} as const;

const { options: o } = parseOptions(process.argv.slice(2), {
  model: { type: "string", default: "kw", description: "kw (784-400-20) or burda (784-200-200-50)" },
  latent: { type: "number", integer: true, min: 1, description: "Nz, instead of the preset's" },
  epochs: { type: "number", integer: true, min: 0, default: 100, description: "passes over the training digits" },
  minutes: { type: "number", min: 0, description: "stop after the epoch that crosses this wall-clock budget" },
  lr: { type: "number", min: 0, default: 0.001, description: "Adam's learning rate" },
  "batch-size": { type: "number", integer: true, min: 1, default: 100, description: "digits per update" },
  k: { type: "number", integer: true, min: 1, default: 5000, description: "samples per digit of the importance-weighted estimate (Burda et al.: 5000)" },
  "iw-digits": { type: "number", integer: true, min: 1, description: "estimate log p(x) on the first N test digits only (default all)" },
  "eval-every": { type: "number", integer: true, min: 0, default: 5, description: "print the test ELBO every N epochs (0: only at the end)" },
  "limit-train": { type: "number", integer: true, min: 1, description: "use only the first N training digits" },
  "limit-test": { type: "number", integer: true, min: 1, description: "use only the first N test digits" },
  data: { type: "string", description: "folder with the full MNIST IDX files (default: the bundled digits)" },
  seed: { type: "number", integer: true, default: 1, description: "seed of the weights, shuffling, ε and binarisation" },
  save: { type: "string", description: "folder to save the model into (after every evaluation)" },
  load: { type: "string", description: "folder of a saved VAE to evaluate (and train on for --epochs)" },
  "load-lr": {
    type: "number",
    min: 0,
    description: "with --load: train on with a fresh Adam at this rate (a later, lower stage of Burda et al.'s decaying schedule)",
  },
  out: { type: "string", default: "out", description: "folder for samples.png and manifold.png" },
} as const);

if (o.model !== "kw" && o.model !== "burda") throw new RangeError(`--model must be kw or burda; got ${o.model}`);
const preset = PRESETS[o.model];
const limits = { limitTrain: o["limit-train"], limitTest: o["limit-test"] };
const { train, test } = o.data === undefined ? await loadMnist(limits) : await loadMnist({ source: "full", dir: o.data, ...limits });
const seed = o.seed ?? 1;
const testBinary = ops.bernoulli(test.images, new Rng(seed + 1000));

const loaded = o.load !== undefined && (await fileExists(joinPath(o.load, "model.json"))) ? await loadModel(o.load) : undefined;
if (loaded !== undefined && !(loaded instanceof VAE)) throw new TypeError(`--load ${o.load} holds a ${loaded.constructor.name}, not a VAE`);
const vae =
  loaded ??
  new VAE({
    inputSize: 784,
    hidden: preset.hidden,
    latentSize: o.latent ?? preset.latent,
    activation: "tanh",
    optimizer: new Adam({ learningRate: o.lr }),
    seed,
  });
if (loaded !== undefined && o["load-lr"] !== undefined) vae.model.compile({ loss: "binaryCrossentropy", optimizer: new Adam({ learningRate: o["load-lr"] }) });
const { hidden, latentSize } = vae.options;
console.log(
  `VAE 784-${hidden.join("-")}-${latentSize} (tanh, Bernoulli decoder) on ${train.images.rows} training digits (binarised afresh each batch), ${test.images.rows} test digits (binarised once)`,
);

const t0 = Date.now();
const seconds = (): string => ((Date.now() - t0) / 1000).toFixed(0);
const every = o["eval-every"] ?? 5;
const budget = o.minutes === undefined ? Number.POSITIVE_INFINITY : o.minutes * 60_000;
const progress = {
  async onEpochEnd(epoch: number, logs: Record<string, number>) {
    const last = Date.now() - t0 >= budget;
    if (last) vae.model.stopTraining = true;
    if ((every > 0 && (epoch + 1) % every === 0) || last) {
      console.log(`  epoch ${epoch + 1} (${seconds()} s): train −ELBO ${logs.loss.toFixed(2)}, test ELBO ${vae.elbo(testBinary, { seed }).toFixed(2)}`);
      if (o.save !== undefined) await vae.save(o.save);
    }
  },
};
const epochs = o.epochs ?? 100;
if (epochs > 0)
  await vae.fit(train.images, { epochs, batchSize: o["batch-size"], binarize: true, seed, callbacks: [progress], initialEpoch: vae.epochsTrained });
if (o.save !== undefined) await vae.save(o.save);
const trainSeconds = seconds();

const elbo = vae.elbo(testBinary, { seed });
const iwDigits = testBinary.sliceRows(0, Math.min(o["iw-digits"] ?? testBinary.rows, testBinary.rows));
const k = o.k ?? 5000;
const t1 = Date.now();
const iw = vae.importanceWeightedLogLikelihood(iwDigits, { k, seed });
const iwElbo = iwDigits.rows === testBinary.rows ? elbo : vae.elbo(iwDigits, { seed });
console.log(`after ${vae.epochsTrained} epochs (${trainSeconds} s of training):`);
console.log(`  test ELBO: ${elbo.toFixed(2)} nats per digit (${testBinary.rows} digits)`);
console.log(
  `  test log p(x), importance-weighted with k = ${k}: ${iw.toFixed(2)} nats, NLL ${(-iw).toFixed(2)} (${iwDigits.rows} digits, ${((Date.now() - t1) / 1000).toFixed(0)} s; their ELBO ${iwElbo.toFixed(2)})`,
);
console.log(`  published: ${preset.published}`);

const out = o.out ?? "out";
await ensureDir(out);
await writePng(joinPath(out, "samples.png"), vaeSamplesImage(vae, { seed }));
if (latentSize === 2) await writePng(joinPath(out, "manifold.png"), vaeManifoldImage(vae));
console.log(`  pictures: ${out}/samples.png${latentSize === 2 ? ` and ${out}/manifold.png` : ""}`);
