/**
 * Masked autoencoder (He et al. 2022) on MNIST: a small vision transformer (patches of 7×7,
 * width 64, 4 heads, 4 encoder blocks, a 1-block decoder of width 32) learns to fill in 75 % of
 * each digit's patches from the other 25 %. Its decoder is then thrown away and a linear probe
 * (softmax regression) on the encoder's mean-pooled features classifies digits. The script
 * prints the probe's test accuracy beside the same probe on the raw pixels and on the features
 * of the same encoder before training (its random initialisation); the MAE should beat both.
 *
 *   node --import tsx examples/mae-mnist.ts --data DIR [--epochs 10] [--patch 7] [--dim 64]
 *        [--depth 4] [--heads 4] [--decoder-dim 32] [--decoder-depth 1] [--mask 0.75]
 *        [--lr 0.001] [--batch 128] [--probe-epochs 30] [--probe-train N] [--limit-train N]
 *        [--minutes M] [--load DIR] [--out DIR]
 *
 * Without --data it uses the 8,000 bundled digits (and their 2,000 test digits). With --out it
 * writes the model, mae-triptych.png (masked input / the MAE's guess / ground truth) and summary.json.
 * --load DIR trains a saved MAE on for --epochs more (its options, weights and Adam state as
 * saved; the model flags are then ignored); --epochs 0 only probes it. The random encoder is
 * the saved options' initialisation under the same seed, i.e. the saved run's starting point.
 */
import {
  Adam,
  joinPath,
  linearProbe,
  loadMnist,
  loadModel,
  MaskedAutoencoder,
  maskedAutoencoderImage,
  poolTokens,
  type Tensor,
  writeFileAtomic,
  writePng,
} from "layerwise";
import { parseOptions } from "layerwise/cli";

const { options: o } = parseOptions(process.argv.slice(2), {
  data: { type: "string", description: "folder with the full MNIST IDX files (default: the bundled digits)" },
  epochs: { type: "number", integer: true, min: 0, default: 10, description: "MAE training epochs" },
  patch: { type: "number", integer: true, min: 1, default: 7, description: "patch side p (must divide 28)" },
  dim: { type: "number", integer: true, min: 1, default: 64, description: "encoder width" },
  depth: { type: "number", integer: true, min: 1, default: 4, description: "encoder blocks" },
  heads: { type: "number", integer: true, min: 1, default: 4, description: "attention heads (encoder and decoder)" },
  "decoder-dim": { type: "number", integer: true, min: 1, default: 32, description: "decoder width" },
  "decoder-depth": { type: "number", integer: true, min: 1, default: 1, description: "decoder blocks" },
  mask: { type: "number", min: 0, max: 1, default: 0.75, description: "mask ratio (share of patches hidden)" },
  lr: { type: "number", min: 0, default: 1e-3, description: "Adam learning rate of the MAE" },
  batch: { type: "number", integer: true, min: 1, default: 128, description: "rows per batch" },
  "probe-epochs": { type: "number", integer: true, min: 1, default: 30, description: "epochs of each linear probe (Adam 1e-3, cosine decay)" },
  "limit-train": { type: "number", integer: true, min: 1, description: "use only the first N training digits" },
  "probe-train": { type: "number", integer: true, min: 1, description: "train the probes on the first N training digits (default all)" },
  minutes: { type: "number", min: 0, description: "stop training after the epoch that passes this many minutes of training" },
  seed: { type: "number", integer: true, default: 1, description: "seed of initialisation, masks and shuffling" },
  load: { type: "string", description: "folder of a saved MAE to train on (and probe) instead of a new one" },
  out: { type: "string", description: "write the model, the triptych picture and summary.json here" },
} as const);

const started = performance.now();
const seconds = (): string => ((performance.now() - started) / 1e3).toFixed(0);
const { train, test } =
  o.data === undefined ? await loadMnist({ limitTrain: o["limit-train"] }) : await loadMnist({ source: "full", dir: o.data, limitTrain: o["limit-train"] });
const loaded = o.load === undefined ? undefined : await loadModel(o.load);
if (loaded !== undefined && !(loaded instanceof MaskedAutoencoder))
  throw new TypeError(`--load ${o.load} holds a ${loaded.constructor.name}, not a MaskedAutoencoder`);
const fresh = (): MaskedAutoencoder =>
  loaded !== undefined
    ? new MaskedAutoencoder({ ...loaded.options, optimizer: new Adam({ learningRate: loaded.optimizer.learningRate }) })
    : new MaskedAutoencoder({
        patchSize: o.patch,
        dim: o.dim,
        depth: o.depth,
        heads: o.heads,
        decoderDim: o["decoder-dim"],
        decoderDepth: o["decoder-depth"],
        decoderHeads: o.heads,
        maskRatio: o.mask,
        optimizer: new Adam({ learningRate: o.lr ?? 1e-3 }),
        seed: o.seed ?? 1,
      });
const mae = loaded ?? fresh();
/** The encoder before training, a second model: the same options and seed, so the same initial weights. */
const initial = fresh();
const m = mae.options;
console.log(
  `MAE: ${mae.tokens} patches of ${m.patchSize}×${m.patchSize}, ${mae.visibleTokens} visible; encoder ${m.depth}×[width ${m.dim}, ${m.heads} heads], decoder ${m.decoderDepth}×[width ${m.decoderDim}]; ${mae.params().reduce((s, p) => s + p.value.size, 0)} weights${loaded === undefined ? "" : `; loaded from ${o.load} after ${mae.epochsTrained} epochs`}`,
);
console.log(`${train.images.rows} training digits, ${test.images.rows} test digits`);

// the probes: softmax regression on the first probe-train digits, scored on all test digits
const probeTrain = { images: train.images.sliceRows(0, Math.min(o["probe-train"] ?? train.images.rows, train.images.rows)) };
const probeLabels = train.oneHot.sliceRows(0, probeTrain.images.rows);
const probeOptions = { epochs: o["probe-epochs"] ?? 30, seed: o.seed ?? 1 };
const probe = async (what: string, trainFeatures: Tensor, testFeatures: Tensor): Promise<number> => {
  const r = await linearProbe({ features: trainFeatures, oneHot: probeLabels }, { features: testFeatures, oneHot: test.oneHot }, probeOptions);
  console.log(`  linear probe on ${what}: train ${(100 * r.trainAccuracy).toFixed(2)} %, test ${(100 * r.testAccuracy).toFixed(2)} %  (${seconds()} s)`);
  return r.testAccuracy;
};
/** Probes on the encoder's features, mean-pooled (the paper's) and concatenated over patches. */
const probeEncoder = async (encoder: MaskedAutoencoder, what: string): Promise<{ mean: number; concat: number }> => {
  const [trainTokens, testTokens] = [encoder.encode(probeTrain.images), encoder.encode(test.images)];
  return {
    mean: await probe(`${what}, mean-pooled (${m.dim})`, poolTokens(trainTokens, "mean"), poolTokens(testTokens, "mean")),
    concat: await probe(`${what}, concatenated (${mae.tokens * m.dim})`, poolTokens(trainTokens, "concat"), poolTokens(testTokens, "concat")),
  };
};
const initialLoss = mae.evaluate(test.images.sliceRows(0, Math.min(2000, test.images.rows)));
console.log(`masked-patch loss on test digits before this training: ${initialLoss.toFixed(4)} (the epochs below log it on the first 2,000)`);
const trainingStarted = performance.now();
const history = await mae.fit(train.images, {
  epochs: o.epochs ?? 10,
  batchSize: o.batch ?? 128,
  validationData: test.images.sliceRows(0, Math.min(2000, test.images.rows)),
  callbacks: [
    {
      onEpochEnd: (epoch, logs) => {
        console.log(`  epoch ${epoch + 1}: loss ${logs.loss.toFixed(4)}, test masked-patch loss ${logs.val_loss.toFixed(4)}  (${seconds()} s)`);
        if (o.minutes !== undefined && performance.now() - trainingStarted > o.minutes * 60e3) mae.stopTraining = true;
      },
    },
  ],
});
// saved before the probes, so a long run's model survives an interrupted probe
if (o.out !== undefined) await mae.save(o.out, { data: o.data ?? "bundled", epochs: mae.epochsTrained });
console.log(`linear probes trained on ${probeTrain.images.rows} digits for ${probeOptions.epochs} epochs`);
const pixels = await probe("raw pixels (784)", probeTrain.images, test.images);
const random = await probeEncoder(initial, "the randomly initialised encoder");
const trained = await probeEncoder(mae, "the MAE encoder");

const pct = (a: number): string => `${(100 * a).toFixed(2)} %`;
// like with like: each pooling of the MAE's features against the same pooling of the random encoder's
const beats = (a: number, randomEncoder: number): string =>
  a > pixels && a > randomEncoder ? "beats raw pixels and the random encoder" : "does NOT beat both";
console.log("\nlinear-probe test accuracy        mean-pooled    concatenated");
console.log(`  raw pixels                       ${pct(pixels)}`);
console.log(`  random-init encoder features     ${pct(random.mean)}        ${pct(random.concat)}`);
console.log(`  MAE encoder features             ${pct(trained.mean)}        ${pct(trained.concat)}`);
console.log(`  MAE mean-pooled: ${beats(trained.mean, random.mean)}; MAE concatenated: ${beats(trained.concat, random.concat)}`);
console.log(`total ${seconds()} s`);

if (o.out !== undefined) {
  await writePng(joinPath(o.out, "mae-triptych.png"), maskedAutoencoderImage(mae, test.images.sliceRows(0, 20), { cols: 10, seed: 7 }));
  const summary = {
    command: `examples/mae-mnist.ts ${process.argv.slice(2).join(" ")}`,
    initialMaskedLoss: initialLoss,
    maskedLoss: history.history.val_loss,
    probeTrainDigits: probeTrain.images.rows,
    probeTestAccuracy: { rawPixels: pixels, randomEncoder: random, maeEncoder: trained },
    seconds: Number(seconds()),
  };
  await writeFileAtomic(joinPath(o.out, "summary.json"), `${JSON.stringify(summary, null, 2)}\n`);
  console.log(`wrote ${o.out}/model.json, mae-triptych.png, summary.json`);
}
