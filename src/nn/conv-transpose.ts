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

import type { Size2 } from "../ops/index.js";
import * as ops from "../ops/index.js";
import type { Rng } from "../tensor/random.js";
import { checkTensorSize, formatShape, type Shape, ShapeError, shapeSize } from "../tensor/shape.js";
import type { Tensor } from "../tensor/tensor.js";
import type { ActivationName } from "./activations.js";
import { type ConvCommonOptions, FilterLayer, filterLayerConfig, isSize2 } from "./conv.js";
import type { InitializerName } from "./initializers.js";
import { configValue, isBoolean, isNumber, isShape, isString, registerLayer } from "./registry.js";

export interface Conv2DTransposeOptions extends Omit<ConvCommonOptions, "padding"> {
  /** F, or [kH, kW]. */
  kernelSize: Size2;
  /** The upsampling factor S; default 1. */
  strides?: Size2;
  /** "valid" (default): H' = (H − 1)·S + F; "same": H' = H·S. */
  padding?: "valid" | "same";
}

/** The output length along one axis: the input length of the convolution this layer transposes. */
export function transposedLength(H: number, F: number, S: number, padding: "valid" | "same"): number {
  return padding === "same" ? H * S : (H - 1) * S + F;
}

export class Conv2DTranspose extends FilterLayer {
  readonly kernelSize: [number, number];
  readonly strides: [number, number];
  declare readonly padding: "valid" | "same";
  /** The input of the last forward as [pixels, C]. */
  private x: Tensor | null = null;

  constructor(options: Conv2DTransposeOptions) {
    super("Conv2DTranspose", options);
    this.kernelSize = ops.pair("Conv2DTranspose: kernelSize", options.kernelSize);
    this.strides = ops.pair("Conv2DTranspose: strides", options.strides ?? 1);
    if (this.padding !== "valid" && this.padding !== "same")
      throw new RangeError(`Conv2DTranspose: padding must be "valid" or "same"; got ${JSON.stringify(options.padding)}`);
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
    this.initKernel([kH, kW, this.filters, c], fieldSize, c, kH * kW * c, fieldSize, rng);
    this.builtShape = [...inputShape];
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
    this.x = x2;
    return this.activateOutput(z.reshape(outPixels, this.filters), n).reshape([n, ...this.outputShape()]);
  }

  backward(dy: Tensor, needInputGrad = true): Tensor {
    const x = this.x;
    if (x === null) throw new Error(`Conv2DTranspose ${this.name}: backward needs a forward first`);
    const g = this.geometry;
    const n = g.batch;
    const delta = this.outputDelta(dy, n, this.outputShape());
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

  protected extraConfig(): Record<string, unknown> {
    return { kernelSize: [...this.kernelSize], strides: [...this.strides] };
  }

  private outputShape(): Shape {
    return [this.geometry.inH, this.geometry.inW, this.filters];
  }
}

const isValidOrSame = (v: unknown): v is "valid" | "same" => v === "valid" || v === "same";

registerLayer("Conv2DTranspose", (c) => {
  const kernelSize = configValue(c, "kernelSize", isSize2, "an integer or a pair");
  if (kernelSize === undefined) throw new TypeError(`Conv2DTranspose config: "kernelSize" is required`);
  return new Conv2DTranspose({
    ...filterLayerConfig(c, isValidOrSame, '"valid" or "same"'),
    kernelSize,
    strides: configValue(c, "strides", isSize2, "an integer or a pair"),
  });
});
