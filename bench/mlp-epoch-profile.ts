/**
 * Where the time of an `mlp-epoch` goes: wraps every backend kernel with a timer, trains one
 * epoch of 784-500-500-10 (ReLU, softmax cross-entropy, SGD 0.1, batch 100) on the bundled
 * training digits after one warm-up epoch, and prints time per kernel (GEMMs by shape) and the
 * time spent outside the backend (Sequential, batching, callbacks).
 *
 *   node --import tsx bench/mlp-epoch-profile.ts        (LAYERWISE_BACKEND / LAYERWISE_THREADS choose the backend)
 */
import type { Backend } from "../src/backend/backend.js";
import { backend } from "../src/backend/index.js";
import { loadMnist } from "../src/data/mnist.js";
import { Dense } from "../src/nn/dense.js";
import { SGD } from "../src/optim/sgd.js";
import { Sequential } from "../src/train/sequential.js";

const KERNELS = ["gemm", "unary", "binary", "scalar", "axpby", "activationGrad", "softmaxRows", "sumRows", "sumCols", "argmaxRows"] as const;

interface Stat {
  calls: number;
  seconds: number;
  flops: number;
}

const b = backend();
const ready = (b as { ready?: () => Promise<void> }).ready;
if (typeof ready === "function") await ready.call(b);
const info = b.info();
const { train } = await loadMnist();
const model = new Sequential(
  [new Dense(500, { activation: "relu", inputShape: [784] }), new Dense(500, { activation: "relu" }), new Dense(10, { activation: "softmax" })],
  {
    seed: 1,
  },
);
model.compile({ loss: "categoricalCrossentropy", optimizer: new SGD({ learningRate: 0.1 }) });
const epoch = () => model.fit(train.images, train.oneHot, { epochs: 1, batchSize: 100, shuffle: false });
await epoch(); // warm-up: JIT, buffers, worker start

const stats = new Map<string, Stat>();
const table = b as unknown as Record<string, (...args: unknown[]) => unknown>;
for (const name of KERNELS) {
  const original = table[name].bind(b) as Backend[typeof name] & ((...args: unknown[]) => unknown);
  table[name] = (...args: unknown[]) => {
    const t0 = performance.now();
    const result = original(...args);
    const seconds = (performance.now() - t0) / 1e3;
    let key: string = name;
    let flops = 0;
    if (name === "gemm") {
      const [tA, tB, m, n, k] = args as [boolean, boolean, number, number, number];
      key = `gemm ${tA ? "T" : "N"}${tB ? "T" : "N"} ${m}x${n}, k ${k}`;
      flops = 2 * m * n * k;
    }
    const s = stats.get(key) ?? { calls: 0, seconds: 0, flops: 0 };
    s.calls++;
    s.seconds += seconds;
    s.flops += flops;
    stats.set(key, s);
    return result;
  };
}
const t0 = performance.now();
await epoch();
const total = (performance.now() - t0) / 1e3;

console.log(`backend ${info.name}, ${info.threads} thread(s); one epoch of ${train.labels.length} digits: ${total.toFixed(3)} s`);
let inKernels = 0;
for (const [key, s] of [...stats].sort((x, y) => y[1].seconds - x[1].seconds)) {
  inKernels += s.seconds;
  const rate = s.flops > 0 ? `${(s.flops / s.seconds / 1e9).toFixed(1)} GFLOP/s` : "";
  console.log(
    `  ${key.padEnd(28)} ${String(s.calls).padStart(5)} calls ${(s.seconds * 1e3).toFixed(1).padStart(8)} ms ${((100 * s.seconds) / total).toFixed(1).padStart(5)} %  ${rate}`,
  );
}
console.log(
  `  ${"outside the backend".padEnd(28)} ${"".padStart(11)} ${((total - inKernels) * 1e3).toFixed(1).padStart(8)} ms ${((100 * (total - inKernels)) / total).toFixed(1).padStart(5)} %`,
);
