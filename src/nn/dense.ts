/**
 * Dense (fully connected) layer: z = x W + b, y = f(z). W has shape [inputs, units] (Keras
 * layout; PyTorch's nn.Linear stores its transpose). Backward, for a batch X and δ = dL/dz:
 *   dL/dW = Xᵀ δ,   dL/db = Σ_rows δ,   dL/dX = δ Wᵀ.
 */
import * as ops from "../ops/index.js";
import type { Rng } from "../tensor/random.js";
import { checkTensorSize, formatShape, type Shape, ShapeError } from "../tensor/shape.js";
import { type Tensor, zeros } from "../tensor/tensor.js";
import { type ActivationName, activate, activationBackward, assertActivation, assertLeakyAlpha, DEFAULT_LEAKY_ALPHA } from "./activations.js";
import { BatchBuffers } from "./buffers.js";
import { assertInitializer, type InitializerName, initialize } from "./initializers.js";
import type { Layer, LayerConfig, OutputActivation, Param } from "./layer.js";
import { makeParam } from "./param.js";
import { configValue, isBoolean, isNumber, isShape, isString, registerLayer } from "./registry.js";

export interface DenseOptions {
  activation?: ActivationName;
  kernelInitializer?: InitializerName;
  useBias?: boolean;
  /** Slope for z < 0 when activation is "leakyRelu" (default 0.01). */
  alpha?: number;
  name?: string;
  inputShape?: Shape;
}

export class Dense implements Layer, OutputActivation {
  name: string;
  readonly units: number;
  readonly activation: ActivationName;
  readonly kernelInitializer: InitializerName;
  readonly useBias: boolean;
  readonly alpha: number;
  readonly inputShape?: Shape;
  /** W, [inputs, units]; set by build. */
  kernel!: Param;
  /** b, [units]; null without bias. */
  bias: Param | null = null;
  private inputs = 0;
  private readonly buffers = new BatchBuffers();
  private x: Tensor | null = null;
  private z: Tensor | null = null;
  private y: Tensor | null = null;
  private dbScratch: Tensor | null = null;

  constructor(units: number, options: DenseOptions = {}) {
    if (!Number.isInteger(units) || units < 1) throw new RangeError(`Dense: units must be an integer >= 1; got ${units}`);
    this.units = units;
    this.activation = assertActivation(options.activation ?? "linear", "Dense");
    this.kernelInitializer = assertInitializer(options.kernelInitializer ?? "glorotUniform", "Dense");
    this.useBias = options.useBias ?? true;
    this.alpha = assertLeakyAlpha(options.alpha ?? DEFAULT_LEAKY_ALPHA, "Dense");
    this.name = options.name ?? "";
    if (options.inputShape !== undefined) this.inputShape = [...options.inputShape];
  }

  build(inputShape: Shape, rng: Rng): Shape {
    if (inputShape.length !== 1) {
      throw new ShapeError(`Dense ${this.name}: input shape must be [features]; got ${formatShape(inputShape)} (put a Flatten layer before it)`);
    }
    this.inputs = inputShape[0];
    checkTensorSize(`Dense ${this.name}`, [
      ["inputs", this.inputs],
      ["units", this.units],
    ]);
    this.kernel = makeParam("kernel", initialize(this.kernelInitializer, [this.inputs, this.units], this.inputs, this.units, rng), true);
    this.bias = this.useBias ? makeParam("bias", zeros([this.units]), false) : null;
    this.dbScratch = this.useBias ? zeros([this.units]) : null;
    this.buffers.clear();
    return [this.units];
  }

  forward(x: Tensor, _training: boolean): Tensor {
    if (x.rank !== 2 || x.shape[1] !== this.inputs) {
      throw new ShapeError(`Dense ${this.name}: expected input [batch, ${this.inputs}]; got ${formatShape(x.shape)}`);
    }
    const n = x.shape[0];
    const z = ops.matmul(x, this.kernel.value, { out: this.buffers.get("z", [n, this.units]) });
    if (this.bias !== null) ops.add(z, this.bias.value, z);
    const y = this.activation === "linear" ? z : activate(this.activation, z, this.buffers.get("y", [n, this.units]), this.alpha);
    this.x = x;
    this.z = z;
    this.y = y;
    return y;
  }

  backward(dy: Tensor, needInputGrad = true): Tensor {
    const y = this.cached("backward").y;
    const dz = activationBackward(this.activation, y, dy, this.buffers.get("dz", y.shape), this.alpha);
    return this.backwardFromPreActivation(dz, needInputGrad);
  }

  preActivation(): Tensor {
    return this.cached("preActivation").z;
  }

  /** Backward from δ = dL/dz (losses fused with the activation start here). */
  backwardFromPreActivation(dz: Tensor, needInputGrad = true): Tensor {
    const { x } = this.cached("backward");
    if (this.kernel.trainable) ops.matmul(x, dz, { transA: true, beta: 1, out: this.kernel.grad });
    if (this.bias !== null && this.bias.trainable && this.dbScratch !== null) {
      ops.add(this.bias.grad, ops.sum(dz, 0, this.dbScratch), this.bias.grad);
    }
    if (!needInputGrad) return dz;
    return ops.matmul(dz, this.kernel.value, { transB: true, out: this.buffers.get("dx", [dz.shape[0], this.inputs]) });
  }

  params(): Param[] {
    if (this.kernel === undefined) return [];
    return this.bias === null ? [this.kernel] : [this.kernel, this.bias];
  }

  config(): LayerConfig {
    const c: LayerConfig = {
      className: "Dense",
      name: this.name,
      units: this.units,
      activation: this.activation,
      kernelInitializer: this.kernelInitializer,
      useBias: this.useBias,
    };
    if (this.activation === "leakyRelu") c.alpha = this.alpha;
    if (this.inputShape !== undefined) c.inputShape = [...this.inputShape];
    return c;
  }

  private cached(what: string): { x: Tensor; z: Tensor; y: Tensor } {
    if (this.x === null || this.z === null || this.y === null) throw new Error(`Dense ${this.name}: ${what} called before forward`);
    return { x: this.x, z: this.z, y: this.y };
  }
}

registerLayer("Dense", (c) => {
  const units = configValue(c, "units", isNumber, "an integer >= 1");
  if (units === undefined) throw new TypeError(`Dense config: "units" is required`);
  return new Dense(units, {
    activation: configValue(c, "activation", isString, "an activation name") as ActivationName | undefined,
    kernelInitializer: configValue(c, "kernelInitializer", isString, "an initializer name") as InitializerName | undefined,
    useBias: configValue(c, "useBias", isBoolean, "a boolean"),
    alpha: configValue(c, "alpha", isNumber, "a number"),
    name: configValue(c, "name", isString, "a string"),
    inputShape: configValue(c, "inputShape", isShape, "a shape"),
  });
});
