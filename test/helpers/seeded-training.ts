/**
 * One seeded training run, written once and run twice: in Node on src/, and in Chromium on the
 * browser bundle (esbuild bundles this file alone: it imports the library only as a type and
 * takes it as an argument). An MLP epoch (Sequential.fit with shuffling) and an RBM CD-1 epoch
 * on the digits passed in; the weights come back as plain number arrays (float32 values, so
 * the round trip through JSON is exact).
 */
import type * as Layerwise from "../../src/index.js";

export interface SeededWeights {
  backend: string;
  /** Which kernel build ran (info().kernels). */
  kernels: string;
  threads: number;
  /** W1, b1, W2, b2 of the MLP, then W, a, b of the RBM. */
  weights: number[][];
}

export async function trainSeeded(lw: typeof Layerwise, pixels: number[], labels: number[], threads: number): Promise<SeededWeights> {
  // The plain SIMD128 build on both sides: Chromium has relaxed SIMD and Node 20 has not, and the
  // relaxed build's fused multiply-add rounds once where the plain build rounds twice.
  const b = lw.setBackend("wasm", { threads, relaxedSimd: false });
  await (b as { ready?: () => Promise<void> }).ready?.();
  const n = labels.length;
  const x = lw.fromArray(Float32Array.from(pixels), [n, 784]);
  const y = lw.oneHot(labels, 10);

  const mlp = new lw.Sequential([new lw.Dense(64, { activation: "relu", inputShape: [784] }), new lw.Dense(10, { activation: "softmax" })], { seed: 3 });
  mlp.compile({ loss: "categoricalCrossentropy", optimizer: new lw.SGD({ learningRate: 0.1, momentum: 0.9 }) });
  await mlp.fit(x, y, { epochs: 1, batchSize: 50 });

  const rbm = new lw.RBM({ visible: 784, hidden: 64, cdSteps: 1, seed: 5 });
  await rbm.fit(x, { epochs: 1, batchSize: 50 });

  const info = b.info();
  const weights = [...mlp.getWeights(), rbm.W, rbm.a, rbm.b].map((t) => Array.from(t.data));
  return { backend: info.name, kernels: info.kernels ?? "", threads: info.threads, weights };
}
