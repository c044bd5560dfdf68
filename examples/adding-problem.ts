/**
 * The adding problem (Hochreiter & Schmidhuber 1997; Le, Jaitly & Hinton 2015): sequences of T
 * pairs (a number in [0, 1], a marker), the target the sum of the two marked numbers. Trains a
 * tanh RNN, an IRNN (relu, U = I) and an LSTM on the same data with the same budget and prints
 * the test MSE after every epoch beside the 0.167 of always predicting 1; writes the curves
 * as an SVG (log scale). The paper's qualitative result at T = 100: the LSTM and the IRNN go
 * far below the baseline, the tanh RNN stays near it.
 *
 *   node --import tsx examples/adding-problem.ts [--steps 100] [--epochs 10] [--train 10000]
 *        [--test 1000] [--units 100] [--batch 32] [--lr 0.005] [--irnn-lr 0.0001]
 *        [--cosine] [--cells rnn,irnn,lstm] [--out out]
 *   node --import tsx examples/adding-problem.ts --merge DIR1,DIR2 [--steps 100] [--out out]
 *
 * All three use Adam with clipNorm 1 (Le et al. used SGD with gradient clipping and tuned the
 * rate per model). The IRNN gets its own, smaller rate: relu units under U = I add up their
 * inputs over all T steps, and a rate that lifts U's eigenvalues above 1 makes h grow as
 * (1 + ε)^T (at T = 100, --lr 0.001 diverges within the first epoch). A net that diverges is
 * reported and the others still run. Each run writes its curves to adding-problem.json beside
 * the SVG; --merge plots the curves of runs made apart (e.g. the cells in parallel processes).
 */
import {
  Adam,
  addingProblem,
  Dense,
  LambdaCallback,
  type Layer,
  type LineSeries,
  LSTM,
  linePlotSvg,
  readFileText,
  Sequential,
  SimpleRNN,
  type Tensor,
  writeFileAtomic,
} from "layerwise";
import { parseOptions } from "layerwise/cli";

const { options } = parseOptions(process.argv.slice(2), {
  steps: { type: "number", integer: true, min: 2, default: 100, description: "T, the length of each sequence" },
  epochs: { type: "number", integer: true, min: 1, default: 10, description: "passes over the training sequences" },
  train: { type: "number", integer: true, min: 1, default: 10000, description: "training sequences" },
  test: { type: "number", integer: true, min: 1, default: 1000, description: "test sequences" },
  units: { type: "number", integer: true, min: 1, default: 100, description: "hidden units of each net" },
  batch: { type: "number", integer: true, min: 1, default: 32, description: "sequences per batch" },
  lr: { type: "number", min: 0, default: 0.005, description: "Adam's learning rate (tanh RNN, LSTM)" },
  "irnn-lr": { type: "number", min: 0, default: 0.0001, description: "Adam's learning rate for the IRNN" },
  cosine: { type: "boolean", description: "decay every net's rate to 0 over the epochs (cosine schedule)" },
  cells: { type: "string", default: "rnn,irnn,lstm", description: "which nets, comma-separated: rnn, irnn, lstm" },
  seed: { type: "number", integer: true, default: 1, description: "seed of data, initialisation and shuffling" },
  merge: { type: "string", description: "no training: plot together the curves that earlier runs wrote to these folders (comma-separated)" },
  out: { type: "string", default: "out", description: "folder for adding-problem.svg" },
} as const);
// every option has a default
const o = options as { [K in keyof typeof options]-?: NonNullable<(typeof options)[K]> };

const CELLS: Record<string, { label: string; make: () => Layer; lr: number }> = {
  rnn: { label: "tanh RNN", make: () => new SimpleRNN(o.units), lr: o.lr },
  irnn: { label: "IRNN", make: () => new SimpleRNN(o.units, { activation: "relu", recurrentInitializer: "identity" }), lr: o["irnn-lr"] },
  lstm: { label: "LSTM", make: () => new LSTM(o.units), lr: o.lr },
};
/** The curves of one or more runs as one SVG (log scale), and their numbers as JSON. */
async function plot(series: LineSeries[]): Promise<void> {
  const svg = linePlotSvg({ title: `Adding problem, T = ${o.steps}`, xLabel: "epoch", yLabel: "test MSE", series, yScale: "log" });
  await writeFileAtomic(`${o.out}/adding-problem.svg`, svg);
  await writeFileAtomic(`${o.out}/adding-problem.json`, `${JSON.stringify({ steps: o.steps, series })}\n`);
  console.log(`wrote ${o.out}/adding-problem.svg and .json`);
}

if (options.merge !== undefined) {
  const runs = await Promise.all(
    options.merge.split(",").map(async (dir) => JSON.parse(await readFileText(`${dir.trim()}/adding-problem.json`)) as { series: LineSeries[] }),
  );
  const series = runs.flatMap((r) => r.series);
  await plot(series.filter((s, i) => series.findIndex((t) => t.name === s.name) === i)); // one "predict 1" line
  process.exit(0);
}

const chosen = o.cells.split(",").map((c) => c.trim());
for (const c of chosen) if (!(c in CELLS)) throw new RangeError(`--cells: ${JSON.stringify(c)} is not one of ${Object.keys(CELLS).join(", ")}`);

const train = addingProblem({ count: o.train, steps: o.steps, seed: o.seed });
const test = addingProblem({ count: o.test, steps: o.steps, seed: o.seed + 1 });

/** The mean squared error itself (the loss "meanSquaredError" is half of it). */
function mse(prediction: Tensor, target: Tensor): number {
  let s = 0;
  for (let i = 0; i < target.size; i++) s += (prediction.data[i] - target.data[i]) ** 2;
  return s / target.size;
}
const baseline = mse({ data: new Float32Array(test.y.size).fill(1) } as Tensor, test.y);
console.log(`adding problem, T = ${o.steps}: ${o.train} training and ${o.test} test sequences; always predicting 1 has test MSE ${baseline.toFixed(4)}`);

const series: LineSeries[] = [];
for (const c of chosen) {
  const { label, make, lr } = CELLS[c];
  const model = new Sequential([make(), new Dense(1)], { inputShape: [o.steps, 2], seed: o.seed });
  model.compile({
    loss: "meanSquaredError",
    optimizer: new Adam({ learningRate: lr, clipNorm: 1, ...(o.cosine ? { schedule: { type: "cosine", epochs: o.epochs } } : {}) }),
  });
  const curve: number[] = [mse(model.predict(test.x), test.y)];
  const start = performance.now();
  const fit = model.fit(train.x, train.y, {
    epochs: o.epochs,
    batchSize: o.batch,
    seed: o.seed,
    callbacks: [
      new LambdaCallback({
        onEpochEnd: (epoch) => {
          curve.push(mse(model.predict(test.x), test.y));
          const seconds = ((performance.now() - start) / 1000).toFixed(0);
          console.log(`${label.padEnd(9)} epoch ${String(epoch + 1).padStart(3)}: test MSE ${curve[curve.length - 1].toFixed(4)}  (${seconds} s)`);
        },
      }),
    ],
  });
  await fit.catch((e: Error) => console.log(`${label}: ${e.message}`));
  series.push({ name: label, x: curve.map((_, i) => i), y: curve });
}
series.push({ name: "predict 1", x: [0, o.epochs], y: [baseline, baseline] });
await plot(series);
