// The native backend (src/backend/native): how it loads and falls back, the checks that keep
// the addon from touching memory past an array, and one training epoch of an MLP, an RBM and
// LeNet agreeing with the TypeScript backend, and its kernels besides GEMM giving the WebAssembly
// backend's bits (both build src/backend/c/kernels.c). Its kernels are compared with TypeScript's
// one by one in backend-kernels.test.ts and backend.test.ts, which include it wherever it loads.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { binarize, Dense, lenetRelu, mnist, RBM, Rng, Sequential, SGD, setBackend, type Tensor } from "layerwise";
import type { ConvGeometry } from "../src/backend/backend.js";
import { type Backend, createBackend } from "../src/backend/index.js";
import { createNativeBackend, loadNativeAddon } from "../src/backend/native/index.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const loaded = loadNativeAddon();
/** Why the native cases cannot run here, or false when they can. */
const skip = "reason" in loaded ? `native addon not loadable: ${loaded.reason}` : false;
if (skip) console.log(`# skipping the native backend's tests: ${skip}`);

/** The backend choice a fresh process makes under `env`, as `layerwise info --json` reports it. */
function infoWith(env: Record<string, string>): { name: string; threads: number; notes: string[]; kernels?: string } {
  const script = 'import { main } from "./src/cli/main.ts"; process.exitCode = await main(["info", "--json"]);';
  const out = execFileSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
    cwd: root,
    env: { ...process.env, LAYERWISE_BACKEND: "", LAYERWISE_NATIVE_PATH: "", ...env },
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"], // a failure's stderr goes into the thrown error's message
  });
  return JSON.parse(out.trim().split("\n").pop() ?? "{}");
}

describe("loading and the fallback", () => {
  it("auto picks native in Node where the addon loads, and says which BLAS core runs", { skip }, () => {
    const info = infoWith({ LAYERWISE_THREADS: "1" });
    assert.equal(info.name, "native");
    assert.equal(info.threads, 1);
    assert.match(info.notes.join("\n"), /^addon .*prebuilds\/linux-x64\/layerwise\.node$|^addon .*layerwise\.node$/m);
    assert.match(info.kernels ?? "", /^OpenBLAS [\d.]+ core=\w+ \(OPENBLAS_CORETYPE (unset|=\w+)\); own kernels (avx512|avx2|sse2)$/);
  });
  it("with the binary hidden, auto falls back to wasm with one line saying why", () => {
    const info = infoWith({ LAYERWISE_NATIVE_PATH: join(root, "no-such-dir", "layerwise.node") });
    assert.equal(info.name, "wasm");
    const notes = info.notes.filter((n) => n.startsWith("native backend unavailable"));
    assert.equal(notes.length, 1, info.notes.join("\n"));
    assert.match(notes[0], /LAYERWISE_NATIVE_PATH=.*no-such-dir.*: file not found\); using the WebAssembly backend/);
  });
  it("a file that is not an addon is reported with its path and the loader's error", () => {
    const dir = mkdtempSync(join(tmpdir(), "layerwise-native-"));
    const fake = join(dir, "layerwise.node");
    writeFileSync(fake, "not a shared object");
    try {
      const info = infoWith({ LAYERWISE_NATIVE_PATH: fake });
      assert.equal(info.name, "wasm");
      assert.match(info.notes.join("\n"), /layerwise-native-\w+\/layerwise\.node did not load: .*(invalid ELF header|file too short)/);
    } finally {
      rmSync(dir, { recursive: true });
    }
  });
  it("LAYERWISE_BACKEND=native without the binary is an error naming the reason, not a silent fallback", () => {
    assert.throws(
      () => infoWith({ LAYERWISE_BACKEND: "native", LAYERWISE_NATIVE_PATH: join(root, "missing.node") }),
      /backend "native" is not available here: LAYERWISE_NATIVE_PATH=.*missing\.node: file not found/,
    );
  });
  it("rejects a bad thread count by name and range", { skip }, () => {
    for (const threads of [0, 65, 1.5]) {
      assert.throws(() => createBackend("native", { threads }), /native backend: threads must be an integer in \[1, 64\]/);
    }
  });
});

describe("the addon checks sizes before touching memory", () => {
  const b = createNativeBackend({ threads: 1 });
  it("gemm: operands too short for their shape", { skip }, () => {
    if (typeof b === "string") return;
    const a = new Float32Array(6);
    const c = new Float32Array(4);
    assert.throws(() => b.gemm(false, false, 2, 2, 4, 1, a, 4, a, 2, 0, c, 2), /a has 6 elements, the sizes given need 8/);
    assert.throws(() => b.gemm(false, true, 2, 2, 3, 1, a, 3, a, 2, 0, c, 2), /leading dimension is smaller than its row/);
    assert.throws(() => b.gemm(false, false, 2, 3, 3, 1, a, 3, new Float32Array(9), 3, 0, c, 3), /c has 4 elements, the sizes given need 6/);
  });
  it("element-wise, row and pooling kernels", { skip }, () => {
    if (typeof b === "string") return;
    assert.throws(() => b.unary("sigmoid", new Float32Array(5), new Float32Array(4)), /out has 4 elements, the sizes given need 5/);
    assert.throws(() => b.sumRows(new Float32Array(5), 2, 3, new Float32Array(3)), /x has 5 elements, the sizes given need 6/);
    assert.throws(() => b.maxPoolGrad(new Float32Array(2), new Int32Array([0, 9]), new Float32Array(4)), /an argmax lies outside dx/);
    assert.throws(() => b.lstmCell(...cellArrays([4, 4, 1, 1, 1, 4]), 2, 3), /has 24 elements, the sizes given need 30/);
  });
});

describe("one C source for both compiled backends", () => {
  it("every kernel besides GEMM gives the WebAssembly kernels' bits, on one thread and on two", { skip }, () => {
    const wasm = createBackend("wasm", { threads: 1, relaxedSimd: false });
    const natives = [1, 2].map((threads) => createNativeBackend({ threads })).filter((b) => typeof b !== "string");
    const rng = new Rng(1);
    const uniform = (n: number, scale: number) => Float32Array.from({ length: n }, () => (rng.nextFloat() * 2 - 1) * scale);
    const x = uniform(300_001, 40);
    const y = uniform(x.length, 2);
    const [rows, u] = [520, 257];
    const cell = { ax: uniform(rows * 4 * u, 6), ah: uniform(rows * 4 * u, 3), prev: uniform(rows * u, 3), dh: uniform(rows * u, 1), dc: uniform(rows * u, 1) };
    // LeNet's first layer (5x5, one channel, the im2col fast path) and a padded, strided 3x3 on 7 channels
    const geometries: ConvGeometry[] = [
      { batch: 30, inH: 28, inW: 28, channels: 1, kH: 5, kW: 5, strideH: 1, strideW: 1, padTop: 0, padLeft: 0, outH: 24, outW: 24 },
      { batch: 9, inH: 13, inW: 11, channels: 7, kH: 3, kW: 3, strideH: 2, strideW: 2, padTop: 1, padLeft: 1, outH: 7, outW: 6 },
    ];
    const run = (b: Backend): (Float32Array | Int32Array)[] => {
      const out = (n: number) => new Float32Array(n);
      const results: (Float32Array | Int32Array)[] = [];
      const logIn = x.map(Math.abs);
      for (const op of ["sigmoid", "tanh", "exp", "relu", "step", "square", "sqrt", "abs", "neg", "softplus"] as const) {
        const o = out(x.length);
        b.unary(op, op === "sqrt" ? logIn : x, o);
        results.push(o);
      }
      const logOut = out(x.length);
      b.unary("log", logIn, logOut);
      results.push(logOut);
      for (const op of ["add", "sub", "mul", "div", "max", "min"] as const) {
        const [full, row] = [out(x.length), out(300_000)];
        b.binary(op, x, y, full);
        b.binary(op, x.subarray(0, 300_000), y.subarray(0, 600), row);
        results.push(full, row);
      }
      for (const op of ["add", "mul", "rsub", "max", "min"] as const) {
        const o = out(x.length);
        b.scalar(op, x, 0.1, o);
        results.push(o);
      }
      for (const beta of [1, 0.9]) {
        const acc = y.slice();
        b.axpby(-0.01, x, beta, acc);
        results.push(acc);
      }
      for (const op of ["sigmoid", "tanh", "relu"] as const) {
        const o = out(x.length);
        b.activationGrad(op, y, x, o);
        results.push(o);
      }
      const [r, c] = [1000, 299];
      const [soft, sums, colSums, best] = [out(r * c), out(c), out(r), new Int32Array(r)];
      b.softmaxRows(x.subarray(0, r * c), r, c, soft);
      b.sumRows(x.subarray(0, r * c), r, c, sums);
      b.sumCols(x.subarray(0, r * c), r, c, colSums);
      b.argmaxRows(x.subarray(0, r * c), r, c, best);
      results.push(soft, sums, colSums, best);
      const [coin, draws] = [out(10_001), out(10_001)];
      b.bernoulli(y.subarray(0, 10_001).map(Math.abs), coin, new Rng(7));
      b.uniform(draws, new Rng(8));
      results.push(coin, draws);
      for (const g of geometries) {
        const image = g.inH * g.inW * g.channels;
        const pooled = g.batch * g.outH * g.outW * g.channels;
        const input = x.subarray(0, g.batch * image);
        const cols = out(g.batch * g.outH * g.outW * g.kH * g.kW * g.channels);
        const [dx, maxOut, argmax, dxMax, avgOut, dxAvg] = [
          out(input.length),
          out(pooled),
          new Int32Array(pooled),
          out(input.length),
          out(pooled),
          out(input.length),
        ];
        b.im2col(input, g, cols);
        b.col2im(cols, g, dx);
        b.maxPool(input, g, maxOut, argmax);
        b.maxPoolGrad(y.subarray(0, pooled), argmax, dxMax);
        b.avgPool(input, g, avgOut);
        b.avgPoolGrad(y.subarray(0, pooled), g, dxAvg);
        results.push(cols, dx, maxOut, argmax, dxMax, avgOut, dxAvg);
      }
      const [c1, h, cache, dax, dcPrev] = [u, u, 5 * u, 4 * u, u].map((w) => out(rows * w));
      b.lstmCell(cell.ax, cell.ah, cell.prev, c1, h, cache, rows, u);
      b.lstmCellGrad(cache, cell.prev, cell.dh, cell.dc, dax, dcPrev, rows, u);
      const [gh, gcache, gdax, gdah, gdhPrev] = [u, 4 * u, 3 * u, 3 * u, u].map((w) => out(rows * w));
      b.gruCell(cell.ax.subarray(0, rows * 3 * u), cell.ah.subarray(0, rows * 3 * u), cell.prev, gh, gcache, rows, u);
      b.gruCellGrad(gcache, cell.prev, cell.dh, gdax, gdah, gdhPrev, rows, u);
      results.push(c1, h, cache, dax, dcPrev, gh, gcache, gdax, gdah, gdhPrev);
      return results;
    };
    const want = run(wasm);
    wasm.dispose();
    for (const [t, b] of natives.entries()) {
      const joins = b.workerJoins;
      const got = run(b);
      assert.equal(got.length, want.length);
      for (const [k, g] of got.entries()) assert.deepEqual(g, want[k], `output ${k}, ${t + 1} thread(s)`);
      if (t === 1) assert.ok(b.workerJoins > joins, "a pool worker took part");
    }
  });
});

/** Arrays of 6·width[i] floats (n·u = 6). */
function cellArrays(width: number[]): [Float32Array, Float32Array, Float32Array, Float32Array, Float32Array, Float32Array] {
  const a = width.map((w) => new Float32Array(6 * w));
  return [a[0], a[1], a[2], a[3], a[4], a[5]];
}

/** Largest |a - b| over all parameters, and the largest |b| (the scale it is read against). */
function maxDiff(a: readonly Tensor[], b: readonly Tensor[]): { diff: number; scale: number } {
  let diff = 0;
  let scale = 0;
  a.forEach((t, i) => {
    const x = t.data;
    const y = b[i].data;
    for (let j = 0; j < x.length; j++) {
      diff = Math.max(diff, Math.abs(x[j] - y[j]));
      scale = Math.max(scale, Math.abs(y[j]));
    }
  });
  return { diff, scale };
}

/** The same seeded run on the TypeScript backend and on the native one (two threads). */
async function onBoth(run: () => Promise<Tensor[]>): Promise<{ diff: number; scale: number }> {
  setBackend("js");
  const want = await run();
  setBackend("native", { threads: 2 });
  try {
    return maxDiff(await run(), want);
  } finally {
    setBackend("js");
  }
}

describe("one training epoch agrees with the TypeScript backend", () => {
  it("MLP 784-64-10, SGD with momentum", { skip }, async () => {
    const { train } = await mnist.load({ limitTrain: 500, limitTest: 10 });
    const { diff, scale } = await onBoth(async () => {
      const mlp = new Sequential([new Dense(64, { activation: "sigmoid" }), new Dense(10, { activation: "softmax" })], { inputShape: [784], seed: 3 });
      mlp.compile({ loss: "categoricalCrossentropy", optimizer: new SGD({ learningRate: 0.1, momentum: 0.9 }) });
      await mlp.fit(train.images, train.oneHot, { epochs: 1, batchSize: 50, verbose: false });
      return mlp.getWeights();
    });
    assert.ok(diff < 1e-5 * Math.max(1, scale), `max |Δw| = ${diff} (|w| up to ${scale})`);
  });
  it("RBM 784-64, CD-1 (the same Bernoulli draws: the streams are identical)", { skip }, async () => {
    const { train } = await mnist.load({ limitTrain: 500, limitTest: 10 });
    const v = binarize(train.images);
    const { diff, scale } = await onBoth(async () => {
      const rbm = new RBM({ visible: 784, hidden: 64, cdSteps: 1, learningRate: 0.05, seed: 4 });
      await rbm.fit(v, { epochs: 1, batchSize: 50 });
      return [rbm.W, rbm.a, rbm.b];
    });
    assert.ok(diff < 1e-5 * Math.max(1, scale), `max |ΔW| = ${diff} (|W| up to ${scale})`);
  });
  it("LeNet (ReLU, max pooling), SGD with momentum", { skip }, async () => {
    const { train } = await mnist.load({ limitTrain: 200, limitTest: 10 });
    const { diff, scale } = await onBoth(async () => {
      const net = lenetRelu({ seed: 2, widths: [4, 8, 32, 16] });
      net.compile({ loss: "categoricalCrossentropy", optimizer: new SGD({ learningRate: 0.05, momentum: 0.9 }) });
      await net.fit(train.images.reshape([200, 28, 28, 1]), train.oneHot, { epochs: 1, batchSize: 50, verbose: false });
      return net.getWeights();
    });
    assert.ok(diff < 1e-5 * Math.max(1, scale), `max |Δw| = ${diff} (|w| up to ${scale})`);
  });
});
