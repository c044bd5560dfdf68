/**
 * `rbm-cd1`: one contrastive-divergence step of a binary RBM, the inner loop of RBM/DBN
 * training. Three forward-kind matmuls and two gradient matmuls plus Bernoulli sampling:
 *   h0 = σ(v0 W + b), sample h0 ~ Bernoulli, v1 = σ(h0 Wᵀ + a), h1 = σ(v1 W + b),
 *   dW = v0ᵀ h0 − v1ᵀ h1   (probabilities in the statistics, as Hinton's guide advises).
 */
import { add, bernoulli, matmul, sigmoid } from "../src/ops/index.js";
import { Rng } from "../src/tensor/random.js";
import { fillNormal, fromArray, zeros } from "../src/tensor/tensor.js";
import type { Benchmark } from "./harness.js";

export interface Cd1Workload {
  workload: string;
  batch: number;
  visible: number;
  hidden: number;
  /** The five matmuls (2·batch·visible·hidden each); sigmoid, bias and sampling not counted. */
  flops: number;
}

function cd1Workload(batch: number, visible: number, hidden: number): Cd1Workload {
  return { workload: `${batch}x${visible}->${hidden}`, batch, visible, hidden, flops: 5 * 2 * batch * visible * hidden };
}

/** The same data for every implementation: binary v0, small random W, zero biases. */
function parameters(w: Cd1Workload): { v0: Float32Array; W: Float32Array } {
  const rng = new Rng(2);
  const v0 = new Float32Array(w.batch * w.visible).map(() => (rng.nextFloat() < 0.5 ? 1 : 0));
  const W = new Float32Array(w.visible * w.hidden);
  fillNormal(W, rng, 0, 0.01);
  return { v0, W };
}

export const rbmCd1: Benchmark = {
  name: "rbm-cd1",
  description: "one RBM CD-1 step, batch 100, 784 visible -> 500 hidden: 5 matmuls + sigmoid + Bernoulli sampling",
  async run(ctx) {
    const workloads = ctx.quick ? [cd1Workload(4, 6, 5)] : [cd1Workload(100, 784, 500)];
    await ctx.forEachLayerwise(async ({ impl, threads }) => {
      for (const w of workloads) {
        const p = parameters(w);
        const v0 = fromArray(p.v0, [w.batch, w.visible]);
        const W = fromArray(p.W, [w.visible, w.hidden]);
        const a = zeros([w.visible]);
        const b = zeros([w.hidden]);
        // preallocated, as a model's training loop keeps them
        const hp0 = zeros([w.batch, w.hidden]);
        const h0 = zeros([w.batch, w.hidden]);
        const vp1 = zeros([w.batch, w.visible]);
        const hp1 = zeros([w.batch, w.hidden]);
        const dW = zeros([w.visible, w.hidden]);
        const rng = new Rng(3);
        const step = (): void => {
          sigmoid(add(matmul(v0, W, { out: hp0 }), b, hp0), hp0);
          bernoulli(hp0, rng, h0);
          sigmoid(add(matmul(h0, W, { transB: true, out: vp1 }), a, vp1), vp1);
          sigmoid(add(matmul(vp1, W, { out: hp1 }), b, hp1), hp1);
          matmul(v0, hp0, { transA: true, out: dW });
          matmul(vp1, hp1, { transA: true, alpha: -1, beta: 1, out: dW });
        };
        await ctx.time({ ...w, impl, threads }, step);
      }
    });
    await ctx.forEachTfjs(async ({ tf, impl, threads, note, tensor }) => {
      for (const w of workloads) {
        const p = parameters(w);
        const v0 = tensor(p.v0, [w.batch, w.visible]);
        const W = tensor(p.W, [w.visible, w.hidden]);
        const a = tf.zeros([w.visible]);
        const b = tf.zeros([w.hidden]);
        let seed = 3;
        const step = (): void => {
          const dW = tf.tidy(() => {
            const hp0 = tf.sigmoid(tf.add(tf.matMul(v0, W), b));
            const h0 = tf.cast(tf.less(tf.randomUniform(hp0.shape, 0, 1, "float32", seed++), hp0), "float32");
            const vp1 = tf.sigmoid(tf.add(tf.matMul(h0, W, false, true), a));
            const hp1 = tf.sigmoid(tf.add(tf.matMul(vp1, W), b));
            return tf.sub(tf.matMul(v0, hp0, true, false), tf.matMul(vp1, hp1, true, false));
          });
          dW.dataSync(); // waits for the result, as a caller reading it would
          dW.dispose();
        };
        await ctx.time({ ...w, impl, threads, note }, step);
        tf.dispose([v0, W, a, b]);
      }
    });
    await ctx.python("peers/rbm_cd1.py", "pytorch", "torch", { workloads });
  },
};
