/**
 * The backend seam: a small set of primitive kernels over Float32Array views. Everything
 * else (ops, layers, models) composes from these, so a new backend only has to supply them.
 * All matrices are row-major; a "row vector broadcast" repeats a length-`cols` vector over rows.
 */

/**
 * A seeded generator as the sampling kernels see it (tensor/random.ts's Rng is one): its four
 * xoshiro128** state words, which the WebAssembly kernels read and advance in place, and its
 * next uniform in [0, 1), which the TypeScript kernels draw. Declared here, not imported, because
 * the backend sits below the tensor layer: tensors take their storage from the backend.
 */
export interface RandomSource {
  readonly state: Uint32Array;
  nextFloat(): number;
}

export interface BackendOptions {
  /** Threads, counting the calling thread (default: all cores): the WASM backend's workers, the native backend's OpenBLAS threads. */
  threads?: number;
  /** WASM backend: run the relaxed-SIMD kernel build where the runtime has it (default: yes, unless LAYERWISE_RELAXED_SIMD=0); false keeps the plain SIMD128 build. */
  relaxedSimd?: boolean;
}

export type UnaryOp = "sigmoid" | "tanh" | "relu" | "exp" | "log" | "neg" | "abs" | "sqrt" | "square" | "softplus" | "sign" | "step";
export type BinaryOp = "add" | "sub" | "mul" | "div" | "max" | "min";
export type ScalarOp = "add" | "mul" | "pow" | "max" | "min" | "rsub";
/** Derivatives written in terms of the unit's output y = f(x), as backpropagation uses them. */
export type ActivationGradOp = "sigmoid" | "tanh" | "relu";

export interface BackendInfo {
  /** "js", "wasm" or "native". */
  name: string;
  simd: boolean;
  threads: number;
  /** Why the backend is what it is (fallbacks, missing features). */
  notes: string[];
  /** Which machine code runs, where that depends on the CPU (native: OpenBLAS's core type, the kernels' instruction set). */
  kernels?: string;
}

/**
 * Where a 2-D window (convolution kernel or pooling window) sits over an NHWC batch: input
 * batch×inH×inW×channels, window kH×kW moved by strideH/strideW, zero padding padTop/padLeft
 * before the first row/column (the padding after the last is implied by outH/outW). A 1-D
 * convolution is the case inH = kH = 1.
 */
export interface ConvGeometry {
  batch: number;
  inH: number;
  inW: number;
  channels: number;
  kH: number;
  kW: number;
  strideH: number;
  strideW: number;
  padTop: number;
  padLeft: number;
  outH: number;
  outW: number;
}

/** ConvGeometry's fields in the order the C kernels read them as ints (the G_* enums of the wasm and native kernels). */
export const CONV_GEOMETRY_FIELDS = [
  "batch",
  "inH",
  "inW",
  "channels",
  "kH",
  "kW",
  "strideH",
  "strideW",
  "padTop",
  "padLeft",
  "outH",
  "outW",
] as const satisfies readonly (keyof ConvGeometry)[];

export interface Backend {
  readonly name: string;
  info(): BackendInfo;

  /**
   * Zero-filled storage for `n` floats, which this backend's kernels use without copying where
   * they can (the WebAssembly backend: within its resident budget; past it, ordinary memory).
   */
  alloc(n: number): Float32Array;

  /**
   * General matrix multiply, C = alpha op(A) op(B) + beta C, with op(X) = X or Xᵀ.
   * op(A) is m×k, op(B) is k×n, C is m×n; lda, ldb, ldc are the row strides of the stored
   * A, B, C. With beta = 0, C is overwritten (NaNs in old C do not leak through).
   */
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
  ): void;

  /** out[i] = f(x[i]); out may be x. */
  unary(op: UnaryOp, x: Float32Array, out: Float32Array): void;
  /** out = a ∘ b elementwise; with `b.length < a.length`, b is a row vector repeated over a's rows. */
  binary(op: BinaryOp, a: Float32Array, b: Float32Array, out: Float32Array): void;
  /** out[i] = x[i] ∘ s. "rsub" is s - x[i]. */
  scalar(op: ScalarOp, x: Float32Array, s: number, out: Float32Array): void;
  /** y = alpha x + beta y (in place on y). */
  axpby(alpha: number, x: Float32Array, beta: number, y: Float32Array): void;
  /** out = dy * f'(x) written through y = f(x). */
  activationGrad(op: ActivationGradOp, y: Float32Array, dy: Float32Array, out: Float32Array): void;

  /**
   * Unrolls every receptive field of the NHWC batch x into one row of `cols`
   * ((batch·outH·outW) × (kH·kW·channels), row order n, oh, ow; column order kh, kw, c), with
   * zeros where the window hangs over the padding. A convolution is then one GEMM with the
   * (kH·kW·channels) × filters kernel matrix.
   */
  im2col(x: Float32Array, g: ConvGeometry, cols: Float32Array): void;
  /** The adjoint of im2col: dx (overwritten) = the sum of each row of `cols` added back onto the pixels of its receptive field. */
  col2im(cols: Float32Array, g: ConvGeometry, dx: Float32Array): void;

  /**
   * Max pooling of the NHWC batch x over the windows of g (clipped to the image): out
   * (batch·outH·outW·channels) = each window's largest value per channel, argmax = its flat
   * index in x (the first on ties; -inf and -1 for a window with no pixels).
   */
  maxPool(x: Float32Array, g: ConvGeometry, out: Float32Array, argmax: Int32Array): void;
  /** dx (all of it overwritten) = dy[i] added onto dx[argmax[i]] for each output i (none where argmax is -1). */
  maxPoolGrad(dy: Float32Array, argmax: Int32Array, dx: Float32Array): void;
  /** Average pooling: out = the mean of each window over the pixels it covers on the image. */
  avgPool(x: Float32Array, g: ConvGeometry, out: Float32Array): void;
  /** dx (the batch·inH·inW·channels values overwritten) = each window's dy shared equally among its pixels. */
  avgPoolGrad(dy: Float32Array, g: ConvGeometry, dx: Float32Array): void;

  /** Row-wise softmax of a rows×cols matrix, stabilised by subtracting each row's max. */
  softmaxRows(x: Float32Array, rows: number, cols: number, out: Float32Array): void;
  /** out[j] = Σ_i x[i, j] (length cols): the reduction over axis 0. */
  sumRows(x: Float32Array, rows: number, cols: number, out: Float32Array): void;
  /** out[i] = Σ_j x[i, j] (length rows): the reduction over axis 1. */
  sumCols(x: Float32Array, rows: number, cols: number, out: Float32Array): void;
  /** Index of the largest entry of each row (first one on ties). */
  argmaxRows(x: Float32Array, rows: number, cols: number, out: Int32Array): void;

  /** out[i] = 1 if u_i < p[i] else 0, u_i the next uniform of rng, in index order. */
  bernoulli(p: Float32Array, out: Float32Array, rng: RandomSource): void;
  /** out[i] = the next uniform of rng in [0, 1), in index order. */
  uniform(out: Float32Array, rng: RandomSource): void;

  /**
   * The LSTM cell's elementwise step (src/nn/lstm.ts) for n rows of u units, gates packed
   * i, f, g, o: from the pre-activations ax + ah [n, 4u] and c_{t−1} [n, u], writes c_t and
   * h_t [n, u] and the cache [n, 5u] = i, f, g, o, tanh(c_t) that lstmCellGrad reads.
   */
  lstmCell(ax: Float32Array, ah: Float32Array, cPrev: Float32Array, c: Float32Array, h: Float32Array, cache: Float32Array, n: number, u: number): void;
  /**
   * Its backward: from the cache, c_{t−1}, dL/dh_t and the dL/dc_t carried down [n, u], writes
   * δ = dL/da [n, 4u] (gates i, f, g, o) and dL/dc_{t−1} = dc_t ∘ f_t [n, u].
   */
  lstmCellGrad(
    cache: Float32Array,
    cPrev: Float32Array,
    dh: Float32Array,
    dc: Float32Array,
    dax: Float32Array,
    dcPrev: Float32Array,
    n: number,
    u: number,
  ): void;

  /**
   * The GRU cell's elementwise step (src/nn/gru.ts, "reset after"), gates packed r, z, n: from
   * ax, ah [n, 3u] (ah = h_{t−1} U + b_h) and h_{t−1}, writes h_t [n, u] and the cache [n, 4u] =
   * r, z, n, q (q = ah's candidate part).
   */
  gruCell(ax: Float32Array, ah: Float32Array, hPrev: Float32Array, h: Float32Array, cache: Float32Array, n: number, u: number): void;
  /**
   * Its backward: from the cache, h_{t−1} and dL/dh_t, writes δ of the input part (dax) and of
   * the recurrent part (dah) [n, 3u], and the direct dL/dh_{t−1} = dh ∘ z [n, u].
   */
  gruCellGrad(
    cache: Float32Array,
    hPrev: Float32Array,
    dh: Float32Array,
    dax: Float32Array,
    dah: Float32Array,
    dhPrev: Float32Array,
    n: number,
    u: number,
  ): void;

  /** Releases threads and memory; the backend must not be used afterwards. */
  dispose(): void;
}
