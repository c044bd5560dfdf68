/**
 * The WebAssembly SIMD128 backend: GEMM in SIMD128 intrinsics (kernels.c) and the other hot
 * kernels in the C the native backend builds too (src/backend/c/kernels.c), run on a pool of
 * worker threads that share one WebAssembly.Memory. Everything it does not override comes from the
 * TypeScript backend, whose loops work directly on tensor storage (in wasm memory or not).
 *
 * Two builds of the kernels: plain SIMD128, and relaxed SIMD (f32x4.relaxed_madd, a fused
 * multiply-add) where the runtime validates it; LAYERWISE_RELAXED_SIMD=0 or
 * { relaxedSimd: false } keeps the plain one. info().kernels says which runs.
 *
 * Fallbacks: no SIMD128 -> wasmUnavailableReason() says why and backend() picks the
 * TypeScript backend; no SharedArrayBuffer/Atomics (e.g. a page that is not cross-origin
 * isolated) -> one thread on plain memory, said in info().notes.
 */

import { platform } from "../../platform/index.js";
import {
  type ActivationGradOp,
  type BackendInfo,
  type BackendOptions,
  type BinaryOp,
  CONV_GEOMETRY_FIELDS,
  type ConvGeometry,
  type RandomSource,
  type ScalarOp,
  type UnaryOp,
} from "../backend.js";
import { JsBackend } from "../js/index.js";
import { sizeClass, WasmHeap } from "./heap.js";
import { kernelsRelaxedSharedBase64, kernelsRelaxedSingleBase64, kernelsSharedBase64, kernelsSingleBase64 } from "./kernels.generated.js";
import { controlBytes, MAX_THREADS, type PoolKernel, ThreadPool } from "./pool.js";

/** The exports of kernels.c (pointers are byte offsets into the shared memory; the op codes of scalar_op and activation_grad are src/backend/c/kernels.h's). */
interface KernelExports {
  __stack_pointer: WebAssembly.Global;
  __heap_base: WebAssembly.Global;
  gemm_scratch_floats(): number;
  gemm_mr(): number;
  gemm_nr(): number;
  /** Packing tasks of an m×n×k product: their state words follow the packed B. */
  gemm_pack_tasks(m: number, n: number, k: number): number;
  gemm(
    transA: number,
    transB: number,
    m: number,
    n: number,
    k: number,
    alpha: number,
    a: number,
    lda: number,
    b: number,
    ldb: number,
    beta: number,
    c: number,
    ldc: number,
    apack: number,
    bpack: number,
    sync: number,
    scratch: number,
  ): void;
  // `counter`: the work counter the threads of one call share (zeroed before the call)
  sigmoid(x: number, out: number, n: number, counter: number): void;
  tanh_(x: number, out: number, n: number, counter: number): void;
  exp_(x: number, out: number, n: number, counter: number): void;
  add(a: number, b: number, out: number, n: number, cols: number, counter: number): void;
  mul(a: number, b: number, out: number, n: number, cols: number, counter: number): void;
  axpby(alpha: number, x: number, beta: number, y: number, n: number, counter: number): void;
  uniform(out: number, n: number, state: number): void;
  bernoulli(p: number, out: number, n: number, state: number): void;
  relu(x: number, out: number, n: number, counter: number): void;
  step(x: number, out: number, n: number, counter: number): void;
  square(x: number, out: number, n: number, counter: number): void;
  sqrt_(x: number, out: number, n: number, counter: number): void;
  abs_(x: number, out: number, n: number, counter: number): void;
  neg(x: number, out: number, n: number, counter: number): void;
  log_(x: number, out: number, n: number, counter: number): void;
  softplus(x: number, out: number, n: number, counter: number): void;
  sub(a: number, b: number, out: number, n: number, cols: number, counter: number): void;
  div_(a: number, b: number, out: number, n: number, cols: number, counter: number): void;
  max_(a: number, b: number, out: number, n: number, cols: number, counter: number): void;
  min_(a: number, b: number, out: number, n: number, cols: number, counter: number): void;
  scalar_op(op: number, x: number, s: number, out: number, n: number, counter: number): void;
  activation_grad(op: number, y: number, dy: number, out: number, n: number, counter: number): void;
  sum_rows(x: number, rows: number, cols: number, out: number, counter: number): void;
  sum_cols(x: number, rows: number, cols: number, out: number, counter: number): void;
  softmax_rows(x: number, rows: number, cols: number, out: number, counter: number): void;
  argmax_rows(x: number, rows: number, cols: number, out: number, counter: number): void;
  // `g`: the ConvGeometry as 12 ints (see writeGeometry)
  im2col(x: number, g: number, cols: number, counter: number): void;
  col2im(cols: number, g: number, dx: number, counter: number): void;
  max_pool(x: number, g: number, y: number, argmax: number, counter: number): void;
  max_pool_grad(dy: number, argmax: number, n: number, dx: number, dxn: number): void;
  avg_pool(x: number, g: number, y: number, counter: number): void;
  avg_pool_grad(dy: number, g: number, dx: number, counter: number): void;
  lstm_cell(ax: number, ah: number, cPrev: number, c: number, h: number, cache: number, n: number, u: number, counter: number): void;
  lstm_cell_grad(cache: number, cPrev: number, dh: number, dc: number, dax: number, dcPrev: number, n: number, u: number, counter: number): void;
  gru_cell(ax: number, ah: number, hPrev: number, h: number, cache: number, n: number, u: number, counter: number): void;
  gru_cell_grad(cache: number, hPrev: number, dh: number, dax: number, dah: number, dhPrev: number, n: number, u: number, counter: number): void;
}

type UnaryKernel = "sigmoid" | "tanh_" | "exp_" | "relu" | "step" | "square" | "sqrt_" | "abs_" | "neg" | "log_" | "softplus";
/** The unary ops with a kernel (sign and the rest run in TypeScript), and whether they are transcendental (parallel from a smaller size). */
const UNARY_KERNELS: Partial<Record<UnaryOp, [UnaryKernel, boolean]>> = {
  sigmoid: ["sigmoid", true],
  tanh: ["tanh_", true],
  exp: ["exp_", true],
  log: ["log_", true],
  softplus: ["softplus", true],
  relu: ["relu", false],
  step: ["step", false],
  square: ["square", false],
  sqrt: ["sqrt_", false],
  abs: ["abs_", false],
  neg: ["neg", false],
};
type BinaryKernel = "add" | "mul" | "sub" | "div_" | "max_" | "min_";
const BINARY_KERNELS: Record<BinaryOp, BinaryKernel> = { add: "add", mul: "mul", sub: "sub", div: "div_", max: "max_", min: "min_" };
/** scalar_op's op codes ("pow" runs in TypeScript). */
const SCALAR_CODES: Partial<Record<ScalarOp, number>> = { add: 0, mul: 1, rsub: 2, max: 3, min: 4 };
const ACTIVATION_GRAD_CODES: Record<ActivationGradOp, number> = { sigmoid: 0, tanh: 1, relu: 2 };

// A module using one SIMD instruction (i8x16.popcnt), as in wasm-feature-detect.
const SIMD_PROBE = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11]);
// (v128, v128, v128) -> v128 returning f32x4.relaxed_madd of its arguments (opcode 0xfd 0x105).
const RELAXED_SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 8, 1, 96, 3, 123, 123, 123, 1, 123, 3, 2, 1, 0, 10, 13, 1, 11, 0, 32, 0, 32, 1, 32, 2, 253, 133, 2, 11,
]);

/** Below these sizes a dispatch to the workers costs more than it saves. */
const GEMM_PARALLEL_MACS = 1 << 18;
const TRANSCENDENTAL_PARALLEL = 1 << 15;
const STREAMING_PARALLEL = 1 << 17;
/** The LSTM (GRU) step does five (three) transcendentals per unit: rows·units from which it is shared out. */
const CELL_PARALLEL = 1 << 13;

const STACK_BYTES = 64 * 1024;
/** Packed-operand floats one GEMM call may use; larger products run as several slabs. */
const PACK_FLOATS_MAX = 1 << 23;

export function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  const bin = atob(text);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** The kernel builds: plain SIMD128, or relaxed SIMD (fused multiply-add). */
export type KernelBuild = "simd128" | "relaxed-simd";
type Modules = { shared: WebAssembly.Module | null; single: WebAssembly.Module };
const modules: Partial<Record<KernelBuild, Modules>> = {};
let unavailable: string | null | undefined;
let noThreads: string | null | undefined;
let noRelaxed: string | null | undefined;

/** Why the WebAssembly backend cannot run here, or null when it can. */
export function wasmUnavailableReason(): string | null {
  if (unavailable === undefined) unavailable = probe();
  return unavailable;
}

function probe(): string | null {
  if (typeof WebAssembly !== "object") return "WebAssembly is not available";
  if (!WebAssembly.validate(SIMD_PROBE)) return "this runtime does not support WebAssembly SIMD128";
  if (!WebAssembly.validate(decodeBase64(kernelsSingleBase64))) return "the kernel module does not validate here";
  return null;
}

/** Why kernels cannot run on worker threads with shared memory here, or null when they can. */
export function threadsUnavailableReason(): string | null {
  if (noThreads === undefined) noThreads = probeThreads();
  return noThreads;
}

function probeThreads(): string | null {
  if ((globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === false) {
    return "the page is not cross-origin isolated (serve it with the headers Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp)";
  }
  if (typeof SharedArrayBuffer !== "function" || typeof Atomics !== "object") {
    return "SharedArrayBuffer/Atomics are unavailable (in a browser: the page is not cross-origin isolated)";
  }
  try {
    const m = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
    if (!(m.buffer instanceof SharedArrayBuffer)) return "shared WebAssembly memory is unavailable";
  } catch {
    return "shared WebAssembly memory is unavailable";
  }
  if (!WebAssembly.validate(decodeBase64(kernelsSharedBase64))) return "WebAssembly threads (atomics) are not supported";
  return null;
}

/** Why the relaxed-SIMD kernel build cannot run here, or null when it can. */
export function relaxedSimdUnavailableReason(): string | null {
  if (noRelaxed === undefined) {
    noRelaxed = WebAssembly.validate(RELAXED_SIMD_PROBE)
      ? null
      : "no relaxed SIMD here; Node 20 needs --experimental-wasm-relaxed-simd, Node 22+ and Chromium have it";
  }
  return noRelaxed;
}

const SOURCES: Record<KernelBuild, { shared: string; single: string }> = {
  simd128: { shared: kernelsSharedBase64, single: kernelsSingleBase64 },
  "relaxed-simd": { shared: kernelsRelaxedSharedBase64, single: kernelsRelaxedSingleBase64 },
};

function compiled(build: KernelBuild): Modules {
  let m = modules[build];
  if (m === undefined) {
    const source = SOURCES[build];
    const shared = threadsUnavailableReason() === null ? new WebAssembly.Module(decodeBase64(source.shared)) : null;
    m = { shared, single: new WebAssembly.Module(decodeBase64(source.single)) };
    modules[build] = m;
  }
  return m;
}

/** The build to run: relaxed SIMD where it validates, unless the option or LAYERWISE_RELAXED_SIMD=0 turns it off; and the words for info().kernels. */
function chooseBuild(requested: boolean | undefined): [KernelBuild, string] {
  const env = platform.env("LAYERWISE_RELAXED_SIMD");
  if (env !== undefined && env !== "" && env !== "0" && env !== "1") {
    throw new RangeError(`LAYERWISE_RELAXED_SIMD must be 0 (plain SIMD128 kernels) or 1 (relaxed SIMD where supported); got "${env}"`);
  }
  const wanted = requested ?? env !== "0";
  if (!wanted) return ["simd128", "plain SIMD128 (relaxed SIMD turned off)"];
  const reason = relaxedSimdUnavailableReason();
  if (reason !== null) return ["simd128", `plain SIMD128 (${reason})`];
  return ["relaxed-simd", "relaxed SIMD (f32x4.relaxed_madd: fused multiply-add in GEMM)"];
}

/** Options beyond BackendOptions, for tests: force the plain-memory single-thread mode. */
export interface WasmBackendOptions extends BackendOptions {
  sharedMemory?: boolean;
  /** Tests: every parallel call waits until the workers have joined, so work really is shared. */
  awaitHelpers?: boolean;
  /** Budget of live tensor storage inside WebAssembly memory, in bytes (default RESIDENT_BYTES); tensors past it get ordinary memory. */
  residentBytes?: number;
}

function createMemory(shared: boolean, initialPages: number): WebAssembly.Memory {
  // the 4 GiB wasm32 limit where the engine can reserve it, else less
  for (const maximum of [65536, 16384, 4096]) {
    try {
      return new WebAssembly.Memory({ initial: Math.min(initialPages, maximum), maximum, shared });
    } catch {
      // try a smaller reservation
    }
  }
  throw new Error("wasm backend: cannot create a WebAssembly.Memory");
}

interface Staged {
  array: Float32Array;
  offset: number;
  size: number;
  copyBack: boolean;
}

export class WasmBackend extends JsBackend {
  override readonly name: string = "wasm";
  /** Which kernel build runs (see chooseBuild). */
  readonly kernelBuild: KernelBuild;
  /** Which kernel build runs and why, for info(). */
  private readonly kernels: string;
  private readonly threads: number;
  private readonly heap: WasmHeap;
  private readonly E: KernelExports;
  private readonly pool: ThreadPool | null;
  private readonly scratch: number;
  private readonly rngState: number;
  /** Work counters shared by the threads of one call (three for GEMM, one elsewhere). */
  private readonly sync: number;
  /** The ConvGeometry of the current im2col/col2im/pooling call, as 12 ints. */
  private readonly geometry: number;
  /** The packed op(A) and op(B) panels, grown on demand. */
  private pack = { offset: -1, bytes: 0 };
  private readonly mr: number;
  private readonly nr: number;
  private readonly staged: Staged[] = [];

  constructor(options: WasmBackendOptions = {}) {
    const requested = options.threads ?? platform.hardwareConcurrency();
    if (!Number.isInteger(requested) || requested < 1 || requested > MAX_THREADS) {
      throw new RangeError(`wasm backend: threads must be an integer in [1, ${MAX_THREADS}], got ${requested}`);
    }
    const notes: string[] = [];
    const reason = threadsUnavailableReason();
    const shared = options.sharedMemory !== false && reason === null;
    if (!shared) {
      notes.push(options.sharedMemory === false ? "plain (non-shared) memory requested: one thread" : `one thread on plain memory: ${reason}`);
      // a page author looks in the console, not at info().notes (info, not an error: one thread works)
      if (options.sharedMemory !== false && platform.name === "browser") console.info(`layerwise: WebAssembly backend on ${notes[0]}`);
    }
    const [build, kernels] = chooseBuild(options.relaxedSimd);
    super(notes);
    this.kernelBuild = build;
    this.kernels = kernels;
    const mods = compiled(build);
    const module = shared ? (mods.shared as WebAssembly.Module) : mods.single;
    const memory = createMemory(shared, 256);
    this.E = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as KernelExports;
    this.heap = new WasmHeap(memory, this.E.__heap_base.value as number, shared, options.residentBytes);
    const scratchBytes = this.E.gemm_scratch_floats() * 4;
    this.scratch = this.mustAlloc(scratchBytes);
    this.rngState = this.mustAlloc(16);
    this.sync = this.mustAlloc(64);
    this.geometry = this.mustAlloc(64);
    this.mr = this.E.gemm_mr();
    this.nr = this.E.gemm_nr();
    const workers = shared ? requested - 1 : 0;
    this.threads = workers + 1;
    if (workers > 0) {
      const control = this.mustAlloc(controlBytes(workers));
      this.heap.zero(control, controlBytes(workers));
      const regions = [];
      for (let w = 0; w < workers; w++) {
        const stack = this.mustAlloc(STACK_BYTES);
        regions.push({ scratch: this.mustAlloc(scratchBytes), stackTop: stack + STACK_BYTES });
      }
      this.pool = new ThreadPool({ module, memory, control, regions });
      this.pool.awaitHelpers = options.awaitHelpers === true;
    } else {
      this.pool = null;
    }
    this.warmUp();
  }

  override info(): BackendInfo {
    const notes = [...this.notes, ...(this.pool?.failures ?? [])];
    if (this.pool !== null && this.pool.active + this.pool.failures.length < this.threads) {
      notes.push(`worker threads start in the background: ${this.pool.active} of ${this.threads} running so far`);
    }
    return { name: this.name, simd: true, threads: this.threads, notes, kernels: this.kernels };
  }

  /** Resolves once the worker threads have started (until then the calling thread works alone). */
  ready(): Promise<void> {
    return this.pool === null ? Promise.resolve() : this.pool.whenReady();
  }

  /** Threads that take a share of large kernels right now. */
  get activeThreads(): number {
    return this.pool === null ? 1 : this.pool.active;
  }

  /** How many times a worker joined a call so far (a diagnostic: workers do take part). */
  get workerJoins(): number {
    return this.pool === null ? 0 : this.pool.joins;
  }

  /** Current size of the WebAssembly memory in bytes (it grows, never shrinks; see docs/wasm-backend.md, "Memory model"). */
  get memoryBytes(): number {
    return this.heap.memory.buffer.byteLength;
  }

  /** Bytes of tensor storage inside WebAssembly memory not yet collected (at most the resident budget). */
  get residentBytes(): number {
    return this.heap.residentBytes;
  }

  override alloc(n: number): Float32Array {
    return this.heap.allocArray(n);
  }

  override gemm(
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
    if (m === 0 || n === 0) return;
    checkExtent("A", a, transA ? k : m, transA ? m : k, lda);
    checkExtent("B", b, transB ? n : k, transB ? k : n, ldb);
    checkExtent("C", c, m, n, ldc);
    this.withStaging(() => {
      const pa = this.stage(a, true, false);
      const pb = this.stage(b, true, false);
      const pc = this.stage(c, true, true);
      // Huge products run as row/column slabs so the packed copies stay bounded; any split
      // gives the same bits (each C element is computed the same way in every slab).
      const rowSlab = Math.max(this.mr, Math.floor(PACK_FLOATS_MAX / 2 / Math.max(k, 1) / this.mr) * this.mr);
      const colSlab = Math.max(this.nr, Math.floor(PACK_FLOATS_MAX / 2 / Math.max(k, 1) / this.nr) * this.nr);
      for (let i0 = 0; i0 < m; i0 += rowSlab)
        for (let j0 = 0; j0 < n; j0 += colSlab) {
          const ms = Math.min(rowSlab, m - i0);
          const ns = Math.min(colSlab, n - j0);
          const aOff = pa + 4 * (transA ? i0 : i0 * lda);
          const bOff = pb + 4 * (transB ? j0 * ldb : j0);
          const cOff = pc + 4 * (i0 * ldc + j0);
          this.gemmSlab(transA, transB, ms, ns, k, alpha, aOff, lda, bOff, ldb, beta, cOff, ldc);
        }
    });
  }

  private gemmSlab(
    transA: boolean,
    transB: boolean,
    m: number,
    n: number,
    k: number,
    alpha: number,
    pa: number,
    lda: number,
    pb: number,
    ldb: number,
    beta: number,
    pc: number,
    ldc: number,
  ): void {
    const mpad = Math.ceil(m / this.mr) * this.mr;
    const npad = Math.ceil(n / this.nr) * this.nr;
    const apackBytes = 4 * mpad * k;
    const bpackBytes = 4 * k * npad;
    const tasks = this.E.gemm_pack_tasks(m, n, k);
    const packs = this.packBuffer(apackBytes + bpackBytes + 4 * tasks);
    const bpack = packs + apackBytes;
    // the packing tasks' states start FREE
    const stateWord = (bpack + bpackBytes) >>> 2;
    this.heap.u32().fill(0, stateWord, stateWord + tasks);
    const tA = transA ? 1 : 0;
    const tB = transB ? 1 : 0;
    const args = [tA, tB, m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc, packs, bpack];
    const parallel = m * n * k >= GEMM_PARALLEL_MACS;
    this.dispatch("gemm", args, parallel, () => this.E.gemm(tA, tB, m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc, packs, bpack, this.sync, this.scratch));
  }

  /** Byte offset of a region of at least `bytes` for the packed panels, kept between calls. */
  private packBuffer(bytes: number): number {
    if (this.pack.bytes < bytes) {
      if (this.pack.offset >= 0) this.heap.release(this.pack.offset, sizeClass(this.pack.bytes));
      this.pack = { offset: this.mustAlloc(bytes), bytes };
    }
    return this.pack.offset;
  }

  override unary(op: UnaryOp, x: Float32Array, out: Float32Array): void {
    const entry = UNARY_KERNELS[op];
    if (entry === undefined || x.length === 0) {
      super.unary(op, x, out);
      return;
    }
    checkLength("unary", "out", out, x.length);
    const [kernel, transcendental] = entry;
    this.withStaging(() => {
      const px = this.stage(x, true, false);
      const po = this.stage(out, false, true);
      const n = x.length;
      this.dispatch(kernel, [px, po, n], n >= (transcendental ? TRANSCENDENTAL_PARALLEL : STREAMING_PARALLEL));
    });
  }

  override binary(op: BinaryOp, a: Float32Array, b: Float32Array, out: Float32Array): void {
    const n = a.length;
    if (n === 0 || b.length === 0 || n % b.length !== 0) {
      super.binary(op, a, b, out);
      return;
    }
    checkLength("binary", "out", out, n);
    const kernel = BINARY_KERNELS[op];
    this.withStaging(() => {
      const pa = this.stage(a, true, false);
      const pb = this.stage(b, true, false);
      const po = this.stage(out, false, true);
      const cols = b.length;
      this.dispatch(kernel, [pa, pb, po, n, cols], n >= STREAMING_PARALLEL);
    });
  }

  override scalar(op: ScalarOp, x: Float32Array, s: number, out: Float32Array): void {
    const code = SCALAR_CODES[op];
    const n = x.length;
    if (code === undefined || n === 0) {
      super.scalar(op, x, s, out);
      return;
    }
    checkLength("scalar", "out", out, n);
    this.withStaging(() => {
      const px = this.stage(x, true, false);
      const po = this.stage(out, false, true);
      this.dispatch("scalar_op", [code, px, s, po, n], n >= STREAMING_PARALLEL);
    });
  }

  override activationGrad(op: ActivationGradOp, y: Float32Array, dy: Float32Array, out: Float32Array): void {
    const n = y.length;
    if (n === 0) return;
    checkLength("activationGrad", "dy", dy, n);
    checkLength("activationGrad", "out", out, n);
    const code = ACTIVATION_GRAD_CODES[op];
    this.withStaging(() => {
      const py = this.stage(y, true, false);
      const pd = this.stage(dy, true, false);
      const po = this.stage(out, false, true);
      this.dispatch("activation_grad", [code, py, pd, po, n], n >= STREAMING_PARALLEL);
    });
  }

  override sumRows(x: Float32Array, rows: number, cols: number, out: Float32Array): void {
    this.rowKernel("sum_rows", x, rows, cols, out, cols, STREAMING_PARALLEL);
  }

  override sumCols(x: Float32Array, rows: number, cols: number, out: Float32Array): void {
    this.rowKernel("sum_cols", x, rows, cols, out, rows, STREAMING_PARALLEL);
  }

  override softmaxRows(x: Float32Array, rows: number, cols: number, out: Float32Array): void {
    this.rowKernel("softmax_rows", x, rows, cols, out, rows * cols, TRANSCENDENTAL_PARALLEL);
  }

  override argmaxRows(x: Float32Array, rows: number, cols: number, out: Int32Array): void {
    if (rows * cols === 0) super.argmaxRows(x, rows, cols, out);
    else this.rowKernel("argmax_rows", x, rows, cols, asFloats(out), rows, STREAMING_PARALLEL);
  }

  override im2col(x: Float32Array, g: ConvGeometry, cols: Float32Array): void {
    const rows = g.batch * g.outH * g.outW;
    const n = rows * g.kH * g.kW * g.channels;
    if (n === 0) return;
    checkLength("im2col", "x", x, g.batch * g.inH * g.inW * g.channels);
    checkLength("im2col", "cols", cols, n);
    this.withStaging(() => {
      const px = this.stage(x, true, false);
      const pc = this.stage(cols, false, true);
      const pg = this.writeGeometry(g);
      this.dispatch("im2col", [px, pg, pc], n >= STREAMING_PARALLEL);
    });
  }

  override col2im(cols: Float32Array, g: ConvGeometry, dx: Float32Array): void {
    const n = g.batch * g.inH * g.inW * g.channels;
    if (n === 0) return;
    checkLength("col2im", "cols", cols, g.batch * g.outH * g.outW * g.kH * g.kW * g.channels);
    checkLength("col2im", "dx", dx, n);
    this.withStaging(() => {
      const pc = this.stage(cols, true, false);
      const pd = this.stage(dx, false, true);
      const pg = this.writeGeometry(g);
      this.dispatch("col2im", [pc, pg, pd], cols.length >= STREAMING_PARALLEL && g.batch > 1);
    });
  }

  override maxPool(x: Float32Array, g: ConvGeometry, out: Float32Array, argmax: Int32Array): void {
    const n = g.batch * g.outH * g.outW * g.channels;
    if (n === 0) return;
    checkLength("maxPool", "x", x, g.batch * g.inH * g.inW * g.channels);
    checkLength("maxPool", "out", out, n);
    checkLength("maxPool", "argmax", argmax, n);
    this.withStaging(() => {
      const px = this.stage(x, true, false);
      const po = this.stage(out, false, true);
      const pa = this.stage(asFloats(argmax), false, true);
      const pg = this.writeGeometry(g);
      this.dispatch("max_pool", [px, pg, po, pa], x.length >= STREAMING_PARALLEL);
    });
  }

  override maxPoolGrad(dy: Float32Array, argmax: Int32Array, dx: Float32Array): void {
    const n = dy.length;
    checkLength("maxPoolGrad", "argmax", argmax, n);
    if (dx.length === 0) return;
    this.withStaging(() => {
      const pd = this.stage(dy, true, false);
      const pa = this.stage(asFloats(argmax), true, false);
      const px = this.stage(dx, false, true);
      this.E.max_pool_grad(pd, pa, n, px, dx.length);
    });
  }

  override avgPool(x: Float32Array, g: ConvGeometry, out: Float32Array): void {
    const n = g.batch * g.outH * g.outW * g.channels;
    if (n === 0) return;
    checkLength("avgPool", "x", x, g.batch * g.inH * g.inW * g.channels);
    checkLength("avgPool", "out", out, n);
    this.withStaging(() => {
      const px = this.stage(x, true, false);
      const po = this.stage(out, false, true);
      const pg = this.writeGeometry(g);
      this.dispatch("avg_pool", [px, pg, po], x.length >= STREAMING_PARALLEL);
    });
  }

  override avgPoolGrad(dy: Float32Array, g: ConvGeometry, dx: Float32Array): void {
    const n = g.batch * g.inH * g.inW * g.channels;
    if (n === 0) return;
    checkLength("avgPoolGrad", "dy", dy, g.batch * g.outH * g.outW * g.channels);
    checkLength("avgPoolGrad", "dx", dx, n);
    this.withStaging(() => {
      const pd = this.stage(dy, true, false);
      const px = this.stage(dx, false, true);
      const pg = this.writeGeometry(g);
      this.dispatch("avg_pool_grad", [pd, pg, px], n >= STREAMING_PARALLEL && g.batch > 1);
    });
  }

  override axpby(alpha: number, x: Float32Array, beta: number, y: Float32Array): void {
    const n = x.length;
    if (n === 0) return;
    checkLength("axpby", "y", y, n);
    this.withStaging(() => {
      const px = this.stage(x, true, false);
      const py = this.stage(y, true, true);
      this.dispatch("axpby", [alpha, px, beta, py, n], n >= STREAMING_PARALLEL);
    });
  }

  override bernoulli(p: Float32Array, out: Float32Array, rng: RandomSource): void {
    if (p.length === 0) return;
    checkLength("bernoulli", "out", out, p.length);
    this.withStaging(() => {
      const pp = this.stage(p, true, false);
      const po = this.stage(out, false, true);
      this.withRngState(rng, (state) => this.E.bernoulli(pp, po, p.length, state));
    });
  }

  override uniform(out: Float32Array, rng: RandomSource): void {
    if (out.length === 0) return;
    this.withStaging(() => {
      const po = this.stage(out, false, true);
      this.withRngState(rng, (state) => this.E.uniform(po, out.length, state));
    });
  }

  override lstmCell(
    ax: Float32Array,
    ah: Float32Array,
    cPrev: Float32Array,
    c: Float32Array,
    h: Float32Array,
    cache: Float32Array,
    n: number,
    u: number,
  ): void {
    if (n * u === 0) return;
    checkLength("lstmCell", "ax", ax, n * 4 * u);
    checkLength("lstmCell", "ah", ah, n * 4 * u);
    checkLength("lstmCell", "cPrev", cPrev, n * u);
    checkLength("lstmCell", "c", c, n * u);
    checkLength("lstmCell", "h", h, n * u);
    checkLength("lstmCell", "cache", cache, n * 5 * u);
    this.withStaging(() => {
      const args = [this.stage(ax, true, false), this.stage(ah, true, false), this.stage(cPrev, true, false)];
      args.push(this.stage(c, false, true), this.stage(h, false, true), this.stage(cache, false, true), n, u);
      this.dispatch("lstm_cell", args, n * u >= CELL_PARALLEL);
    });
  }

  override lstmCellGrad(
    cache: Float32Array,
    cPrev: Float32Array,
    dh: Float32Array,
    dc: Float32Array,
    dax: Float32Array,
    dcPrev: Float32Array,
    n: number,
    u: number,
  ): void {
    if (n * u === 0) return;
    checkLength("lstmCellGrad", "cache", cache, n * 5 * u);
    checkLength("lstmCellGrad", "cPrev", cPrev, n * u);
    checkLength("lstmCellGrad", "dh", dh, n * u);
    checkLength("lstmCellGrad", "dc", dc, n * u);
    checkLength("lstmCellGrad", "dax", dax, n * 4 * u);
    checkLength("lstmCellGrad", "dcPrev", dcPrev, n * u);
    this.withStaging(() => {
      const args = [this.stage(cache, true, false), this.stage(cPrev, true, false), this.stage(dh, true, false), this.stage(dc, true, false)];
      args.push(this.stage(dax, false, true), this.stage(dcPrev, false, true), n, u);
      this.dispatch("lstm_cell_grad", args, n * u >= STREAMING_PARALLEL);
    });
  }

  override gruCell(ax: Float32Array, ah: Float32Array, hPrev: Float32Array, h: Float32Array, cache: Float32Array, n: number, u: number): void {
    if (n * u === 0) return;
    checkLength("gruCell", "ax", ax, n * 3 * u);
    checkLength("gruCell", "ah", ah, n * 3 * u);
    checkLength("gruCell", "hPrev", hPrev, n * u);
    checkLength("gruCell", "h", h, n * u);
    checkLength("gruCell", "cache", cache, n * 4 * u);
    this.withStaging(() => {
      const args = [this.stage(ax, true, false), this.stage(ah, true, false), this.stage(hPrev, true, false)];
      args.push(this.stage(h, false, true), this.stage(cache, false, true), n, u);
      this.dispatch("gru_cell", args, n * u >= CELL_PARALLEL);
    });
  }

  override gruCellGrad(
    cache: Float32Array,
    hPrev: Float32Array,
    dh: Float32Array,
    dax: Float32Array,
    dah: Float32Array,
    dhPrev: Float32Array,
    n: number,
    u: number,
  ): void {
    if (n * u === 0) return;
    checkLength("gruCellGrad", "cache", cache, n * 4 * u);
    checkLength("gruCellGrad", "hPrev", hPrev, n * u);
    checkLength("gruCellGrad", "dh", dh, n * u);
    checkLength("gruCellGrad", "dax", dax, n * 3 * u);
    checkLength("gruCellGrad", "dah", dah, n * 3 * u);
    checkLength("gruCellGrad", "dhPrev", dhPrev, n * u);
    this.withStaging(() => {
      const args = [this.stage(cache, true, false), this.stage(hPrev, true, false), this.stage(dh, true, false)];
      args.push(this.stage(dax, false, true), this.stage(dah, false, true), this.stage(dhPrev, false, true), n, u);
      this.dispatch("gru_cell_grad", args, n * u >= STREAMING_PARALLEL);
    });
  }

  override dispose(): void {
    this.pool?.dispose();
  }

  // ---- internals --------------------------------------------------------------------

  /** Zeroes the work counters and runs the kernel here, with the workers joining when `parallel`. */
  /**
   * Runs `kernel(...args, sync)` on the calling thread, and on the pool's workers too when
   * `parallel`; `sync` is the work counter the threads claim pieces from, zeroed here.
   * `runSelf` is the calling thread's own call when it differs from that (gemm adds its scratch).
   */
  private dispatch(kernel: PoolKernel, args: number[], parallel: boolean, runSelf?: () => void): void {
    this.heap.u32().fill(0, this.sync >>> 2, (this.sync >>> 2) + 4);
    args.push(this.sync);
    const self = runSelf ?? ((): void => (this.E[kernel] as (...a: number[]) => void)(...args));
    if (this.pool === null || !parallel) self();
    else this.pool.run(kernel, args, this.threads - 1, self);
  }

  /** A rows×cols reduction or row-wise kernel writing `outLength` values. */
  private rowKernel(
    kernel: "sum_rows" | "sum_cols" | "softmax_rows" | "argmax_rows",
    x: Float32Array,
    rows: number,
    cols: number,
    out: Float32Array,
    outLength: number,
    parallelFrom: number,
  ): void {
    if (rows * cols === 0 && kernel !== "argmax_rows") {
      super[kernel === "sum_rows" ? "sumRows" : kernel === "sum_cols" ? "sumCols" : "softmaxRows"](x, rows, cols, out);
      return;
    }
    checkLength(kernel, "x", x, rows * cols);
    checkLength(kernel, "out", out, outLength);
    this.withStaging(() => {
      const px = this.stage(x, true, false);
      const po = this.stage(out, false, true);
      this.dispatch(kernel, [px, rows, cols, po], rows * cols >= parallelFrom);
    });
  }

  /** Writes g where the conv and pooling kernels read it; returns its byte offset. */
  private writeGeometry(g: ConvGeometry): number {
    const words = this.heap.u32();
    const w = this.geometry >>> 2;
    for (let i = 0; i < CONV_GEOMETRY_FIELDS.length; i++) {
      const v = g[CONV_GEOMETRY_FIELDS[i]];
      if (!Number.isInteger(v) || v < 0 || v > 0x7fffffff) throw new RangeError(`wasm backend: bad convolution geometry field ${i}: ${v}`);
      words[w + i] = v;
    }
    return this.geometry;
  }

  /** Copies the generator state in, runs the sampler, copies the advanced state back. */
  private withRngState(rng: RandomSource, run: (state: number) => void): void {
    const w = this.rngState >>> 2;
    this.heap.u32().set(rng.state, w);
    run(this.rngState);
    const words = this.heap.u32();
    for (let i = 0; i < 4; i++) rng.state[i] = words[w + i];
  }

  /** Runs a kernel call whose arrays `stage` places in wasm memory; afterwards copies outputs back and frees the staging. */
  private withStaging(body: () => void): void {
    try {
      body();
    } finally {
      this.unstage();
    }
  }

  /**
   * Byte offset of `x` for the kernels: in place when x lives in wasm memory, otherwise a
   * scratch copy (copied in if read, copied back by unstage() if written). Stage inputs
   * before outputs: an array passed twice is staged once.
   */
  private stage(x: Float32Array, copyIn: boolean, copyBack: boolean): number {
    const resident = this.heap.offsetOf(x);
    if (resident >= 0) return resident;
    for (const s of this.staged) {
      if (s.array === x) {
        s.copyBack ||= copyBack;
        return s.offset;
      }
    }
    const bytes = Math.max(16, x.length * 4);
    const offset = this.heap.allocBytes(bytes);
    if (offset < 0) throw new RangeError(`wasm backend: out of WebAssembly memory while staging ${x.length} floats`);
    if (copyIn) this.heap.copyIn(x, offset);
    this.staged.push({ array: x, offset, size: sizeClass(bytes), copyBack });
    return offset;
  }

  private unstage(): void {
    for (const s of this.staged) {
      if (s.copyBack) this.heap.copyOut(s.offset, s.array);
      this.heap.release(s.offset, s.size);
    }
    this.staged.length = 0;
  }

  private mustAlloc(bytes: number): number {
    const offset = this.heap.allocBytes(bytes);
    if (offset < 0) throw new Error("wasm backend: cannot reserve WebAssembly memory for the kernels");
    return offset;
  }

  /**
   * A few tiny calls of each kernel, so V8 compiles them with its optimising tier before the
   * first real call (a long first call would otherwise run entirely in the baseline tier).
   */
  private warmUp(): void {
    const bytes = 64 * 64 * 4;
    const a = this.mustAlloc(bytes);
    const c = this.mustAlloc(bytes);
    for (let i = 0; i < 8; i++) {
      this.gemmSlab(false, false, 64, 64, 64, 1, a, 64, a, 64, 0, c, 64);
      this.gemmSlab(true, true, 61, 63, 62, 1, a, 64, a, 64, 1, c, 64);
    }
    for (const op of ["sigmoid", "tanh", "exp", "log", "softplus", "relu"] as const)
      this.unary(op, this.heap.f32().subarray(a >>> 2, (a >>> 2) + 4096), this.heap.f32().subarray(c >>> 2, (c >>> 2) + 4096));
    this.heap.release(a, sizeClass(bytes));
    this.heap.release(c, sizeClass(bytes));
  }
}

/** Throws when a rows×cols matrix with row stride ld does not fit in x (it would read or
    write other tensors' memory). */
function checkExtent(name: string, x: Float32Array, rows: number, cols: number, ld: number): void {
  if (rows === 0 || cols === 0) return;
  if (ld < cols || (rows - 1) * ld + cols > x.length) {
    throw new RangeError(`gemm: ${name} is ${rows}x${cols} with row stride ${ld}, which needs ${(rows - 1) * ld + cols} floats, but the array has ${x.length}`);
  }
}

/** The same memory as float32 words, so index arrays travel through stage() like tensors (bits copied unchanged). */
function asFloats(x: Int32Array): Float32Array {
  return new Float32Array(x.buffer, x.byteOffset, x.length);
}

function checkLength(op: string, name: string, x: Float32Array | Int32Array, n: number): void {
  if (x.length < n) throw new RangeError(`${op}: ${name} has ${x.length} elements, needs ${n}`);
}

export function createWasmBackend(options: BackendOptions): WasmBackend {
  return new WasmBackend(options);
}
