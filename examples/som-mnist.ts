/**
 * Kohonen's map of the MNIST digits (the full 60,000 training and 10,000 test digits from
 * ../shared/datasets/mnist): a 20x20 SOM, its quantisation and topographic errors on the
 * training and test digits, the map itself (each node's prototype drawn at its grid position),
 * its U-matrix, and the map as a classifier: each node labelled by the majority of the training
 * digits it wins, a test digit given its node's label. Baselines in the same run: the
 * nearest-class-mean classifier (10 prototypes), and 400 training digits drawn at random and
 * labelled the same way (the map's size without the self-organisation).
 *
 *   node --import tsx examples/som-mnist.ts [--grid 20x20] [--epochs 10] [--final-radius σT] [--online]
 *        [--limit-train N] [--data DIR] [--out out/som-mnist]
 */
import {
  classMeans,
  defaultMnistDir,
  joinPath,
  LambdaCallback,
  linePlotSvg,
  loadMnist,
  majorityLabels,
  parseGrid,
  Rng,
  SOM,
  samplePrototypes,
  somMapImage,
  uMatrixImage,
  winners,
  writeFileAtomic,
  writePng,
} from "layerwise";
import { parseOptions } from "layerwise/cli";

const { options: o } = parseOptions(process.argv.slice(2), {
  grid: { type: "string", default: "20x20", description: "ROWSxCOLS of the map" },
  epochs: { type: "number", integer: true, min: 1, default: 10, description: "passes over the training digits" },
  "final-radius": { type: "number", above: 0, description: "σ_T, the final radius (default 1 batch, 0.5 online)" },
  online: { type: "boolean", description: "Kohonen's online rule (batches of 10 winners per GEMM) instead of the batch SOM" },
  data: { type: "string", description: "folder with the MNIST IDX files (default: LAYERWISE_MNIST or ../shared/datasets/mnist)" },
  "limit-train": { type: "number", integer: true, min: 1, description: "use only the first N training digits" },
  seed: { type: "number", integer: true, default: 1, description: "seed of the start and the order" },
  out: { type: "string", default: "out/som-mnist", description: "folder for map.png, umatrix.png, errors.svg and summary.json" },
} as const);

const dir = o.data ?? defaultMnistDir();
if (dir === null) {
  console.log("skipped: the full MNIST files are not here (expected ../shared/datasets/mnist or --data DIR)");
  process.exit(0);
}
const { train, test } = await loadMnist({ source: "full", dir, limitTrain: o["limit-train"] });
const grid = parseGrid(o.grid ?? "20x20");
const som = new SOM({ grid, mode: o.online ? "online" : "batch", finalRadius: o["final-radius"], batchSize: 10, seed: o.seed ?? 1 });
const epochs = o.epochs ?? 10;
console.log(`SOM ${grid.join("x")}, ${som.options.mode}, σ ${som.options.radius} → ${som.options.finalRadius}, on ${train.images.rows} training digits`);
console.log("epoch  radius  quantisation  topographic  seconds");
const t0 = performance.now();
const history = som.fit(train.images, {
  epochs,
  callbacks: [
    new LambdaCallback({
      onEpochEnd: (epoch, logs) =>
        console.log(
          `${String(epoch + 1).padStart(5)}  ${logs.radius.toFixed(3).padStart(6)}  ${logs.quantisationError.toFixed(4).padStart(12)}  ${logs.topographicError.toFixed(4).padStart(11)}  ${((performance.now() - t0) / 1e3).toFixed(1).padStart(7)}`,
        ),
    }),
  ],
});
const trainSeconds = (performance.now() - t0) / 1e3;

const accuracy = (predicted: ArrayLike<number>, labels: Uint8Array) => {
  let right = 0;
  for (let j = 0; j < labels.length; j++) if (predicted[j] === labels[j]) right++;
  return right / labels.length;
};
/** Majority labels of prototypes from the training digits; returns train purity and test accuracy. */
function labelled(prototypes: Parameters<typeof winners>[1]) {
  const m = prototypes.shape[0];
  const trainWinners = winners(train.images, prototypes);
  const label = majorityLabels(trainWinners, train.labels, m);
  return {
    purity: accuracy(
      trainWinners.map((c) => label[c]),
      train.labels,
    ),
    accuracy: accuracy(
      winners(test.images, prototypes).map((c) => label[c]),
      test.labels,
    ),
    unlabelled: label.filter((l) => l < 0).length,
  };
}
const map = labelled(som.prototypes);
const sampled = labelled(samplePrototypes(train.images, som.nodes, new Rng(o.seed ?? 1)));
const nearestMean = accuracy(winners(test.images, classMeans(train.images, train.labels, 10)), test.labels);
const summary = {
  grid,
  mode: som.options.mode,
  epochs,
  trainDigits: train.images.rows,
  testDigits: test.images.rows,
  trainQuantisationError: history.history.quantisationError.at(-1),
  trainTopographicError: history.history.topographicError.at(-1),
  testQuantisationError: som.quantisationError(test.images),
  testTopographicError: som.topographicError(test.images),
  nodeLabelPurity: map.purity,
  nodeLabelAccuracy: map.accuracy,
  unlabelledNodes: map.unlabelled,
  sampledDigitsLabelAccuracy: sampled.accuracy,
  nearestClassMeanAccuracy: nearestMean,
  quantisationErrorPerEpoch: history.history.quantisationError,
  topographicErrorPerEpoch: history.history.topographicError,
  trainSeconds,
};
console.log(
  `test: quantisation error ${summary.testQuantisationError.toFixed(3)}, topographic error ${summary.testTopographicError.toFixed(4)} (train ${summary.trainQuantisationError?.toFixed(3)}, ${summary.trainTopographicError?.toFixed(4)})`,
);
const pct = (v: number) => `${(100 * v).toFixed(2)} %`;
console.log(`nodes labelled by majority: test accuracy ${pct(map.accuracy)}, training purity ${pct(map.purity)}, ${map.unlabelled} nodes win no digit`);
console.log(`baselines: ${som.nodes} random training digits labelled the same way ${pct(sampled.accuracy)}; nearest class mean ${pct(nearestMean)}`);
console.log(`trained in ${trainSeconds.toFixed(1)} s`);
const out = o.out ?? "out/som-mnist";
await writePng(joinPath(out, "map.png"), somMapImage(som, { height: 28, width: 28 }));
await writePng(joinPath(out, "umatrix.png"), uMatrixImage(som, 16));
const x = history.epoch.map((e) => e + 1);
await writeFileAtomic(
  joinPath(out, "errors.svg"),
  linePlotSvg({
    title: `SOM ${grid.join("x")} on ${train.images.rows} MNIST digits`,
    xLabel: "epoch",
    yLabel: "quantisation error",
    series: [{ name: "mean ‖x − w_c‖ (training digits)", x, y: history.history.quantisationError }],
  }),
);
await writeFileAtomic(joinPath(out, "summary.json"), `${JSON.stringify(summary, null, 2)}\n`);
await som.save(joinPath(out, "model"), summary);
console.log(`wrote ${out}/map.png, umatrix.png, errors.svg, summary.json, model/`);
