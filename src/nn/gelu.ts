/** GELU layer: y = gelu(x) elementwise (activations.ts), the nonlinearity of a transformer's MLP. No parameters. */
import type { Rng } from "../tensor/random.js";
import type { Shape } from "../tensor/shape.js";
import type { Tensor } from "../tensor/tensor.js";
import { gelu, geluBackward } from "./activations.js";
import { BatchBuffers } from "./buffers.js";
import type { Layer, LayerConfig, Param } from "./layer.js";
import { configValue, isShape, isString, registerLayer } from "./registry.js";

export interface GELUOptions {
  name?: string;
  inputShape?: Shape;
}

export class GELU implements Layer {
  name: string;
  readonly inputShape?: Shape;
  private readonly buffers = new BatchBuffers();
  private x: Tensor | null = null;
  /** σ(2u) of the last forward, which the derivative reuses. */
  private s: Tensor | null = null;

  constructor(options: GELUOptions = {}) {
    this.name = options.name ?? "";
    if (options.inputShape !== undefined) this.inputShape = [...options.inputShape];
  }

  build(inputShape: Shape, _rng: Rng): Shape {
    this.buffers.clear();
    return [...inputShape];
  }

  forward(x: Tensor, _training: boolean): Tensor {
    this.x = x;
    this.s = this.buffers.get("s", x.shape);
    return gelu(x, this.s, this.buffers.get("y", x.shape));
  }

  backward(dy: Tensor, _needInputGrad = true): Tensor {
    if (this.x === null || this.s === null) throw new Error(`GELU ${this.name}: backward called before forward`);
    return geluBackward(this.x, this.s, dy, this.buffers.get("dx", this.x.shape));
  }

  params(): Param[] {
    return [];
  }

  config(): LayerConfig {
    const c: LayerConfig = { className: "GELU", name: this.name };
    if (this.inputShape !== undefined) c.inputShape = [...this.inputShape];
    return c;
  }
}

registerLayer("GELU", (c) => new GELU({ name: configValue(c, "name", isString, "a string"), inputShape: configValue(c, "inputShape", isShape, "a shape") }));
