/**
 * A vision transformer's input (Dosovitskiy et al. 2021): the image cut into p×p patches, each
 * flattened and linearly embedded as one token, plus a learned embedding of where it sits.
 *   patchify   [batch, H·W·C] (NHWC) → [batch, T, p·p·C], T = (H/p)(W/p), tokens in row-major
 *              grid order, each patch's pixels in (row, column, channel) order
 *   PatchEmbedding       z_t = patch_t W + b                         [batch, T, dim]
 *   PositionalEmbedding  y_t = x_t + E_t  (E learned, [T, dim], drawn N(0, 0.02²) as in ViT)
 */
import * as ops from "../ops/index.js";
import type { Rng } from "../tensor/random.js";
import { formatShape, type Shape, ShapeError, shapeSize } from "../tensor/shape.js";
import { fillNormal, type Tensor, zeros } from "../tensor/tensor.js";
import { BatchBuffers } from "./buffers.js";
import { Dense } from "./dense.js";
import type { Layer, LayerConfig, Param } from "./layer.js";
import { makeParam, prefixedParam } from "./param.js";
import { configValue, isNumber, isShape, isString, registerLayer } from "./registry.js";

/** How an image of height×width×channels is cut into patch×patch tiles. */
export interface PatchGrid {
  height: number;
  width: number;
  channels: number;
  patch: number;
}

export const patchTokens = (g: PatchGrid): number => (g.height / g.patch) * (g.width / g.patch);
export const patchPixels = (g: PatchGrid): number => g.patch * g.patch * g.channels;

/**
 * The grid of an image shape ([H, W, C], or [N] for a square one-channel image of N pixels);
 * throws, naming `where` and patchSize, when the patches do not tile the image.
 */
export function patchGrid(imageShape: Shape, patch: number, where: string): PatchGrid {
  if (!Number.isInteger(patch) || patch < 1) throw new RangeError(`${where}: patchSize must be an integer >= 1; got ${patch}`);
  let height: number;
  let width: number;
  let channels = 1;
  if (imageShape.length === 3) [height, width, channels] = imageShape;
  else if (imageShape.length === 1 && Number.isInteger(Math.sqrt(imageShape[0]))) height = width = Math.sqrt(imageShape[0]);
  else throw new ShapeError(`${where}: the input must be images [height, width, channels] or square images [pixels]; got ${formatShape(imageShape)}`);
  if (height % patch !== 0 || width % patch !== 0) {
    const fits = Array.from({ length: Math.min(height, width) }, (_, i) => i + 1).filter((p) => height % p === 0 && width % p === 0);
    throw new RangeError(`${where}: patchSize ${patch} does not tile the ${height}×${width} image; it must divide both sides (one of ${fits.join(", ")})`);
  }
  return { height, width, channels, patch };
}

/**
 * Moves pixels between images [n, H·W·C] and patches [n, T, p·p·C] (both row-major): patches ←
 * images when `toPatches`, else images ← patches (the inverse permutation, also the adjoint,
 * so it carries gradients back).
 */
export function copyPatches(g: PatchGrid, images: Tensor, patches: Tensor, toPatches: boolean): void {
  const { height: H, width: W, channels: C, patch: p } = g;
  const n = images.rows;
  const gw = W / p;
  const T = patchTokens(g);
  const P = patchPixels(g);
  const row = p * C; // one patch row is p·C contiguous floats in both layouts
  if (images.size !== n * H * W * C || patches.size !== n * T * P)
    throw new ShapeError(
      `patches: images ${formatShape(images.shape)} and patches ${formatShape(patches.shape)} do not fit a ${H}×${W}×${C} image in ${p}×${p} patches`,
    );
  const [img, pat] = [images.data, patches.data];
  for (let b = 0; b < n; b++) {
    for (let t = 0; t < T; t++) {
      const top = Math.floor(t / gw) * p;
      const left = (t % gw) * p;
      for (let i = 0; i < p; i++) {
        const src = ((b * H + top + i) * W + left) * C;
        const dst = (b * T + t) * P + i * row;
        if (toPatches) pat.set(img.subarray(src, src + row), dst);
        else img.set(pat.subarray(dst, dst + row), src);
      }
    }
  }
}

/** patches [n, T, p·p·C] of images [n, ...]. */
export function patchify(g: PatchGrid, images: Tensor, out?: Tensor): Tensor {
  const patches = out ?? zeros([images.rows, patchTokens(g), patchPixels(g)]);
  copyPatches(g, images, patches, true);
  return patches;
}

/** images [n, H·W·C] from patches [n, T, p·p·C]. */
export function unpatchify(g: PatchGrid, patches: Tensor, out?: Tensor): Tensor {
  const images = out ?? zeros([patches.rows, g.height * g.width * g.channels]);
  copyPatches(g, images, patches, false);
  return images;
}

export interface PatchEmbeddingOptions {
  /** p: the side of a square patch; must divide the image's height and width. */
  patchSize: number;
  /** Width of each token. */
  dim: number;
  name?: string;
  inputShape?: Shape;
}

/** Patches → tokens: [batch, H, W, C] or [batch, H·W·C] → [batch, T, dim], a Dense (W [p·p·C, dim], b) applied to each patch. */
export class PatchEmbedding implements Layer {
  name: string;
  readonly patchSize: number;
  readonly dim: number;
  readonly inputShape?: Shape;
  /** The linear map of each patch; set by build. */
  projection!: Dense;
  grid!: PatchGrid;
  private imageShape: Shape = [];
  private xShape: Shape = [];
  private wrapped: Param[] = [];
  private readonly buffers = new BatchBuffers();

  constructor(options: PatchEmbeddingOptions) {
    const { patchSize, dim } = options ?? {};
    if (!Number.isInteger(patchSize) || patchSize < 1) throw new RangeError(`PatchEmbedding: patchSize must be an integer >= 1; got ${patchSize}`);
    if (!Number.isInteger(dim) || dim < 1) throw new RangeError(`PatchEmbedding: dim must be an integer >= 1; got ${dim}`);
    this.patchSize = patchSize;
    this.dim = dim;
    this.name = options.name ?? "";
    if (options.inputShape !== undefined) this.inputShape = [...options.inputShape];
  }

  get tokens(): number {
    return patchTokens(this.grid);
  }

  build(inputShape: Shape, rng: Rng): Shape {
    this.grid = patchGrid(inputShape, this.patchSize, `PatchEmbedding ${this.name}`.trimEnd());
    this.imageShape = [...inputShape];
    this.projection = new Dense(this.dim, { name: "projection" });
    this.projection.build([patchPixels(this.grid)], rng);
    this.wrapped = this.projection.params().map((p) => prefixedParam("projection", p));
    this.buffers.clear();
    return [this.tokens, this.dim];
  }

  forward(x: Tensor, _training: boolean): Tensor {
    // images come as [batch, H, W, C] or flat [batch, H·W·C]: only the pixel count must agree
    if (this.grid === undefined || x.rank < 2 || x.size !== x.rows * shapeSize(this.imageShape))
      throw new ShapeError(`PatchEmbedding ${this.name}: expected input [batch, ${this.imageShape.join(", ")}]; got ${formatShape(x.shape)}`);
    this.xShape = x.shape;
    const n = x.rows;
    const [T, P] = [this.tokens, patchPixels(this.grid)];
    const patches = patchify(this.grid, x, this.buffers.get("patches", [n, T, P]));
    return this.projection.forward(patches.reshape([n * T, P]), false).reshape([n, T, this.dim]);
  }

  backward(dy: Tensor, needInputGrad = true): Tensor {
    const n = dy.rows;
    const [T, P] = [this.tokens, patchPixels(this.grid)];
    const dPatches = this.projection.backward(dy.reshape([n * T, this.dim]), needInputGrad);
    if (!needInputGrad) return dPatches;
    return unpatchify(this.grid, dPatches.reshape([n, T, P]), this.buffers.get("dx", this.xShape));
  }

  params(): Param[] {
    return this.wrapped;
  }

  config(): LayerConfig {
    const c: LayerConfig = { className: "PatchEmbedding", name: this.name, patchSize: this.patchSize, dim: this.dim };
    if (this.inputShape !== undefined) c.inputShape = [...this.inputShape];
    return c;
  }
}

export interface PositionalEmbeddingOptions {
  name?: string;
  inputShape?: Shape;
}

/** y_t = x_t + E_t for the tokens x [batch, T, dim], E [T, dim] learned. */
export class PositionalEmbedding implements Layer {
  name: string;
  readonly inputShape?: Shape;
  /** E, [T, dim]; set by build. */
  embedding!: Param;
  private readonly buffers = new BatchBuffers();

  constructor(options: PositionalEmbeddingOptions = {}) {
    this.name = options.name ?? "";
    if (options.inputShape !== undefined) this.inputShape = [...options.inputShape];
  }

  build(inputShape: Shape, rng: Rng): Shape {
    if (inputShape.length !== 2 || inputShape[0] < 1 || inputShape[1] < 1)
      throw new ShapeError(`PositionalEmbedding ${this.name}: input shape must be [tokens, dim]; got ${formatShape(inputShape)}`);
    const E = zeros(inputShape);
    fillNormal(E.data, rng, 0, 0.02);
    this.embedding = makeParam("embedding", E, false);
    this.buffers.clear();
    return [...inputShape];
  }

  forward(x: Tensor, _training: boolean): Tensor {
    const [T, d] = this.embedding.value.shape;
    if (x.rank !== 3 || x.shape[1] !== T || x.shape[2] !== d)
      throw new ShapeError(`PositionalEmbedding ${this.name}: expected input [batch, ${T}, ${d}]; got ${formatShape(x.shape)}`);
    const y = this.buffers.get("y", x.shape);
    return ops.add(x.reshape([x.rows, T * d]), this.embedding.value.reshape([1, T * d]), y.reshape([x.rows, T * d])).reshape(x.shape);
  }

  /** dL/dE_t = Σ of dL/dy over the tokens at position t; dL/dx = dL/dy. */
  backward(dy: Tensor, _needInputGrad = true): Tensor {
    if (!this.embedding.trainable) return dy;
    const [T, d] = this.embedding.value.shape;
    const g = this.embedding.grad.data;
    const rows = dy.size / d;
    for (let i = 0; i < rows; i++) {
      const t = i % T;
      for (let j = 0; j < d; j++) g[t * d + j] += dy.data[i * d + j];
    }
    return dy;
  }

  params(): Param[] {
    return this.embedding === undefined ? [] : [this.embedding];
  }

  config(): LayerConfig {
    const c: LayerConfig = { className: "PositionalEmbedding", name: this.name };
    if (this.inputShape !== undefined) c.inputShape = [...this.inputShape];
    return c;
  }
}

registerLayer("PatchEmbedding", (c) => {
  const patchSize = configValue(c, "patchSize", isNumber, "an integer >= 1");
  const dim = configValue(c, "dim", isNumber, "an integer >= 1");
  if (patchSize === undefined || dim === undefined) throw new TypeError(`PatchEmbedding config: "patchSize" and "dim" are required`);
  return new PatchEmbedding({
    patchSize,
    dim,
    name: configValue(c, "name", isString, "a string"),
    inputShape: configValue(c, "inputShape", isShape, "a shape"),
  });
});

registerLayer(
  "PositionalEmbedding",
  (c) => new PositionalEmbedding({ name: configValue(c, "name", isString, "a string"), inputShape: configValue(c, "inputShape", isShape, "a shape") }),
);
