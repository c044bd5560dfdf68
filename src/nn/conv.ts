/**
 * Convolutional layers, NHWC: Conv2D on [height, width, channels] maps, Conv1D on
 * [steps, channels] sequences (the same layer with height 1).
 *
 * Two ideas from the lecture make a convolution:
 *   - local receptive fields: each output unit sees only a kH×kW window of the input (all
 *     input channels), not the whole image;
 *   - weight sharing: every window position uses the same filter, so a feature detector
 *     learnt in one place works everywhere, with kH·kW·C·filters weights instead of a dense
 *     layer's (H·W·C)·(H'·W'·filters).
 * im2col writes every window as one row, so applying the shared filters to all of them at
 * once is one GEMM:  Z = cols · K + b  with cols [N·H'·W', kH·kW·C] and K [kH·kW·C, filters].
 * Backward, for δ = dL/dZ:  dL/dK = colsᵀ δ,  dL/db = Σ_rows δ,  dL/dx = col2im(δ Kᵀ).
 * Output size per axis: (W − F + 2P)/S + 1 (see ops.axisGeometry).
 */

import type { ConvGeometry, Padding, Size2 } from "../ops/index.js";
import * as ops from "../ops/index.js";
import type { Rng } from "../tensor/random.js";
import { checkTensorSize, formatShape, type Shape, ShapeError, shapeSize } from "../tensor/shape.js";
import { type Tensor, zeros } from "../tensor/tensor.js";
import { type ActivationName, activate, activationBackward, assertActivation, assertLeakyAlpha, DEFAULT_LEAKY_ALPHA } from "./activations.js";
import { BatchBuffers } from "./buffers.js";
import { assertInitializer, type InitializerName, initialize } from "./initializers.js";
import type { Layer, LayerConfig, Param } from "./layer.js";
import { makeParam } from "./param.js";
import { configValue, isBoolean, isNumber, isShape, isString, registerLayer } from "./registry.js";

export interface ConvCommonOptions {
  /** Number of filters = output channels. */
  filters: number;
  /** Default 1. */
  strides?: Size2;
  /** Zeros around the input: P on each side, "valid" (P = 0, the default) or "same" (output = ⌈W/S⌉). */
  padding?: Padding;
  /** Default "linear". */
  activation?: ActivationName;
  /** Default true. */
  useBias?: boolean;
  /** Default "glorotUniform" (fanIn = kH·kW·C, fanOut = kH·kW·filters). */
  kernelInitializer?: InitializerName;
  /** Slope for z < 0 when activation is "leakyRelu". */
  alpha?: number;
  name?: string;
  inputShape?: Shape;
}

export interface Conv2DOptions extends ConvCommonOptions {
  /** F, or [kH, kW]. */
  kernelSize: Size2;
}

export interface Conv1DOptions extends Omit<ConvCommonOptions, "strides"> {
  /** Window length in steps. */
  kernelSize: number;
  strides?: number;
}

/**
 * What every layer of shared filters over NHWC maps has (Conv2D, Conv1D, Conv2DTranspose): the
 * options and their checks, the kernel read as one matrix K with its gradient, the bias,
 * Y = f(Z + b) forward and δ = f′(Z) ⊙ dL/dY backward, the parameters and the saved config.
 * How Z is made from x (and dL/dx from δ) is the subclass's.
 */
export abstract class FilterLayer implements Layer {
  name: string;
  readonly filters: number;
  readonly activation: ActivationName;
  readonly useBias: boolean;
  readonly kernelInitializer: InitializerName;
  readonly alpha: number;
  readonly padding: Padding;
  readonly inputShape?: Shape;
  kernel!: Param;
  bias: Param | null = null;
  /** The geometry of the convolution (for Conv2DTranspose: the one it transposes) for one image; forward sets its batch. */
  protected geometry!: ConvGeometry;
  protected builtShape: Shape = [];
  /** The kernel as the matrix of the GEMM, and its gradient (views of the param's storage). */
  protected kernelMatrix!: Tensor;
  protected kernelGradMatrix!: Tensor;
  private dbScratch: Tensor | null = null;
  protected readonly buffers = new BatchBuffers();
  /** The last output Y, [pixels, filters]; null before a forward. */
  protected y: Tensor | null = null;

  protected constructor(
    protected readonly className: string,
    options: ConvCommonOptions,
  ) {
    const what = className;
    if (!Number.isInteger(options.filters) || options.filters < 1) throw new RangeError(`${what}: filters must be an integer >= 1; got ${options.filters}`);
    this.filters = options.filters;
    this.padding = options.padding ?? "valid";
    this.activation = assertActivation(options.activation ?? "linear", what);
    this.useBias = options.useBias ?? true;
    this.kernelInitializer = assertInitializer(options.kernelInitializer ?? "glorotUniform", what);
    this.alpha = assertLeakyAlpha(options.alpha ?? DEFAULT_LEAKY_ALPHA, what);
    this.name = options.name ?? "";
    if (options.inputShape !== undefined) this.inputShape = [...options.inputShape];
  }

  abstract build(inputShape: Shape, rng: Rng): Shape;
  abstract forward(x: Tensor, training: boolean): Tensor;
  abstract backward(dy: Tensor, needInputGrad?: boolean): Tensor;
  /** The kernel size and strides as the config saves them. */
  protected abstract extraConfig(): Record<string, unknown>;

  /** A new kernel param of `shape` (initialised with fans fanIn, fanOut), read as the matrix K [rows, cols]; a zero bias; fresh buffers. */
  protected initKernel(shape: Shape, rows: number, cols: number, fanIn: number, fanOut: number, rng: Rng): void {
    const kernel = initialize(this.kernelInitializer, shape, fanIn, fanOut, rng);
    this.kernel = makeParam("kernel", kernel, true);
    this.kernelMatrix = kernel.reshape(rows, cols);
    this.kernelGradMatrix = this.kernel.grad.reshape(rows, cols);
    this.bias = this.useBias ? makeParam("bias", zeros([this.filters]), false) : null;
    this.dbScratch = this.useBias ? zeros([this.filters]) : null;
    this.buffers.clear();
  }

  /** Y = f(Z + b) for the pre-activations Z [pixels, filters] of n examples (b is added into Z); kept for backward. */
  protected activateOutput(z: Tensor, n: number): Tensor {
    if (this.bias !== null) ops.add(z, this.bias.value, z);
    this.y = this.activation === "linear" ? z : activate(this.activation, z, this.buffers.get("y", [n, z.size / n]).reshape(z.shape), this.alpha);
    return this.y;
  }

  /** δ = dL/dZ = f′ ⊙ dy for the last output of n examples, with Σ_rows δ added to the bias gradient. */
  protected outputDelta(dy: Tensor, n: number, outputShape: Shape): Tensor {
    const y = this.y;
    if (y === null) throw new Error(`${this.className} ${this.name}: backward needs a forward first (once per forward)`);
    if (dy.size !== y.size)
      throw new ShapeError(`${this.className} ${this.name}: dy ${formatShape(dy.shape)} does not match the last output [${n}, ${outputShape.join(", ")}]`);
    const delta = activationBackward(this.activation, y, dy.reshape(y.shape), this.buffers.get("dz", [n, y.size / n]).reshape(y.shape), this.alpha);
    if (this.bias?.trainable && this.dbScratch !== null) ops.add(this.bias.grad, ops.sum(delta, 0, this.dbScratch), this.bias.grad);
    return delta;
  }

  params(): Param[] {
    if (this.kernel === undefined) return [];
    return this.bias === null ? [this.kernel] : [this.kernel, this.bias];
  }

  config(): LayerConfig {
    const c: LayerConfig = {
      className: this.className,
      name: this.name,
      filters: this.filters,
      ...this.extraConfig(),
      padding: this.padding,
      activation: this.activation,
      useBias: this.useBias,
      kernelInitializer: this.kernelInitializer,
    };
    if (this.activation === "leakyRelu") c.alpha = this.alpha;
    if (this.inputShape !== undefined) c.inputShape = [...this.inputShape];
    return c;
  }
}

/** The shared machinery of Conv2D and Conv1D: a 2-D convolution over [H, W, C] maps, im2col and one GEMM. */
abstract class ConvBase extends FilterLayer {
  /** The receptive fields of the last forward, [pixels, kH·kW·C]; spent by backward. */
  private cols: Tensor | null = null;

  protected constructor(
    className: string,
    protected readonly kernelHW: readonly [number, number],
    protected readonly stridesHW: readonly [number, number],
    options: ConvCommonOptions,
  ) {
    super(className, options);
    if (!(this.padding === "valid" || this.padding === "same" || (Number.isInteger(this.padding) && this.padding >= 0))) {
      throw new RangeError(`${className}: padding must be an integer >= 0, "valid" or "same"; got ${JSON.stringify(options.padding)}`);
    }
  }

  /** [H, W, C] of the 2-D view of one input example. */
  protected abstract mapShape(inputShape: Shape): [number, number, number];
  /** Padding per axis [height, width]. */
  protected abstract axisPadding(): readonly [Padding, Padding];
  /** The output shape (without batch) for the layer's own rank. */
  protected abstract outputShape(g: ConvGeometry): Shape;
  /** The stored shape of the kernel param ([kH, kW, C, filters]; Conv1D: [k, C, filters]), read as a [kH·kW·C, filters] matrix. */
  protected abstract kernelShape(channels: number): Shape;

  build(inputShape: Shape, rng: Rng): Shape {
    const [h, w, c] = this.mapShape(inputShape);
    const what = `${this.className} ${this.name}`.trim();
    this.geometry = ops.windowGeometry(what, [h, w, c], this.kernelHW, this.stridesHW, this.axisPadding());
    this.builtShape = [...inputShape];
    const [kH, kW] = this.kernelHW;
    const fanIn = kH * kW * c;
    checkTensorSize(what, [
      ["kernel height × width × channels", fanIn],
      ["filters", this.filters],
    ]);
    this.initKernel(this.kernelShape(c), fanIn, this.filters, fanIn, kH * kW * this.filters, rng);
    return this.outputShape(this.geometry);
  }

  forward(x: Tensor, _training: boolean): Tensor {
    if (this.kernel === undefined) throw new Error(`${this.className} ${this.name}: forward called before build`);
    // any row layout of the right size is read as NHWC (so [n, 784] digits feed a [28, 28, 1] layer)
    if (x.rank < 2 || shapeSize(x.shape.slice(1)) !== shapeSize(this.builtShape)) {
      throw new ShapeError(`${this.className} ${this.name}: expected input [batch, ${this.builtShape.join(", ")}] (NHWC); got ${formatShape(x.shape)}`);
    }
    const n = x.shape[0];
    const g = this.geometry;
    g.batch = n;
    const rows = n * g.outH * g.outW;
    const fieldSize = g.kH * g.kW * g.channels;
    // every receptive field as a row, then the shared filters applied to all rows at once
    const cols = ops.im2col(x, g, this.buffers.get("cols", [n, g.outH * g.outW * fieldSize]).reshape(rows, fieldSize));
    const z = ops.matmul(cols, this.kernelMatrix, { out: this.buffers.get("z", [n, g.outH * g.outW * this.filters]).reshape(rows, this.filters) });
    this.cols = cols;
    return this.activateOutput(z, n).reshape([n, ...this.outputShape(g)]);
  }

  backward(dy: Tensor, needInputGrad = true): Tensor {
    const g = this.geometry;
    const n = g.batch;
    const cols = this.cols;
    if (cols === null) throw new Error(`${this.className} ${this.name}: backward needs a forward first (once per forward)`);
    const delta = this.outputDelta(dy, n, this.outputShape(g));
    if (this.kernel.trainable) ops.matmul(cols, delta, { transA: true, beta: 1, out: this.kernelGradMatrix });
    if (!needInputGrad) return dy;
    // cols is spent once dL/dK is accumulated: reuse its storage for dL/dcols
    const dcols = ops.matmul(delta, this.kernelMatrix, { transB: true, out: cols });
    this.cols = null;
    const dx = this.buffers.get("dx", [n, shapeSize(this.builtShape)]);
    ops.col2im(dcols, g, dx.reshape(n, g.inH, g.inW, g.channels));
    return dx.reshape([n, ...this.builtShape]);
  }
}

/** 2-D convolution over NHWC maps: input [H, W, C], kernel [kH, kW, C, filters], output [H', W', filters]. */
export class Conv2D extends ConvBase {
  readonly kernelSize: [number, number];
  readonly strides: [number, number];

  constructor(options: Conv2DOptions) {
    const kernelSize = ops.pair("Conv2D: kernelSize", options.kernelSize);
    const strides = ops.pair("Conv2D: strides", options.strides ?? 1);
    super("Conv2D", kernelSize, strides, options);
    this.kernelSize = kernelSize;
    this.strides = strides;
  }

  protected mapShape(s: Shape): [number, number, number] {
    if (s.length !== 3) throw new ShapeError(`Conv2D ${this.name}: input shape must be [height, width, channels] (NHWC); got ${formatShape(s)}`);
    return [s[0], s[1], s[2]];
  }

  protected axisPadding(): readonly [Padding, Padding] {
    return [this.padding, this.padding];
  }

  protected outputShape(g: ConvGeometry): Shape {
    return [g.outH, g.outW, this.filters];
  }

  protected kernelShape(channels: number): Shape {
    return [this.kernelSize[0], this.kernelSize[1], channels, this.filters];
  }

  protected extraConfig(): Record<string, unknown> {
    return { kernelSize: [...this.kernelSize], strides: [...this.strides] };
  }
}

/**
 * 1-D convolution over sequences: input [steps, C], kernel [k, C, filters], output
 * [steps', filters]. A window of k consecutive steps (e.g. k words of a sentence) is the
 * receptive field. Runs as a Conv2D of height 1.
 */
export class Conv1D extends ConvBase {
  readonly kernelSize: number;
  readonly strides: number;

  constructor(options: Conv1DOptions) {
    const [k] = ops.pair("Conv1D: kernelSize", options.kernelSize);
    const [s] = ops.pair("Conv1D: strides", options.strides ?? 1);
    super("Conv1D", [1, k], [1, s], options);
    this.kernelSize = k;
    this.strides = s;
  }

  protected mapShape(s: Shape): [number, number, number] {
    if (s.length !== 2) throw new ShapeError(`Conv1D ${this.name}: input shape must be [steps, channels]; got ${formatShape(s)}`);
    return [1, s[0], s[1]];
  }

  protected axisPadding(): readonly [Padding, Padding] {
    return [0, this.padding];
  }

  protected outputShape(g: ConvGeometry): Shape {
    return [g.outW, this.filters];
  }

  protected kernelShape(channels: number): Shape {
    return [this.kernelSize, channels, this.filters];
  }

  protected extraConfig(): Record<string, unknown> {
    return { kernelSize: this.kernelSize, strides: this.strides };
  }
}

const isPadding = (v: unknown): v is Padding => v === "valid" || v === "same" || (typeof v === "number" && Number.isInteger(v) && v >= 0);
export const isSize2 = (v: unknown): v is Size2 => isNumber(v) || (isShape(v) && v.length === 2);

/**
 * The options every filter layer reads from its saved config (all but kernel size and strides,
 * whose types differ by layer). `padding` is read with the layer's own rule: Conv2DTranspose
 * takes only "valid" or "same".
 */
export function filterLayerConfig<P>(
  c: LayerConfig,
  isLayerPadding: (v: unknown) => v is P,
  paddingRule: string,
): Omit<ConvCommonOptions, "padding"> & { padding?: P } {
  const filters = configValue(c, "filters", isNumber, "an integer >= 1");
  if (filters === undefined) throw new TypeError(`${c.className} config: "filters" is required`);
  return {
    filters,
    padding: configValue(c, "padding", isLayerPadding, paddingRule),
    activation: configValue(c, "activation", isString, "an activation name") as ActivationName | undefined,
    useBias: configValue(c, "useBias", isBoolean, "a boolean"),
    kernelInitializer: configValue(c, "kernelInitializer", isString, "an initializer name") as InitializerName | undefined,
    alpha: configValue(c, "alpha", isNumber, "a number"),
    name: configValue(c, "name", isString, "a string"),
    inputShape: configValue(c, "inputShape", isShape, "a shape"),
  };
}

const commonFromConfig = (c: LayerConfig): ConvCommonOptions => filterLayerConfig(c, isPadding, 'an integer >= 0, "valid" or "same"');

registerLayer("Conv2D", (c) => {
  const kernelSize = configValue(c, "kernelSize", isSize2, "an integer or a pair");
  if (kernelSize === undefined) throw new TypeError(`Conv2D config: "kernelSize" is required`);
  return new Conv2D({ ...commonFromConfig(c), kernelSize, strides: configValue(c, "strides", isSize2, "an integer or a pair") });
});

registerLayer("Conv1D", (c) => {
  const kernelSize = configValue(c, "kernelSize", isNumber, "an integer >= 1");
  if (kernelSize === undefined) throw new TypeError(`Conv1D config: "kernelSize" is required`);
  return new Conv1D({ ...commonFromConfig(c), kernelSize, strides: configValue(c, "strides", isNumber, "an integer >= 1") });
});
