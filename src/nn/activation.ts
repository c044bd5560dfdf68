/** Activation layer: y = f(x) elementwise (softmax: per row), no parameters. */
import type { Rng } from "../tensor/random.js";
import type { Shape } from "../tensor/shape.js";
import type { Tensor } from "../tensor/tensor.js";
import { type ActivationName, activate, activationBackward, assertActivation, assertLeakyAlpha, DEFAULT_LEAKY_ALPHA } from "./activations.js";
import { BatchBuffers } from "./buffers.js";
import type { Layer, LayerConfig, OutputActivation, Param } from "./layer.js";
import { configValue, isNumber, isShape, isString, registerLayer } from "./registry.js";

export interface ActivationOptions {
  /** Slope for x < 0 of "leakyRelu" (default 0.01). */
  alpha?: number;
  name?: string;
  inputShape?: Shape;
}

export class Activation implements Layer, OutputActivation {
  name: string;
  readonly activation: ActivationName;
  readonly alpha: number;
  readonly inputShape?: Shape;
  private readonly buffers = new BatchBuffers();
  private x: Tensor | null = null;
  private y: Tensor | null = null;

  constructor(activation: ActivationName, options: ActivationOptions = {}) {
    this.activation = assertActivation(activation, "Activation");
    this.alpha = assertLeakyAlpha(options.alpha ?? DEFAULT_LEAKY_ALPHA, "Activation");
    this.name = options.name ?? "";
    if (options.inputShape !== undefined) this.inputShape = [...options.inputShape];
  }

  build(inputShape: Shape, _rng: Rng): Shape {
    this.buffers.clear();
    return [...inputShape];
  }

  forward(x: Tensor, _training: boolean): Tensor {
    this.x = x;
    this.y = this.activation === "linear" ? x : activate(this.activation, x, this.buffers.get("y", x.shape), this.alpha);
    return this.y;
  }

  backward(dy: Tensor, _needInputGrad = true): Tensor {
    if (this.y === null) throw new Error(`Activation ${this.name}: backward called before forward`);
    return activationBackward(this.activation, this.y, dy, this.buffers.get("dx", dy.shape), this.alpha);
  }

  preActivation(): Tensor {
    if (this.x === null) throw new Error(`Activation ${this.name}: preActivation called before forward`);
    return this.x;
  }

  backwardFromPreActivation(dz: Tensor, _needInputGrad = true): Tensor {
    return dz;
  }

  params(): Param[] {
    return [];
  }

  config(): LayerConfig {
    const c: LayerConfig = { className: "Activation", name: this.name, activation: this.activation };
    if (this.activation === "leakyRelu") c.alpha = this.alpha;
    if (this.inputShape !== undefined) c.inputShape = [...this.inputShape];
    return c;
  }
}

registerLayer("Activation", (c) => {
  const activation = configValue(c, "activation", isString, "an activation name");
  return new Activation(assertActivation(activation, "Activation config"), {
    alpha: configValue(c, "alpha", isNumber, "a number"),
    name: configValue(c, "name", isString, "a string"),
    inputShape: configValue(c, "inputShape", isShape, "a shape"),
  });
});
