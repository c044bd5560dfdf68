/**
 * Layer normalisation (Ba, Kiros & Hinton 2016) over the last axis: for each row x (one token's
 * features, or one example's),
 *   μ = mean(x),  σ² = mean((x − μ)²),  x̂ = (x − μ)/√(σ² + ε),  y = γ ∘ x̂ + β.
 * Unlike batch norm it needs no batch statistics, so training and inference agree. Backward,
 * with g = dL/dy ∘ γ and means over the row's d features:
 *   dL/dx = (g − mean(g) − x̂ mean(g ∘ x̂)) / √(σ² + ε),   dL/dγ = Σ_rows dL/dy ∘ x̂,   dL/dβ = Σ_rows dL/dy.
 */
import type { Rng } from "../tensor/random.js";
import { formatShape, type Shape, ShapeError } from "../tensor/shape.js";
import { ones, type Tensor, zeros } from "../tensor/tensor.js";
import { BatchBuffers } from "./buffers.js";
import type { Layer, LayerConfig, Param } from "./layer.js";
import { makeParam } from "./param.js";
import { configValue, isNumber, isShape, isString, registerLayer } from "./registry.js";

export interface LayerNormOptions {
  /** Added to σ² (default 1e-5). */
  epsilon?: number;
  name?: string;
  inputShape?: Shape;
}

export class LayerNorm implements Layer {
  name: string;
  readonly epsilon: number;
  readonly inputShape?: Shape;
  /** γ, [features]. */
  gamma!: Param;
  /** β, [features]. */
  beta!: Param;
  private features = 0;
  private readonly buffers = new BatchBuffers();
  private xhat: Tensor | null = null;
  private invStd: Float32Array = new Float32Array(0);

  constructor(options: LayerNormOptions = {}) {
    const epsilon = options.epsilon ?? 1e-5;
    if (!(epsilon > 0 && Number.isFinite(epsilon))) throw new RangeError(`LayerNorm: epsilon must be a number > 0; got ${epsilon}`);
    this.epsilon = epsilon;
    this.name = options.name ?? "";
    if (options.inputShape !== undefined) this.inputShape = [...options.inputShape];
  }

  build(inputShape: Shape, _rng: Rng): Shape {
    if (inputShape.length < 1 || inputShape[inputShape.length - 1] < 1)
      throw new ShapeError(`LayerNorm ${this.name}: input shape must end in a features axis >= 1; got ${formatShape(inputShape)}`);
    this.features = inputShape[inputShape.length - 1];
    this.gamma = makeParam("gamma", ones([this.features]), false);
    this.beta = makeParam("beta", zeros([this.features]), false);
    this.buffers.clear();
    return [...inputShape];
  }

  forward(x: Tensor, _training: boolean): Tensor {
    const d = this.features;
    if (d === 0 || x.shape[x.rank - 1] !== d) throw new ShapeError(`LayerNorm ${this.name}: expected input [..., ${d}]; got ${formatShape(x.shape)}`);
    const rows = x.size / d;
    const xhat = this.buffers.get("xhat", x.shape);
    const y = this.buffers.get("y", x.shape);
    if (this.invStd.length < rows) this.invStd = new Float32Array(rows);
    const [g, b, xs, xh, ys] = [this.gamma.value.data, this.beta.value.data, x.data, xhat.data, y.data];
    const [invStd, eps] = [this.invStd, this.epsilon];
    for (let r = 0; r < rows; r++) {
      const o = r * d;
      let mu = 0;
      for (let j = 0; j < d; j++) mu += xs[o + j];
      mu /= d;
      let v = 0;
      for (let j = 0; j < d; j++) {
        const c = xs[o + j] - mu;
        v += c * c;
      }
      const inv = 1 / Math.sqrt(v / d + eps);
      invStd[r] = inv;
      for (let j = 0; j < d; j++) {
        const h = (xs[o + j] - mu) * inv;
        xh[o + j] = h;
        ys[o + j] = g[j] * h + b[j];
      }
    }
    this.xhat = xhat;
    return y;
  }

  backward(dy: Tensor, needInputGrad = true): Tensor {
    const xhat = this.xhat;
    if (xhat === null) throw new Error(`LayerNorm ${this.name}: backward called before forward`);
    if (dy.size !== xhat.size)
      throw new ShapeError(`LayerNorm ${this.name}: dy ${formatShape(dy.shape)} does not match the last input ${formatShape(xhat.shape)}`);
    const d = this.features;
    const rows = xhat.size / d;
    const dx = this.buffers.get("dx", xhat.shape);
    const [g, dg, db, xh, dys, dxs] = [this.gamma.value.data, this.gamma.grad.data, this.beta.grad.data, xhat.data, dy.data, dx.data];
    const learn = this.gamma.trainable || this.beta.trainable;
    for (let r = 0; r < rows; r++) {
      const o = r * d;
      if (learn) {
        for (let j = 0; j < d; j++) {
          if (this.gamma.trainable) dg[j] += dys[o + j] * xh[o + j];
          if (this.beta.trainable) db[j] += dys[o + j];
        }
      }
      if (!needInputGrad) continue;
      let meanG = 0;
      let meanGx = 0;
      for (let j = 0; j < d; j++) {
        const gj = dys[o + j] * g[j];
        meanG += gj;
        meanGx += gj * xh[o + j];
      }
      meanG /= d;
      meanGx /= d;
      const inv = this.invStd[r];
      for (let j = 0; j < d; j++) dxs[o + j] = (dys[o + j] * g[j] - meanG - xh[o + j] * meanGx) * inv;
    }
    return dx;
  }

  params(): Param[] {
    return this.gamma === undefined ? [] : [this.gamma, this.beta];
  }

  config(): LayerConfig {
    const c: LayerConfig = { className: "LayerNorm", name: this.name, epsilon: this.epsilon };
    if (this.inputShape !== undefined) c.inputShape = [...this.inputShape];
    return c;
  }
}

registerLayer(
  "LayerNorm",
  (c) =>
    new LayerNorm({
      epsilon: configValue(c, "epsilon", isNumber, "a number > 0"),
      name: configValue(c, "name", isString, "a string"),
      inputShape: configValue(c, "inputShape", isShape, "a shape"),
    }),
);
