/**
 * Masking (as Keras): marks the steps of a padded batch whose features all equal maskValue as
 * padding. The input passes through unchanged; the [batch, time] mask (1 real, 0 padded) goes
 * up the Sequential to the recurrent layers, which carry their state over padded steps, so a
 * padded sequence gives the result it gives alone. padSequenceBatch (data) makes such batches.
 */
import type { Rng } from "../tensor/random.js";
import { formatShape, type Shape, ShapeError } from "../tensor/shape.js";
import type { Tensor } from "../tensor/tensor.js";
import { BatchBuffers } from "./buffers.js";
import type { Layer, LayerConfig, Param } from "./layer.js";
import { configValue, isNumber, isShape, isString, registerLayer } from "./registry.js";

export interface MaskingOptions {
  /** The padding value (default 0). */
  maskValue?: number;
  name?: string;
  inputShape?: Shape;
}

export class Masking implements Layer {
  name: string;
  readonly maskValue: number;
  readonly inputShape?: Shape;
  private readonly buffers = new BatchBuffers();
  private mask: Tensor | null = null;

  constructor(options: MaskingOptions = {}) {
    this.maskValue = options.maskValue ?? 0;
    if (!Number.isFinite(this.maskValue)) throw new RangeError(`Masking: maskValue must be a finite number; got ${options.maskValue}`);
    this.name = options.name ?? "";
    if (options.inputShape !== undefined) this.inputShape = [...options.inputShape];
  }

  build(inputShape: Shape, _rng: Rng): Shape {
    if (inputShape.length !== 2) throw new ShapeError(`Masking ${this.name}: input shape must be [time, features]; got ${formatShape(inputShape)}`);
    this.buffers.clear();
    return [...inputShape];
  }

  forward(x: Tensor, _training: boolean): Tensor {
    if (x.rank !== 3) throw new ShapeError(`Masking ${this.name}: expected input [batch, time, features]; got ${formatShape(x.shape)}`);
    const [n, steps, f] = x.shape;
    const m = this.buffers.get("mask", [n, steps]);
    for (let k = 0; k < n * steps; k++) {
      let real = 0;
      for (let j = 0; j < f && real === 0; j++) if (x.data[k * f + j] !== this.maskValue) real = 1;
      m.data[k] = real;
    }
    this.mask = m;
    return x;
  }

  outputMask(): Tensor | null {
    return this.mask;
  }

  backward(dy: Tensor, _needInputGrad = true): Tensor {
    return dy;
  }

  params(): Param[] {
    return [];
  }

  config(): LayerConfig {
    const c: LayerConfig = { className: "Masking", name: this.name, maskValue: this.maskValue };
    if (this.inputShape !== undefined) c.inputShape = [...this.inputShape];
    return c;
  }
}

registerLayer("Masking", (c) => {
  return new Masking({
    maskValue: configValue(c, "maskValue", isNumber, "a number"),
    name: configValue(c, "name", isString, "a string"),
    inputShape: configValue(c, "inputShape", isShape, "a shape"),
  });
});
