// Backends against a float64 reference and against each other: GEMM (all transposes, odd
// sizes, alpha/beta, strided and non-resident operands), bit-identical results across thread
// counts, identical random streams, the elementwise kernels the WASM backend overrides.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type Backend, createBackend } from "../src/backend/index.js";
import { JsBackend } from "../src/backend/js/index.js";
import { createNativeBackend } from "../src/backend/native/index.js";
import { WasmBackend } from "../src/backend/wasm/index.js";
import { Rng } from "../src/tensor/random.js";

const js = new JsBackend();
const wasm1 = new WasmBackend({ threads: 1 });
// awaitHelpers: each parallel call starts only once the worker has joined, so the thread
// bit-identity tests below really compare split work with unsplit work
const wasm2 = new WasmBackend({ threads: 2, awaitHelpers: true });
const wasmPlain = new WasmBackend({ threads: 2, sharedMemory: false });
// the native backend joins where its addon loads (test/backend-native.test.ts says why not)
const native = createNativeBackend({ threads: 2 });
const all: [string, Backend][] = [
  ["js", js],
  ["wasm threads=1", wasm1],
  ["wasm threads=2", wasm2],
  ["wasm plain memory", wasmPlain],
  ...(typeof native === "string" ? [] : [["native threads=2", native] as [string, Backend]]),
];

before(async () => {
  await wasm2.ready();
  assert.equal(wasm2.activeThreads, 2, "the worker must have started");
});
after(() => {
  for (const [, b] of all) b.dispose();
});

function randomArray(backend: Backend | null, n: number, rng: Rng): Float32Array {
  const x = backend === null ? new Float32Array(n) : backend.alloc(n);
  for (let i = 0; i < n; i++) x[i] = rng.nextFloat() * 2 - 1;
  return x;
}

interface GemmCase {
  transA: boolean;
  transB: boolean;
  m: number;
  n: number;
  k: number;
  alpha: number;
  beta: number;
}

/** C = alpha op(A) op(B) + beta C in float64, and the bound Σ|alpha a b| + |beta c| for the tolerance. */
function reference(t: GemmCase, a: Float32Array, lda: number, b: Float32Array, ldb: number, c: Float32Array, ldc: number) {
  const out = new Float64Array(t.m * t.n);
  const scale = new Float64Array(t.m * t.n);
  for (let i = 0; i < t.m; i++)
    for (let j = 0; j < t.n; j++) {
      let s = 0;
      let abs = 0;
      for (let p = 0; p < t.k; p++) {
        const x = t.transA ? a[p * lda + i] : a[i * lda + p];
        const y = t.transB ? b[j * ldb + p] : b[p * ldb + j];
        s += x * y;
        abs += Math.abs(x * y);
      }
      const old = t.beta === 0 ? 0 : t.beta * c[i * ldc + j];
      out[i * t.n + j] = t.alpha * s + old;
      scale[i * t.n + j] = Math.abs(t.alpha) * abs + Math.abs(old);
    }
  return { out, scale };
}

/** Runs one GEMM case on `backend` with operands from `place` and checks it against float64. */
function checkGemm(backend: Backend, t: GemmCase, resident: boolean, pad = 0): void {
  const rng = new Rng(t.m * 1000 + t.n * 10 + t.k);
  const store = resident ? backend : null;
  const [ar, ac] = t.transA ? [t.k, t.m] : [t.m, t.k];
  const [br, bc] = t.transB ? [t.n, t.k] : [t.k, t.n];
  // row strides larger than the row when pad > 0: the operands are sub-matrices
  const lda = ac + pad;
  const ldb = bc + pad;
  const ldc = t.n + pad;
  const a = randomArray(store, Math.max(0, (ar - 1) * lda + ac), rng);
  const b = randomArray(store, Math.max(0, (br - 1) * ldb + bc), rng);
  const c = randomArray(store, (t.m - 1) * ldc + t.n, rng);
  if (t.beta === 0) c.fill(Number.NaN); // beta = 0 overwrites: old NaNs must not leak
  const before = Float32Array.from(c);
  const { out, scale } = reference(t, a, lda, b, ldb, before, ldc);
  backend.gemm(t.transA, t.transB, t.m, t.n, t.k, t.alpha, a, lda, b, ldb, t.beta, c, ldc);
  const eps = 2 ** -23;
  for (let i = 0; i < t.m; i++)
    for (let j = 0; j < t.n; j++) {
      const got = c[i * ldc + j];
      const want = out[i * t.n + j];
      const tol = 2 * (t.k + 2) * eps * scale[i * t.n + j] + 1e-30;
      if (!(Math.abs(got - want) <= tol)) {
        assert.fail(`${backend.name} ${JSON.stringify(t)} C[${i},${j}] = ${got}, want ${want} (tol ${tol})`);
      }
    }
  // padding between rows of C is not touched
  for (let i = 0; i + 1 < t.m; i++) for (let j = t.n; j < ldc; j++) assert.equal(Object.is(c[i * ldc + j], before[i * ldc + j]), true, "gemm wrote outside C");
}

const shapes: [number, number, number][] = [
  [1, 1, 1],
  [3, 7, 5],
  [101, 129, 257],
  [4, 8, 16],
  [13, 17, 19],
  [9, 31, 2],
  [65, 3, 40],
];
const scalings: [number, number][] = [
  [1, 0],
  [0.5, -1.5],
  [-2, 1],
];

describe("gemm equals a float64 reference", () => {
  for (const [name, backend] of all) {
    it(`${name}: all transposes, odd sizes, alpha/beta`, () => {
      for (const [m, n, k] of shapes)
        for (const transA of [false, true])
          for (const transB of [false, true]) for (const [alpha, beta] of scalings) checkGemm(backend, { transA, transB, m, n, k, alpha, beta }, true);
    });
    it(`${name}: non-resident and strided operands`, () => {
      for (const transA of [false, true])
        for (const transB of [false, true]) {
          checkGemm(backend, { transA, transB, m: 37, n: 23, k: 29, alpha: 1, beta: 0.5 }, false, 3);
          checkGemm(backend, { transA, transB, m: 37, n: 23, k: 29, alpha: 1, beta: 0 }, true, 5);
        }
    });
    it(`${name}: k = 0 and alpha = 0 scale C by beta`, () => {
      checkGemm(backend, { transA: false, transB: false, m: 5, n: 6, k: 0, alpha: 1, beta: 0.25 }, true);
      checkGemm(backend, { transA: false, transB: false, m: 5, n: 6, k: 0, alpha: 1, beta: 0 }, true);
      checkGemm(backend, { transA: false, transB: true, m: 5, n: 6, k: 7, alpha: 0, beta: 2 }, true);
    });
  }
  it("wasm: a subarray view of wasm memory and an unrelated array mixed in one call", () => {
    const rng = new Rng(5);
    const big = randomArray(wasm2, 40 * 50 + 7, rng);
    const a = big.subarray(7); // resident, odd offset
    const b = randomArray(null, 50 * 33, rng);
    const c1 = wasm2.alloc(40 * 33);
    const c2 = new Float32Array(40 * 33);
    wasm2.gemm(false, false, 40, 33, 50, 1, a, 50, b, 33, 0, c1, 33);
    js.gemm(false, false, 40, 33, 50, 1, a, 50, b, 33, 0, c2, 33);
    for (let i = 0; i < c1.length; i++) assert.ok(Math.abs(c1[i] - c2[i]) <= 1e-5, `C[${i}] = ${c1[i]} vs ${c2[i]}`);
  });
  it("wasm: rejects operands too short for their shape instead of touching other memory", () => {
    const a = wasm1.alloc(6);
    const c = wasm1.alloc(4);
    assert.throws(() => wasm1.gemm(false, false, 2, 2, 4, 1, a, 4, a, 2, 0, c, 2), /A is 2x4/);
    assert.throws(() => wasm1.gemm(false, true, 2, 2, 3, 1, a, 3, a, 2, 0, c, 2), /row stride 2/);
  });
});

describe("gemm is bit-identical for any thread count", () => {
  const cases: [number, number, number][] = [
    [101, 129, 257], // splits along n
    [300, 20, 257], // splits along m
    [100, 500, 784],
    [64, 64, 64],
    [2, 700, 400], // the direct path for a few rows
  ];
  for (const [m, n, k] of cases)
    it(`${m}x${k}@${k}x${n}, all transposes, beta 0 and 0.5`, () => {
      for (const transA of [false, true])
        for (const transB of [false, true])
          for (const beta of [0, 0.5]) {
            const rng = new Rng(m + n + k);
            const a = randomArray(wasm2, m * k, rng);
            const b = randomArray(wasm2, k * n, rng);
            const c0 = randomArray(wasm2, m * n, rng);
            const c1 = wasm1.alloc(m * n);
            const c2 = wasm2.alloc(m * n);
            c1.set(c0);
            c2.set(c0);
            const lda = transA ? m : k;
            const ldb = transB ? k : n;
            wasm1.gemm(transA, transB, m, n, k, 0.75, a, lda, b, ldb, beta, c1, n);
            wasm2.gemm(transA, transB, m, n, k, 0.75, a, lda, b, ldb, beta, c2, n);
            assert.deepEqual(new Uint32Array(c2.buffer, c2.byteOffset, c2.length), new Uint32Array(c1.buffer, c1.byteOffset, c1.length));
          }
    });
});

describe("a few rows compute the same bits as the same rows inside a batch", () => {
  it("m = 1, 2 (the direct path), 3 vs m = 9 (the tiled path), with and without transA", () => {
    const rng = new Rng(23);
    const [n, k] = [301, 517];
    const a = randomArray(wasm2, 9 * k, rng);
    const aT = wasm2.alloc(k * 9);
    for (let i = 0; i < 9; i++) for (let p = 0; p < k; p++) aT[p * 9 + i] = a[i * k + p];
    const b = randomArray(wasm2, k * n, rng);
    for (const backend of [wasm1, wasm2]) {
      const c0 = randomArray(null, 9 * n, rng);
      const batch = Float32Array.from(c0);
      backend.gemm(false, false, 9, n, k, 0.5, a, k, b, n, 0.25, batch, n);
      for (const m of [1, 2, 3]) {
        const c = Float32Array.from(c0.subarray(0, m * n));
        backend.gemm(false, false, m, n, k, 0.5, a, k, b, n, 0.25, c, n);
        assert.deepEqual(c, batch.subarray(0, m * n));
        const cT = Float32Array.from(c0.subarray(0, m * n));
        backend.gemm(true, false, m, n, k, 0.5, aT, 9, b, n, 0.25, cT, n);
        assert.deepEqual(cT, batch.subarray(0, m * n));
      }
    }
  });
});

describe("worker threads take part", () => {
  it("a worker joins large calls (and the result is still right)", () => {
    const rng = new Rng(17);
    const [m, n, k] = [200, 300, 400];
    const a = randomArray(wasm2, m * k, rng);
    const b = randomArray(wasm2, k * n, rng);
    const c = wasm2.alloc(m * n);
    const want = new Float32Array(m * n);
    wasm1.gemm(false, false, m, n, k, 1, a, k, b, n, 0, want, n);
    const before = wasm2.workerJoins;
    // a worker joins when the OS runs it in time; on a loaded machine that can take a few calls
    for (let i = 0; i < 500 && wasm2.workerJoins === before; i++) wasm2.gemm(false, false, m, n, k, 1, a, k, b, n, 0, c, n);
    assert.ok(wasm2.workerJoins > before, "no worker joined in 500 calls");
    assert.deepEqual(c, want);
  });
});

describe("random streams are identical across backends and thread counts", () => {
  for (const n of [1, 7, 1000, 4099]) {
    it(`uniform and bernoulli, n = ${n}`, () => {
      const results = all.map(([, backend]) => {
        const rng = new Rng(42);
        const u = backend.alloc(n);
        backend.uniform(u, rng);
        const p = new Float32Array(n).map((_, i) => (i % 11) / 10);
        const bits = new Float32Array(n); // not resident: staged
        backend.bernoulli(p, bits, rng);
        return { u: Array.from(u), bits: Array.from(bits), next: rng.nextUint32() };
      });
      const ref = new Rng(42);
      const want = Array.from({ length: n }, () => ref.nextFloat());
      assert.deepEqual(results[0].u, want);
      for (const r of results.slice(1)) assert.deepEqual(r, results[0]);
    });
  }
  it("in-place bernoulli (out === p)", () => {
    for (const [, backend] of all) {
      const p = backend.alloc(100).fill(0.5);
      backend.bernoulli(p, p, new Rng(3));
      const q = new Float32Array(100).fill(0.5);
      js.bernoulli(q, q, new Rng(3));
      assert.deepEqual(Array.from(p), Array.from(q));
    }
  });
});

describe("wasm elementwise kernels equal the TypeScript backend", () => {
  const special = [0, -0, 1e-30, -1e-30, 1e-8, 0.3, -0.3, 0.62, 0.63, 1, -1, 5, -5, 9, 20, -20, 50, -87, -88.5, 88, 88.7, 89, -104, 100, -100, 1e6, -1e6];
  const inputs = (n: number): Float32Array => {
    const rng = new Rng(n);
    const x = new Float32Array(n);
    for (let i = 0; i < n; i++) x[i] = i < special.length ? special[i] : (rng.nextFloat() - 0.5) * 40;
    return x;
  };
  for (const op of ["sigmoid", "tanh", "exp"] as const) {
    it(`${op}: relative error below 2e-6 (and NaN/inf behave alike)`, () => {
      for (const n of [special.length, 1003, 70001]) {
        const x = inputs(n);
        if (n === special.length) x.set([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY], 0);
        const want = new Float32Array(n);
        js.unary(op, x, want);
        for (const backend of [wasm1, wasm2, wasmPlain]) {
          const got = backend.alloc(n);
          backend.unary(op, x, got);
          for (let i = 0; i < n; i++) {
            const ok = Object.is(got[i], want[i]) || Math.abs(got[i] - want[i]) <= 2e-6 * Math.abs(want[i]) + 1e-37;
            if (!ok) assert.fail(`${op}(${x[i]}) = ${got[i]}, want ${want[i]}`);
          }
          const inPlace = Float32Array.from(x);
          backend.unary(op, inPlace, inPlace);
          assert.deepEqual(inPlace, got, "in place gives the same values");
        }
      }
    });
  }
  for (const op of ["add", "mul"] as const) {
    it(`${op}: bit-identical, full and row-broadcast, in place`, () => {
      const rng = new Rng(9);
      for (const [rows, cols] of [
        [1, 1],
        [3, 7],
        [100, 500],
        [300, 500],
      ]) {
        const a = randomArray(wasm2, rows * cols, rng);
        const full = randomArray(null, rows * cols, rng);
        const row = randomArray(wasm2, cols, rng);
        for (const b of [full, row]) {
          const want = new Float32Array(rows * cols);
          js.binary(op, a, b, want);
          for (const backend of [wasm1, wasm2, wasmPlain]) {
            const got = backend.alloc(rows * cols);
            backend.binary(op, a, b, got);
            assert.deepEqual(got, want);
            const inPlace = Float32Array.from(a);
            backend.binary(op, inPlace, b, inPlace);
            assert.deepEqual(inPlace, want);
          }
        }
      }
    });
  }
  it("axpby: bit-identical for beta = 1 and general beta", () => {
    const rng = new Rng(11);
    for (const n of [5, 1001, 200003]) {
      const x = randomArray(wasm2, n, rng);
      const y0 = randomArray(null, n, rng);
      for (const [alpha, beta] of [
        [0.1, 1],
        [-0.37, 0.9],
        [3, 0],
      ]) {
        const want = Float32Array.from(y0);
        js.axpby(alpha, x, beta, want);
        for (const backend of [wasm1, wasm2, wasmPlain]) {
          const y = backend.alloc(n);
          y.set(y0);
          backend.axpby(alpha, x, beta, y);
          assert.deepEqual(y, want);
        }
      }
    }
  });
  it("ops the wasm backend does not override are inherited", () => {
    const x = wasm1.alloc(4);
    x.set([-1, 0, 2, -3]);
    const out = wasm1.alloc(4);
    wasm1.unary("sign", x, out);
    assert.deepEqual(Array.from(out), [-1, 0, 1, -1]);
    wasm1.scalar("pow", x, 2, out);
    assert.deepEqual(Array.from(out), [1, 0, 4, 9]);
    const idx = new Int32Array(4);
    wasm1.argmaxRows(x, 2, 2, idx);
    assert.deepEqual(Array.from(idx.subarray(0, 2)), [1, 0]);
  });
});

describe("backend selection and info", () => {
  it("createBackend names the backend and reports threads", () => {
    const b = createBackend("wasm", { threads: 1 });
    const info = b.info();
    assert.equal(info.name, "wasm");
    assert.equal(info.simd, true);
    assert.equal(info.threads, 1);
    b.dispose();
    assert.equal(createBackend("js").info().name, "js");
  });
  it("plain memory runs one thread and says so", () => {
    const info = wasmPlain.info();
    assert.equal(info.threads, 1);
    assert.match(info.notes.join("\n"), /one thread/);
  });
  it("rejects a bad thread count by name", () => {
    assert.throws(() => new WasmBackend({ threads: 0 }), /threads must be an integer in \[1, 64\]/);
  });
});
