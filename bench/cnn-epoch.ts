/**
 * `cnn-epoch`: one training epoch of the LeNet-like net of the Caffe/Theano tutorials,
 * conv 5x5x20 → maxpool 2 → conv 5x5x50 → maxpool 2 → dense 500 (ReLU) → dense 10 (softmax
 * cross-entropy), plain SGD, batch 100, batches in order, on the 10,000 bundled digits.
 * Ours is `Sequential.fit` for one epoch, as a user calls it; PyTorch is nn.Sequential +
 * autograd + torch.optim.SGD; TensorFlow.js is what its user writes, tf.sequential of
 * tf.layers.conv2d/maxPooling2d/flatten/dense + model.fit (`tfjs-cpu`, `tfjs-wasm`), and again
 * as the backpropagation written with tf ops and the backend's backward kernels (`tfjs-*-ops`).
 * TF.js's wasm backend has no Conv2DBackpropFilter kernel, so it cannot train this net either
 * way (recorded as skipped). The slow impls (our TypeScript backend, TF.js cpu) are timed on the
 * first SAMPLE_BATCHES batches and scaled to the epoch (said in their note), so the benchmark
 * finishes in minutes rather than quarter hours.
 */
import { oneHot } from "../src/data/transforms.js";
import { Conv2D } from "../src/nn/conv.js";
import { Dense } from "../src/nn/dense.js";
import { MaxPool2D } from "../src/nn/pool.js";
import { Flatten } from "../src/nn/reshape.js";
import { SGD } from "../src/optim/sgd.js";
import { zeros } from "../src/tensor/tensor.js";
import { Sequential } from "../src/train/sequential.js";
import { type BenchDigits, benchDigits, withDigitFiles } from "./digits.js";
import { type BenchContext, type Benchmark, type Measurement, measure, round3 } from "./harness.js";
import { fitEpoch, type Tf, tfOneHot } from "./peers/tfjs.js";

export interface CnnEpochWorkload {
  workload: string;
  n: number;
  side: number;
  conv1: number;
  conv2: number;
  hidden: number;
  classes: number;
  batch: number;
  learningRate: number;
  /** Forward, weight gradients (the same again) and input gradients of all but the first layer. */
  flops: number;
}

/** Batches timed for the slow impls (TF.js cpu needs seconds per batch): one warm-up call and one timed call. */
const SAMPLE_BATCHES = 5;

function cnnWorkload(n: number, conv1: number, conv2: number, hidden: number, batch: number): CnnEpochWorkload {
  const side = 28;
  const m1 = side - 4; // conv1 output side
  const p1 = m1 / 2;
  const m2 = p1 - 4;
  const p2 = m2 / 2;
  const conv1Macs = m1 * m1 * 25 * conv1;
  const conv2Macs = m2 * m2 * 25 * conv1 * conv2;
  const denseMacs = p2 * p2 * conv2 * hidden + hidden * 10;
  const forward = conv1Macs + conv2Macs + denseMacs;
  const flops = 2 * n * (2 * forward + conv2Macs + denseMacs);
  return { workload: `${n}x28x28/c${conv1}-c${conv2}-d${hidden}/b${batch}`, n, side, conv1, conv2, hidden, classes: 10, batch, learningRate: 0.01, flops };
}

export const cnnEpochWorkloads = (quick: boolean): CnnEpochWorkload[] => (quick ? [cnnWorkload(40, 4, 6, 16, 10)] : [cnnWorkload(10_000, 20, 50, 500, 100)]);

function buildOurs(w: CnnEpochWorkload): Sequential {
  const model = new Sequential(
    [
      new Conv2D({ filters: w.conv1, kernelSize: 5, inputShape: [w.side, w.side, 1] }),
      new MaxPool2D({ poolSize: 2 }),
      new Conv2D({ filters: w.conv2, kernelSize: 5 }),
      new MaxPool2D({ poolSize: 2 }),
      new Flatten(),
      new Dense(w.hidden, { activation: "relu" }),
      new Dense(w.classes, { activation: "softmax" }),
    ],
    { seed: 1 },
  );
  model.compile({ loss: "categoricalCrossentropy", optimizer: new SGD({ learningRate: w.learningRate }) });
  return model;
}

/** Times a whole epoch, or (slow impls) SAMPLE_BATCHES batches scaled to the epoch. */
async function timeEpoch(ctx: BenchContext, m: Measurement, w: CnnEpochWorkload, batches: (count: number) => unknown, slow: boolean): Promise<void> {
  const total = Math.ceil(w.n / w.batch);
  if (!slow || ctx.quick || total <= SAMPLE_BATCHES) {
    await ctx.time(m, () => batches(total));
    return;
  }
  const t = await measure(() => batches(SAMPLE_BATCHES), { ...ctx.measureOptions, repeats: 1 });
  const scale = total / SAMPLE_BATCHES;
  const median = t.median_s * scale;
  const note = `timed on the first ${SAMPLE_BATCHES} of ${total} batches, scaled to the epoch${m.note ? `; ${m.note}` : ""}`;
  ctx.emit({
    bench: ctx.bench,
    workload: m.workload,
    impl: m.impl,
    threads: m.threads,
    n: t.n,
    median_s: round3(median),
    min_s: round3(t.min_s * scale),
    gflops: round3(w.flops / median / 1e9),
    note,
  });
}

/**
 * Whether TF.js's current backend lacks a backward kernel this net needs (the wasm backend has
 * no Conv2DBackpropFilter), so neither model.fit nor hand-written backprop can train it; if so,
 * records the skip. Asking the kernel registry spares a failing first batch.
 */
function cannotTrain(ctx: BenchContext, tf: Tf, impl: string, workloads: CnnEpochWorkload[]): boolean {
  const backend = tf.getBackend();
  const missing = ["Conv2DBackpropFilter", "Conv2DBackpropInput", "MaxPoolGrad"].filter((k) => tf.getKernel(k, backend) === undefined);
  if (missing.length === 0) return false;
  for (const w of workloads) ctx.skip(impl, `cannot train this net: TF.js's ${backend} backend has no ${missing.join(", ")} kernel`, w.workload);
  return true;
}

export const cnnEpoch: Benchmark = {
  name: "cnn-epoch",
  description: "one SGD epoch of the LeNet-like net (conv 5x5x20, pool, conv 5x5x50, pool, dense 500, dense 10), batch 100, on 10,000 bundled digits",
  async run(ctx) {
    const workloads = cnnEpochWorkloads(ctx.quick);
    const data = new Map<CnnEpochWorkload, BenchDigits>();
    for (const w of workloads) data.set(w, await benchDigits(w.n));

    await ctx.forEachLayerwise(async ({ impl, threads, backend }) => {
      for (const w of workloads) {
        const d = data.get(w)!;
        const x = zeros([w.n, w.side, w.side, 1]).assign(d.x);
        const y = oneHot(d.labels, w.classes);
        const model = buildOurs(w);
        const run = (count: number) => {
          const rows = Math.min(w.n, count * w.batch);
          return model.fit(x.sliceRows(0, rows), y.sliceRows(0, rows), { epochs: 1, batchSize: w.batch, shuffle: false });
        };
        await timeEpoch(ctx, { workload: w.workload, impl, threads, flops: w.flops }, w, run, backend === "js");
      }
    });

    await ctx.forEachTfjs(async ({ tf, impl, threads, note }) => {
      if (cannotTrain(ctx, tf, impl, workloads)) return;
      for (const w of workloads) {
        const d = data.get(w)!;
        const x = tf.tensor4d(d.x, [w.n, w.side, w.side, 1]);
        const y = tfOneHot(tf, d.labels, w.classes);
        const model = tf.sequential({
          layers: [
            tf.layers.conv2d({ filters: w.conv1, kernelSize: 5, inputShape: [w.side, w.side, 1] }),
            tf.layers.maxPooling2d({ poolSize: 2 }),
            tf.layers.conv2d({ filters: w.conv2, kernelSize: 5 }),
            tf.layers.maxPooling2d({ poolSize: 2 }),
            tf.layers.flatten(),
            tf.layers.dense({ units: w.hidden, activation: "relu" }),
            tf.layers.dense({ units: w.classes, activation: "softmax" }),
          ],
        });
        model.compile({ optimizer: tf.train.sgd(w.learningRate), loss: "categoricalCrossentropy" });
        const batches = async (count: number): Promise<void> => {
          const rows = Math.min(w.n, count * w.batch);
          const [xs, ys] = rows === w.n ? [x, y] : [tf.slice(x, 0, rows), tf.slice(y, 0, rows)];
          await fitEpoch(model, xs, ys, w.batch)();
          if (xs !== x) tf.dispose([xs, ys]);
        };
        const m = { workload: w.workload, impl, threads, flops: w.flops, note: `${note}; tf.sequential + model.fit` };
        await timeEpoch(ctx, m, w, batches, impl === "tfjs-cpu");
        tf.dispose([x, y]);
        model.dispose();
      }
    });

    await ctx.forEachTfjs(async ({ tf, impl, threads, note }) => {
      if (cannotTrain(ctx, tf, impl, workloads)) return;
      type T4 = ReturnType<typeof tf.tensor4d>;
      type T2 = ReturnType<typeof tf.tensor2d>;
      // Backpropagation written out with tf ops and the backend's own backward kernels (the ones
      // autograd would dispatch), without the tape: the hand-written peer of before the fit rows.
      const kernel = (name: string, inputs: Record<string, T4>, attrs: Record<string, unknown>): T4 =>
        tf.engine().runKernel(name, inputs as never, attrs as never) as T4;
      const maxPoolGrad = (dy: T4, input: T4, output: T4): T4 => kernel("MaxPoolGrad", { dy, input, output }, { filterSize: 2, strides: 2, pad: "valid" });
      const filterGrad = (x: T4, dy: T4, filterShape: number[]): T4 =>
        kernel("Conv2DBackpropFilter", { x, dy }, { strides: 1, pad: "valid", dataFormat: "NHWC", filterShape });
      for (const w of workloads) {
        const d = data.get(w)!;
        const x = tf.tensor4d(d.x, [w.n, w.side, w.side, 1]);
        const y = tfOneHot(tf, d.labels, w.classes);
        const m1 = w.side - 4;
        const m2 = m1 / 2 - 4;
        const flat = (m2 / 2) ** 2 * w.conv2;
        const glorot = (shape: number[], fanIn: number, fanOut: number) => {
          const limit = Math.sqrt(6 / (fanIn + fanOut));
          return tf.variable(tf.randomUniform(shape, -limit, limit, "float32", 1));
        };
        const k1 = glorot([5, 5, 1, w.conv1], 25, 25 * w.conv1);
        const b1 = tf.variable(tf.zeros([w.conv1]));
        const k2 = glorot([5, 5, w.conv1, w.conv2], 25 * w.conv1, 25 * w.conv2);
        const b2 = tf.variable(tf.zeros([w.conv2]));
        const w3 = glorot([flat, w.hidden], flat, w.hidden);
        const b3 = tf.variable(tf.zeros([w.hidden]));
        const w4 = glorot([w.hidden, w.classes], w.hidden, w.classes);
        const b4 = tf.variable(tf.zeros([w.classes]));
        const vars = [k1, b1, k2, b2, w3, b3, w4, b4];
        const step = (start: number, size: number): void =>
          tf.tidy(() => {
            const xb = tf.slice(x, [start, 0, 0, 0], [size, w.side, w.side, 1]);
            const z1 = tf.add(tf.conv2d(xb, k1 as unknown as T4, 1, "valid"), b1) as T4;
            const p1 = tf.maxPool(z1, 2, 2, "valid");
            const z2 = tf.add(tf.conv2d(p1, k2 as unknown as T4, 1, "valid"), b2) as T4;
            const p2 = tf.maxPool(z2, 2, 2, "valid");
            const f = tf.reshape(p2, [size, flat]) as T2;
            const a3 = tf.relu(tf.add(tf.matMul(f, w3 as unknown as T2), b3)) as T2;
            const out = tf.softmax(tf.add(tf.matMul(a3, w4 as unknown as T2), b4)) as T2;
            // δ = dL/dz of the softmax output for the batch-mean cross-entropy
            const d4 = tf.div(tf.sub(out, tf.slice(y, [start, 0], [size, w.classes])), size) as T2;
            const da3 = tf.mul(tf.matMul(d4, w4 as unknown as T2, false, true), tf.step(a3)) as T2;
            const dp2 = tf.reshape(tf.matMul(da3, w3 as unknown as T2, false, true), p2.shape) as T4;
            const dz2 = maxPoolGrad(dp2, z2, p2);
            const dp1 = tf.conv2dTranspose(dz2, k2 as unknown as T4, p1.shape, 1, "valid");
            const dz1 = maxPoolGrad(dp1, z1, p1);
            const grads = [
              filterGrad(xb, dz1, k1.shape),
              tf.sum(dz1, [0, 1, 2]),
              filterGrad(p1, dz2, k2.shape),
              tf.sum(dz2, [0, 1, 2]),
              tf.matMul(f, da3, true, false),
              tf.sum(da3, 0),
              tf.matMul(a3, d4, true, false),
              tf.sum(d4, 0),
            ];
            vars.forEach((v, i) => {
              v.assign(tf.sub(v, tf.mul(grads[i], w.learningRate)));
            });
          });
        const batches = (count: number): void => {
          for (let b = 0; b < count; b++) step(b * w.batch, Math.min(w.batch, w.n - b * w.batch));
          k1.dataSync(); // waits for the last update, as reading the weights would
        };
        await timeEpoch(
          ctx,
          {
            workload: w.workload,
            impl,
            threads,
            flops: w.flops,
            note: `${note}; backprop with tf ops and the backend's MaxPoolGrad/Conv2DBackpropFilter kernels`,
          },
          w,
          batches,
          impl === "tfjs-cpu-ops",
        );
        tf.dispose([x, y, ...vars]);
      }
    }, "ops");

    await withDigitFiles("cnn-epoch", workloads, data, (peerWorkloads) => ctx.python("peers/cnn_epoch.py", "pytorch", "torch", { workloads: peerWorkloads }));
  },
};
