/**
 * `rbm-epoch`: one CD-1 training epoch of a binary RBM on 10,000 MNIST digits, 784 → 500,
 * batch 100 (100 updates): shuffling, batch gathers, the five matmuls per batch, sigmoid,
 * Bernoulli sampling, momentum, weight decay and the parameter step. Ours is RBM.fit for one
 * epoch, as a user calls it. Peers do the same epoch: PyTorch, NumPy, scikit-learn's
 * BernoulliRBM (PCD-1, its only algorithm; one fit with n_iter=1), and TensorFlow.js.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadMnist } from "../src/data/mnist.js";
import { RBM } from "../src/models/rbm/rbm.js";
import { Rng } from "../src/tensor/random.js";
import { fillNormal, fromArray } from "../src/tensor/tensor.js";
import type { Benchmark } from "./harness.js";

interface EpochWorkload {
  workload: string;
  n: number;
  visible: number;
  hidden: number;
  batch: number;
  learningRate: number;
  momentum: number;
  weightDecay: number;
  /** The five matmuls per batch over the epoch. */
  flops: number;
  /** Raw float32 [n, visible] digits for the Python peers. */
  dataPath?: string;
}

function workload(n: number, visible: number, hidden: number, batch: number): EpochWorkload {
  return {
    workload: `${n}x${visible}->${hidden} batch ${batch}`,
    n,
    visible,
    hidden,
    batch,
    learningRate: 0.1,
    momentum: 0.5,
    weightDecay: 2e-4,
    flops: 5 * 2 * n * visible * hidden,
  };
}

/** The first n bundled digits (train split, then test split), grey levels in [0, 1]. */
async function digits(n: number, visible: number): Promise<Float32Array> {
  const { train, test } = await loadMnist();
  const all = new Float32Array((train.images.rows + test.images.rows) * 784);
  all.set(train.images.data);
  all.set(test.images.data, train.images.size);
  if (visible === 784) return all.slice(0, n * 784);
  const out = new Float32Array(n * visible);
  for (let r = 0; r < n; r++) out.set(all.subarray(r * 784, r * 784 + visible), r * visible);
  return out;
}

export const rbmEpoch: Benchmark = {
  name: "rbm-epoch",
  description: "one CD-1 epoch of an RBM on 10,000 MNIST digits, 784 -> 500, batch 100, momentum + weight decay",
  async run(ctx) {
    const w = ctx.quick ? workload(200, 784, 20, 100) : workload(10000, 784, 500, 100);
    const data = await digits(w.n, w.visible);
    await ctx.forEachLayerwise(async ({ impl, threads }) => {
      const x = fromArray(data, [w.n, w.visible]);
      const rbm = new RBM({
        visible: w.visible,
        hidden: w.hidden,
        learningRate: w.learningRate,
        initialMomentum: w.momentum,
        weightDecay: w.weightDecay,
        seed: 1,
      });
      await ctx.time({ ...w, impl, threads }, () => rbm.fit(x, { epochs: 1, batchSize: w.batch }));
    });
    await ctx.forEachTfjs(async ({ tf, impl, threads, note, tensor }) => {
      const x = tensor(data, [w.n, w.visible]);
      const init = new Float32Array(w.visible * w.hidden);
      fillNormal(init, new Rng(1), 0, 0.01);
      const W = tf.variable(tensor(init, [w.visible, w.hidden]));
      const a = tf.variable(tf.zeros([w.visible]));
      const b = tf.variable(tf.zeros([w.hidden]));
      const vW = tf.variable(tf.zeros([w.visible, w.hidden]));
      const va = tf.variable(tf.zeros([w.visible]));
      const vb = tf.variable(tf.zeros([w.hidden]));
      const rng = new Rng(2);
      let seed = 3;
      const k = w.learningRate / w.batch;
      const epoch = (): void => {
        const order = tf.tensor1d(Array.from(rng.permutation(w.n)), "int32");
        let err: ReturnType<typeof tf.add> = tf.scalar(0);
        for (let start = 0; start < w.n; start += w.batch) {
          const next = tf.tidy(() => {
            const v0 = tf.gather(x, tf.slice(order, start, Math.min(w.batch, w.n - start)));
            const hp0 = tf.sigmoid(tf.add(tf.matMul(v0, W), b));
            const h0 = tf.cast(tf.less(tf.randomUniform(hp0.shape, 0, 1, "float32", seed++), hp0), "float32");
            // explicit transposes: tfjs-backend-wasm 4.22's transposeA/B flags are ~10x slower here
            const vp1 = tf.sigmoid(tf.add(tf.matMul(h0, tf.transpose(W)), a));
            const hp1 = tf.sigmoid(tf.add(tf.matMul(vp1, W), b));
            const dW = tf.sub(tf.matMul(tf.transpose(v0), hp0), tf.matMul(tf.transpose(vp1), hp1));
            vW.assign(tf.add(tf.mul(vW, w.momentum), tf.sub(tf.mul(dW, k), tf.mul(W, w.learningRate * w.weightDecay))));
            va.assign(tf.add(tf.mul(va, w.momentum), tf.mul(tf.sub(tf.sum(v0, 0), tf.sum(vp1, 0)), k)));
            vb.assign(tf.add(tf.mul(vb, w.momentum), tf.mul(tf.sub(tf.sum(hp0, 0), tf.sum(hp1, 0)), k)));
            W.assign(tf.add(W, vW));
            a.assign(tf.add(a, va));
            b.assign(tf.add(b, vb));
            return tf.add(err, tf.sum(tf.square(tf.sub(v0, vp1))));
          });
          err.dispose();
          err = next;
        }
        err.dataSync(); // waits for the epoch, as a caller reading the error would
        err.dispose();
        order.dispose();
      };
      await ctx.time({ ...w, impl, threads, note }, epoch);
      tf.dispose([x, W, a, b, vW, va, vb]);
    });
    const dir = await mkdtemp(join(tmpdir(), "rbm-epoch-"));
    try {
      const dataPath = join(dir, "digits.f32");
      await writeFile(dataPath, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
      const workloads = [{ ...w, dataPath }];
      await ctx.python("peers/rbm_epoch.py", "pytorch", "torch", { workloads });
      await ctx.python("peers/rbm_epoch.py", "numpy", "numpy", { workloads });
      await ctx.python("peers/rbm_epoch.py", "sklearn", "sklearn", { workloads });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
};
