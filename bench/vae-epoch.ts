/**
 * `vae-epoch`: one training epoch of Kingma & Welling's MNIST VAE, 784-400-20 (tanh hidden
 * layers, [μ, log σ²] from a linear layer, z = μ + σ ε with fresh ε each batch, sigmoid
 * Bernoulli decoder), loss −ELBO = BCE summed over pixels + the analytic KL, averaged over the
 * batch; Adam (η = 0.001), batch 100, batches in order, on the 10,000 bundled digits.
 * Ours is `VAE.fit` for one epoch, as a user calls it; PyTorch is nn.Linear + tanh, the same
 * reparameterisation and KL written out, binary_cross_entropy_with_logits, autograd and torch.optim.Adam.
 */
import { VAE } from "../src/models/autoencoders/vae.js";
import { Adam } from "../src/optim/adam.js";
import { zeros } from "../src/tensor/tensor.js";
import { type BenchDigits, benchDigits, withDigitFiles } from "./digits.js";
import type { Benchmark } from "./harness.js";

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

    await withDigitFiles("vae-epoch", workloads, data, (peerWorkloads) => ctx.python("peers/vae_epoch.py", "pytorch", "torch", { workloads: peerWorkloads }));
  },
};
