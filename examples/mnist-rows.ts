/**
 * Row-by-row MNIST: each 28×28 digit read by an LSTM as a sequence of 28 steps of 28 pixels
 * (the top row first), its last h_T → Dense softmax. No convolution and no view of the whole
 * image at once: whatever the net knows of the top rows when it reaches the bottom, it carried
 * through its state. The usual figure for one LSTM layer of 128 units is ≥ 98.5 % test
 * accuracy (e.g. the Keras and PyTorch examples, and the LSTM baselines of Le et al. 2015).
 *
 *   node --import tsx examples/mnist-rows.ts [--epochs 10] [--units 128] [--batch 100]
 *        [--lr 0.001] [--decay 1] [--clip-norm 1] [--data DIR] [--limit-train N] [--limit-test N]
 *        [--out out]
 *
 * Prints the test accuracy after every epoch beside the reference and writes the curve as
 * mnist-rows.svg and mnist-rows.png in --out. Adam with gradient clipping by global norm.
 */
import {
  Adam,
  Dense,
  defaultMnistDir,
  LambdaCallback,
  LSTM,
  linePlotImage,
  linePlotSvg,
  loadMnist,
  Reshape,
  Sequential,
  writeFileAtomic,
  writePng,
} from "layerwise";
import { parseOptions } from "layerwise/cli";

const REFERENCE = 98.5;
const { options } = parseOptions(process.argv.slice(2), {
  epochs: { type: "number", integer: true, min: 1, default: 10, description: "passes over the training digits" },
  units: { type: "number", integer: true, min: 1, default: 128, description: "LSTM units" },
  batch: { type: "number", integer: true, min: 1, default: 100, description: "digits per batch" },
  lr: { type: "number", min: 0, default: 0.001, description: "Adam's learning rate" },
  decay: { type: "number", min: 0, max: 1, default: 1, description: "the learning rate's factor per epoch (1: constant)" },
  "clip-norm": { type: "number", min: 0, default: 1, description: "clip the gradient to this global norm" },
  data: { type: "string", description: "folder with the MNIST IDX files (default: LAYERWISE_MNIST or ../shared/datasets/mnist)" },
  "limit-train": { type: "number", integer: true, min: 1, description: "use only the first N training digits" },
  "limit-test": { type: "number", integer: true, min: 1, description: "use only the first N test digits" },
  seed: { type: "number", integer: true, default: 1, description: "seed of initialisation and shuffling" },
  out: { type: "string", default: "out", description: "folder for mnist-rows.svg and .png" },
} as const);
// every option without a default is optional
const o = options as typeof options & {
  epochs: number;
  units: number;
  batch: number;
  lr: number;
  decay: number;
  "clip-norm": number;
  seed: number;
  out: string;
};

const dir = o.data ?? defaultMnistDir();
if (dir === null) {
  console.log("skipped: the full MNIST files are not here (expected ../shared/datasets/mnist or --data DIR)");
  process.exit(0);
}
const { train, test } = await loadMnist({ source: "full", dir, limitTrain: o["limit-train"], limitTest: o["limit-test"] });

// [batch, 784] → [batch, 28 steps, 28 pixels] is a view (row-major: step t is image row t)
const model = new Sequential([new Reshape([28, 28]), new LSTM(o.units), new Dense(10, { activation: "softmax" })], { inputShape: [784], seed: o.seed });
const schedule = o.decay === 1 ? undefined : ({ type: "exponential", decay: o.decay } as const);
model.compile({
  loss: "categoricalCrossentropy",
  optimizer: new Adam({ learningRate: o.lr, clipNorm: o["clip-norm"], schedule }),
  metrics: ["accuracy"],
});

console.log(
  `row-by-row MNIST: LSTM(${o.units}) → Dense(10) softmax on ${train.images.rows} training, ${test.images.rows} test digits; ` +
    `Adam ${o.lr} (×${o.decay} per epoch), clip-norm ${o["clip-norm"]}, batch ${o.batch}`,
);
const accuracy: number[] = [];
/** The test error per epoch on a log axis beside the reference (rewritten every epoch, so a run cut short keeps its curve). */
async function writeCurve(): Promise<void> {
  const plot = {
    title: `Row-by-row MNIST, LSTM ${o.units}`,
    xLabel: "epoch",
    yLabel: "test error %",
    series: [
      { name: "LSTM test error", x: accuracy.map((_, i) => i + 1), y: accuracy.map((a) => 100 - a) },
      { name: `reference ${(100 - REFERENCE).toFixed(1)} %`, x: [1, o.epochs], y: [100 - REFERENCE, 100 - REFERENCE] },
    ],
    yScale: "log" as const,
  };
  await writeFileAtomic(`${o.out}/mnist-rows.svg`, linePlotSvg(plot));
  await writePng(`${o.out}/mnist-rows.png`, linePlotImage(plot), 3);
}

const t0 = performance.now();
const report = new LambdaCallback({
  onEpochEnd: async (epoch, logs) => {
    const acc = 100 * model.evaluate(test.images, test.oneHot, { batchSize: 500 }).accuracy;
    accuracy.push(acc);
    const wall = (performance.now() - t0) / 1000;
    console.log(
      `epoch ${epoch + 1}: train loss ${logs.loss.toFixed(4)}, test accuracy ${acc.toFixed(2)} % (reference ≥ ${REFERENCE} %), wall ${wall.toFixed(0)} s`,
    );
    await writeCurve();
  },
});
await model.fit(train.images, train.oneHot, { epochs: o.epochs, batchSize: o.batch, seed: o.seed, callbacks: [report] });

const best = Math.max(...accuracy);
console.log(`test accuracy ${accuracy[accuracy.length - 1].toFixed(2)} % after ${o.epochs} epochs (best ${best.toFixed(2)} %); reference ≥ ${REFERENCE} %`);
console.log(`wrote ${o.out}/mnist-rows.svg and ${o.out}/mnist-rows.png`);
