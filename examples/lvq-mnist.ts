/**
 * Learning vector quantisation on MNIST, beside the two nearest-prototype classifiers it sits
 * between, all in one run on the same digits: the nearest class mean (10 prototypes, no
 * training), LVQ1, LVQ2.1 and GLVQ (k prototypes per class, each started from the means of a
 * random k-way split of every class), and 1-NN (all training digits as prototypes: 10,000 ×
 * 60,000 distances by our GEMM, in blocks). Prints one table and writes it to OUT/lvq-mnist.json.
 * Without --data it uses the 8,000 bundled digits (and their 2,000 test digits).
 *
 *   nice -n 10 node --import tsx examples/lvq-mnist.ts --data ../shared/datasets/mnist [--k 10] [--epochs 10] [--limit-train N] [--out out]
 */
import { DEFAULT_LVQ_LEARNING_RATE, LVQ, LVQ_VARIANTS, labelAccuracy, loadMnist, nearestPrototypeLabels, writeFileAtomic } from "layerwise";
import { parseOptions } from "layerwise/cli";

const { options: o } = parseOptions(process.argv.slice(2), {
  data: { type: "string", description: "folder with the full MNIST IDX files (default: the bundled digits)" },
  k: { type: "number", description: "prototypes per class", default: 10, integer: true, min: 1 },
  epochs: { type: "number", description: "passes over the training digits for each LVQ variant", default: 10, integer: true, min: 0 },
  "limit-train": { type: "number", description: "use only the first N training digits", integer: true, min: 1 },
  seed: { type: "number", description: "seed of the initial split and the sample order", default: 1, integer: true },
  out: { type: "string", description: "folder for lvq-mnist.json", default: "out" },
});
const limitTrain = o["limit-train"];
const data = o.data === undefined ? await loadMnist({ limitTrain }) : await loadMnist({ source: "full", dir: o.data, limitTrain });
const train = data.train;
const test = data.test;
const k = o.k ?? 10;
const epochs = o.epochs ?? 10;
console.log(`${data.source} MNIST: ${train.images.rows} training and ${test.images.rows} test digits; LVQ with ${k} prototypes per class, ${epochs} epochs`);

interface Row {
  method: string;
  prototypes: number;
  testAccuracy: number;
  trainSeconds: number;
  testSeconds: number;
  learningRate?: number;
  trainErrorPerEpoch?: number[];
}
const rows: Row[] = [];
function report(row: Row): void {
  rows.push(row);
  console.log(
    `${row.method.padEnd(22)} ${String(row.prototypes).padStart(6)} prototypes  test accuracy ${(100 * row.testAccuracy).toFixed(2)} %  (train ${row.trainSeconds.toFixed(1)} s, test ${row.testSeconds.toFixed(1)} s)`,
  );
}
function seconds(t0: number): number {
  return (performance.now() - t0) / 1000;
}
function timedScore(predict: () => Int32Array): [number, number] {
  const t0 = performance.now();
  return [labelAccuracy(predict(), test.labels), seconds(t0)];
}

// nearest class mean: LVQ's starting point with one prototype per class and no training
let t0 = performance.now();
const ncm = new LVQ({ classes: 10, prototypesPerClass: 1, init: "means" }).initialize(train.images, train.labels);
const ncmTrain = seconds(t0);
const [ncmAccuracy, ncmTest] = timedScore(() => ncm.predict(test.images));
report({ method: "nearest class mean", prototypes: 10, testAccuracy: ncmAccuracy, trainSeconds: ncmTrain, testSeconds: ncmTest });

for (const variant of LVQ_VARIANTS) {
  t0 = performance.now();
  const lvq = new LVQ({ classes: 10, prototypesPerClass: k, variant, init: "means", seed: o.seed ?? 1 });
  // one line per epoch, so a long run shows where it is
  const progress = {
    onEpochEnd: (epoch: number, logs: Record<string, number>) =>
      console.log(`  ${variant} epoch ${epoch + 1}/${epochs}: training error ${(100 * logs.errorRate).toFixed(2)} % (${seconds(t0).toFixed(0)} s)`),
  };
  const history = lvq.fit(train.images, train.labels, { epochs, callbacks: [progress] });
  const trainSeconds = seconds(t0);
  const [accuracy, testSeconds] = timedScore(() => lvq.predict(test.images));
  const trainErrorPerEpoch = history.history.errorRate ?? [];
  report({
    method: variant === "lvq1" ? "LVQ1" : variant === "lvq21" ? "LVQ2.1 (window 0.3)" : "GLVQ",
    prototypes: lvq.prototypeCount,
    testAccuracy: accuracy,
    trainSeconds,
    testSeconds,
    learningRate: DEFAULT_LVQ_LEARNING_RATE[variant],
    trainErrorPerEpoch,
  });
  console.log(`  training error per epoch (winner of the wrong class): ${trainErrorPerEpoch.map((e) => (100 * e).toFixed(2)).join(" ")} %`);
}

// 1-NN: every training digit a prototype of its own class
const [nnAccuracy, nnTest] = timedScore(() => nearestPrototypeLabels(test.images, train.images, train.labels));
report({ method: "1-NN (Euclidean)", prototypes: train.images.rows, testAccuracy: nnAccuracy, trainSeconds: 0, testSeconds: nnTest });

const path = `${o.out ?? "out"}/lvq-mnist.json`;
await writeFileAtomic(
  path,
  `${JSON.stringify({ source: data.source, trainDigits: train.images.rows, testDigits: test.images.rows, k, epochs, seed: o.seed ?? 1, rows }, null, 2)}\n`,
);
console.log(`wrote ${path}`);
