/**
 * Conv2DTranspose, NHWC: the decoder's way up, [H, W, C] → [H', W', filters] with
 * H' = (H − 1)·S + F ("valid") or H·S ("same").
 *
 * A convolution with the same kernel, strides and padding maps [H', W', filters] → [H, W, C]
 * (K a [kH·kW·filters, C] matrix, Keras layout [kH, kW, filters, C]). Its backward-data pass
 * col2im(δ Kᵀ) sends each output unit back onto its receptive field; that pass is this
 * layer's forward, so Conv2DTranspose is the adjoint of Conv2D: ⟨conv(u), x⟩ = ⟨u, convT(x)⟩.
 * Each input pixel paints a kH×kW stamp of its filters into the output, S pixels apart, and
 * overlapping stamps add up. Every step is an existing kernel run the other way round:
 *   forward   cols = x Kᵀ,            Z = col2im(cols) + b,   Y = f(Z)
 *   backward  δ = dL/dZ,  dcols = im2col(δ),  dL/dK = dcolsᵀ x,  dL/db = Σ δ,  dL/dx = dcols K.
 */

import type { ConvGeometry, Size2 } from "../ops/index.js";
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

export interface Conv2DTransposeOptions {
  /** Number of filters = output channels. */
  filters: number;
  /** F, or [kH, kW]. */
  kernelSize: Size2;
  /** The upsampling factor S; default 1. */
  strides?: Size2;
  /** "valid" (default): H' = (H − 1)·S + F; "same": H' = H·S. */
  padding?: "valid" | "same";
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

/** The output length along one axis: the input length of the convolution this layer transposes. */
export function transposedLength(H: number, F: number, S: number, padding: "valid" | "same"): number {
  return padding === "same" ? H * S : (H - 1) * S + F;
}

export class Conv2DTranspose implements Layer {
  name: string;
  readonly filters: number;
  readonly kernelSize: [number, number];
  readonly strides: [number, number];
  readonly padding: "valid" | "same";
  readonly activation: ActivationName;
  readonly useBias: boolean;
  readonly kernelInitializer: InitializerName;
  readonly alpha: number;
  readonly inputShape?: Shape;
  /** The filters, [kH, kW, filters, C]; read as a [kH·kW·filters, C] matrix K. */
  kernel!: Param;
  bias: Param | null = null;
  /** The geometry of the convolution this layer transposes: its input is our output. */
  private geometry!: ConvGeometry;
  private builtShape: Shape = [];
  private kernelMatrix!: Tensor;
  private kernelGradMatrix!: Tensor;
  private dbScratch: Tensor | null = null;
  private readonly buffers = new BatchBuffers();
  private x: Tensor | null = null;
  private y: Tensor | null = null;

  constructor(options: Conv2DTransposeOptions) {
    const what = "Conv2DTranspose";
    if (!Number.isInteger(options.filters) || options.filters < 1) throw new RangeError(`${what}: filters must be an integer >= 1; got ${options.filters}`);
    this.filters = options.filters;
    this.kernelSize = ops.pair(`${what}: kernelSize`, options.kernelSize);
    this.strides = ops.pair(`${what}: strides`, options.strides ?? 1);
    this.padding = options.padding ?? "valid";
    if (this.padding !== "valid" && this.padding !== "same")
      throw new RangeError(`${what}: padding must be "valid" or "same"; got ${JSON.stringify(options.padding)}`);
    this.activation = assertActivation(options.activation ?? "linear", what);
    this.useBias = options.useBias ?? true;
    this.kernelInitializer = assertInitializer(options.kernelInitializer ?? "glorotUniform", what);
    this.alpha = assertLeakyAlpha(options.alpha ?? DEFAULT_LEAKY_ALPHA, what);
    this.name = options.name ?? "";
    if (options.inputShape !== undefined) this.inputShape = [...options.inputShape];
  }

  build(inputShape: Shape, rng: Rng): Shape {
    const what = `Conv2DTranspose ${this.name}`.trim();
    if (inputShape.length !== 3) throw new ShapeError(`${what}: input shape must be [height, width, channels] (NHWC); got ${formatShape(inputShape)}`);
    const [h, w, c] = inputShape;
    const [kH, kW] = this.kernelSize;
    const [sH, sW] = this.strides;
    const outH = transposedLength(h, kH, sH, this.padding);
    const outW = transposedLength(w, kW, sW, this.padding);
    this.geometry = ops.windowGeometry(what, [outH, outW, this.filters], this.kernelSize, this.strides, this.padding);
    const fieldSize = kH * kW * this.filters;
    checkTensorSize(what, [
      ["kernel height × width × filters", fieldSize],
      ["input channels", c],
      ["output height × width × filters", outH * outW * this.filters],
    ]);
    // the same fans as the Conv2D it transposes (C → filters), so the two initialise alike
    const kernel = initialize(this.kernelInitializer, [kH, kW, this.filters, c], kH * kW * c, fieldSize, rng);
    this.kernel = makeParam("kernel", kernel, true);
    this.kernelMatrix = kernel.reshape(fieldSize, c);
    this.kernelGradMatrix = this.kernel.grad.reshape(fieldSize, c);
    this.bias = this.useBias ? makeParam("bias", zeros([this.filters]), false) : null;
    this.dbScratch = this.useBias ? zeros([this.filters]) : null;
    this.builtShape = [...inputShape];
    this.buffers.clear();
    return this.outputShape();
  }

  forward(x: Tensor, _training: boolean): Tensor {
    if (this.kernel === undefined) throw new Error(`Conv2DTranspose ${this.name}: forward called before build`);
    if (x.rank < 2 || shapeSize(x.shape.slice(1)) !== shapeSize(this.builtShape)) {
      throw new ShapeError(`Conv2DTranspose ${this.name}: expected input [batch, ${this.builtShape.join(", ")}] (NHWC); got ${formatShape(x.shape)}`);
    }
    const g = this.geometry;
    const n = x.shape[0];
    g.batch = n;
    const pixels = n * g.outH * g.outW; // input pixels = output rows of the transposed convolution
    const outPixels = n * g.inH * g.inW;
    const x2 = x.reshape(pixels, this.builtShape[2]);
    // each input pixel's stamp: its channels times every filter tap
    const cols = ops.matmul(x2, this.kernelMatrix, {
      transB: true,
      out: this.buffers.get("cols", [n, (pixels / n) * g.kH * g.kW * this.filters]).reshape(pixels, g.kH * g.kW * this.filters),
    });
    // the stamps added up where they overlap
    const z = this.buffers.get("z", [n, (outPixels / n) * this.filters]);
    ops.col2im(cols, g, z.reshape(n, g.inH, g.inW, this.filters));
    const z2 = z.reshape(outPixels, this.filters);
    if (this.bias !== null) ops.add(z2, this.bias.value, z2);
    const y =
      this.activation === "linear" ? z2 : activate(this.activation, z2, this.buffers.get("y", [n, z.size / n]).reshape(outPixels, this.filters), this.alpha);
    this.x = x2;
    this.y = y;
    return y.reshape([n, ...this.outputShape()]);
  }

  backward(dy: Tensor, needInputGrad = true): Tensor {
    if (this.x === null || this.y === null) throw new Error(`Conv2DTranspose ${this.name}: backward needs a forward first`);
    const { x, y } = this;
    const g = this.geometry;
    const n = g.batch;
    if (dy.size !== y.size) {
      throw new ShapeError(`Conv2DTranspose ${this.name}: dy ${formatShape(dy.shape)} does not match the last output [${n}, ${this.outputShape().join(", ")}]`);
    }
    const delta = activationBackward(this.activation, y, dy.reshape(y.shape), this.buffers.get("dz", [n, y.size / n]).reshape(y.shape), this.alpha);
    if (this.bias?.trainable && this.dbScratch !== null) ops.add(this.bias.grad, ops.sum(delta, 0, this.dbScratch), this.bias.grad);
    // every stamp's gradient gathered back from the output: the convolution's own forward step
    const pixels = x.shape[0];
    const fieldSize = g.kH * g.kW * this.filters;
    const dcols = ops.im2col(
      delta.reshape(n, g.inH, g.inW, this.filters),
      g,
      this.buffers.get("cols", [n, (pixels / n) * fieldSize]).reshape(pixels, fieldSize),
    );
    if (this.kernel.trainable) ops.matmul(dcols, x, { transA: true, beta: 1, out: this.kernelGradMatrix });
    if (!needInputGrad) return dy;
    const dx = ops.matmul(dcols, this.kernelMatrix, { out: this.buffers.get("dx", [n, shapeSize(this.builtShape)]).reshape(pixels, x.shape[1]) });
    return dx.reshape([n, ...this.builtShape]);
  }

  params(): Param[] {
    if (this.kernel === undefined) return [];
    return this.bias === null ? [this.kernel] : [this.kernel, this.bias];
  }

  config(): LayerConfig {
    const c: LayerConfig = {
      className: "Conv2DTranspose",
      name: this.name,
      filters: this.filters,
      kernelSize: [...this.kernelSize],
      strides: [...this.strides],
      padding: this.padding,
      activation: this.activation,
      useBias: this.useBias,
      kernelInitializer: this.kernelInitializer,
    };
    if (this.activation === "leakyRelu") c.alpha = this.alpha;
    if (this.inputShape !== undefined) c.inputShape = [...this.inputShape];
    return c;
  }

  private outputShape(): Shape {
    return [this.geometry.inH, this.geometry.inW, this.filters];
  }
}

const isSize2 = (v: unknown): v is Size2 => isNumber(v) || (isShape(v) && v.length === 2);
const isPadding = (v: unknown): v is "valid" | "same" => v === "valid" || v === "same";

registerLayer("Conv2DTranspose", (c) => {
  const filters = configValue(c, "filters", isNumber, "an integer >= 1");
  const kernelSize = configValue(c, "kernelSize", isSize2, "an integer or a pair");
  if (filters === undefined) throw new TypeError(`Conv2DTranspose config: "filters" is required`);
  if (kernelSize === undefined) throw new TypeError(`Conv2DTranspose config: "kernelSize" is required`);
  return new Conv2DTranspose({
    filters,
    kernelSize,
    strides: configValue(c, "strides", isSize2, "an integer or a pair"),
    padding: configValue(c, "padding", isPadding, '"valid" or "same"'),
    activation: configValue(c, "activation", isString, "an activation name") as ActivationName | undefined,
    useBias: configValue(c, "useBias", isBoolean, "a boolean"),
    kernelInitializer: configValue(c, "kernelInitializer", isString, "an initializer name") as InitializerName | undefined,
    alpha: configValue(c, "alpha", isNumber, "a number"),
    name: configValue(c, "name", isString, "a string"),
    inputShape: configValue(c, "inputShape", isShape, "a shape"),
  });
});
