/**
 * The bimodal deep autoencoder of Ngiam et al. (2011, "Multimodal deep learning") on MNIST split
 * into two "modalities": a = the top half of each digit (rows 0–13, 392 pixels) and b = the
 * bottom half (rows 14–27). Each half has its own first layer, both join in a shared code, and the
 * code is decoded back to both halves; training zeroes one half on 2/3 of each batch's rows (the
 * paper's augmented data: a third top only, a third bottom only, a third both). Beside it, the
 * same net trained on both halves without the zeroing (a unimodal autoencoder of the whole digit),
 * then fed one half. Prints
 *   - cross-modal reconstruction error Σ_i (x_i − x̂_i)² per test half, given the other half, for
 *     both nets, beside the mean training half (a guess that ignores the input);
 *   - the test accuracy of a softmax on the shared code from the top alone, the bottom alone and
 *     both (trained and tested on codes of the same kind), beside the softmax on the raw pixels of
 *     the same halves; and the paper's cross-modality test: a softmax trained on codes of one half,
 *     tested on codes of the other;
 * and writes bimodal-cross-modal.png (and the unimodal net's, for contrast): rows per group of 10
 * test digits: top only, [â | b̂] from it, the truth, bottom only, [â | b̂] from it.
 * Ngiam et al. report on audio-visual speech, not on MNIST, so no published figure is comparable;
 * their claim, which the figures test, is that the zeroing lets one modality stand in for the other.
 *
 *   node --import tsx examples/bimodal-mnist.ts --data /path/to/mnist [--epochs 6] [--hidden 256]
 *        [--code 64] [--lr 0.002] [--batch-size 100] [--probe-epochs 5] [--limit-train N] [--out out]
 *
 * On the full MNIST the defaults took 13 minutes on a shared 2-core machine (docs/autoencoders.md has the figures).
 *
 * Without --data it runs on the bundled digits.
 */
import {
  Adam,
  BimodalAutoencoder,
  crossModalImage,
  Dense,
  ensureDir,
  joinPath,
  loadMnist,
  ops,
  Sequential,
  splitModalities,
  type Tensor,
  writeFileAtomic,
  writePng,
} from "layerwise";
import { parseOptions } from "layerwise/cli";

const { options: o } = parseOptions(process.argv.slice(2), {
  epochs: { type: "number", integer: true, min: 1, default: 6, description: "training epochs of each net" },
  hidden: { type: "number", integer: true, min: 1, default: 256, description: "units of each half's own layer" },
  code: { type: "number", integer: true, min: 1, default: 64, description: "units of the shared code" },
  lr: { type: "number", min: 0, default: 0.002, description: "Adam's learning rate" },
  "batch-size": { type: "number", integer: true, min: 1, default: 100, description: "rows per batch" },
  "probe-epochs": { type: "number", integer: true, min: 1, default: 5, description: "epochs of each softmax" },
  "limit-train": { type: "number", integer: true, min: 1, description: "use only the first N training digits" },
  data: { type: "string", description: "folder with the full MNIST IDX files (default: the bundled digits)" },
  seed: { type: "number", integer: true, default: 1, description: "seed of initialisation, zeroing and shuffling" },
  out: { type: "string", default: "out", description: "folder for the pictures and bimodal-mnist.json" },
} as const);

const seed = o.seed ?? 1;
const { train, test } =
  o.data === undefined ? await loadMnist({ limitTrain: o["limit-train"] }) : await loadMnist({ source: "full", dir: o.data, limitTrain: o["limit-train"] });
const halves = { train: splitModalities(train.images, 392), test: splitModalities(test.images, 392) };
console.log(`MNIST halves: a = top 14 rows, b = bottom 14 rows; ${train.images.rows} training digits, ${test.images.rows} test digits`);
const out = o.out ?? "out";
await ensureDir(out);

const seconds = (t: number): string => `${((performance.now() - t) / 1e3).toFixed(0)} s`;

/** The net with the given share of rows zeroed, trained on the training halves. */
async function trained(zeroedShare: number, name: string): Promise<BimodalAutoencoder> {
  const bm = new BimodalAutoencoder({
    modalities: [392, 392],
    hidden: o.hidden ?? 256,
    codeSize: o.code ?? 64,
    zeroedShare,
    optimizer: new Adam({ learningRate: o.lr ?? 0.002 }),
    seed,
  });
  const t = performance.now();
  await bm.fit(halves.train.a, halves.train.b, {
    epochs: o.epochs ?? 6,
    batchSize: o["batch-size"] ?? 100,
    callbacks: [{ onEpochEnd: (epoch, logs) => console.log(`  ${name} epoch ${epoch + 1}: loss ${(logs.loss ?? Number.NaN).toFixed(2)} (${seconds(t)})`) }],
  });
  return bm;
}

/** Test accuracy of a softmax (multinomial logistic regression) trained by Adam on the given features. */
async function softmaxAccuracy(trainX: Tensor, testX: Tensor, trainOn: Tensor = trainX): Promise<number> {
  const probe = new Sequential([new Dense(10, { activation: "softmax" })], { inputShape: [trainX.cols], seed }).build();
  probe.compile({ loss: "categoricalCrossentropy", optimizer: new Adam({ learningRate: 0.003 }), metrics: ["accuracy"] });
  await probe.fit(trainOn, train.oneHot, { epochs: o["probe-epochs"] ?? 5, batchSize: 100 });
  return probe.evaluate(testX, test.oneHot).accuracy;
}

const started = performance.now();
const bimodal = await trained(2 / 3, "bimodal");
const unimodal = await trained(0, "unimodal");

const { a, b } = halves.test;
const mean = { a: ops.meanRowError(halves.train.a, a), b: ops.meanRowError(halves.train.b, b) };
const errors = (bm: BimodalAutoencoder) => ({
  bottomFromTop: bm.reconstructionError(a, b, "a").b,
  topFromBottom: bm.reconstructionError(a, b, "b").a,
  both: bm.reconstructionError(a, b, "both"),
});
const error = { bimodal: errors(bimodal), unimodal: errors(unimodal) };
console.log("\ncross-modal reconstruction, Σ (x − x̂)² per test half:");
console.log(`                      bimodal   unimodal   mean half`);
const row = (label: string, x: number, y: number, m: number): void =>
  console.log(`  ${label.padEnd(20)}${x.toFixed(2).padStart(7)}${y.toFixed(2).padStart(11)}${m.toFixed(2).padStart(12)}`);
row("bottom from top", error.bimodal.bottomFromTop, error.unimodal.bottomFromTop, mean.b);
row("top from bottom", error.bimodal.topFromBottom, error.unimodal.topFromBottom, mean.a);
row("bottom from both", error.bimodal.both.b, error.unimodal.both.b, mean.b);
row("top from both", error.bimodal.both.a, error.unimodal.both.a, mean.a);

const t = performance.now();
const accuracy: Record<string, Record<string, number>> = {};
for (const [name, bm] of [
  ["bimodal", bimodal],
  ["unimodal", unimodal],
] as const) {
  const code = {
    train: { a: bm.encode(halves.train.a, null), b: bm.encode(null, halves.train.b), both: bm.encode(halves.train.a, halves.train.b) },
    test: { a: bm.encode(a, null), b: bm.encode(null, b), both: bm.encode(a, b) },
  };
  accuracy[name] = {
    top: await softmaxAccuracy(code.train.a, code.test.a),
    bottom: await softmaxAccuracy(code.train.b, code.test.b),
    both: await softmaxAccuracy(code.train.both, code.test.both),
    // the paper's cross-modality learning: the classifier sees codes of one modality only, is tested on the other's
    trainTopTestBottom: await softmaxAccuracy(code.train.a, code.test.b),
    trainBottomTestTop: await softmaxAccuracy(code.train.b, code.test.a),
  };
}
accuracy.pixels = {
  top: await softmaxAccuracy(bimodal.join(halves.train.a, null), bimodal.join(a, null)),
  bottom: await softmaxAccuracy(bimodal.join(null, halves.train.b), bimodal.join(null, b)),
  both: await softmaxAccuracy(train.images, test.images),
};
const percent = (x: number | undefined): string => (x === undefined ? "" : `${(100 * x).toFixed(2)} %`);
console.log(`\nsoftmax test accuracy (${seconds(t)}):`);
console.log(`                       top only   bottom only      both   train top→test bottom   train bottom→test top`);
for (const [name, acc] of Object.entries(accuracy))
  console.log(
    `  ${`${name}${name === "pixels" ? "" : " code"}`.padEnd(18)}${percent(acc.top).padStart(11)}${percent(acc.bottom).padStart(14)}${percent(acc.both).padStart(10)}${percent(acc.trainTopTestBottom).padStart(24)}${percent(acc.trainBottomTestTop).padStart(24)}`,
  );

const pictures: string[] = [];
for (const [name, bm] of [
  ["bimodal", bimodal],
  ["unimodal", unimodal],
] as const) {
  const path = joinPath(out, `${name}-cross-modal.png`);
  await writePng(path, crossModalImage(bm, a.sliceRows(0, 20), b.sliceRows(0, 20)));
  pictures.push(path);
}
const summary = {
  modalities: "a: top 14 rows, b: bottom 14 rows",
  net: `[392 | 392] → [${o.hidden ?? 256} | ${o.hidden ?? 256}] → ${o.code ?? 64} → ${2 * (o.hidden ?? 256)} → [392 | 392]`,
  epochs: o.epochs ?? 6,
  trainDigits: train.images.rows,
  testDigits: test.images.rows,
  reconstructionErrorPerHalf: { ...error, meanHalf: { top: mean.a, bottom: mean.b } },
  softmaxAccuracy: accuracy,
  wallSeconds: (performance.now() - started) / 1e3,
};
await writeFileAtomic(joinPath(out, "bimodal-mnist.json"), `${JSON.stringify(summary, null, 2)}\n`);
console.log(`\nwrote ${[...pictures, joinPath(out, "bimodal-mnist.json")].join(", ")} (${seconds(started)} in all)`);
