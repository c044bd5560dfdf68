/**
 * TimeDistributed: applies one layer (a Dense, usually) to every step of a sequence with the
 * same weights: [batch, time, …] is read as [batch·time, …], so the step loop is the wrapped
 * layer's own batch (one GEMM for all steps). The mask of padded steps passes through.
 */
import type { Rng } from "../tensor/random.js";
import { formatShape, type Shape, ShapeError } from "../tensor/shape.js";
import type { Tensor } from "../tensor/tensor.js";
import type { Layer, LayerConfig, Param } from "./layer.js";
import { configValue, isShape, isString, layerFromConfig, registerLayer } from "./registry.js";

export interface TimeDistributedOptions {
  name?: string;
  inputShape?: Shape;
}

export class TimeDistributed implements Layer {
  name: string;
  readonly inputShape?: Shape;
  readonly layer: Layer;
  private stepShape: Shape = [];
  private outShape: Shape = [];
  private mask: Tensor | null = null;
  private last: { n: number; steps: number } | null = null;

  constructor(layer: Layer, options: TimeDistributedOptions = {}) {
    if (layer === null || typeof layer !== "object" || typeof layer.forward !== "function") throw new TypeError("TimeDistributed: layer must be a layer");
    this.layer = layer;
    this.name = options.name ?? "";
    if (options.inputShape !== undefined) this.inputShape = [...options.inputShape];
  }

  build(inputShape: Shape, rng: Rng): Shape {
    if (inputShape.length < 2) throw new ShapeError(`TimeDistributed ${this.name}: input shape must be [time, …]; got ${formatShape(inputShape)}`);
    if (this.layer.name === "") this.layer.name = "inner";
    this.stepShape = inputShape.slice(1);
    this.outShape = this.layer.build(this.stepShape, rng);
    return [inputShape[0], ...this.outShape];
  }

  setMask(mask: Tensor | null): void {
    this.mask = mask;
  }

  outputMask(): Tensor | null {
    return this.mask;
  }

  forward(x: Tensor, training: boolean): Tensor {
    if (x.rank !== this.stepShape.length + 2) {
      throw new ShapeError(`TimeDistributed ${this.name}: expected input [batch, time, ${this.stepShape.join(", ")}]; got ${formatShape(x.shape)}`);
    }
    const [n, steps] = x.shape;
    this.last = { n, steps };
    return this.layer.forward(x.reshape([n * steps, ...this.stepShape]), training).reshape([n, steps, ...this.outShape]);
  }

  backward(dy: Tensor, needInputGrad = true): Tensor {
    if (this.last === null) throw new Error(`TimeDistributed ${this.name}: backward called before forward`);
    const { n, steps } = this.last;
    return this.layer.backward(dy.reshape([n * steps, ...this.outShape]), needInputGrad).reshape([n, steps, ...this.stepShape]);
  }

  params(): Param[] {
    return this.layer.params();
  }

  config(): LayerConfig {
    const c: LayerConfig = { className: "TimeDistributed", name: this.name, layer: this.layer.config() };
    if (this.inputShape !== undefined) c.inputShape = [...this.inputShape];
    return c;
  }
}

const isLayerConfig = (v: unknown): v is LayerConfig => v !== null && typeof v === "object" && typeof (v as LayerConfig).className === "string";

registerLayer("TimeDistributed", (c) => {
  const layer = configValue(c, "layer", isLayerConfig, "a layer config");
  if (layer === undefined) throw new TypeError(`TimeDistributed config: "layer" is required`);
  return new TimeDistributed(layerFromConfig(layer), {
    name: configValue(c, "name", isString, "a string"),
    inputShape: configValue(c, "inputShape", isShape, "a shape"),
  });
});
