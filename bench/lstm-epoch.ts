/**
 * `lstm-epoch`: one training epoch of row-by-row MNIST (docs/recurrent.md): each digit read as
 * 28 steps of 28 pixels by an LSTM of 128 units, its last h_T into Dense 10 softmax, softmax
 * cross-entropy, Adam (η = 0.001), batch 100, batches in order, on the 10,000 bundled digits —
 * 100 steps of forward, backpropagation through 28 time steps, and update.
 * Ours is `Sequential.fit` for one epoch, as a user calls it; PyTorch is torch.nn.LSTM
 * (batch_first) + nn.Linear, nn.CrossEntropyLoss, autograd and torch.optim.Adam; TensorFlow.js
 * is what its user writes: tf.sequential of tf.layers.lstm + tf.layers.dense and model.fit,
 * on its cpu and wasm backends.
 */
import { oneHot } from "../src/data/transforms.js";
import { Dense } from "../src/nn/dense.js";
import { LSTM } from "../src/nn/lstm.js";
import { Adam } from "../src/optim/adam.js";
import { zeros } from "../src/tensor/tensor.js";
import { Sequential } from "../src/train/sequential.js";
import { type BenchDigits, benchDigits, withDigitFiles } from "./digits.js";
import type { Benchmark } from "./harness.js";
import { fitEpoch, tfOneHot } from "./peers/tfjs.js";

export interface LstmEpochWorkload {
  workload: string;
  n: number;
  /** Time steps (image rows) and features per step (pixels per row). */
  steps: number;
  features: number;
  units: number;
  classes: number;
  batch: number;
  learningRate: number;
  /**
   * Per row and step: the input and recurrent GEMMs of the four gates forward, their weight
   * gradients, and dL/dh_{t−1} through U (no dL/dx: the LSTM is the first layer); plus the
   * Dense layer's forward and two gradients once per row.
   */
  flops: number;
}

function lstmWorkload(n: number, steps: number, features: number, units: number, batch: number): LstmEpochWorkload {
  const classes = 10;
  const gateMacs = (features + units) * 4 * units;
  const perRow = steps * (2 * gateMacs + units * 4 * units) + 3 * units * classes;
  return {
    workload: `${n}x${steps}x${features}-lstm${units}-${classes}/b${batch}`,
    n,
    steps,
    features,
    units,
    classes,
    batch,
    learningRate: 0.001,
    flops: 2 * n * perRow,
  };
}

export const lstmEpochWorkloads = (quick: boolean): LstmEpochWorkload[] =>
  quick ? [lstmWorkload(40, 28, 28, 8, 10)] : [lstmWorkload(10_000, 28, 28, 128, 100)];

function buildOurs(w: LstmEpochWorkload): Sequential {
  const model = new Sequential([new LSTM(w.units, { inputShape: [w.steps, w.features] }), new Dense(w.classes, { activation: "softmax" })], { seed: 1 });
  model.compile({ loss: "categoricalCrossentropy", optimizer: new Adam({ learningRate: w.learningRate }) });
  return model;
}

/**
 * OPENBLAS_CORETYPE is unset for the whole run, so PyTorch's OpenBLAS and ours pick their own
 * kernels (the Python peer's note prints the core it chose; ours carry the backend's kernels line,
 * which names OpenBLAS's core and the variable's state).
 */
function unsetCoretype(): void {
  delete process.env.OPENBLAS_CORETYPE;
}

export const lstmEpoch: Benchmark = {
  name: "lstm-epoch",
  description: "one Adam epoch of row-by-row MNIST (28 steps of 28 pixels, LSTM 128 → Dense 10 softmax), batch 100, on 10,000 digits",
  async run(ctx) {
    unsetCoretype();
    const workloads = lstmEpochWorkloads(ctx.quick);
    const data = new Map<LstmEpochWorkload, BenchDigits>();
    for (const w of workloads) data.set(w, await benchDigits(w.n));

    await ctx.forEachLayerwise(async ({ impl, threads }) => {
      for (const w of workloads) {
        const d = data.get(w) as BenchDigits;
        const x = zeros([w.n, w.steps, w.features]).assign(d.x);
        const y = oneHot(d.labels, w.classes);
        const model = buildOurs(w);
        await ctx.time({ ...w, impl, threads }, () => model.fit(x, y, { epochs: 1, batchSize: w.batch, shuffle: false }));
      }
    });

    await ctx.forEachTfjs(async ({ tf, impl, threads, note }) => {
      for (const w of workloads) {
        const d = data.get(w) as BenchDigits;
        const x = tf.tensor3d(d.x, [w.n, w.steps, w.features]);
        const y = tfOneHot(tf, d.labels, w.classes);
        const model = tf.sequential({
          layers: [tf.layers.lstm({ units: w.units, inputShape: [w.steps, w.features] }), tf.layers.dense({ units: w.classes, activation: "softmax" })],
        });
        model.compile({ optimizer: tf.train.adam(w.learningRate), loss: "categoricalCrossentropy" });
        await ctx.time({ ...w, impl, threads, note: `${note}; tf.layers.lstm + model.fit` }, fitEpoch(model, x, y, w.batch));
        tf.dispose([x, y]);
        model.dispose();
      }
    });

    // PyTorch reads the same digits from a temporary file (float32 pixels [n, 28, 28], then uint8 labels).
    await withDigitFiles("lstm-epoch", workloads, data, (peerWorkloads) => ctx.python("peers/lstm_epoch.py", "pytorch", "torch", { workloads: peerWorkloads }));
  },
};
