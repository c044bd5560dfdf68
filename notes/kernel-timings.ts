// Diagnostic: times each kernel besides GEMM on one backend (fastest of 31 calls, µs: this VM is
// noisy, and the minimum is the stable statistic for an A/B), to compare
// kernel builds A/B: run it, swap the build (src/backend/wasm/kernels.generated.ts or the
// native prebuild), run it again. Usage: node --import tsx notes/kernel-timings.ts wasm|native [threads]
import { type Backend, createBackend, Rng } from "layerwise";

type ConvGeometry = Parameters<Backend["im2col"]>[1];

const [name = "wasm", threadArg = "1"] = process.argv.slice(2);
const b: Backend = createBackend(name as "wasm" | "native", { threads: Number(threadArg), relaxedSimd: false });
const rng = new Rng(1);
const data = (n: number, scale = 4) => {
  const x = b.alloc(n);
  for (let i = 0; i < n; i++) x[i] = (rng.nextFloat() * 2 - 1) * scale;
  return x;
};
const n = 1 << 20;
const [x, y, o] = [data(n), data(n), data(n)];
const pos = data(n).map(Math.abs);
function time(label: string, f: () => void): void {
  for (let i = 0; i < 3; i++) f();
  const t: number[] = [];
  for (let i = 0; i < 31; i++) {
    const s = process.hrtime.bigint();
    f();
    t.push(Number(process.hrtime.bigint() - s) / 1e3);
  }
  t.sort((p, q) => p - q);
  console.log(`${label.padEnd(34)} ${t[0].toFixed(0).padStart(8)} µs`);
}
for (const op of ["sigmoid", "tanh", "exp", "relu", "sqrt"] as const) time(`unary ${op} 1M`, () => b.unary(op, x, o));
time("unary sigmoid 1M in place", () => b.unary("sigmoid", o, o));
time("unary log 1M", () => b.unary("log", pos, o));
time("unary softplus 1M", () => b.unary("softplus", x, o));
time("binary add 1M", () => b.binary("add", x, y, o));
time("binary add 1M in place", () => b.binary("add", o, y, o));
time("binary add row 2000x500", () => b.binary("add", x.subarray(0, 1_000_000), y.subarray(0, 500), o.subarray(0, 1_000_000)));
time("scalar mul 1M", () => b.scalar("mul", x, 0.1, o));
time("axpby 1M", () => b.axpby(0.1, x, 0.9, o));
time("activationGrad sigmoid 1M", () => b.activationGrad("sigmoid", y, x, o));
time("activationGrad relu 1M", () => b.activationGrad("relu", y, x, o));
time("softmaxRows 1000x10", () => b.softmaxRows(x.subarray(0, 10_000), 1000, 10, o.subarray(0, 10_000)));
time("softmaxRows 100x1000", () => b.softmaxRows(x.subarray(0, 100_000), 100, 1000, o.subarray(0, 100_000)));
time("sumRows 100x500", () => b.sumRows(x.subarray(0, 50_000), 100, 500, o.subarray(0, 500)));
time("sumCols 1000x784", () => b.sumCols(x.subarray(0, 784_000), 1000, 784, o.subarray(0, 1000)));
const u = 128;
const rows = 100;
const [ax, ah, cp, c, h, cache, dh, dc, dax, dcp] = [4, 4, 1, 1, 1, 5, 1, 1, 4, 1].map((w) => data(rows * u * w));
time("lstmCell 100x128", () => b.lstmCell(ax, ah, cp, c, h, cache, rows, u));
time("lstmCellGrad 100x128", () => b.lstmCellGrad(cache, cp, dh, dc, dax, dcp, rows, u));
const lenet: ConvGeometry[] = [
  { batch: 100, inH: 28, inW: 28, channels: 1, kH: 5, kW: 5, strideH: 1, strideW: 1, padTop: 0, padLeft: 0, outH: 24, outW: 24 },
  { batch: 100, inH: 12, inW: 12, channels: 20, kH: 5, kW: 5, strideH: 1, strideW: 1, padTop: 0, padLeft: 0, outH: 8, outW: 8 },
];
for (const [i, g] of lenet.entries()) {
  const image = g.inH * g.inW * g.channels;
  const cols = b.alloc(g.batch * g.outH * g.outW * g.kH * g.kW * g.channels);
  const dx = b.alloc(g.batch * image);
  time(`im2col lenet${i + 1}`, () => b.im2col(x.subarray(0, g.batch * image), g, cols));
  time(`col2im lenet${i + 1}`, () => b.col2im(cols, g, dx));
}
const pool: ConvGeometry = { batch: 90, inH: 24, inW: 24, channels: 20, kH: 2, kW: 2, strideH: 2, strideW: 2, padTop: 0, padLeft: 0, outH: 12, outW: 12 };
const pooled = b.alloc(90 * 12 * 12 * 20);
const argmax = new Int32Array(pooled.length);
time("maxPool 90x24x24x20 /2", () => b.maxPool(x.subarray(0, 90 * 24 * 24 * 20), pool, pooled, argmax));
time("maxPoolGrad", () => b.maxPoolGrad(pooled, argmax, o.subarray(0, 90 * 24 * 24 * 20)));
time("bernoulli 1M", () => b.bernoulli(pos, o, new Rng(3)));
b.dispose();
