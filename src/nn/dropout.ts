/**
 * Inverted dropout (Srivastava et al. 2014): in training each unit is kept with probability
 * q = 1 − rate and the kept ones are scaled by 1/q, so the expected activation is unchanged
 * and inference is the identity (no rescaling of the weights after training).
 */
import * as ops from "../ops/index.js";
import { Rng } from "../tensor/random.js";
import type { Shape } from "../tensor/shape.js";
import type { Tensor } from "../tensor/tensor.js";
import { BatchBuffers } from "./buffers.js";
import type { Layer, LayerConfig, Param } from "./layer.js";
import { configValue, isNumber, isShape, isString, registerLayer } from "./registry.js";

export interface DropoutOptions {
  /** Seed of the mask stream; by default the model's seed decides. */
  seed?: number;
  name?: string;
  inputShape?: Shape;
}

export class Dropout implements Layer {
  name: string;
  readonly rate: number;
  readonly seed?: number;
  readonly inputShape?: Shape;
  /**
   * Keep the mask of the previous training forward of the same shape instead of drawing a new
   * one (for gradient checks, which re-run forward many times).
   */
  fixedMask = false;
  private rng: Rng | null = null;
  private readonly buffers = new BatchBuffers();
  /** The scaled mask m ∈ {0, 1/q} of the last training forward, or null after an inference forward. */
  private mask: Tensor | null = null;

  constructor(rate: number, options: DropoutOptions = {}) {
    if (!(rate >= 0 && rate < 1)) throw new RangeError(`Dropout: rate must be in [0, 1); got ${rate}`);
    this.rate = rate;
    this.seed = options.seed;
    this.name = options.name ?? "";
    if (options.inputShape !== undefined) this.inputShape = [...options.inputShape];
  }

  build(inputShape: Shape, rng: Rng): Shape {
    this.rng = this.seed !== undefined ? new Rng(this.seed) : rng.fork();
    this.buffers.clear();
    return [...inputShape];
  }

  randomState(): Uint32Array | null {
    return this.rng?.state ?? null;
  }

  forward(x: Tensor, training: boolean): Tensor {
    if (!training || this.rate === 0) {
      this.mask = null;
      return x;
    }
    if (this.rng === null) this.rng = new Rng(this.seed ?? 0);
    const keep = 1 - this.rate;
    const mask = this.buffers.get("mask", x.shape);
    if (!(this.fixedMask && this.mask === mask)) {
      const p = this.buffers.get("keep", x.shape);
      if (p.data[0] !== Math.fround(keep)) p.data.fill(keep);
      ops.bernoulli(p, this.rng, mask);
      ops.scale(mask, 1 / keep, mask);
    }
    this.mask = mask;
    return ops.mul(x, mask, this.buffers.get("y", x.shape));
  }

  backward(dy: Tensor, _needInputGrad = true): Tensor {
    if (this.mask === null) return dy;
    return ops.mul(dy, this.mask, this.buffers.get("dx", dy.shape));
  }

  params(): Param[] {
    return [];
  }

  config(): LayerConfig {
    const c: LayerConfig = { className: "Dropout", name: this.name, rate: this.rate };
    if (this.seed !== undefined) c.seed = this.seed;
    if (this.inputShape !== undefined) c.inputShape = [...this.inputShape];
    return c;
  }
}

registerLayer("Dropout", (c) => {
  const rate = configValue(c, "rate", isNumber, "a number in [0, 1)");
  if (rate === undefined) throw new TypeError(`Dropout config: "rate" is required`);
  return new Dropout(rate, {
    seed: configValue(c, "seed", isNumber, "an integer"),
    name: configValue(c, "name", isString, "a string"),
    inputShape: configValue(c, "inputShape", isShape, "a shape"),
  });
});
