/**
 * `gemm`: C = op(A) B on the shapes the canon's models multiply: an MLP/RBM layer at batch 100
 * (100x784@784x500, 100x500@500x500), a large square one, and the RBM weight gradient v0ᵀh0
 * (A stored 100x784, used transposed).
 */
import { matmul } from "../src/ops/index.js";
import { Rng } from "../src/tensor/random.js";
import { fillNormal, fromArray, zeros } from "../src/tensor/tensor.js";
import type { Benchmark } from "./harness.js";

export interface GemmWorkload {
  workload: string;
  /** op(A) is m×k, B is k×n; with transA, A is stored k×m. */
  m: number;
  k: number;
  n: number;
  transA: boolean;
  flops: number;
}

function gemmWorkload(m: number, k: number, n: number, transA = false): GemmWorkload {
  const workload = transA ? `${k}x${m}T@${k}x${n}` : `${m}x${k}@${k}x${n}`;
  return { workload, m, k, n, transA, flops: 2 * m * n * k };
}

export const gemmWorkloads = (quick: boolean): GemmWorkload[] =>
  quick
    ? [gemmWorkload(3, 5, 7), gemmWorkload(5, 3, 7, true)]
    : [gemmWorkload(100, 784, 500), gemmWorkload(100, 500, 500), gemmWorkload(1000, 1000, 1000), gemmWorkload(784, 100, 500, true)];

/** The same operands for every implementation. */
function operands(w: GemmWorkload): { a: Float32Array; aShape: [number, number]; b: Float32Array; bShape: [number, number] } {
  const rng = new Rng(1);
  const a = new Float32Array(w.m * w.k);
  const b = new Float32Array(w.k * w.n);
  fillNormal(a, rng);
  fillNormal(b, rng);
  return { a, aShape: w.transA ? [w.k, w.m] : [w.m, w.k], b, bShape: [w.k, w.n] };
}

/** The textbook i-j-k loop (one dot product per entry): the baseline our TypeScript kernel must beat 3x. */
function naiveGemm(w: GemmWorkload, a: Float32Array, b: Float32Array, c: Float32Array): void {
  const { m, n, k, transA } = w;
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += (transA ? a[p * m + i] : a[i * k + p]) * b[p * n + j];
      c[i * n + j] = s;
    }
  }
}

export const gemm: Benchmark = {
  name: "gemm",
  description: "matrix multiply C = op(A) B: 100x784@784x500, 100x500@500x500, 1000x1000@1000x1000, (100x784)T@100x500",
  async run(ctx) {
    const workloads = gemmWorkloads(ctx.quick);
    await ctx.forEachLayerwise(async ({ impl, threads }) => {
      for (const w of workloads) {
        const o = operands(w);
        const a = fromArray(o.a, o.aShape);
        const b = fromArray(o.b, o.bShape);
        const c = zeros([w.m, w.n]);
        await ctx.time({ ...w, impl, threads }, () => matmul(a, b, { transA: w.transA, out: c }));
      }
    });
    if (ctx.wants("naive-ijk")) {
      for (const w of workloads) {
        const o = operands(w);
        const c = new Float32Array(w.m * w.n);
        await ctx.time({ ...w, impl: "naive-ijk", threads: 1 }, () => naiveGemm(w, o.a, o.b, c));
      }
    }
    await ctx.forEachTfjs(async ({ tf, impl, threads, note, tensor }) => {
      for (const w of workloads) {
        const o = operands(w);
        const a = tensor(o.a, o.aShape);
        const b = tensor(o.b, o.bShape);
        await ctx.time({ ...w, impl, threads, note }, () => {
          const c = tf.matMul(a, b, w.transA, false);
          c.dataSync(); // waits for the result, as a caller reading it would
          c.dispose();
        });
        tf.dispose([a, b]);
      }
    });
    await ctx.python("peers/gemm.py", "pytorch", "torch", { workloads });
    await ctx.python("peers/gemm.py", "numpy", "numpy", { workloads });
  },
};
