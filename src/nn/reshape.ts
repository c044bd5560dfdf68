/** Flatten and Reshape: views of the same storage with another shape (no copy either way). */
import type { Rng } from "../tensor/random.js";
import { formatShape, resolveReshape, type Shape, ShapeError, shapeSize } from "../tensor/shape.js";
import type { Tensor } from "../tensor/tensor.js";
import type { Layer, LayerConfig, Param } from "./layer.js";
import { configValue, isShape, isString, registerLayer } from "./registry.js";

export interface ReshapeOptions {
  name?: string;
  inputShape?: Shape;
}

/** Shared by Flatten and Reshape: forward views x as [batch, ...outputShape], backward views dy back. */
abstract class ViewLayer implements Layer {
  name: string;
  readonly inputShape?: Shape;
  protected inShape: Shape = [];
  protected outShape: Shape = [];

  constructor(options: ReshapeOptions) {
    this.name = options.name ?? "";
    if (options.inputShape !== undefined) this.inputShape = [...options.inputShape];
  }

  abstract build(inputShape: Shape, rng: Rng): Shape;
  abstract config(): LayerConfig;

  forward(x: Tensor, _training: boolean): Tensor {
    if (shapeSize(x.shape.slice(1)) !== shapeSize(this.inShape)) {
      throw new ShapeError(`${this.config().className} ${this.name}: expected input [batch, ${this.inShape.join(", ")}]; got ${formatShape(x.shape)}`);
    }
    return x.reshape([x.shape[0], ...this.outShape]);
  }

  backward(dy: Tensor, _needInputGrad = true): Tensor {
    return dy.reshape([dy.shape[0], ...this.inShape]);
  }

  params(): Param[] {
    return [];
  }
}

export class Flatten extends ViewLayer {
  constructor(options: ReshapeOptions = {}) {
    super(options);
  }

  build(inputShape: Shape, _rng: Rng): Shape {
    this.inShape = [...inputShape];
    this.outShape = [shapeSize(inputShape)];
    return this.outShape;
  }

  config(): LayerConfig {
    const c: LayerConfig = { className: "Flatten", name: this.name };
    if (this.inputShape !== undefined) c.inputShape = [...this.inputShape];
    return c;
  }
}

export class Reshape extends ViewLayer {
  /** Target shape without the batch dimension; one entry may be -1. */
  readonly targetShape: Shape;

  constructor(targetShape: Shape, options: ReshapeOptions = {}) {
    super(options);
    this.targetShape = [...targetShape];
  }

  build(inputShape: Shape, _rng: Rng): Shape {
    this.inShape = [...inputShape];
    this.outShape = resolveReshape(shapeSize(inputShape), this.targetShape, inputShape);
    return this.outShape;
  }

  config(): LayerConfig {
    const c: LayerConfig = { className: "Reshape", name: this.name, targetShape: [...this.targetShape] };
    if (this.inputShape !== undefined) c.inputShape = [...this.inputShape];
    return c;
  }
}

registerLayer(
  "Flatten",
  (c) => new Flatten({ name: configValue(c, "name", isString, "a string"), inputShape: configValue(c, "inputShape", isShape, "a shape") }),
);

const isTarget = (v: unknown): v is number[] => Array.isArray(v) && v.every((d) => Number.isInteger(d) && d >= -1);

registerLayer("Reshape", (c) => {
  const target = configValue(c, "targetShape", isTarget, "a shape (one entry may be -1)");
  if (target === undefined) throw new TypeError(`Reshape config: "targetShape" is required`);
  return new Reshape(target, { name: configValue(c, "name", isString, "a string"), inputShape: configValue(c, "inputShape", isShape, "a shape") });
});
