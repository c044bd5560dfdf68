// The relaxed-SIMD kernel build (f32x4.relaxed_madd): chosen at load time where the runtime
// validates it, else the plain SIMD128 build. Node 20 has relaxed SIMD only behind
// --experimental-wasm-relaxed-simd (Node 22 and Chromium: on by default), so both paths run in
// child processes with the flag on and off.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { decodeBase64, relaxedSimdUnavailableReason, WasmBackend } from "../src/backend/wasm/index.js";
import { kernelsRelaxedSharedBase64, kernelsRelaxedSingleBase64 } from "../src/backend/wasm/kernels.generated.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const wasmDir = join(root, "src/backend/wasm");

/**
 * Runs in the child: the same GEMM (parallel size, transposed and edge shapes) and transcendental
 * kernels on the chosen build with 1 and 2 threads and on the plain build; prints what it saw.
 */
const CHILD = `
import { WasmBackend } from "./src/backend/wasm/index.ts";
import { kernelsRelaxedSharedBase64 } from "./src/backend/wasm/kernels.generated.ts";
import { decodeBase64 } from "./src/backend/wasm/index.ts";
let seed = 7;
const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32) * 2 - 1;
const [m, n, k] = [61, 70, 301];
const a = Float32Array.from({ length: m * k }, rand), b = Float32Array.from({ length: k * n }, rand);
const x = Float32Array.from({ length: 40000 }, () => 8 * rand());
async function run(options) {
  const be = new WasmBackend({ awaitHelpers: true, ...options });
  await be.ready();
  const A = be.alloc(m * k), B = be.alloc(k * n), C = be.alloc(m * n), D = be.alloc(m * n);
  A.set(a); B.set(b);
  be.gemm(false, false, m, n, k, 1, A, k, B, n, 0, C, n);
  be.gemm(true, false, m, n, k, 0.5, A, m, B, n, 0, D, n); // A read as k x m: another kernel path
  const out = { build: be.kernelBuild, kernels: be.info().kernels, joins: be.workerJoins, gemm: Array.from(C), gemmT: Array.from(D) };
  for (const op of ["sigmoid", "tanh", "exp", "log", "softplus"]) {
    const y = be.alloc(x.length);
    be.unary(op, op === "log" ? x.map(Math.abs) : x, y);
    out[op] = Array.from(y);
  }
  be.dispose();
  return out;
}
const relaxed1 = await run({ threads: 1 });
const relaxed2 = await run({ threads: 2 });
const plain = await run({ threads: 1, relaxedSimd: false });
const relaxedValidates = WebAssembly.validate(decodeBase64(kernelsRelaxedSharedBase64));
console.log(JSON.stringify({ relaxed1, relaxed2, plain, relaxedValidates, a: Array.from(a), b: Array.from(b), x: Array.from(x) }));
`;

interface Run {
  build: string;
  kernels?: string;
  joins: number;
  [kernel: string]: unknown;
}
interface ChildResult {
  relaxed1: Run;
  relaxed2: Run;
  plain: Run;
  relaxedValidates: boolean;
  a: number[];
  b: number[];
  x: number[];
}

function child(flag: string): ChildResult {
  const out = execFileSync(process.execPath, [flag, "--import", "tsx", "--input-type=module", "-e", CHILD], {
    cwd: root,
    encoding: "utf8",
    env: { ...process.env, LAYERWISE_RELAXED_SIMD: "" },
    maxBuffer: 64 << 20,
  });
  return JSON.parse(out) as ChildResult;
}

/** Largest |x - y| / bound over the elements. */
function worst(x: number[], y: number[], bound: (i: number) => number): number {
  assert.equal(x.length, y.length);
  let w = 0;
  for (let i = 0; i < x.length; i++) w = Math.max(w, Math.abs(x[i] - y[i]) / bound(i));
  return w;
}

describe("relaxed-SIMD kernel build", () => {
  it("the committed relaxed builds match kernels.generated.ts", () => {
    assert.deepEqual(decodeBase64(kernelsRelaxedSharedBase64), new Uint8Array(readFileSync(join(wasmDir, "kernels-relaxed-shared.wasm"))));
    assert.deepEqual(decodeBase64(kernelsRelaxedSingleBase64), new Uint8Array(readFileSync(join(wasmDir, "kernels-relaxed-single.wasm"))));
  });

  it("this process runs the build its runtime supports, and says which", () => {
    const be = new WasmBackend({ threads: 1 });
    const off = process.env.LAYERWISE_RELAXED_SIMD === "0"; // e.g. golden runs under Node 22+
    const expected = relaxedSimdUnavailableReason() === null && !off ? "relaxed-simd" : "simd128";
    assert.equal(be.kernelBuild, expected);
    assert.match(be.info().kernels ?? "", expected === "relaxed-simd" ? /^relaxed SIMD/ : /^plain SIMD128/);
    assert.equal(new WasmBackend({ threads: 1, relaxedSimd: false }).kernelBuild, "simd128");
  });

  it("with --experimental-wasm-relaxed-simd: relaxed build chosen, thread-count independent, within float32 tolerance of the plain build", () => {
    const r = child("--experimental-wasm-relaxed-simd");
    assert.ok(r.relaxedValidates);
    assert.equal(r.relaxed1.build, "relaxed-simd");
    assert.equal(r.relaxed2.build, "relaxed-simd");
    assert.equal(r.plain.build, "simd128");
    assert.match(r.relaxed1.kernels ?? "", /^relaxed SIMD/);
    assert.match(r.plain.kernels ?? "", /relaxed SIMD turned off/);
    assert.ok(r.relaxed2.joins > 0, "the worker joined the two-thread calls");
    for (const kernel of ["gemm", "gemmT", "sigmoid", "tanh", "exp", "log", "softplus"]) {
      // bit for bit the same on one and two threads
      assert.deepEqual(r.relaxed2[kernel], r.relaxed1[kernel], `${kernel}: 1 vs 2 threads`);
    }
    // GEMM: |fused - unfused| within the float32 error bound of a k-term dot product, k eps sum|a||b|
    const [m, n, k] = [61, 70, 301];
    const eps = 2 ** -24;
    const bound = (scale: number, aAt: (i: number, p: number) => number) => (e: number) => {
      const i = Math.floor(e / n);
      const j = e % n;
      let s = 0;
      for (let p = 0; p < k; p++) s += Math.abs(aAt(i, p) * r.b[p * n + j]);
      return 2 * k * eps * scale * s + 1e-30;
    };
    const gemm = r.relaxed1.gemm as number[];
    assert.ok(
      worst(
        gemm,
        r.plain.gemm as number[],
        bound(1, (i, p) => r.a[i * k + p]),
      ) <= 1,
    );
    assert.ok(
      worst(
        r.relaxed1.gemmT as number[],
        r.plain.gemmT as number[],
        bound(0.5, (i, p) => r.a[p * m + i]),
      ) <= 1,
    );
    // and the fused build really is another build: some GEMM result differs in its last bits
    assert.notDeepEqual(gemm, r.plain.gemm);
    for (const op of ["sigmoid", "tanh", "exp", "log", "softplus"]) {
      // polynomials with fused steps: a few float32 ulps apart, relative
      const got = worst(r.relaxed1[op] as number[], r.plain[op] as number[], (i) => 1e-6 * Math.max(Math.abs((r.plain[op] as number[])[i]), 1e-30));
      assert.ok(got <= 1, `${op}: relative difference ${got * 1e-6}`);
    }
  });

  it("with --no-experimental-wasm-relaxed-simd: the plain build, with a note saying why", () => {
    const r = child("--no-experimental-wasm-relaxed-simd");
    assert.equal(r.relaxedValidates, false);
    assert.equal(r.relaxed1.build, "simd128");
    assert.match(r.relaxed1.kernels ?? "", /^plain SIMD128 \(no relaxed SIMD here; Node 20 needs --experimental-wasm-relaxed-simd/);
    assert.deepEqual(r.relaxed1.gemm, r.plain.gemm);
    assert.deepEqual(r.relaxed2.gemm, r.plain.gemm);
  });

  it("LAYERWISE_RELAXED_SIMD accepts only 0 or 1, naming the variable", () => {
    const previous = process.env.LAYERWISE_RELAXED_SIMD;
    process.env.LAYERWISE_RELAXED_SIMD = "yes";
    try {
      assert.throws(() => new WasmBackend({ threads: 1 }), /LAYERWISE_RELAXED_SIMD must be 0 .* or 1 .*; got "yes"/);
    } finally {
      if (previous === undefined) delete process.env.LAYERWISE_RELAXED_SIMD;
      else process.env.LAYERWISE_RELAXED_SIMD = previous;
    }
  });
});
