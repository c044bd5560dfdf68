/**
 * A pre-norm transformer block (the form of ViT and MAE) on tokens x [batch, T, d]:
 *   h = x + MHSA(LN₁(x))
 *   y = h + W₂ gelu(W₁ LN₂(h) + b₁) + b₂        (the MLP acts on each token alone, width d·mlpRatio)
 * The residual paths carry the gradient straight through: dL/dh = dL/dy + (MLP path)ᵀ dL/dy, and
 * dL/dx = dL/dh + (attention path)ᵀ dL/dh. Params are named "<sub-layer>.<param>" (ln1, attention,
 * ln2, fc1, fc2). Like the attention, a built block takes any number of tokens.
 */
import * as ops from "../ops/index.js";
import type { Rng } from "../tensor/random.js";
import { formatShape, type Shape, ShapeError } from "../tensor/shape.js";
import type { Tensor } from "../tensor/tensor.js";
import { MultiHeadSelfAttention } from "./attention.js";
import { BatchBuffers } from "./buffers.js";
import { Dense } from "./dense.js";
import { GELU } from "./gelu.js";
import type { Layer, LayerConfig, Param } from "./layer.js";
import { LayerNorm } from "./layer-norm.js";
import { prefixedParam } from "./param.js";
import { configValue, isNumber, isShape, isString, registerLayer } from "./registry.js";

export interface TransformerBlockOptions {
  /** Attention heads; must divide the token width. */
  heads: number;
  /** The MLP's hidden width as a multiple of the token width (default 4, as in ViT). */
  mlpRatio?: number;
  name?: string;
  inputShape?: Shape;
}

export class TransformerBlock implements Layer {
  name: string;
  readonly heads: number;
  readonly mlpRatio: number;
  readonly inputShape?: Shape;
  ln1!: LayerNorm;
  attention!: MultiHeadSelfAttention;
  ln2!: LayerNorm;
  fc1!: Dense;
  gelu!: GELU;
  fc2!: Dense;
  private width = 0;
  private tokens = 0;
  private wrapped: Param[] = [];
  private readonly buffers = new BatchBuffers();

  constructor(options: TransformerBlockOptions) {
    const heads = options?.heads;
    const mlpRatio = options?.mlpRatio ?? 4;
    if (!Number.isInteger(heads) || heads < 1) throw new RangeError(`TransformerBlock: heads must be an integer >= 1; got ${heads}`);
    if (!(mlpRatio > 0 && Number.isFinite(mlpRatio))) throw new RangeError(`TransformerBlock: mlpRatio must be a number > 0; got ${mlpRatio}`);
    this.heads = heads;
    this.mlpRatio = mlpRatio;
    this.name = options.name ?? "";
    if (options.inputShape !== undefined) this.inputShape = [...options.inputShape];
  }

  build(inputShape: Shape, rng: Rng): Shape {
    if (inputShape.length !== 2) throw new ShapeError(`TransformerBlock ${this.name}: input shape must be [tokens, width]; got ${formatShape(inputShape)}`);
    const d = inputShape[1];
    const hidden = Math.max(1, Math.round(d * this.mlpRatio));
    this.ln1 = new LayerNorm({ name: "ln1" });
    this.attention = new MultiHeadSelfAttention({ heads: this.heads, name: "attention" });
    this.ln2 = new LayerNorm({ name: "ln2" });
    this.fc1 = new Dense(hidden, { name: "fc1" });
    this.gelu = new GELU({ name: "gelu" });
    this.fc2 = new Dense(d, { name: "fc2" });
    this.ln1.build(inputShape, rng);
    this.attention.build(inputShape, rng);
    this.ln2.build(inputShape, rng);
    this.fc1.build([d], rng);
    this.gelu.build([hidden], rng);
    this.fc2.build([hidden], rng);
    this.width = d;
    this.wrapped = [this.ln1, this.attention, this.ln2, this.fc1, this.fc2].flatMap((l) => l.params().map((p) => prefixedParam(l.name, p)));
    this.buffers.clear();
    return [...inputShape];
  }

  forward(x: Tensor, training: boolean): Tensor {
    const d = this.width;
    if (d === 0 || x.rank !== 3 || x.shape[1] < 1 || x.shape[2] !== d)
      throw new ShapeError(`TransformerBlock ${this.name}: expected input [batch, tokens, ${d}]; got ${formatShape(x.shape)}`);
    const [n, T] = x.shape;
    this.tokens = T;
    const h = ops.add(x, this.attention.forward(this.ln1.forward(x, training), training), this.buffers.get("h", x.shape));
    const tokens = this.ln2.forward(h, training).reshape([n * T, d]);
    const mlp = this.fc2.forward(this.gelu.forward(this.fc1.forward(tokens, training), training), training);
    return ops.add(h, mlp.reshape(x.shape), this.buffers.get("y", x.shape));
  }

  backward(dy: Tensor, needInputGrad = true): Tensor {
    const [T, d] = [this.tokens, this.width];
    const n = dy.size / (T * d);
    dy = dy.reshape([n, T, d]);
    const dMlp = this.fc1.backward(this.gelu.backward(this.fc2.backward(dy.reshape([n * T, d]))));
    const dh = ops.add(dy, this.ln2.backward(dMlp.reshape([n, T, d])), this.buffers.get("dh", [n, T, d]));
    // LN₁'s γ, β need the attention's input gradient even when x's is not wanted
    const dAttention = this.ln1.backward(this.attention.backward(dh), needInputGrad);
    if (!needInputGrad) return dh;
    return ops.add(dh, dAttention, this.buffers.get("dx", [n, T, d]));
  }

  params(): Param[] {
    return this.wrapped;
  }

  config(): LayerConfig {
    const c: LayerConfig = { className: "TransformerBlock", name: this.name, heads: this.heads, mlpRatio: this.mlpRatio };
    if (this.inputShape !== undefined) c.inputShape = [...this.inputShape];
    return c;
  }
}

registerLayer("TransformerBlock", (c) => {
  const heads = configValue(c, "heads", isNumber, "an integer >= 1");
  if (heads === undefined) throw new TypeError(`TransformerBlock config: "heads" is required`);
  return new TransformerBlock({
    heads,
    mlpRatio: configValue(c, "mlpRatio", isNumber, "a number > 0"),
    name: configValue(c, "name", isString, "a string"),
    inputShape: configValue(c, "inputShape", isShape, "a shape"),
  });
});
