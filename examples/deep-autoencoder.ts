/**
 * The RBM-pretrained deep autoencoder of Hinton & Salakhutdinov (2006) on MNIST: RBMs
 * 784-1000-500-250-30 trained greedily (the top one with linear, Gaussian code units), unrolled
 * into an encoder and a decoder with Wᵀ, fine-tuned by backpropagation of the cross-entropy
 * with conjugate gradients (3 line searches per batch of 1,000, as their backprop.m). Prints the
 * average squared reconstruction error ‖x − x̂‖² per test image beside the published 3.00 and
 * beside PCA with as many components, computed in the same run (13.87 with 30 on full MNIST).
 *
 * With --code 2 (the paper's 784-1000-500-250-2) it also writes the figure: the 2-D codes of the
 * test digits coloured by class beside the first two principal components, as SVG and PNG, and
 * prints the k-nearest-neighbour accuracy of both, the number behind "separates classes better".
 *
 *   node --import tsx examples/deep-autoencoder.ts --data /path/to/mnist [--code 30]
 *        [--hidden 1000,500,250] [--pretrain-epochs 50] [--epochs 200] [--limit-train N] [--out out]
 *        [--optimizer cg|adam] [--lr 0.001] [--eval-every 5] [--pretrained DIR]
 *
 * --pretrained DIR keeps the RBM stack: trained and saved there the first time, loaded (and
 * trained on to --pretrain-epochs) the next, so fine-tuning schedules can be compared on one stack.
 *
 * The paper's schedule (50 + 200 epochs on 60,000 digits) takes hours; without --data it runs
 * on the bundled digits.
 */
import {
  Adam,
  codesScatterImage,
  codesScatterSvg,
  DBN,
  DeepAutoencoder,
  ensureDir,
  fileExists,
  joinPath,
  knnAccuracy,
  loadMnist,
  loadModel,
  PCA,
  writeFileAtomic,
  writePng,
} from "layerwise";
import { parseOptions } from "layerwise/cli";

const { options: o } = parseOptions(process.argv.slice(2), {
  code: { type: "number", integer: true, min: 1, default: 30, description: "code units (the paper: 30, and 2 for the figure)" },
  hidden: { type: "string", default: "1000,500,250", description: "hidden layer sizes between the pixels and the code, comma-separated" },
  "pretrain-epochs": { type: "number", integer: true, min: 0, default: 50, description: "epochs of each RBM (the paper: 50)" },
  epochs: { type: "number", integer: true, min: 0, default: 200, description: "fine-tuning epochs (the paper: 200)" },
  "batch-size": { type: "number", integer: true, min: 1, description: "fine-tuning batch (default 1,000 with cg, the paper's; 100 with adam)" },
  optimizer: { type: "string", default: "cg", description: "fine-tuning optimiser: cg (the paper's conjugate gradients) or adam" },
  lr: { type: "number", min: 0, default: 0.001, description: "Adam's learning rate (with --optimizer adam)" },
  "eval-every": { type: "number", integer: true, min: 0, default: 0, description: "print the test error every N fine-tuning epochs (0: only at the end)" },
  pretrained: { type: "string", description: "folder of the pretrained RBM stack: loaded if there, else trained and saved there" },
  "limit-train": { type: "number", integer: true, min: 1, description: "use only the first N training digits" },
  "limit-test": { type: "number", integer: true, min: 1, description: "use only the first N test digits" },
  k: { type: "number", integer: true, min: 1, default: 5, description: "neighbours of the kNN accuracy (with --code 2)" },
  data: { type: "string", description: "folder with the full MNIST IDX files (default: the bundled digits)" },
  seed: { type: "number", integer: true, default: 1, description: "seed of the RBMs and of the shuffling" },
  out: { type: "string", default: "out", description: "folder for deep-autoencoder-codes.svg/.png" },
} as const);

const hidden = (o.hidden ?? "").split(",").map(Number);
if (hidden.some((u) => !Number.isInteger(u) || u < 1)) throw new RangeError(`--hidden must be positive integers separated by commas; got ${o.hidden}`);
const limits = { limitTrain: o["limit-train"], limitTest: o["limit-test"] };
const { train, test } = o.data === undefined ? await loadMnist(limits) : await loadMnist({ source: "full", dir: o.data, ...limits });
const code = o.code ?? 30;
const layers = [784, ...hidden, code];
console.log(`deep autoencoder ${layers.join("-")} on ${train.images.rows} training digits, ${test.images.rows} test digits`);

if (o.optimizer !== "cg" && o.optimizer !== "adam") throw new RangeError(`--optimizer must be cg or adam; got ${o.optimizer}`);
const adam = o.optimizer === "adam";
const batchSize = o["batch-size"] ?? (adam ? 100 : 1000);
const saved = o.pretrained !== undefined && (await fileExists(joinPath(o.pretrained, "model.json"))) ? await loadModel(o.pretrained) : undefined;
if (saved !== undefined && !(saved instanceof DBN)) throw new TypeError(`--pretrained ${o.pretrained} holds a ${saved.constructor.name}, not a DBN`);
const ae = new DeepAutoencoder({
  layers,
  codeUnits: "gaussian",
  seed: o.seed,
  dbn: saved,
  optimizer: adam ? new Adam({ learningRate: o.lr }) : undefined,
});
const t0 = Date.now();
await ae.pretrain(train.images, { epochs: o["pretrain-epochs"], batchSize: 100 });
if (o.pretrained !== undefined) await ae.dbn.save(o.pretrained);
console.log(`pretrained (${((Date.now() - t0) / 1000).toFixed(1)} s): ‖x − x̂‖² per test image, unrolled ${ae.reconstructionError(test.images).toFixed(2)}`);
const every = o["eval-every"] ?? 0;
const evaluate = {
  onEpochEnd(epoch: number, logs: Record<string, number>) {
    if (every > 0 && (epoch + 1) % every === 0)
      console.log(
        `  epoch ${epoch + 1} (${((Date.now() - t0) / 1000).toFixed(0)} s): loss ${logs.loss?.toFixed(2)}, ‖x − x̂‖² per test image ${ae.reconstructionError(test.images).toFixed(2)}`,
      );
  },
};
await ae.fit(train.images, { epochs: o.epochs, batchSize, seed: o.seed, callbacks: [evaluate] });
const error = ae.reconstructionError(test.images);
const pca = new PCA({ components: code }).fit(train.images);
const pcaError = pca.reconstructionError(test.images);
console.log(`fine-tuned (${((Date.now() - t0) / 1000).toFixed(1)} s, ${o.epochs} epochs):`);
console.log(`  ‖x − x̂‖² per test image: ours ${error.toFixed(2)}${code === 30 ? " (published 3.00)" : ""}`);
console.log(`  PCA with ${code} components, same digits: ${pcaError.toFixed(2)}${code === 30 ? " (published 13.87)" : ""}`);

if (code === 2) {
  const k = o.k ?? 5;
  const codes = ae.encode(test.images);
  const principal = pca.transform(test.images);
  const knnCodes = knnAccuracy(ae.encode(train.images), train.labels, codes, test.labels, k);
  const knnPca = knnAccuracy(pca.transform(train.images), train.labels, principal, test.labels, k);
  console.log(
    `  ${k}-NN accuracy on the test digits: 2-D codes ${(100 * knnCodes).toFixed(2)} %, first two principal components ${(100 * knnPca).toFixed(2)} %`,
  );
  const panels = [
    { title: `deep autoencoder ${layers.join("-")}`, codes },
    { title: "first two principal components", codes: principal },
  ];
  const out = o.out ?? "out";
  await ensureDir(out);
  await writeFileAtomic(joinPath(out, "deep-autoencoder-codes.svg"), codesScatterSvg(panels, test.labels));
  await writePng(joinPath(out, "deep-autoencoder-codes.png"), codesScatterImage(panels, test.labels), 3);
  console.log(`  codes of the test digits → ${out}/deep-autoencoder-codes.svg and .png`);
}
