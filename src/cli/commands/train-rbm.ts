/**
 * `layerwise train rbm`: trains an RBM on MNIST (the bundled digits, or the full IDX files with
 * --data) and writes the model (safetensors + JSON), its filters, samples and test
 * reconstructions as PNGs, and a summary with the test reconstruction error.
 */
import { binarize, sampleBinary } from "../../data/transforms.js";
import { writeFileAtomic } from "../../io/files.js";
import { loadRbm, saveRbm } from "../../models/rbm/io.js";
import { writeRbmPictures } from "../../models/rbm/pictures.js";
import { RBM } from "../../models/rbm/rbm.js";
import { meanAll } from "../../ops/reduce.js";
import { Rng } from "../../tensor/random.js";
import type { Tensor } from "../../tensor/tensor.js";
import { type Callback, LambdaCallback } from "../../train/callbacks.js";
import { ProgressBar } from "../../train/progress.js";
import { checkpointOptions, describeTrainingData, RunCheckpoint } from "../checkpoint.js";
import type { Command } from "../command.js";
import {
  baseNames,
  dataName,
  defineCommand,
  learningRateOption,
  loadDigits,
  outOption,
  quietOption,
  requireOptionShowingHelp,
  seedOption,
  trainingDigitsOptions,
} from "../common.js";
import { type RunReport, reportOption } from "../report.js";

const specs = {
  hidden: { type: "number", description: "hidden units", default: 500, integer: true, min: 1 },
  cd: { type: "number", description: "k of CD-k (Gibbs steps per update)", default: 1, integer: true, min: 1 },
  epochs: { type: "number", description: "passes over the training set", default: 10, integer: true, min: 0 },
  batch: { type: "number", description: "mini-batch size", default: 100, integer: true, min: 1 },
  lr: learningRateOption("learning rate ε", 0.1),
  "weight-decay": { type: "number", description: "L2 weight cost on W", default: 2e-4, min: 0 },
  pcd: { type: "boolean", description: "persistent CD (fantasy chains, one per batch row unless --chains)" },
  chains: { type: "number", description: "number of PCD fantasy chains (default: --batch)", integer: true, min: 1 },
  binarize: {
    type: "string",
    description: "training pixels: grey levels as probabilities, thresholded at 0.5, or sampled once",
    default: "none",
    choices: ["none", "threshold", "sample"],
  },
  ...trainingDigitsOptions,
  "sample-steps": { type: "number", description: "Gibbs steps for samples.png", default: 1000, integer: true, min: 1 },
  seed: seedOption("seed of every random choice"),
  out: outOption("output folder (required)"),
  quiet: quietOption("no progress bar"),
  ...checkpointOptions,
  ...reportOption,
} as const;

const USAGE = "layerwise train rbm --out DIR [--hidden 500] [--cd 1] [--epochs 10] [--pcd] [--data DIR|full|bundled]";

export function binarizeImages(images: Tensor, mode: string, rng: Rng): Tensor {
  if (mode === "threshold") return binarize(images);
  if (mode === "sample") return sampleBinary(images, rng);
  return images;
}

/**
 * The overfitting monitor of Hinton's practical guide (2010, §6): the mean free energy F(v) of
 * training digits and of held-out (test) digits after every epoch, on one plot. While the RBM
 * generalises the two move together; a gap that widens means it is fitting the training digits
 * alone (the partition function cancels in the difference, so no log Z is needed).
 */
function freeEnergyCurve(rbm: RBM, train: Tensor, test: Tensor, report: RunReport): Callback {
  const n = Math.min(1000, train.rows, test.rows);
  const [seen, unseen] = [train.sliceRows(0, n), test.sliceRows(0, n)];
  const curve = report.epochs(`mean free energy F(v) of ${n} training and ${n} test digits`);
  return new LambdaCallback({
    onEpochEnd: (epoch) => curve.onEpochEnd?.(epoch, { freeEnergy: meanAll(rbm.freeEnergy(seen)), val_freeEnergy: meanAll(rbm.freeEnergy(unseen)) }),
  });
}

export const trainRbmCommand: Command = defineCommand({
  path: ["train", "rbm"],
  summary: "train a restricted Boltzmann machine on MNIST; writes the model, filters, samples, reconstructions",
  usage: USAGE,
  specs,
  outDir: (o) => o.out,
  async run(o, help, _given, report) {
    const out = requireOptionShowingHelp(o.out, "--out DIR", help);
    const hidden = o.hidden ?? 500;
    const seed = o.seed ?? 1;
    const t0 = performance.now();
    const data = await loadDigits(o.data, { limitTrain: o.limit });
    const rng = new Rng(seed);
    const train = binarizeImages(data.train.images, o.binarize ?? "none", rng);
    const test = binarizeImages(data.test.images, o.binarize ?? "none", rng);
    const batch = o.batch ?? 100;
    const checkpoint = new RunCheckpoint("train rbm", out, o, describeTrainingData(data.source, [data.train.images]));
    const resumed = await checkpoint.resume(loadRbm);
    const rbm =
      resumed?.model ??
      new RBM({
        visible: train.cols,
        hidden,
        cdSteps: o.cd,
        learningRate: o.lr,
        weightDecay: o["weight-decay"],
        persistent: o.pcd ? (o.chains ?? batch) : 0,
        seed,
      });
    const epochs = o.epochs ?? 10;
    const mode = o.pcd ? `PCD-${rbm.options.cdSteps} (${rbm.options.persistent} chains)` : `CD-${rbm.options.cdSteps}`;
    console.log(
      `RBM ${train.cols}-${hidden}, ${mode}, ε ${rbm.options.learningRate}, batch ${batch}, ${epochs} epochs on ${train.rows} ${dataName(data.choice)} digits`,
    );
    // fit trains that many epochs more: those the checkpoint lacks
    const callbacks = [
      ...(o.quiet ? [] : [new ProgressBar()]),
      ...checkpoint.callbacks(),
      report.epochs(`RBM ${train.cols}-${hidden}, ${mode}`, ["reconstructionError"]),
      ...(report.wanted ? [freeEnergyCurve(rbm, train, test, report)] : []),
    ];
    const history = await rbm.fit(train, { epochs: Math.max(0, epochs - rbm.epochsTrained), batchSize: batch, callbacks });
    const testError = rbm.reconstructionError(test);
    const summary = {
      model: `RBM ${train.cols}-${hidden}`,
      training: mode,
      learningRate: rbm.options.learningRate,
      epochs: rbm.epochsTrained,
      trainDigits: train.rows,
      source: data.source,
      binarize: o.binarize ?? "none",
      trainReconstructionError: history.length > 0 ? history[history.length - 1].reconstructionError : null,
      testReconstructionError: testError,
      seconds: (performance.now() - t0) / 1e3,
    };
    await saveRbm(rbm, out, summary);
    const pictures = await writeRbmPictures(rbm, out, {
      data: test.sliceRows(0, Math.min(50, test.rows)),
      samples: { n: 100, steps: o["sample-steps"] ?? 1000, seed, init: test.sliceRows(0, Math.min(100, test.rows)) },
    });
    await writeFileAtomic(`${out}/summary.json`, `${JSON.stringify(summary, null, 2)}\n`);
    report.results(summary);
    report.pictures(pictures);
    console.log(`test reconstruction error ${testError.toFixed(3)} per image (${test.rows} digits)`);
    console.log(`wrote ${out}/model.json, model.safetensors, summary.json, ${baseNames(pictures)}`);
    return 0;
  },
});
