/**
 * `layerwise train som` and `layerwise train wta`: competitive learning on MNIST (the bundled
 * digits, or the full IDX files with --data). Each saves the model and writes its pictures and a
 * summary.json: the quantisation error (and for the SOM the topographic error) per epoch and on
 * the test digits, and the test accuracy of labelling each node by the majority of the training
 * digits it wins, beside the nearest-class-mean classifier computed in the same run.
 */
import type { MnistData } from "../../data/mnist.js";
import { joinPath, writeFileAtomic } from "../../io/files.js";
import { tileImages, writePng } from "../../io/png.js";
import { linePlotSvg } from "../../io/svg.js";
import { classMeans, majorityLabels, winners } from "../../models/competitive/core.js";
import { somMapImage, uMatrixImage } from "../../models/competitive/pictures.js";
import { parseGrid, SOM, type SomInit, type SomNeighbourhood, type SomTopology } from "../../models/competitive/som.js";
import { WinnerTakeAll } from "../../models/competitive/wta.js";
import type { Tensor } from "../../tensor/tensor.js";
import type { History } from "../../train/loop.js";
import { formatSeconds, ProgressBar } from "../../train/progress.js";
import { UsageError } from "../args.js";
import type { Command } from "../command.js";
import {
  baseNames,
  dataName,
  defineCommand,
  learningRateOption,
  loadDigits,
  mnistOptions,
  outOption,
  quietOption,
  requireOptionShowingHelp,
  seedOption,
} from "../common.js";
import { reportOption } from "../report.js";

const SOM_USAGE = "layerwise train som --out DIR [--grid 20x20] [--epochs 10] [--topology rect|hex] [--batch] [--data DIR|full|bundled] [--limit-train N]";

const somSpecs = {
  grid: { type: "string", description: "ROWSxCOLS of the map (1xN: a chain)", default: "20x20" },
  epochs: { type: "number", description: "passes over the training digits; the radius and rate shrink over them", integer: true, min: 0, default: 10 },
  topology: { type: "string", description: "grid of 4 (rect) or 6 (hex) neighbours", choices: ["rect", "hex"], default: "rect" },
  neighbourhood: { type: "string", description: "h_ci: Gaussian or bubble", choices: ["gaussian", "bubble"], default: "gaussian" },
  batch: { type: "boolean", description: "the batch SOM (one fixed-point step per epoch) instead of Kohonen's online rule" },
  radius: { type: "number", description: "σ_0, the starting radius in grid units (default half the longer side)", above: 0 },
  "final-radius": { type: "number", description: "σ_T, the final radius (default 0.5 online, 1 with --batch)", above: 0 },
  lr: learningRateOption("online: η_0, the starting rate, in (0, 1]", 0.5),
  "final-lr": { type: "number", description: "online: η_T, the final rate (default 0.01)", above: 0, max: 1 },
  init: {
    type: "string",
    description: "starting prototypes: the plane of the first two principal components, random digits, or uniform",
    choices: ["pca", "samples", "random"],
    default: "pca",
  },
  "batch-size": {
    type: "number",
    description: "online: digits whose winners one GEMM finds before their updates (1 is the online rule exactly)",
    integer: true,
    min: 1,
    default: 10,
  },
  ...mnistOptions,
  seed: seedOption("seed of initialisation and digit order"),
  out: outOption("folder for the model, map.png, umatrix.png, errors.svg, topographic.svg and summary.json (required)"),
  quiet: quietOption("no progress bar"),
  ...reportOption,
} as const;

export const trainSomCommand: Command = defineCommand({
  path: ["train", "som"],
  summary: "train Kohonen's self-organising map on MNIST; writes the model, the map of digits, the U-matrix and the errors per epoch",
  usage: SOM_USAGE,
  specs: somSpecs,
  outDir: (o) => o.out,
  async run(o, help, _given, report) {
    const out = requireOptionShowingHelp(o.out, "--out DIR", help);
    const grid = gridOption(o.grid ?? "20x20");
    const t0 = performance.now();
    const som = new SOM({
      grid,
      topology: o.topology as SomTopology,
      neighbourhood: o.neighbourhood as SomNeighbourhood,
      radius: o.radius,
      finalRadius: o["final-radius"],
      learningRate: o.lr,
      finalLearningRate: o["final-lr"],
      mode: o.batch ? "batch" : "online",
      init: o.init as SomInit,
      batchSize: o["batch-size"],
      seed: o.seed ?? 1,
    });
    // the model first: a bad option fails before the digits load
    const data = await loadDigits(o.data, { limitTrain: o["limit-train"], limitTest: o["limit-test"] });
    const { options: s } = som;
    const epochs = o.epochs ?? 10;
    const schedule = s.mode === "online" ? `η ${s.learningRate} → ${s.finalLearningRate}, ` : "";
    console.log(
      `SOM ${grid.join("x")} ${s.topology}, ${s.neighbourhood} σ ${s.radius} → ${s.finalRadius}, ${schedule}${s.mode}, init ${s.init}, ${epochs} epochs on ${data.train.images.rows} ${dataName(data.choice)} digits`,
    );
    const history = som.fit(data.train.images, { epochs, callbacks: [...(o.quiet ? [] : [new ProgressBar()]), report.epochs(`SOM ${grid.join("x")}`)] });
    const trainSeconds = history.seconds.reduce((a, b) => a + b, 0);
    const test = data.test.images;
    const labelled = labelling(som.predict(data.train.images), som.predict(test), som.nodes, data);
    const summary = {
      model: `SOM ${grid.join("x")}`,
      options: { ...s, grid: [...s.grid] },
      epochs: som.epochsTrained,
      trainDigits: data.train.images.rows,
      testDigits: test.rows,
      source: data.source,
      quantisationErrorPerEpoch: history.history.quantisationError ?? [],
      topographicErrorPerEpoch: history.history.topographicError ?? [],
      testQuantisationError: som.quantisationError(test),
      testTopographicError: som.topographicError(test),
      ...labelled,
      trainSeconds,
      seconds: (performance.now() - t0) / 1e3,
    };
    await som.save(out, summary);
    const pictures = ["map.png", "umatrix.png", "errors.svg", "topographic.svg"].map((f) => joinPath(out, f));
    const title = `SOM ${grid.join("x")} on ${data.train.images.rows} digits`;
    await writePng(pictures[0], somMapImage(som, { height: 28, width: 28 }));
    await writePng(pictures[1], uMatrixImage(som, Math.max(1, Math.round(320 / Math.max(...grid)))));
    await writeFileAtomic(pictures[2], curveSvg(title, history, "quantisationError", "quantisation error, mean ‖x − w_c‖"));
    await writeFileAtomic(pictures[3], curveSvg(title, history, "topographicError", "topographic error, share of digits"));
    await writeFileAtomic(joinPath(out, "summary.json"), `${JSON.stringify(summary, null, 2)}\n`);
    report.results(summary);
    report.pictures(pictures.filter((p) => p.endsWith(".png")));
    console.log(
      `test: quantisation error ${summary.testQuantisationError.toFixed(3)}, topographic error ${summary.testTopographicError.toFixed(4)}; ` +
        `nodes labelled by majority: ${pct(labelled.nodeLabelAccuracy)} accuracy (nearest class mean ${pct(labelled.nearestClassMeanAccuracy)}); trained in ${formatSeconds(trainSeconds)}`,
    );
    console.log(`wrote ${out}/model.json, model.safetensors, summary.json, ${baseNames(pictures)}`);
    return 0;
  },
});

const WTA_USAGE = "layerwise train wta --out DIR [--units 100] [--epochs 10] [--conscience C] [--leak η_l] [--data DIR|full|bundled] [--limit-train N]";

const wtaSpecs = {
  units: { type: "number", description: "m, the competing prototype units", integer: true, min: 1, default: 100 },
  epochs: { type: "number", description: "passes over the training digits", integer: true, min: 0, default: 10 },
  lr: learningRateOption("η, the winner's step toward the digit, in (0, 1]", 0.05),
  leak: { type: "number", description: "η_l, the losers' step (leaky learning), in [0, lr]", min: 0, default: 0 },
  conscience: { type: "number", description: "C, DeSieno's conscience bias factor (0: none)", min: 0, default: 0 },
  "conscience-rate": { type: "number", description: "β, the rate of the win-frequency estimates, in (0, 1)", above: 0, max: 1, default: 1e-4 },
  "batch-size": {
    type: "number",
    description: "digits whose winners one GEMM finds before their updates (1 is the online rule exactly)",
    integer: true,
    min: 1,
    default: 10,
  },
  ...mnistOptions,
  seed: seedOption("seed of initialisation and digit order"),
  out: outOption("folder for the model, prototypes.png, errors.svg and summary.json (required)"),
  quiet: quietOption("no progress bar"),
  ...reportOption,
} as const;

export const trainWtaCommand: Command = defineCommand({
  path: ["train", "wta"],
  summary: "train winner-take-all competitive learning on MNIST; writes the model, the prototypes and the errors per epoch",
  usage: WTA_USAGE,
  specs: wtaSpecs,
  outDir: (o) => o.out,
  async run(o, help, _given, report) {
    const out = requireOptionShowingHelp(o.out, "--out DIR", help);
    const t0 = performance.now();
    const wta = new WinnerTakeAll({
      units: o.units ?? 100,
      learningRate: o.lr,
      leakRate: o.leak,
      conscience: o.conscience,
      conscienceRate: o["conscience-rate"],
      batchSize: o["batch-size"],
      seed: o.seed ?? 1,
    });
    const data = await loadDigits(o.data, { limitTrain: o["limit-train"], limitTest: o["limit-test"] });
    const w = wta.options;
    const epochs = o.epochs ?? 10;
    console.log(
      `WTA ${w.units} units, η ${w.learningRate}, leak ${w.leakRate}, conscience ${w.conscience}, ${epochs} epochs on ${data.train.images.rows} ${dataName(data.choice)} digits`,
    );
    const history = wta.fit(data.train.images, { epochs, callbacks: [...(o.quiet ? [] : [new ProgressBar()]), report.epochs(`WTA ${w.units} units`)] });
    const trainSeconds = history.seconds.reduce((a, b) => a + b, 0);
    const test = data.test.images;
    const labelled = labelling(wta.predict(data.train.images), wta.predict(test), w.units, data);
    const testDistances = wta.transform(test);
    const summary = {
      model: `WinnerTakeAll ${w.units}`,
      options: { ...w },
      epochs: wta.epochsTrained,
      trainDigits: data.train.images.rows,
      testDigits: test.rows,
      source: data.source,
      quantisationErrorPerEpoch: history.history.quantisationError ?? [],
      testQuantisationError: meanRowMin(testDistances),
      deadUnits: wta.deadUnits(data.train.images),
      ...labelled,
      trainSeconds,
      seconds: (performance.now() - t0) / 1e3,
    };
    await wta.save(out, summary);
    const pictures = [joinPath(out, "prototypes.png"), joinPath(out, "errors.svg")];
    await writePng(pictures[0], tileImages(wta.prototypes, { height: 28, width: 28, background: 1 }));
    await writeFileAtomic(
      pictures[1],
      curveSvg(`WTA ${w.units} units on ${data.train.images.rows} digits`, history, "quantisationError", "quantisation error, mean ‖x − w_c‖"),
    );
    await writeFileAtomic(joinPath(out, "summary.json"), `${JSON.stringify(summary, null, 2)}\n`);
    report.results(summary);
    report.pictures(pictures.filter((p) => p.endsWith(".png")));
    console.log(
      `test: quantisation error ${summary.testQuantisationError.toFixed(3)}, ${summary.deadUnits} dead units; ` +
        `units labelled by majority: ${pct(labelled.nodeLabelAccuracy)} accuracy (nearest class mean ${pct(labelled.nearestClassMeanAccuracy)}); trained in ${formatSeconds(trainSeconds)}`,
    );
    console.log(`wrote ${out}/model.json, model.safetensors, summary.json, ${baseNames(pictures)}`);
    return 0;
  },
});

function gridOption(text: string): [number, number] {
  try {
    return parseGrid(text);
  } catch {
    throw new UsageError(`--grid must be ROWSxCOLS with integers >= 1 and at least 2 nodes (e.g. 20x20, or 1x50 for a chain), got "${text}"`);
  }
}

const pct = (v: number): string => `${(100 * v).toFixed(2)} %`;

/**
 * Labelling by majority vote (majorityLabels): each unit takes the most common label of the
 * training digits it wins, a test digit its winner's label (a unit that wins no training digit
 * labels nothing: counted wrong). Purity: the share of training digits whose label is their
 * unit's. Beside it, the nearest-class-mean classifier's accuracy, the baseline.
 */
function labelling(trainWinners: Int32Array, testWinners: Int32Array, units: number, data: MnistData) {
  const label = majorityLabels(trainWinners, data.train.labels, units);
  const agree = (w: Int32Array, labels: Uint8Array) => w.filter((c, j) => label[c] === labels[j]).length / Math.max(1, w.length);
  const nearestMean = winners(data.test.images, classMeans(data.train.images, data.train.labels, 10));
  return {
    nodeLabelPurity: agree(trainWinners, data.train.labels),
    nodeLabelAccuracy: agree(testWinners, data.test.labels),
    unlabelledNodes: label.filter((l) => l < 0).length,
    nearestClassMeanAccuracy: nearestMean.filter((c, j) => c === data.test.labels[j]).length / Math.max(1, nearestMean.length),
  };
}

function meanRowMin(distances: Tensor): number {
  const [n, m] = distances.shape;
  let s = 0;
  for (let j = 0; j < n; j++) s += Math.min(...distances.data.subarray(j * m, (j + 1) * m));
  return s / Math.max(1, n);
}

/** One training figure per epoch as a line plot. */
function curveSvg(title: string, history: History, key: string, label: string): string {
  const series = [{ name: label, x: history.epoch.map((e) => e + 1), y: history.history[key] ?? [] }];
  return linePlotSvg({ title, xLabel: "epoch", yLabel: label, series });
}
