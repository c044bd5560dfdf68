/**
 * UpSampling2D, NHWC, no weights: nearest-neighbour enlargement [H, W, C] → [H·sH, W·sW, C].
 * Every pixel becomes an sH×sW block of copies of itself, the decoder's unlearnt way up (the
 * learnt one is Conv2DTranspose). Each copy is used once downstream, so backward sums dL/dy
 * over each block: the adjoint of copying is adding.
 */

import type { Size2 } from "../ops/index.js";
import * as ops from "../ops/index.js";
import type { Rng } from "../tensor/random.js";
import { checkTensorSize, formatShape, type Shape, ShapeError, shapeSize } from "../tensor/shape.js";
import type { Tensor } from "../tensor/tensor.js";
import { BatchBuffers } from "./buffers.js";
import type { Layer, LayerConfig, Param } from "./layer.js";
import { configValue, isNumber, isShape, isString, registerLayer } from "./registry.js";

export interface UpSampling2DOptions {
  /** The block size s or [sH, sW]; default 2. */
  size?: Size2;
  name?: string;
  inputShape?: Shape;
}

/** The sizes of one batch: input [n, H, W, C], blocks sH×sW. */
interface Blocks {
  n: number;
  H: number;
  W: number;
  C: number;
  sH: number;
  sW: number;
}

/** y[n, h·sH + i, w·sW + j, c] = x[n, h, w, c]: each input pixel's C values copied into its block. */
function upsample(x: Float32Array, { n, H, W, C, sH, sW }: Blocks, y: Float32Array): void {
  const outW = W * sW;
  for (let img = 0; img < n; img++)
    for (let h = 0; h < H; h++)
      for (let w = 0; w < W; w++) {
        const src = ((img * H + h) * W + w) * C;
        for (let i = 0; i < sH; i++) {
          const dst = (((img * H + h) * sH + i) * outW + w * sW) * C;
          for (let j = 0; j < sW * C; j++) y[dst + j] = x[src + (j % C)];
        }
      }
}

/** dx[n, h, w, c] = Σ_{i<sH, j<sW} dy[n, h·sH + i, w·sW + j, c]: the block's gradients summed. */
function sumBlocks(dy: Float32Array, { n, H, W, C, sH, sW }: Blocks, dx: Float32Array): void {
  const outW = W * sW;
  dx.fill(0, 0, n * H * W * C);
  for (let img = 0; img < n; img++)
    for (let h = 0; h < H; h++)
      for (let w = 0; w < W; w++) {
        const dst = ((img * H + h) * W + w) * C;
        for (let i = 0; i < sH; i++) {
          const src = (((img * H + h) * sH + i) * outW + w * sW) * C;
          for (let j = 0; j < sW * C; j++) dx[dst + (j % C)] += dy[src + j];
        }
      }
}

export class UpSampling2D implements Layer {
  name: string;
  readonly size: [number, number];
  readonly inputShape?: Shape;
  private builtShape: Shape = [];
  private readonly buffers = new BatchBuffers();
  private lastBatch: number | null = null;

  constructor(options: UpSampling2DOptions = {}) {
    this.size = ops.pair("UpSampling2D: size", options.size ?? 2);
    this.name = options.name ?? "";
    if (options.inputShape !== undefined) this.inputShape = [...options.inputShape];
  }

  build(inputShape: Shape, _rng: Rng): Shape {
    if (inputShape.length !== 3) {
      throw new ShapeError(`UpSampling2D ${this.name}: input shape must be [height, width, channels] (NHWC); got ${formatShape(inputShape)}`);
    }
    const out = this.outputShape(inputShape);
    checkTensorSize(`UpSampling2D ${this.name}`.trim(), [["output height × width × channels", shapeSize(out)]]);
    this.builtShape = [...inputShape];
    this.buffers.clear();
    return out;
  }

  forward(x: Tensor, _training: boolean): Tensor {
    if (this.builtShape.length !== 3) throw new Error(`UpSampling2D ${this.name}: forward called before build`);
    if (x.rank < 2 || shapeSize(x.shape.slice(1)) !== shapeSize(this.builtShape)) {
      throw new ShapeError(`UpSampling2D ${this.name}: expected input [batch, ${this.builtShape.join(", ")}] (NHWC); got ${formatShape(x.shape)}`);
    }
    const n = x.shape[0];
    const out = this.outputShape(this.builtShape);
    const y = this.buffers.get("y", [n, shapeSize(out)]);
    upsample(x.data, this.blocks(n), y.data);
    this.lastBatch = n;
    return y.reshape([n, ...out]);
  }

  backward(dy: Tensor, needInputGrad = true): Tensor {
    const n = this.lastBatch;
    if (n === null) throw new Error(`UpSampling2D ${this.name}: backward called before forward`);
    const out = this.outputShape(this.builtShape);
    if (dy.size !== n * shapeSize(out)) {
      throw new ShapeError(`UpSampling2D ${this.name}: dy ${formatShape(dy.shape)} does not match the last output [${n}, ${out.join(", ")}]`);
    }
    if (!needInputGrad) return dy;
    const dx = this.buffers.get("dx", [n, shapeSize(this.builtShape)]);
    sumBlocks(dy.data, this.blocks(n), dx.data);
    return dx.reshape([n, ...this.builtShape]);
  }

  params(): Param[] {
    return [];
  }

  config(): LayerConfig {
    const c: LayerConfig = { className: "UpSampling2D", name: this.name, size: [...this.size] };
    if (this.inputShape !== undefined) c.inputShape = [...this.inputShape];
    return c;
  }

  private outputShape([h, w, c]: Shape): Shape {
    return [h * this.size[0], w * this.size[1], c];
  }

  private blocks(n: number): Blocks {
    const [H, W, C] = this.builtShape;
    return { n, H, W, C, sH: this.size[0], sW: this.size[1] };
  }
}

const isSize2 = (v: unknown): v is Size2 => isNumber(v) || (isShape(v) && v.length === 2);

registerLayer(
  "UpSampling2D",
  (c) =>
    new UpSampling2D({
      size: configValue(c, "size", isSize2, "an integer or a pair"),
      name: configValue(c, "name", isString, "a string"),
      inputShape: configValue(c, "inputShape", isShape, "a shape"),
    }),
);
