/**
 * `som-epoch`: one epoch of the batch SOM, a 20x20 rectangular map with a Gaussian neighbourhood
 * at radius 10, on 10,000 MNIST digits, as SOM.fit runs it: the winners of every digit (one
 * distance GEMM), the per-node sums, the fixed point W = (H S) / (H n) (one GEMM of the 400x400
 * neighbourhood matrix), then the epoch's quantisation and topographic errors (a second distance
 * pass, winners and runners-up). The peer is the same epoch vectorised in NumPy.
 */
import { SOM } from "../src/models/competitive/som.js";
import { fromArray } from "../src/tensor/tensor.js";
import { type BenchDigits, benchDigits, withDigitFiles } from "./digits.js";
import type { Benchmark } from "./harness.js";

interface SomWorkload {
  workload: string;
  n: number;
  rows: number;
  cols: number;
  radius: number;
  /** The two distance GEMMs and the neighbourhood GEMM. */
  flops: number;
}

function workload(n: number, rows: number, cols: number): SomWorkload {
  const m = rows * cols;
  return { workload: `${n} digits, ${rows}x${cols} map, batch`, n, rows, cols, radius: Math.max(rows, cols) / 2, flops: 2 * 2 * n * 784 * m + 2 * m * m * 784 };
}

export const somEpoch: Benchmark = {
  name: "som-epoch",
  description: "one batch-SOM epoch of a 20x20 map on 10,000 MNIST digits (winners, fixed point, both errors) vs NumPy",
  async run(ctx) {
    const w = ctx.quick ? workload(300, 4, 5) : workload(10000, 20, 20);
    const data = new Map<SomWorkload, BenchDigits>([[w, await benchDigits(w.n)]]);
    await ctx.forEachLayerwise(async ({ impl, threads }) => {
      const x = fromArray(data.get(w)!.x, [w.n, 784]);
      const som = new SOM({ grid: [w.rows, w.cols], mode: "batch", radius: w.radius, init: "samples", seed: 1 });
      som.fit(x, { epochs: 0 }); // the starting prototypes, outside the timing
      // each one-epoch fit runs at the starting radius: the same step every call
      await ctx.time({ ...w, impl, threads }, () => som.fit(x, { epochs: 1 }));
    });
    await withDigitFiles("som-epoch", [w], data, (peerWorkloads) => ctx.python("peers/som_epoch.py", "numpy", "numpy", { workloads: peerWorkloads }));
  },
};
