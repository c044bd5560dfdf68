/**
 * The native backend (Node only): the addon layerwise.node (addon.c) does GEMM through
 * OpenBLAS and the other hot kernels in vectorised C (src/backend/c/kernels.c, the WebAssembly
 * backend's source too), on the Float32Arrays themselves (no copies: tensor storage is ordinary
 * memory here). What it does not cover (pow, sign, ...) runs in the TypeScript backend it
 * extends. docs/native-backend.md has how it loads, the fallback and the build.
 */

import { platform } from "../../platform/index.js";
import {
  type ActivationGradOp,
  type Backend,
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

/** The kernels whose addon function takes exactly the Backend method's arguments. */
type PassThrough =
  | "gemm"
  | "axpby"
  | "softmaxRows"
  | "sumRows"
  | "sumCols"
  | "argmaxRows"
  | "maxPoolGrad"
  | "lstmCell"
  | "lstmCellGrad"
  | "gruCell"
  | "gruCellGrad";

/** What layerwise.node exports (addon.c's table); op codes as in kernels.h, geometry as CONV_GEOMETRY_FIELDS. */
interface NativeAddon extends Pick<Backend, PassThrough> {
  unary(op: number, x: Float32Array, out: Float32Array): void;
  binary(op: number, a: Float32Array, b: Float32Array, out: Float32Array): void;
  scalar(op: number, x: Float32Array, s: number, out: Float32Array): void;
  activationGrad(op: number, y: Float32Array, dy: Float32Array, out: Float32Array): void;
  bernoulli(p: Float32Array, out: Float32Array, state: Uint32Array): void;
  uniform(out: Float32Array, state: Uint32Array): void;
  im2col(x: Float32Array, g: Int32Array, cols: Float32Array): void;
  col2im(cols: Float32Array, g: Int32Array, dx: Float32Array): void;
  maxPool(x: Float32Array, g: Int32Array, out: Float32Array, argmax: Int32Array): void;
  avgPool(x: Float32Array, g: Int32Array, out: Float32Array): void;
  avgPoolGrad(dy: Float32Array, g: Int32Array, dx: Float32Array): void;
  /** Sets OpenBLAS's thread count; returns the count in force (at most what OpenBLAS started with). */
  setThreads(n: number): number;
  config(): { blasCore: string; blasConfig: string; kernels: string; threads: number; poolJoins: number };
}

const UNARY_CODES: Partial<Record<UnaryOp, number>> = {
  sigmoid: 0,
  tanh: 1,
  exp: 2,
  relu: 3,
  step: 4,
  square: 5,
  sqrt: 6,
  abs: 7,
  neg: 8,
  log: 9,
  softplus: 10,
};
const BINARY_CODES: Record<BinaryOp, number> = { add: 0, sub: 1, mul: 2, div: 3, max: 4, min: 5 };
/** "pow" runs in TypeScript: C's pow and Math.pow may round differently. */
const SCALAR_CODES: Partial<Record<ScalarOp, number>> = { add: 0, mul: 1, rsub: 2, max: 3, min: 4 };
const ACTIVATION_GRAD_CODES: Record<ActivationGradOp, number> = { sigmoid: 0, tanh: 1, relu: 2 };

/** The most threads the native backend accepts (OpenBLAS's build limit, MAX_THREADS=64). */
export const MAX_NATIVE_THREADS = 64;

/** The addon, or why it cannot be used here. */
export function loadNativeAddon(): { addon: NativeAddon; path: string } | { reason: string } {
  const loaded = platform.loadNativeAddon();
  if ("reason" in loaded) return { reason: loaded.reason };
  const addon = loaded.addon as Partial<NativeAddon>;
  // a stale binary from an older build would fail later, at some kernel: say so now
  for (const fn of ["gemm", "config", "setThreads", "lstmCellGrad"] as const) {
    if (typeof addon[fn] !== "function") return { reason: `${loaded.path} lacks ${fn}() (stale build? run npm run build:native)` };
  }
  return { addon: addon as NativeAddon, path: loaded.path };
}

/** The thread budget is one setting per process (OpenBLAS's and the pool's): the count last given. */
let blasThreads = 0;

export class NativeBackend extends JsBackend {
  override readonly name: string = "native";
  private readonly lib: NativeAddon;
  private readonly threads: number;
  /** The ConvGeometry of the current call as kernels.h's 12 ints. */
  private readonly geometry = new Int32Array(CONV_GEOMETRY_FIELDS.length);

  constructor(addon: NativeAddon, options: BackendOptions = {}, notes: string[] = []) {
    const requested = options.threads ?? platform.hardwareConcurrency();
    if (!Number.isInteger(requested) || requested < 1 || requested > MAX_NATIVE_THREADS) {
      throw new RangeError(`native backend: threads must be an integer in [1, ${MAX_NATIVE_THREADS}], got ${requested}`);
    }
    super([...notes]);
    this.lib = addon;
    this.threads = this.useThreads(requested);
    if (this.threads < requested) this.notes.push(`OpenBLAS started ${this.threads} threads; ${requested} were asked for`);
  }

  /** Sets the process's thread budget (OpenBLAS and the addon's pool) to n, unless it is already. */
  private useThreads(n: number): number {
    if (blasThreads !== n) blasThreads = this.lib.setThreads(n);
    return blasThreads;
  }

  /** The addon, with the thread budget at this backend's count (another instance may have changed it). */
  private get addon(): NativeAddon {
    this.useThreads(this.threads);
    return this.lib;
  }

  /** How many times one of the addon's pool workers took part in a kernel call (a diagnostic: workers do join). */
  get workerJoins(): number {
    return this.lib.config().poolJoins;
  }

  override info(): BackendInfo {
    const c = this.addon.config();
    const coreType = platform.env("OPENBLAS_CORETYPE");
    const why = coreType ? `OPENBLAS_CORETYPE=${coreType}` : "OPENBLAS_CORETYPE unset";
    const version = /OpenBLAS [\d.]+/.exec(c.blasConfig)?.[0] ?? "OpenBLAS";
    return {
      name: this.name,
      simd: true,
      threads: this.threads,
      notes: this.notes,
      kernels: `${version} core=${c.blasCore} (${why}); own kernels ${c.kernels}`,
    };
  }

  override gemm(...args: Parameters<Backend["gemm"]>): void {
    this.addon.gemm(...args);
  }

  override unary(op: UnaryOp, x: Float32Array, out: Float32Array): void {
    const code = UNARY_CODES[op];
    if (code === undefined) super.unary(op, x, out);
    else this.addon.unary(code, x, out);
  }

  override binary(op: BinaryOp, a: Float32Array, b: Float32Array, out: Float32Array): void {
    if (b.length === 0 || a.length % b.length !== 0) super.binary(op, a, b, out);
    else this.addon.binary(BINARY_CODES[op], a, b, out);
  }

  override scalar(op: ScalarOp, x: Float32Array, s: number, out: Float32Array): void {
    const code = SCALAR_CODES[op];
    if (code === undefined) super.scalar(op, x, s, out);
    else this.addon.scalar(code, x, s, out);
  }

  override axpby(...args: Parameters<Backend["axpby"]>): void {
    this.addon.axpby(...args);
  }

  override activationGrad(op: ActivationGradOp, y: Float32Array, dy: Float32Array, out: Float32Array): void {
    this.addon.activationGrad(ACTIVATION_GRAD_CODES[op], y, dy, out);
  }

  /** The geometry as kernels.h's 12 ints, in the buffer kept for it. */
  private geometryOf(g: ConvGeometry): Int32Array {
    for (let i = 0; i < CONV_GEOMETRY_FIELDS.length; i++) this.geometry[i] = g[CONV_GEOMETRY_FIELDS[i]];
    return this.geometry;
  }

  override im2col(x: Float32Array, g: ConvGeometry, cols: Float32Array): void {
    this.addon.im2col(x, this.geometryOf(g), cols);
  }

  override col2im(cols: Float32Array, g: ConvGeometry, dx: Float32Array): void {
    this.addon.col2im(cols, this.geometryOf(g), dx);
  }

  override maxPool(x: Float32Array, g: ConvGeometry, out: Float32Array, argmax: Int32Array): void {
    this.addon.maxPool(x, this.geometryOf(g), out, argmax);
  }

  override maxPoolGrad(...args: Parameters<Backend["maxPoolGrad"]>): void {
    this.addon.maxPoolGrad(...args);
  }

  override avgPool(x: Float32Array, g: ConvGeometry, out: Float32Array): void {
    this.addon.avgPool(x, this.geometryOf(g), out);
  }

  override avgPoolGrad(dy: Float32Array, g: ConvGeometry, dx: Float32Array): void {
    this.addon.avgPoolGrad(dy, this.geometryOf(g), dx);
  }

  override softmaxRows(...args: Parameters<Backend["softmaxRows"]>): void {
    this.addon.softmaxRows(...args);
  }

  override sumRows(...args: Parameters<Backend["sumRows"]>): void {
    this.addon.sumRows(...args);
  }

  override sumCols(...args: Parameters<Backend["sumCols"]>): void {
    this.addon.sumCols(...args);
  }

  override argmaxRows(...args: Parameters<Backend["argmaxRows"]>): void {
    this.addon.argmaxRows(...args);
  }

  // the generator's state words are advanced in place, so the stream continues exactly as in TypeScript
  override bernoulli(p: Float32Array, out: Float32Array, rng: RandomSource): void {
    this.addon.bernoulli(p, out, rng.state);
  }

  override uniform(out: Float32Array, rng: RandomSource): void {
    this.addon.uniform(out, rng.state);
  }

  override lstmCell(...args: Parameters<Backend["lstmCell"]>): void {
    this.addon.lstmCell(...args);
  }

  override lstmCellGrad(...args: Parameters<Backend["lstmCellGrad"]>): void {
    this.addon.lstmCellGrad(...args);
  }

  override gruCell(...args: Parameters<Backend["gruCell"]>): void {
    this.addon.gruCell(...args);
  }

  override gruCellGrad(...args: Parameters<Backend["gruCellGrad"]>): void {
    this.addon.gruCellGrad(...args);
  }
}

/** A native backend, or why there cannot be one here. */
export function createNativeBackend(options: BackendOptions): NativeBackend | string {
  const loaded = loadNativeAddon();
  return "reason" in loaded ? loaded.reason : new NativeBackend(loaded.addon, options, [`addon ${loaded.path}`]);
}
