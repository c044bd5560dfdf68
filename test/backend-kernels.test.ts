// The WASM and native kernels beyond GEMM against the TypeScript reference backend: unary ops, binary and
// scalar ops, activation gradients, reductions, softmax, im2col/col2im and pooling. Bitwise
// where the TypeScript result is one rounded operation (or a fixed sequence of them), within a
// tolerance for the float polynomials (log, softplus, softmax). Every case runs on one thread,
// two threads (bit-identical to one), plain memory, and with inputs outside wasm memory, at odd
// sizes and at sizes large enough for the workers to join.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { ActivationGradOp, Backend, BinaryOp, ConvGeometry, ScalarOp, UnaryOp } from "../src/backend/backend.js";
import { JsBackend } from "../src/backend/js/index.js";
import { createNativeBackend } from "../src/backend/native/index.js";
import { WasmBackend } from "../src/backend/wasm/index.js";
import { Rng } from "../src/tensor/random.js";

const js = new JsBackend();
const wasm1 = new WasmBackend({ threads: 1 });
const wasm2 = new WasmBackend({ threads: 2, awaitHelpers: true });
const wasmPlain = new WasmBackend({ threads: 1, sharedMemory: false });
// the native backend joins every comparison where its addon loads (test/backend-native.test.ts says why not)
const native = createNativeBackend({ threads: 2 });
const wasms: [string, Backend][] = [
  ["threads=1", wasm1],
  ["threads=2", wasm2],
  ["plain memory", wasmPlain],
  ...(typeof native === "string" ? [] : [["native", native] as [string, Backend]]),
];

before(async () => {
  await wasm2.ready();
  assert.equal(wasm2.activeThreads, 2, "the worker must have started");
});
after(() => {
  for (const [, b] of wasms) b.dispose();
});

const SPECIAL = [
  0, -0, 1e-30, -1e-30, 1e-40, -1e-40, 1e-8, 0.3, -0.3, 0.5, 1, -1, 2, 5, -5, 17, -17, 20, -20, 50, -87, -88.5, 88, 89, -104, 100, -100, 1e6, -1e6,
];
const NAN_INF = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY];

/** n values: the special ones first (with NaN/±inf when asked), then uniform in (-scale, scale). */
function values(n: number, seed: number, scale = 20, specials = true): Float32Array {
  const rng = new Rng(seed);
  const x = new Float32Array(n);
  const head = specials ? [...NAN_INF, ...SPECIAL] : [];
  for (let i = 0; i < n; i++) x[i] = i < head.length ? head[i] : (rng.nextFloat() * 2 - 1) * scale;
  return x;
}

/** The same values in storage of `b` (resident in wasm memory) or in a plain array (staged). */
function place(b: Backend, x: Float32Array, resident: boolean): Float32Array {
  const out = resident ? b.alloc(x.length) : new Float32Array(x.length);
  out.set(x);
  return out;
}

/** Bitwise equal, except that any NaN equals any NaN (engines may canonicalise NaN payloads). */
function assertBits(got: ArrayLike<number>, want: ArrayLike<number>, what: string): void {
  assert.equal(got.length, want.length, `${what}: length`);
  for (let i = 0; i < want.length; i++) {
    if (Object.is(got[i], want[i]) || (Number.isNaN(got[i]) && Number.isNaN(want[i]))) continue;
    assert.fail(`${what}: [${i}] = ${got[i]}, want ${want[i]}`);
  }
}

function assertClose(got: ArrayLike<number>, want: ArrayLike<number>, rel: number, abs: number, what: string, input?: ArrayLike<number>): void {
  assert.equal(got.length, want.length, `${what}: length`);
  for (let i = 0; i < want.length; i++) {
    if (Object.is(got[i], want[i]) || (Number.isNaN(got[i]) && Number.isNaN(want[i]))) continue;
    if (Math.abs(got[i] - want[i]) <= rel * Math.abs(want[i]) + abs) continue;
    assert.fail(`${what}: [${i}]${input ? ` (input ${input[i]})` : ""} = ${got[i]}, want ${want[i]}`);
  }
}

/** Runs `run` on every wasm backend, with resident and with staged operands, and checks each result. */
function eachWasm(check: (got: Float32Array, label: string) => void, run: (b: Backend, resident: boolean) => Float32Array): void {
  for (const [name, b] of wasms)
    for (const resident of [true, false]) {
      if (!resident && name === "plain memory") continue; // everything is staged there anyway
      check(run(b, resident), `${name}${resident ? "" : ", staged"}`);
    }
}

const SIZES = [1, 3, 7, 33, 1001, 140_003];

describe("unary kernels", () => {
  const exact: UnaryOp[] = ["relu", "step", "square", "sqrt", "abs", "neg"];
  for (const op of exact) {
    it(`${op}: bit-identical to TypeScript, in place too`, () => {
      for (const n of SIZES) {
        const x = values(n, n, 20, n > 40);
        const want = new Float32Array(n);
        js.unary(op, x, want);
        eachWasm(
          (got, label) => assertBits(got, want, `${op} n=${n} ${label}`),
          (b, resident) => {
            const out = resident ? b.alloc(n) : new Float32Array(n);
            b.unary(op, place(b, x, resident), out);
            return out;
          },
        );
        const inPlace = place(wasm2, x, true);
        wasm2.unary(op, inPlace, inPlace);
        assertBits(inPlace, want, `${op} in place`);
      }
    });
  }
  for (const [op, scale] of [
    ["log", 1e3],
    ["softplus", 30],
  ] as const) {
    it(`${op}: relative error below 2e-6 (NaN, ±inf, 0, subnormals alike)`, () => {
      for (const n of [...SIZES, 40_000]) {
        const x = values(n, 7 * n, scale, n > 40);
        if (op === "log") for (let i = 0; i < n; i += 3) x[i] = Math.abs(x[i]) * (i % 2 ? 1e-30 : 1); // mostly positive, some tiny
        const want = new Float32Array(n);
        js.unary(op, x, want);
        eachWasm(
          // subnormal results carry only a few significant bits: allow one subnormal step there
          (got, label) => assertClose(got, want, 2e-6, 2e-45, `${op} n=${n} ${label}`, x),
          (b, resident) => {
            const out = resident ? b.alloc(n) : new Float32Array(n);
            b.unary(op, place(b, x, resident), out);
            return out;
          },
        );
      }
    });
  }
  it("log and softplus are bit-identical across thread counts", () => {
    const x = values(300_001, 5, 40, false);
    for (const op of ["log", "softplus", "relu"] as const) {
      const a = wasm1.alloc(x.length);
      const b = wasm2.alloc(x.length);
      wasm1.unary(op, x, a);
      const joins = wasm2.workerJoins;
      wasm2.unary(op, x, b);
      assert.ok(wasm2.workerJoins > joins, "the worker joined");
      assertBits(b, a, op);
    }
  });
});

describe("binary, scalar and activation-gradient kernels", () => {
  const shapes: [number, number][] = [
    [1, 1],
    [3, 7],
    [5, 13],
    [100, 500],
    [300, 500],
  ];
  for (const op of ["sub", "div", "max", "min", "add", "mul"] as BinaryOp[]) {
    it(`binary ${op}: bit-identical, full and row-broadcast`, () => {
      for (const [rows, cols] of shapes) {
        const a = values(rows * cols, rows + cols, 10, rows * cols > 40);
        const full = values(rows * cols, rows * cols, 10, false);
        const row = values(cols, cols + 1, 10, false);
        if (cols > 3) row[2] = 0; // division by zero
        for (const b of [full, row]) {
          const want = new Float32Array(rows * cols);
          js.binary(op, a, b, want);
          eachWasm(
            (got, label) => assertBits(got, want, `${op} ${rows}x${cols} ${label}`),
            (be, resident) => {
              const out = resident ? be.alloc(rows * cols) : new Float32Array(rows * cols);
              be.binary(op, place(be, a, resident), place(be, b, resident), out);
              return out;
            },
          );
        }
      }
    });
  }
  for (const op of ["add", "mul", "rsub", "max", "min", "pow"] as ScalarOp[]) {
    it(`scalar ${op}: bit-identical for scalars that are not floats`, () => {
      for (const n of SIZES)
        for (const s of [0.01, -3, 1 / 3, 0]) {
          const x = values(n, n + 3, 10, n > 40);
          const want = new Float32Array(n);
          js.scalar(op, x, s, want);
          eachWasm(
            (got, label) => assertBits(got, want, `${op} ${s} n=${n} ${label}`),
            (b, resident) => {
              const out = resident ? b.alloc(n) : new Float32Array(n);
              b.scalar(op, place(b, x, resident), s, out);
              return out;
            },
          );
        }
    });
  }
  for (const op of ["sigmoid", "tanh", "relu"] as ActivationGradOp[]) {
    it(`activationGrad ${op}: bit-identical`, () => {
      for (const n of SIZES) {
        const y = values(n, n + 5, 1, n > 40);
        if (op === "sigmoid") for (let i = 0; i < n; i++) y[i] = Number.isFinite(y[i]) ? Math.abs(y[i]) % 1 : y[i];
        const dy = values(n, n + 6, 3, false);
        const want = new Float32Array(n);
        js.activationGrad(op, y, dy, want);
        eachWasm(
          (got, label) => assertBits(got, want, `${op}' n=${n} ${label}`),
          (b, resident) => {
            const out = resident ? b.alloc(n) : new Float32Array(n);
            b.activationGrad(op, place(b, y, resident), place(b, dy, resident), out);
            return out;
          },
        );
      }
    });
  }
});

describe("reductions and softmax", () => {
  const shapes: [number, number][] = [
    [1, 1],
    [1, 9],
    [9, 1],
    [7, 13],
    [100, 10],
    [100, 500],
    [57_600, 20],
    [600, 700],
  ];
  it("sumRows: bit-identical (float32 adds in row order)", () => {
    for (const [rows, cols] of shapes) {
      const x = values(rows * cols, rows, 1, false);
      const want = new Float32Array(cols);
      js.sumRows(x, rows, cols, want);
      eachWasm(
        (got, label) => assertBits(got, want, `sumRows ${rows}x${cols} ${label}`),
        (b, resident) => {
          const out = resident ? b.alloc(cols) : new Float32Array(cols);
          b.sumRows(place(b, x, resident), rows, cols, out);
          return out;
        },
      );
    }
  });
  it("argmaxRows: the same column as TypeScript (the first largest; ties, NaN and ±inf included)", () => {
    for (const [rows, cols] of shapes) {
      const x = values(rows * cols, rows + 7, 3, true).map((v) => Math.round(v)); // rounding makes ties
      const want = new Int32Array(rows);
      js.argmaxRows(x, rows, cols, want);
      eachWasm(
        (got, label) => assertBits(got, Float32Array.from(want), `argmaxRows ${rows}x${cols} ${label}`),
        (b, resident) => {
          const out = new Int32Array(rows);
          b.argmaxRows(place(b, x, resident), rows, cols, out);
          return Float32Array.from(out);
        },
      );
    }
  });
  it("sumCols: equal to the double-precision sum, rounded", () => {
    for (const [rows, cols] of shapes) {
      const x = values(rows * cols, cols, 1, false);
      const want = new Float32Array(rows);
      js.sumCols(x, rows, cols, want);
      eachWasm(
        (got, label) => assertClose(got, want, 1e-6, 1e-12 * cols, `sumCols ${rows}x${cols} ${label}`),
        (b, resident) => {
          const out = resident ? b.alloc(rows) : new Float32Array(rows);
          b.sumCols(place(b, x, resident), rows, cols, out);
          return out;
        },
      );
    }
  });
  it("softmaxRows: within 2e-6 relative, rows sum to 1", () => {
    for (const [rows, cols] of shapes) {
      const x = values(rows * cols, rows * 3 + cols, 15, false);
      if (rows * cols > 20) x.set([1e30, -1e30, 88, -88], 0); // extreme logits in the first row
      const want = new Float32Array(rows * cols);
      js.softmaxRows(x, rows, cols, want);
      eachWasm(
        (got, label) => {
          assertClose(got, want, 2e-6, 1e-30, `softmax ${rows}x${cols} ${label}`);
          for (let r = 0; r < Math.min(rows, 50); r++) {
            let s = 0;
            for (let j = 0; j < cols; j++) s += got[r * cols + j];
            assert.ok(Math.abs(s - 1) < 1e-5, `row ${r} sums to ${s}`);
          }
        },
        (b, resident) => {
          const out = resident ? b.alloc(rows * cols) : new Float32Array(rows * cols);
          b.softmaxRows(place(b, x, resident), rows, cols, out);
          return out;
        },
      );
    }
  });
  it("reductions and softmax are bit-identical across thread counts", () => {
    const [rows, cols] = [700, 600];
    const x = values(rows * cols, 1, 5, false);
    const runs = (b: Backend) => {
      const r = [b.alloc(cols), b.alloc(rows), b.alloc(rows * cols)];
      b.sumRows(x, rows, cols, r[0]);
      b.sumCols(x, rows, cols, r[1]);
      b.softmaxRows(x, rows, cols, r[2]);
      return r;
    };
    const one = runs(wasm1);
    const joins = wasm2.workerJoins;
    const two = runs(wasm2);
    assert.ok(wasm2.workerJoins >= joins + 3, "the worker joined every call");
    for (let i = 0; i < 3; i++) assertBits(two[i], one[i], `kernel ${i}`);
  });
});

/** A geometry with "valid"-style sizes derived from the padding given. */
function geometry(
  batch: number,
  inH: number,
  inW: number,
  channels: number,
  kH: number,
  kW: number,
  stride: [number, number],
  pad: [number, number, number, number],
): ConvGeometry {
  const [strideH, strideW] = stride;
  const [padTop, padBottom, padLeft, padRight] = pad;
  const outH = Math.floor((inH + padTop + padBottom - kH) / strideH) + 1;
  const outW = Math.floor((inW + padLeft + padRight - kW) / strideW) + 1;
  return { batch, inH, inW, channels, kH, kW, strideH, strideW, padTop, padLeft, outH, outW };
}

const CONV_GEOMETRIES: [string, ConvGeometry][] = [
  ["LeNet conv1 28x28x1 k5", geometry(3, 28, 28, 1, 5, 5, [1, 1], [0, 0, 0, 0])],
  ["LeNet conv2 12x12x20 k5", geometry(2, 12, 12, 20, 5, 5, [1, 1], [0, 0, 0, 0])],
  ["same padding, 3 channels", geometry(2, 7, 9, 3, 3, 3, [1, 1], [1, 1, 1, 1])],
  ["stride 2, odd padding", geometry(3, 11, 8, 5, 4, 3, [2, 3], [2, 1, 0, 2])],
  ["kernel wider than the image plus padding", geometry(1, 3, 2, 2, 3, 5, [1, 1], [2, 2, 3, 2])],
  ["1-D", geometry(4, 1, 30, 7, 1, 5, [1, 2], [0, 0, 2, 2])],
  ["5-wide rows: 3x1 kernel on 5 channels", geometry(2, 6, 4, 5, 3, 1, [1, 1], [1, 0, 0, 0])],
  ["5-wide rows: 5x5 on 1 channel, stride 2, padding", geometry(2, 13, 11, 1, 5, 5, [2, 2], [2, 2, 1, 1])],
  ["large batch (threads)", geometry(64, 28, 28, 1, 5, 5, [1, 1], [0, 0, 0, 0])],
  ["large batch, 20 channels (threads)", geometry(40, 12, 12, 20, 5, 5, [1, 1], [0, 0, 0, 0])],
];

describe("im2col and col2im", () => {
  for (const [name, g] of CONV_GEOMETRIES) {
    it(`${name}: bit-identical`, () => {
      const inSize = g.batch * g.inH * g.inW * g.channels;
      const colSize = g.batch * g.outH * g.outW * g.kH * g.kW * g.channels;
      const x = values(inSize, inSize, 1, false);
      const want = new Float32Array(colSize).fill(Number.NaN); // every value must be written
      js.im2col(x, g, want);
      eachWasm(
        (got, label) => assertBits(got, want, `im2col ${label}`),
        (b, resident) => {
          const cols = resident ? b.alloc(colSize) : new Float32Array(colSize);
          cols.fill(Number.NaN);
          b.im2col(place(b, x, resident), g, cols);
          return cols;
        },
      );
      const cols = values(colSize, colSize + 1, 1, false);
      const wantDx = new Float32Array(inSize).fill(Number.NaN);
      js.col2im(cols, g, wantDx);
      eachWasm(
        (got, label) => assertBits(got, wantDx, `col2im ${label}`),
        (b, resident) => {
          const dx = resident ? b.alloc(inSize) : new Float32Array(inSize);
          dx.fill(Number.NaN);
          b.col2im(place(b, cols, resident), g, dx);
          return dx;
        },
      );
    });
  }
});

describe("max and average pooling", () => {
  const POOL_GEOMETRIES: [string, ConvGeometry][] = [
    ["2x2 stride 2, 20 channels", geometry(3, 24, 24, 20, 2, 2, [2, 2], [0, 0, 0, 0])],
    ["2x2 stride 2, 1 channel, odd size", geometry(2, 7, 9, 1, 2, 2, [2, 2], [0, 0, 0, 0])],
    ["3x3 stride 2 (overlapping), 6 channels, same padding", geometry(2, 9, 10, 6, 3, 3, [2, 2], [1, 1, 1, 1])],
    ["windows entirely in the padding", geometry(1, 2, 2, 5, 2, 2, [1, 1], [2, 2, 2, 2])],
    ["global", geometry(4, 5, 6, 9, 5, 6, [1, 1], [0, 0, 0, 0])],
    ["large batch (threads)", geometry(100, 24, 24, 20, 2, 2, [2, 2], [0, 0, 0, 0])],
  ];
  for (const [name, g] of POOL_GEOMETRIES) {
    it(`${name}: forward and backward bit-identical, argmax included`, () => {
      const inSize = g.batch * g.inH * g.inW * g.channels;
      const outSize = g.batch * g.outH * g.outW * g.channels;
      // few distinct values, so windows have ties; a NaN and an -inf or two
      const x = values(inSize, inSize, 1, false).map((v) => Math.round(v * 3));
      x[1] = Number.NaN;
      x[Math.min(5, inSize - 1)] = Number.NEGATIVE_INFINITY;
      const wantY = new Float32Array(outSize);
      const wantArg = new Int32Array(outSize);
      js.maxPool(x, g, wantY, wantArg);
      const dy = values(outSize, outSize, 1, false);
      const wantDx = new Float32Array(inSize);
      js.maxPoolGrad(dy, wantArg, wantDx);
      const wantAvg = new Float32Array(outSize);
      js.avgPool(x, g, wantAvg);
      const wantAvgDx = new Float32Array(inSize);
      js.avgPoolGrad(dy, g, wantAvgDx);
      for (const [label, b] of wasms)
        for (const resident of [true, false]) {
          const xs = place(b, x, resident);
          const y = resident ? b.alloc(outSize) : new Float32Array(outSize);
          const arg = new Int32Array(outSize).fill(7);
          b.maxPool(xs, g, y, arg);
          assertBits(y, wantY, `maxPool ${label}`);
          assert.deepEqual(arg, wantArg, `argmax ${label}`);
          const dx = resident ? b.alloc(inSize) : new Float32Array(inSize);
          dx.fill(Number.NaN);
          b.maxPoolGrad(place(b, dy, resident), arg, dx);
          assertBits(dx, wantDx, `maxPoolGrad ${label}`);
          b.avgPool(xs, g, y);
          assertBits(y, wantAvg, `avgPool ${label}`);
          dx.fill(Number.NaN);
          b.avgPoolGrad(place(b, dy, resident), g, dx);
          assertBits(dx, wantAvgDx, `avgPoolGrad ${label}`);
        }
    });
  }
  it("argmax views of a longer array and arrays in wasm memory work", () => {
    const g = geometry(2, 6, 6, 4, 2, 2, [2, 2], [0, 0, 0, 0]);
    const outSize = 2 * 3 * 3 * 4;
    const x = values(2 * 6 * 6 * 4, 3, 1, false);
    const want = new Int32Array(outSize);
    js.maxPool(x, g, new Float32Array(outSize), want);
    const long = new Int32Array(outSize + 10).fill(-5);
    wasm2.maxPool(x, g, new Float32Array(outSize), long.subarray(3, 3 + outSize));
    assert.deepEqual(long.subarray(3, 3 + outSize), want);
    assert.equal(long[2], -5);
    assert.equal(long[3 + outSize], -5);
    const f = wasm2.alloc(outSize);
    const resident = new Int32Array(f.buffer, f.byteOffset, outSize);
    wasm2.maxPool(x, g, new Float32Array(outSize), resident);
    assert.deepEqual(resident, want);
  });
});

/**
 * A recurrent cell's fused step: its named inputs (sizes in units of n·u) and outputs, and how
 * to run forward then backward on a backend (the backward reads the cache the forward wrote).
 */
interface CellKernel {
  name: string;
  inputs: Record<string, [size: number, scale: number]>;
  outputs: Record<string, number>;
  /** Outputs of the forward (checked with the forward tolerance); the rest come from the backward. */
  forward: string[];
  run(b: Backend, x: Record<string, Float32Array>, y: Record<string, Float32Array>, n: number, u: number): void;
}

const CELLS: CellKernel[] = [
  {
    name: "lstmCell, lstmCellGrad",
    // pre-activations across the sigmoid/tanh range, c_{t−1}, and the gradients arriving
    inputs: { ax: [4, 6], ah: [4, 3], cPrev: [1, 3], dh: [1, 1], dc: [1, 1] },
    outputs: { c: 1, h: 1, cache: 5, dax: 4, dcPrev: 1 },
    forward: ["c", "h", "cache"],
    run(b, x, y, n, u) {
      b.lstmCell(x.ax, x.ah, x.cPrev, y.c, y.h, y.cache, n, u);
      b.lstmCellGrad(y.cache, x.cPrev, x.dh, x.dc, y.dax, y.dcPrev, n, u);
    },
  },
  {
    name: "gruCell, gruCellGrad",
    inputs: { ax: [3, 6], ah: [3, 3], hPrev: [1, 1], dh: [1, 1] },
    outputs: { h: 1, cache: 4, dax: 3, dah: 3, dhPrev: 1 },
    forward: ["h", "cache"],
    run(b, x, y, n, u) {
      b.gruCell(x.ax, x.ah, x.hPrev, y.h, y.cache, n, u);
      b.gruCellGrad(y.cache, x.hPrev, x.dh, y.dax, y.dah, y.dhPrev, n, u);
    },
  },
];

describe("the fused recurrent cell steps", () => {
  // [rows, units]: a tail of units mod 4 on one lane, a row-block edge, the row-by-row MNIST
  // step (100 x 128, from which the forward is shared out), and one large enough to share the backward
  const CELL_SHAPES: [number, number][] = [
    [1, 1],
    [3, 5],
    [7, 33],
    [100, 128],
    [520, 257],
  ];

  function cellInputs(cell: CellKernel, n: number, u: number): Record<string, Float32Array> {
    const x: Record<string, Float32Array> = {};
    let seed = n * 1000 + u;
    for (const [k, [size, scale]] of Object.entries(cell.inputs)) x[k] = values(n * u * size, seed++, scale, false);
    return x;
  }

  function runCell(cell: CellKernel, b: Backend, x: Record<string, Float32Array>, n: number, u: number, resident: boolean): Record<string, Float32Array> {
    const placed: Record<string, Float32Array> = {};
    for (const k in x) placed[k] = place(b, x[k], resident);
    const y: Record<string, Float32Array> = {};
    for (const [k, size] of Object.entries(cell.outputs)) y[k] = resident ? b.alloc(n * u * size) : new Float32Array(n * u * size);
    cell.run(b, placed, y, n, u);
    return y;
  }

  for (const cell of CELLS) {
    it(`${cell.name}: equal to the TypeScript step within float32 rounding of sigmoid/tanh`, () => {
      for (const [n, u] of CELL_SHAPES) {
        const x = cellInputs(cell, n, u);
        const want = runCell(cell, js, x, n, u, false);
        for (const [name, b] of wasms)
          for (const resident of [true, false]) {
            const got = runCell(cell, b, x, n, u, resident);
            for (const k in want) {
              const what = `${k} ${n}x${u} ${name}${resident ? "" : ", staged"}`;
              // SIMD sigmoid/tanh are within ~2 ulp of Math's; the rest is float32 arithmetic instead of
              // double, so c_t = f c_{t−1} + i g loses up to an ulp of its terms (|c_{t−1}| < 3) where they cancel
              if (cell.forward.includes(k)) assertClose(got[k], want[k], 2e-6, 1e-6, what);
              else assertClose(got[k], want[k], 1e-5, 1e-6, what);
            }
          }
      }
    });

    it(`${cell.name}: bit-identical across thread counts, with the worker taking part`, () => {
      for (const [n, u] of [
        [100, 128],
        [520, 257],
      ] as const) {
        const x = cellInputs(cell, n, u);
        const one = runCell(cell, wasm1, x, n, u, true);
        const joins = wasm2.workerJoins;
        const two = runCell(cell, wasm2, x, n, u, true);
        assert.ok(wasm2.workerJoins > joins, `${n}x${u}: the worker joined`);
        for (const k in one) assertBits(two[k], one[k], `${n}x${u} ${k}`);
      }
    });
  }
});
