/**
 * `vae-epoch`: one training epoch of Kingma & Welling's MNIST VAE, 784-400-20 (tanh hidden
 * layers, [μ, log σ²] from a linear layer, z = μ + σ ε with fresh ε each batch, sigmoid
 * Bernoulli decoder), loss −ELBO = BCE summed over pixels + the analytic KL, averaged over the
 * batch; Adam (η = 0.001), batch 100, batches in order, on the 10,000 bundled digits.
 * Ours is `VAE.fit` for one epoch, as a user calls it; PyTorch is nn.Linear + tanh, the same
 * reparameterisation and KL written out, binary_cross_entropy_with_logits, autograd and
 * torch.optim.Adam; TensorFlow.js is what its user writes for a custom loss: encoder and decoder
 * as tf.sequential of tf.layers.dense, the −ELBO with tf ops and tf.losses.sigmoidCrossEntropy,
 * and `optimizer.minimize` (tf.train.adam) per batch, on its cpu and wasm backends.
 */
import { VAE } from "../src/models/autoencoders/vae.js";
import { Adam } from "../src/optim/adam.js";
import { zeros } from "../src/tensor/tensor.js";
import { type BenchDigits, benchDigits, withDigitFiles } from "./digits.js";
import type { Benchmark } from "./harness.js";
import type { TF } from "./peers/tfjs.js";

export interface VaeEpochWorkload {
  workload: string;
  n: number;
  /** Input, hidden, latent. */
  layers: [number, number, number];
  batch: number;
  learningRate: number;
  /** Forward, weight and input gradients of the four Dense layers (784→h→2Nz, Nz→h→784). */
  flops: number;
}

function vaeWorkload(n: number, layers: [number, number, number], batch: number): VaeEpochWorkload {
  const [D, H, Z] = layers;
  const macs = D * H + H * 2 * Z + Z * H + H * D;
  const inputGradMacs = macs - D * H; // no dL/dx for the first layer
  return { workload: `${n}x${D}-${H}-${Z}/b${batch}`, n, layers, batch, learningRate: 0.001, flops: 2 * n * (2 * macs + inputGradMacs) };
}

export const vaeEpochWorkloads = (quick: boolean): VaeEpochWorkload[] =>
  quick ? [vaeWorkload(40, [784, 16, 2], 10)] : [vaeWorkload(10_000, [784, 400, 20], 100)];

export const vaeEpoch: Benchmark = {
  name: "vae-epoch",
  description: "one Adam epoch of the 784-400-20 variational autoencoder (tanh, Bernoulli decoder, −ELBO), batch 100, on 10,000 digits",
  async run(ctx) {
    const workloads = vaeEpochWorkloads(ctx.quick);
    const data = new Map<VaeEpochWorkload, BenchDigits>();
    for (const w of workloads) data.set(w, await benchDigits(w.n));

    await ctx.forEachLayerwise(async ({ impl, threads }) => {
      for (const w of workloads) {
        const x = zeros([w.n, w.layers[0]]).assign((data.get(w) as BenchDigits).x);
        const [inputSize, hidden, latentSize] = w.layers;
        const vae = new VAE({ inputSize, hidden: [hidden], latentSize, activation: "tanh", optimizer: new Adam({ learningRate: w.learningRate }), seed: 1 });
        await ctx.time({ ...w, impl, threads }, () => vae.fit(x, { epochs: 1, batchSize: w.batch, shuffle: false }));
      }
    });

    await ctx.forEachTfjs(async ({ tf, impl, threads, note, tensor }) => {
      for (const w of workloads) {
        const [D, H, Z] = w.layers;
        const x = tensor((data.get(w) as BenchDigits).x, [w.n, D]);
        const encoder = tf.sequential({ layers: [tf.layers.dense({ units: H, activation: "tanh", inputShape: [D] }), tf.layers.dense({ units: 2 * Z })] });
        const decoder = tf.sequential({ layers: [tf.layers.dense({ units: H, activation: "tanh", inputShape: [Z] }), tf.layers.dense({ units: D })] });
        const params = [...encoder.trainableWeights, ...decoder.trainableWeights].map((v) => v.read() as TF.Variable);
        const optimizer = tf.train.adam(w.learningRate);
        // −ELBO averaged over the batch: Bernoulli reconstruction from logits summed over
        // pixels, plus KL(q(z|x) ‖ N(0, I)) = −½ Σ (1 + log σ² − μ² − σ²)
        const negativeElbo = (xb: TF.Tensor2D): TF.Scalar => {
          const size = xb.shape[0];
          const stats = encoder.apply(xb) as TF.Tensor2D;
          const mu = tf.slice(stats, [0, 0], [size, Z]);
          const logVar = tf.slice(stats, [0, Z], [size, Z]);
          const z = tf.add(mu, tf.mul(tf.exp(tf.mul(logVar, 0.5)), tf.randomNormal([size, Z])));
          const logits = decoder.apply(z) as TF.Tensor2D;
          const reconstruction = tf.losses.sigmoidCrossEntropy(xb, logits, undefined, 0, tf.Reduction.SUM);
          const kl = tf.mul(-0.5, tf.sum(tf.sub(tf.add(1, logVar), tf.add(tf.square(mu), tf.exp(logVar)))));
          return tf.div(tf.add(reconstruction, kl), size);
        };
        const epoch = (): void => {
          for (let start = 0; start < w.n; start += w.batch) {
            const size = Math.min(w.batch, w.n - start);
            tf.tidy(() => void optimizer.minimize(() => negativeElbo(tf.slice(x, [start, 0], [size, D])), false, params));
          }
          params[0].dataSync(); // waits for the last update, as reading the weights would
        };
        await ctx.time({ ...w, impl, threads, note: `${note}; tf.layers.dense + optimizer.minimize` }, epoch);
        tf.dispose([x]);
        optimizer.dispose();
        encoder.dispose();
        decoder.dispose();
      }
    });

    await withDigitFiles("vae-epoch", workloads, data, (peerWorkloads) => ctx.python("peers/vae_epoch.py", "pytorch", "torch", { workloads: peerWorkloads }));
  },
};
