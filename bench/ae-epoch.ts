/**
 * `ae-epoch`: one fine-tuning epoch of the deep autoencoder of Hinton & Salakhutdinov (2006)
 * as the lectures unroll it, 784-1000-500-250-30-250-500-1000-784, sigmoid units throughout,
 * cross-entropy against the input, plain mini-batch SGD (batch 100, η = 0.1, batches in order)
 * on the 10,000 bundled digits: 100 steps of forward, backward and update through eight layers.
 * Ours is `Sequential.fit(x, x, ...)` for one epoch, as a user calls it; PyTorch is
 * nn.Sequential of Linear + Sigmoid, nn.BCELoss, autograd and torch.optim.SGD; TensorFlow.js is
 * tf.sequential of tf.layers.dense (sigmoid), binaryCrossentropy and model.fit on its cpu and
 * wasm backends.
 */
import { Dense } from "../src/nn/dense.js";
import { SGD } from "../src/optim/sgd.js";
import { zeros } from "../src/tensor/tensor.js";
import { Sequential } from "../src/train/sequential.js";
import { type BenchDigits, benchDigits, withDigitFiles } from "./digits.js";
import type { Benchmark } from "./harness.js";
import { type MlpEpochWorkload, mlpWorkload } from "./mlp-epoch.js";
import { fitEpoch } from "./peers/tfjs.js";

export const DEEP_AUTOENCODER = [784, 1000, 500, 250, 30, 250, 500, 1000, 784];

export const aeEpochWorkloads = (quick: boolean): MlpEpochWorkload[] =>
  quick ? [mlpWorkload(40, [784, 16, 4, 16, 784], 10)] : [mlpWorkload(10_000, DEEP_AUTOENCODER, 100)];

/** The unrolled net: every layer sigmoid (outputs are pixel probabilities), cross-entropy, SGD. */
function buildOurs(w: MlpEpochWorkload): Sequential {
  const [inputs, ...units] = w.layers;
  const layers = units.map((u, i) => new Dense(u, { activation: "sigmoid", ...(i === 0 ? { inputShape: [inputs] } : {}) }));
  const model = new Sequential(layers, { seed: 1 });
  model.compile({ loss: "binaryCrossentropy", optimizer: new SGD({ learningRate: w.learningRate }) });
  return model;
}

export const aeEpoch: Benchmark = {
  name: "ae-epoch",
  description: "one SGD fine-tuning epoch of the 784-1000-500-250-30-250-500-1000-784 sigmoid autoencoder, cross-entropy, batch 100, on 10,000 digits",
  async run(ctx) {
    const workloads = aeEpochWorkloads(ctx.quick);
    const data = new Map<MlpEpochWorkload, BenchDigits>();
    for (const w of workloads) data.set(w, await benchDigits(w.n));

    await ctx.forEachLayerwise(async ({ impl, threads }) => {
      for (const w of workloads) {
        const x = zeros([w.n, w.layers[0]]).assign((data.get(w) as BenchDigits).x);
        const model = buildOurs(w);
        await ctx.time({ ...w, impl, threads }, () => model.fit(x, x, { epochs: 1, batchSize: w.batch, shuffle: false }));
      }
    });

    await ctx.forEachTfjs(async ({ tf, impl, threads, note, tensor }) => {
      for (const w of workloads) {
        const [inputs, ...units] = w.layers;
        const x = tensor((data.get(w) as BenchDigits).x, [w.n, inputs]);
        const layers = units.map((u, i) => tf.layers.dense({ units: u, activation: "sigmoid", ...(i === 0 ? { inputShape: [inputs] } : {}) }));
        const model = tf.sequential({ layers });
        model.compile({ optimizer: tf.train.sgd(w.learningRate), loss: "binaryCrossentropy" });
        await ctx.time({ ...w, impl, threads, note: `${note}; tf.sequential + model.fit` }, fitEpoch(model, x, x, w.batch));
        x.dispose();
        model.dispose();
      }
    });

    // PyTorch reads the same digits from a temporary file (float32 pixels, then uint8 labels it ignores).
    await withDigitFiles("ae-epoch", workloads, data, (peerWorkloads) => ctx.python("peers/ae_epoch.py", "pytorch", "torch", { workloads: peerWorkloads }));
  },
};
