/**
 * `mlp-epoch`: one training epoch of a 784-500-500-10 ReLU MLP with softmax cross-entropy and
 * plain mini-batch SGD (batch 100, η = 0.1, batches in order) on the 10,000 bundled digits —
 * 100 steps of forward, backward and update. Ours is `Sequential.fit` for one epoch, exactly
 * as a user calls it; PyTorch is nn.Sequential + autograd + torch.optim.SGD; TensorFlow.js is
 * what its user writes, tf.sequential of tf.layers.dense + model.fit (`tfjs-cpu`, `tfjs-wasm`),
 * and again as the same forward, backward and update written with tf ops (`tfjs-*-ops`).
 */
import { oneHot } from "../src/data/transforms.js";
import { Dense } from "../src/nn/dense.js";
import { SGD } from "../src/optim/sgd.js";
import { Rng } from "../src/tensor/random.js";
import { randUniform, type Tensor, zeros } from "../src/tensor/tensor.js";
import { Sequential } from "../src/train/sequential.js";
import { type BenchDigits, benchDigits, withDigitFiles } from "./digits.js";
import type { Benchmark } from "./harness.js";
import { fitEpoch, type Tf, tfOneHot } from "./peers/tfjs.js";

type TfVariable = ReturnType<Tf["variable"]>;
type TfTensor = ReturnType<Tf["tensor"]>;

export interface MlpEpochWorkload {
  workload: string;
  /** Training rows in the epoch. */
  n: number;
  /** Units per layer, input first. */
  layers: number[];
  batch: number;
  learningRate: number;
  /** Forward (2·n·Σ in·out), weight gradients (the same again) and input gradients of all but the first layer. */
  flops: number;
}

export function mlpWorkload(n: number, layers: number[], batch: number): MlpEpochWorkload {
  let macs = 0;
  let inputGradMacs = 0;
  for (let i = 0; i + 1 < layers.length; i++) {
    macs += layers[i] * layers[i + 1];
    if (i > 0) inputGradMacs += layers[i] * layers[i + 1];
  }
  const flops = 2 * n * (2 * macs + inputGradMacs);
  return { workload: `${n}x${layers.join("-")}/b${batch}`, n, layers, batch, learningRate: 0.1, flops };
}

export const mlpEpochWorkloads = (quick: boolean): MlpEpochWorkload[] =>
  quick ? [mlpWorkload(40, [784, 16, 12, 10], 10)] : [mlpWorkload(10_000, [784, 500, 500, 10], 100)];

function buildOurs(w: MlpEpochWorkload): Sequential {
  const [inputs, ...units] = w.layers;
  const layers = units.map((u, i) => new Dense(u, { activation: i === units.length - 1 ? "softmax" : "relu", ...(i === 0 ? { inputShape: [inputs] } : {}) }));
  const model = new Sequential(layers, { seed: 1 });
  model.compile({ loss: "categoricalCrossentropy", optimizer: new SGD({ learningRate: w.learningRate }) });
  return model;
}

/** Glorot-uniform weights and zero biases for TensorFlow.js, from our Rng. */
function glorot(rows: number, cols: number, rng: Rng): Tensor {
  const limit = Math.sqrt(6 / (rows + cols));
  return randUniform([rows, cols], rng, -limit, limit);
}

export const mlpEpoch: Benchmark = {
  name: "mlp-epoch",
  description: "one SGD epoch of a 784-500-500-10 ReLU MLP, softmax cross-entropy, batch 100, on 10,000 bundled digits",
  async run(ctx) {
    const workloads = mlpEpochWorkloads(ctx.quick);
    const data = new Map<MlpEpochWorkload, BenchDigits>();
    for (const w of workloads) data.set(w, await benchDigits(w.n));

    await ctx.forEachLayerwise(async ({ impl, threads }) => {
      for (const w of workloads) {
        const d = data.get(w) as BenchDigits;
        const x = zeros([w.n, w.layers[0]]).assign(d.x);
        const y = oneHot(d.labels, w.layers[w.layers.length - 1]);
        const model = buildOurs(w);
        await ctx.time({ ...w, impl, threads }, () => model.fit(x, y, { epochs: 1, batchSize: w.batch, shuffle: false }));
      }
    });

    await ctx.forEachTfjs(async ({ tf, impl, threads, note, tensor }) => {
      for (const w of workloads) {
        const d = data.get(w) as BenchDigits;
        const [inputs, ...units] = w.layers;
        const x = tensor(d.x, [w.n, inputs]);
        const y = tfOneHot(tf, d.labels, units[units.length - 1]);
        const layers = units.map((u, i) =>
          tf.layers.dense({ units: u, activation: i === units.length - 1 ? "softmax" : "relu", ...(i === 0 ? { inputShape: [inputs] } : {}) }),
        );
        const model = tf.sequential({ layers });
        model.compile({ optimizer: tf.train.sgd(w.learningRate), loss: "categoricalCrossentropy" });
        await ctx.time({ ...w, impl, threads, note: `${note}; tf.sequential + model.fit` }, fitEpoch(model, x, y, w.batch));
        tf.dispose([x, y]);
        model.dispose();
      }
    });

    await ctx.forEachTfjs(async ({ tf, impl, threads, note, tensor }) => {
      for (const w of workloads) {
        const d = data.get(w) as BenchDigits;
        const classes = w.layers[w.layers.length - 1];
        const x = tensor(d.x, [w.n, w.layers[0]]);
        const y = tfOneHot(tf, d.labels, classes);
        const rng = new Rng(1);
        const weights: TfVariable[] = [];
        const biases: TfVariable[] = [];
        for (let i = 0; i + 1 < w.layers.length; i++) {
          weights.push(tf.variable(tensor(glorot(w.layers[i], w.layers[i + 1], rng).data, [w.layers[i], w.layers[i + 1]])));
          biases.push(tf.variable(tf.zeros([w.layers[i + 1]])));
        }
        const L = weights.length;
        // Backpropagation written out with tf ops: the kernels autograd would dispatch, without
        // the tape's bookkeeping (the hand-written peer this bench had before the model.fit rows).
        const step = (start: number, size: number): void =>
          tf.tidy(() => {
            const h: TfTensor[] = [tf.slice(x, [start, 0], [size, w.layers[0]])];
            for (let l = 0; l < L; l++) {
              const z = tf.add(tf.matMul(h[l], weights[l]), biases[l]);
              h.push(l + 1 < L ? tf.relu(z) : tf.softmax(z));
            }
            // δ = dL/dz of the output for softmax + cross-entropy averaged over the batch
            let delta = tf.div(tf.sub(h[L], tf.slice(y, [start, 0], [size, classes])), size);
            for (let l = L - 1; l >= 0; l--) {
              const dW = tf.matMul(h[l], delta, true, false);
              const db = tf.sum(delta, 0);
              if (l > 0) delta = tf.mul(tf.matMul(delta, weights[l], false, true), tf.step(h[l]));
              weights[l].assign(tf.sub(weights[l], tf.mul(dW, w.learningRate)));
              biases[l].assign(tf.sub(biases[l], tf.mul(db, w.learningRate)));
            }
          });
        const epoch = (): void => {
          for (let start = 0; start < w.n; start += w.batch) step(start, Math.min(w.batch, w.n - start));
          weights[0].dataSync(); // waits for the last update, as reading the weights would
        };
        await ctx.time({ ...w, impl, threads, note: `${note}; backprop written with tf ops, no autograd tape` }, epoch);
        tf.dispose([x, y, ...weights, ...biases]);
      }
    }, "ops");

    // PyTorch reads the same digits from a temporary file (float32 pixels, then uint8 labels).
    await withDigitFiles("mlp-epoch", workloads, data, (peerWorkloads) => ctx.python("peers/mlp_epoch.py", "pytorch", "torch", { workloads: peerWorkloads }));
  },
};
