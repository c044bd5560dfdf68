/**
 * DenseTied: the decoder half of an autoencoder with tied weights (W̃ = Wᵀ). It reuses the
 * kernel W [inputs, units] of an encoder Dense and keeps only its own bias b′:
 *   forward   z = h Wᵀ + b′,   y = f(z)            (h the code, [batch, units])
 *   backward  dL/dW += δᵀ h,   dL/db′ = Σ_rows δ,   dL/dh = δ W      (δ = dL/dz)
 * W is the encoder's param, so its grad receives both uses summed (the encoder Dense adds
 * Xᵀ δ_enc); the optimiser steps W once. params() lists only b′, so W is saved once.
 */
import * as ops from "../ops/index.js";
import type { Rng } from "../tensor/random.js";
import { formatShape, type Shape, ShapeError } from "../tensor/shape.js";
import { type Tensor, zeros } from "../tensor/tensor.js";
import { type ActivationName, activate, activationBackward, assertActivation } from "./activations.js";
import { BatchBuffers } from "./buffers.js";
import { Dense } from "./dense.js";
import type { Layer, LayerConfig, OutputActivation, Param } from "./layer.js";
import { makeParam } from "./param.js";
import { configValue, isBoolean, isString, registerLayer } from "./registry.js";

export interface DenseTiedOptions {
  activation?: ActivationName;
  useBias?: boolean;
  name?: string;
}

export class DenseTied implements Layer, OutputActivation {
  name: string;
  readonly activation: ActivationName;
  readonly useBias: boolean;
  /** b′, [inputs of the source]; null without bias. */
  bias: Param | null = null;
  /** The encoder Dense whose kernel this layer transposes (a name until the model ties it). */
  private source: Dense | string;
  private readonly buffers = new BatchBuffers();
  private h: Tensor | null = null;
  private z: Tensor | null = null;
  private y: Tensor | null = null;
  private dbScratch: Tensor | null = null;

  constructor(source: Dense | string, options: DenseTiedOptions = {}) {
    if (!(source instanceof Dense) && (typeof source !== "string" || source === ""))
      throw new TypeError(`DenseTied: source must be a Dense layer or its name; got ${JSON.stringify(source)}`);
    this.source = source;
    this.activation = assertActivation(options.activation ?? "linear", "DenseTied");
    this.useBias = options.useBias ?? true;
    this.name = options.name ?? "";
  }

  /** Transposes the kernel of `source`, a Dense layer that comes before it in the same model. */
  static transposeOf(source: Dense, options: DenseTiedOptions = {}): DenseTied {
    return new DenseTied(source, options);
  }

  /** Finds the source Dense among the layers below (Sequential calls this before build). */
  tie(below: readonly Layer[]): void {
    const name = typeof this.source === "string" ? this.source : this.source.name;
    const found = below.find((l) => (typeof this.source === "string" ? l.name === name : l === this.source));
    if (!(found instanceof Dense)) {
      throw new Error(
        `DenseTied ${this.name}: its source Dense "${name}" must come before it in the model; layers before it: ${below.map((l) => l.name).join(", ") || "none"}`,
      );
    }
    this.source = found;
  }

  /** W of the source, [inputs, units]. */
  get kernel(): Param {
    if (typeof this.source === "string" || this.source.kernel === undefined)
      throw new Error(`DenseTied ${this.name}: not tied to a built Dense yet (add it to a model after its source)`);
    return this.source.kernel;
  }

  build(inputShape: Shape, _rng: Rng): Shape {
    const [inputs, units] = this.kernel.value.shape;
    if (inputShape.length !== 1 || inputShape[0] !== units) {
      throw new ShapeError(`DenseTied ${this.name}: input shape must be [${units}] (the units of its source); got ${formatShape(inputShape)}`);
    }
    this.bias = this.useBias ? makeParam("bias", zeros([inputs]), false) : null;
    this.dbScratch = this.useBias ? zeros([inputs]) : null;
    this.buffers.clear();
    return [inputs];
  }

  forward(h: Tensor, _training: boolean): Tensor {
    const W = this.kernel.value;
    const [inputs, units] = W.shape;
    if (h.rank !== 2 || h.shape[1] !== units) throw new ShapeError(`DenseTied ${this.name}: expected input [batch, ${units}]; got ${formatShape(h.shape)}`);
    const n = h.shape[0];
    const z = ops.matmul(h, W, { transB: true, out: this.buffers.get("z", [n, inputs]) });
    if (this.bias !== null) ops.add(z, this.bias.value, z);
    const y = this.activation === "linear" ? z : activate(this.activation, z, this.buffers.get("y", [n, inputs]));
    this.h = h;
    this.z = z;
    this.y = y;
    return y;
  }

  backward(dy: Tensor, needInputGrad = true): Tensor {
    const y = this.cached("backward").y;
    const dz = activationBackward(this.activation, y, dy, this.buffers.get("dz", y.shape));
    return this.backwardFromPreActivation(dz, needInputGrad);
  }

  preActivation(): Tensor {
    return this.cached("preActivation").z;
  }

  backwardFromPreActivation(dz: Tensor, needInputGrad = true): Tensor {
    const { h } = this.cached("backward");
    const W = this.kernel;
    // dL/dW of this use is (h δᵀ)ᵀ = δᵀ h, [inputs, units]: added to what the encoder adds
    if (W.trainable) ops.matmul(dz, h, { transA: true, beta: 1, out: W.grad });
    if (this.bias?.trainable && this.dbScratch !== null) ops.add(this.bias.grad, ops.sum(dz, 0, this.dbScratch), this.bias.grad);
    if (!needInputGrad) return dz;
    return ops.matmul(dz, W.value, { out: this.buffers.get("dh", h.shape) });
  }

  params(): Param[] {
    return this.bias === null ? [] : [this.bias];
  }

  config(): LayerConfig {
    const source = typeof this.source === "string" ? this.source : this.source.name;
    return { className: "DenseTied", name: this.name, tiedTo: source, activation: this.activation, useBias: this.useBias };
  }

  private cached(what: string): { h: Tensor; z: Tensor; y: Tensor } {
    if (this.h === null || this.z === null || this.y === null) throw new Error(`DenseTied ${this.name}: ${what} called before forward`);
    return { h: this.h, z: this.z, y: this.y };
  }
}

registerLayer("DenseTied", (c) => {
  const tiedTo = configValue(c, "tiedTo", isString, "the name of a Dense layer");
  if (tiedTo === undefined) throw new TypeError(`DenseTied config: "tiedTo" is required`);
  return new DenseTied(tiedTo, {
    activation: configValue(c, "activation", isString, "an activation name") as ActivationName | undefined,
    useBias: configValue(c, "useBias", isBoolean, "a boolean"),
    name: configValue(c, "name", isString, "a string"),
  });
});
