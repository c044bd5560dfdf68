/** The portable TypeScript backend: the reference every other backend is tested against. */

import type { ActivationGradOp, Backend, BackendInfo, BinaryOp, ConvGeometry, RandomSource, ScalarOp, UnaryOp } from "../backend.js";
import { gruCellGradJs, gruCellJs, lstmCellGradJs, lstmCellJs } from "./cells.js";
import { gemmJs } from "./gemm.js";
import { col2imJs, im2colJs } from "./im2col.js";
import { avgPoolGradJs, avgPoolJs, maxPoolGradJs, maxPoolJs } from "./pool.js";

const unaryFns: Record<UnaryOp, (x: number) => number> = {
  sigmoid: (x) => 1 / (1 + Math.exp(-x)),
  tanh: Math.tanh,
  relu: (x) => (x > 0 ? x : 0),
  exp: Math.exp,
  log: Math.log,
  neg: (x) => -x,
  abs: Math.abs,
  sqrt: Math.sqrt,
  square: (x) => x * x,
  // log(1 + e^x) without overflow for large x
  softplus: (x) => (x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x))),
  sign: Math.sign,
  step: (x) => (x > 0 ? 1 : 0),
};

const binaryFns: Record<BinaryOp, (a: number, b: number) => number> = {
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b) => a / b,
  max: (a, b) => (a > b ? a : b),
  min: (a, b) => (a < b ? a : b),
};

const scalarFns: Record<ScalarOp, (x: number, s: number) => number> = {
  add: (x, s) => x + s,
  mul: (x, s) => x * s,
  pow: (x, s) => x ** s,
  max: (x, s) => (x > s ? x : s),
  min: (x, s) => (x < s ? x : s),
  rsub: (x, s) => s - x,
};

export class JsBackend implements Backend {
  readonly name: string = "js";
  protected readonly notes: string[];

  constructor(notes: string[] = []) {
    this.notes = notes;
  }

  info(): BackendInfo {
    return { name: this.name, simd: false, threads: 1, notes: this.notes };
  }

  /** Adds a line to info().notes (why this backend runs, e.g. the one chosen first could not load). */
  addNote(note: string): this {
    this.notes.push(note);
    return this;
  }

  alloc(n: number): Float32Array {
    return new Float32Array(n);
  }

  gemm(
    transA: boolean,
    transB: boolean,
    m: number,
    n: number,
    k: number,
    alpha: number,
    a: Float32Array,
    lda: number,
    b: Float32Array,
    ldb: number,
    beta: number,
    c: Float32Array,
    ldc: number,
  ): void {
    gemmJs(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
  }

  unary(op: UnaryOp, x: Float32Array, out: Float32Array): void {
    const f = unaryFns[op];
    if (op === "sigmoid") {
      // the hot one in every energy model: inline it
      for (let i = 0; i < x.length; i++) out[i] = 1 / (1 + Math.exp(-x[i]));
      return;
    }
    for (let i = 0; i < x.length; i++) out[i] = f(x[i]);
  }

  binary(op: BinaryOp, a: Float32Array, b: Float32Array, out: Float32Array): void {
    const f = binaryFns[op];
    const n = a.length;
    if (b.length === n) {
      if (op === "add") for (let i = 0; i < n; i++) out[i] = a[i] + b[i];
      else if (op === "mul") for (let i = 0; i < n; i++) out[i] = a[i] * b[i];
      else for (let i = 0; i < n; i++) out[i] = f(a[i], b[i]);
      return;
    }
    const cols = b.length;
    for (let r = 0; r < n; r += cols) {
      if (op === "add") for (let j = 0; j < cols; j++) out[r + j] = a[r + j] + b[j];
      else for (let j = 0; j < cols; j++) out[r + j] = f(a[r + j], b[j]);
    }
  }

  scalar(op: ScalarOp, x: Float32Array, s: number, out: Float32Array): void {
    if (op === "mul") {
      for (let i = 0; i < x.length; i++) out[i] = x[i] * s;
      return;
    }
    const f = scalarFns[op];
    for (let i = 0; i < x.length; i++) out[i] = f(x[i], s);
  }

  axpby(alpha: number, x: Float32Array, beta: number, y: Float32Array): void {
    if (beta === 1) for (let i = 0; i < x.length; i++) y[i] += alpha * x[i];
    else for (let i = 0; i < x.length; i++) y[i] = alpha * x[i] + beta * y[i];
  }

  activationGrad(op: ActivationGradOp, y: Float32Array, dy: Float32Array, out: Float32Array): void {
    const n = y.length;
    switch (op) {
      case "sigmoid":
        for (let i = 0; i < n; i++) out[i] = dy[i] * y[i] * (1 - y[i]);
        break;
      case "tanh":
        for (let i = 0; i < n; i++) out[i] = dy[i] * (1 - y[i] * y[i]);
        break;
      case "relu":
        for (let i = 0; i < n; i++) out[i] = y[i] > 0 ? dy[i] : 0;
        break;
    }
  }

  im2col(x: Float32Array, g: ConvGeometry, cols: Float32Array): void {
    im2colJs(x, g, cols);
  }

  col2im(cols: Float32Array, g: ConvGeometry, dx: Float32Array): void {
    col2imJs(cols, g, dx);
  }

  maxPool(x: Float32Array, g: ConvGeometry, out: Float32Array, argmax: Int32Array): void {
    maxPoolJs(x, g, out, argmax);
  }

  maxPoolGrad(dy: Float32Array, argmax: Int32Array, dx: Float32Array): void {
    maxPoolGradJs(dy, argmax, dx);
  }

  avgPool(x: Float32Array, g: ConvGeometry, out: Float32Array): void {
    avgPoolJs(x, g, out);
  }

  avgPoolGrad(dy: Float32Array, g: ConvGeometry, dx: Float32Array): void {
    avgPoolGradJs(dy, g, dx);
  }

  softmaxRows(x: Float32Array, rows: number, cols: number, out: Float32Array): void {
    for (let r = 0; r < rows; r++) {
      const o = r * cols;
      let max = Number.NEGATIVE_INFINITY;
      for (let j = 0; j < cols; j++) if (x[o + j] > max) max = x[o + j];
      let sum = 0;
      for (let j = 0; j < cols; j++) {
        const e = Math.exp(x[o + j] - max);
        out[o + j] = e;
        sum += e;
      }
      const inv = 1 / sum;
      for (let j = 0; j < cols; j++) out[o + j] *= inv;
    }
  }

  sumRows(x: Float32Array, rows: number, cols: number, out: Float32Array): void {
    out.fill(0, 0, cols);
    for (let r = 0; r < rows; r++) {
      const o = r * cols;
      for (let j = 0; j < cols; j++) out[j] += x[o + j];
    }
  }

  sumCols(x: Float32Array, rows: number, cols: number, out: Float32Array): void {
    for (let r = 0; r < rows; r++) {
      const o = r * cols;
      let s = 0;
      for (let j = 0; j < cols; j++) s += x[o + j];
      out[r] = s;
    }
  }

  argmaxRows(x: Float32Array, rows: number, cols: number, out: Int32Array): void {
    for (let r = 0; r < rows; r++) {
      const o = r * cols;
      let best = 0;
      for (let j = 1; j < cols; j++) if (x[o + j] > x[o + best]) best = j;
      out[r] = best;
    }
  }

  bernoulli(p: Float32Array, out: Float32Array, rng: RandomSource): void {
    for (let i = 0; i < p.length; i++) out[i] = rng.nextFloat() < p[i] ? 1 : 0;
  }

  uniform(out: Float32Array, rng: RandomSource): void {
    for (let i = 0; i < out.length; i++) out[i] = rng.nextFloat();
  }

  lstmCell(ax: Float32Array, ah: Float32Array, cPrev: Float32Array, c: Float32Array, h: Float32Array, cache: Float32Array, n: number, u: number): void {
    lstmCellJs(ax, ah, cPrev, c, h, cache, n, u);
  }

  lstmCellGrad(
    cache: Float32Array,
    cPrev: Float32Array,
    dh: Float32Array,
    dc: Float32Array,
    dax: Float32Array,
    dcPrev: Float32Array,
    n: number,
    u: number,
  ): void {
    lstmCellGradJs(cache, cPrev, dh, dc, dax, dcPrev, n, u);
  }

  gruCell(ax: Float32Array, ah: Float32Array, hPrev: Float32Array, h: Float32Array, cache: Float32Array, n: number, u: number): void {
    gruCellJs(ax, ah, hPrev, h, cache, n, u);
  }

  gruCellGrad(
    cache: Float32Array,
    hPrev: Float32Array,
    dh: Float32Array,
    dax: Float32Array,
    dah: Float32Array,
    dhPrev: Float32Array,
    n: number,
    u: number,
  ): void {
    gruCellGradJs(cache, hPrev, dh, dax, dah, dhPrev, n, u);
  }

  dispose(): void {}
}
