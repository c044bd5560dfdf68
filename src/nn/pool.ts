/**
 * Pooling layers (NHWC, no weights). MaxPool2D / AvgPool2D summarise each F×F window of each
 * channel, moved by stride S: the map shrinks by S and small shifts of a feature no longer
 * change the output. GlobalMaxPool / GlobalAvgPool take one value per channel over the whole
 * map ([H, W, C] → [C]) or sequence ([steps, C] → [C]), as the sentence CNN does over time.
 * Backward: max pooling routes dL/dy to the winner of each window; average pooling shares it
 * equally among the window's inputs.
 */

import type { ConvGeometry, Size2 } from "../ops/index.js";
import * as ops from "../ops/index.js";
import type { Rng } from "../tensor/random.js";
import { formatShape, type Shape, ShapeError, shapeSize } from "../tensor/shape.js";
import type { Tensor } from "../tensor/tensor.js";
import { BatchBuffers } from "./buffers.js";
import type { Layer, LayerConfig, Param } from "./layer.js";
import { configValue, isNumber, isShape, isString, registerLayer } from "./registry.js";

export type PoolMode = "max" | "avg";

export interface Pool2DOptions {
  /** Window F or [fH, fW]; default 2. */
  poolSize?: Size2;
  /** Default: the pool size (non-overlapping windows). */
  strides?: Size2;
  /** "valid" (default) or "same" (windows over the edge only see real pixels). */
  padding?: "valid" | "same";
  name?: string;
  inputShape?: Shape;
}

export interface GlobalPoolOptions {
  name?: string;
  inputShape?: Shape;
}

/** Shared by the windowed and the global pools: forward/backward over one ConvGeometry. */
abstract class PoolBase implements Layer {
  name: string;
  readonly inputShape?: Shape;
  protected geometry!: ConvGeometry;
  protected builtShape: Shape = [];
  private readonly buffers = new BatchBuffers();
  /** Winner index of each max-pool output (grown, never shrunk: no allocation per batch). */
  private argmax = new Int32Array(0);
  private last: Tensor | null = null;

  protected constructor(
    protected readonly className: string,
    readonly mode: PoolMode,
    options: { name?: string; inputShape?: Shape },
  ) {
    this.name = options.name ?? "";
    if (options.inputShape !== undefined) this.inputShape = [...options.inputShape];
  }

  protected abstract windowGeometry(inputShape: Shape): ConvGeometry;
  protected abstract outputShape(g: ConvGeometry): Shape;
  protected abstract extraConfig(): Record<string, unknown>;

  build(inputShape: Shape, _rng: Rng): Shape {
    this.geometry = this.windowGeometry(inputShape);
    this.builtShape = [...inputShape];
    this.buffers.clear();
    return this.outputShape(this.geometry);
  }

  forward(x: Tensor, _training: boolean): Tensor {
    if (this.geometry === undefined) throw new Error(`${this.className} ${this.name}: forward called before build`);
    if (x.rank < 2 || shapeSize(x.shape.slice(1)) !== shapeSize(this.builtShape)) {
      throw new ShapeError(`${this.className} ${this.name}: expected input [batch, ${this.builtShape.join(", ")}]; got ${formatShape(x.shape)}`);
    }
    const n = x.shape[0];
    const g = this.geometry;
    g.batch = n;
    const outShape = [n, g.outH, g.outW, g.channels];
    const y = this.buffers.get("y", [n, g.outH * g.outW * g.channels]).reshape(outShape);
    const x4 = x.reshape(n, g.inH, g.inW, g.channels);
    if (this.mode === "max") {
      if (this.argmax.length < y.size) this.argmax = new Int32Array(y.size);
      ops.maxPool(x4, g, this.argmax, y);
    } else {
      ops.avgPool(x4, g, y);
    }
    this.last = y;
    return y.reshape([n, ...this.outputShape(g)]);
  }

  backward(dy: Tensor, needInputGrad = true): Tensor {
    if (this.last === null) throw new Error(`${this.className} ${this.name}: backward called before forward`);
    const g = this.geometry;
    const n = g.batch;
    if (dy.size !== this.last.size)
      throw new ShapeError(
        `${this.className} ${this.name}: dy ${formatShape(dy.shape)} does not match the last output [${n}, ${this.outputShape(g).join(", ")}]`,
      );
    if (!needInputGrad) return dy;
    const dx = this.buffers.get("dx", [n, shapeSize(this.builtShape)]);
    if (this.mode === "max") ops.maxPoolGrad(dy, this.argmax, dx);
    else ops.avgPoolGrad(dy, g, dx.reshape(n, g.inH, g.inW, g.channels));
    return dx.reshape([n, ...this.builtShape]);
  }

  params(): Param[] {
    return [];
  }

  config(): LayerConfig {
    const c: LayerConfig = { className: this.className, name: this.name, ...this.extraConfig() };
    if (this.inputShape !== undefined) c.inputShape = [...this.inputShape];
    return c;
  }
}

/** Max or average over F×F windows moved by S: [H, W, C] → [(H − F)/S + 1, (W − F)/S + 1, C]. */
abstract class Pool2D extends PoolBase {
  readonly poolSize: [number, number];
  readonly strides: [number, number];
  readonly padding: "valid" | "same";

  protected constructor(className: string, mode: PoolMode, options: Pool2DOptions) {
    super(className, mode, options);
    this.poolSize = ops.pair(`${className}: poolSize`, options.poolSize ?? 2);
    this.strides = ops.pair(`${className}: strides`, options.strides ?? this.poolSize);
    this.padding = options.padding ?? "valid";
    if (this.padding !== "valid" && this.padding !== "same") {
      throw new RangeError(`${className}: padding must be "valid" or "same"; got ${JSON.stringify(options.padding)}`);
    }
  }

  protected windowGeometry(s: Shape): ConvGeometry {
    if (s.length !== 3) throw new ShapeError(`${this.className} ${this.name}: input shape must be [height, width, channels] (NHWC); got ${formatShape(s)}`);
    return ops.windowGeometry(`${this.className} ${this.name}`.trim(), [s[0], s[1], s[2]], this.poolSize, this.strides, this.padding);
  }

  protected outputShape(g: ConvGeometry): Shape {
    return [g.outH, g.outW, g.channels];
  }

  protected extraConfig(): Record<string, unknown> {
    return { poolSize: [...this.poolSize], strides: [...this.strides], padding: this.padding };
  }
}

export class MaxPool2D extends Pool2D {
  constructor(options: Pool2DOptions = {}) {
    super("MaxPool2D", "max", options);
  }
}

export class AvgPool2D extends Pool2D {
  constructor(options: Pool2DOptions = {}) {
    super("AvgPool2D", "avg", options);
  }
}

/** One window over the whole map or sequence: [steps, C] or [H, W, C] → [C]. */
abstract class GlobalPool extends PoolBase {
  protected windowGeometry(s: Shape): ConvGeometry {
    if (s.length !== 2 && s.length !== 3) {
      throw new ShapeError(`${this.className} ${this.name}: input shape must be [steps, channels] or [height, width, channels]; got ${formatShape(s)}`);
    }
    const [h, w, c] = s.length === 2 ? [1, s[0], s[1]] : [s[0], s[1], s[2]];
    return ops.windowGeometry(`${this.className} ${this.name}`.trim(), [h, w, c], [h, w], [1, 1], "valid");
  }

  protected outputShape(g: ConvGeometry): Shape {
    return [g.channels];
  }

  protected extraConfig(): Record<string, unknown> {
    return {};
  }
}

/** The largest value of each channel over the map or sequence (Kim 2014's max-over-time pooling). */
export class GlobalMaxPool extends GlobalPool {
  constructor(options: GlobalPoolOptions = {}) {
    super("GlobalMaxPool", "max", options);
  }
}

/** The mean of each channel over the map or sequence. */
export class GlobalAvgPool extends GlobalPool {
  constructor(options: GlobalPoolOptions = {}) {
    super("GlobalAvgPool", "avg", options);
  }
}

const isSize2 = (v: unknown): v is Size2 => isNumber(v) || (isShape(v) && v.length === 2);
const isPoolPadding = (v: unknown): v is "valid" | "same" => v === "valid" || v === "same";

function pool2DOptions(c: LayerConfig): Pool2DOptions {
  return {
    poolSize: configValue(c, "poolSize", isSize2, "an integer or a pair"),
    strides: configValue(c, "strides", isSize2, "an integer or a pair"),
    padding: configValue(c, "padding", isPoolPadding, '"valid" or "same"'),
    name: configValue(c, "name", isString, "a string"),
    inputShape: configValue(c, "inputShape", isShape, "a shape"),
  };
}

function globalOptions(c: LayerConfig): GlobalPoolOptions {
  return { name: configValue(c, "name", isString, "a string"), inputShape: configValue(c, "inputShape", isShape, "a shape") };
}

registerLayer("MaxPool2D", (c) => new MaxPool2D(pool2DOptions(c)));
registerLayer("AvgPool2D", (c) => new AvgPool2D(pool2DOptions(c)));
registerLayer("GlobalMaxPool", (c) => new GlobalMaxPool(globalOptions(c)));
registerLayer("GlobalAvgPool", (c) => new GlobalAvgPool(globalOptions(c)));
