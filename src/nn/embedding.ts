/**
 * Embedding: a lookup table from token ids to learnt vectors, [steps] ids → [steps, dim].
 * It equals a Dense layer applied to one-hot ids, without ever forming the one-hot rows:
 * forward copies row `id` of the table, backward adds dL/dy back onto that row (rows of
 * tokens that did not occur get no gradient). Ids arrive as numbers in a float tensor.
 */
import type { Rng } from "../tensor/random.js";
import { checkTensorSize, formatShape, type Shape, ShapeError } from "../tensor/shape.js";
import type { Tensor } from "../tensor/tensor.js";
import { BatchBuffers } from "./buffers.js";
import { assertInitializer, type InitializerName, initialize } from "./initializers.js";
import type { Layer, LayerConfig, Param } from "./layer.js";
import { makeParam } from "./param.js";
import { configValue, isNumber, isShape, isString, registerLayer } from "./registry.js";

export interface EmbeddingOptions {
  /** Default "uniform" (±0.05, as Keras). */
  embeddingsInitializer?: InitializerName;
  name?: string;
  /** [steps]: the (padded) sequence length. */
  inputShape?: Shape;
}

export class Embedding implements Layer {
  name: string;
  readonly vocabSize: number;
  readonly dim: number;
  readonly embeddingsInitializer: InitializerName;
  readonly inputShape?: Shape;
  /** The table, [vocabSize, dim]: row i is the vector of token i. */
  embeddings!: Param;
  private steps = 0;
  private readonly buffers = new BatchBuffers();
  private ids: Int32Array = new Int32Array(0);
  private batch = 0;

  constructor(vocabSize: number, dim: number, options: EmbeddingOptions = {}) {
    if (!Number.isInteger(vocabSize) || vocabSize < 1) throw new RangeError(`Embedding: vocabSize must be an integer >= 1; got ${vocabSize}`);
    if (!Number.isInteger(dim) || dim < 1) throw new RangeError(`Embedding: dim must be an integer >= 1; got ${dim}`);
    this.vocabSize = vocabSize;
    this.dim = dim;
    this.embeddingsInitializer = assertInitializer(options.embeddingsInitializer ?? "uniform", "Embedding");
    this.name = options.name ?? "";
    if (options.inputShape !== undefined) this.inputShape = [...options.inputShape];
  }

  build(inputShape: Shape, rng: Rng): Shape {
    if (inputShape.length !== 1) throw new ShapeError(`Embedding ${this.name}: input shape must be [steps] (token ids); got ${formatShape(inputShape)}`);
    this.steps = inputShape[0];
    checkTensorSize(`Embedding ${this.name}`, [
      ["vocabSize", this.vocabSize],
      ["dim", this.dim],
    ]);
    this.embeddings = makeParam("embeddings", initialize(this.embeddingsInitializer, [this.vocabSize, this.dim], this.vocabSize, this.dim, rng), true);
    this.buffers.clear();
    return [this.steps, this.dim];
  }

  forward(x: Tensor, _training: boolean): Tensor {
    if (this.embeddings === undefined) throw new Error(`Embedding ${this.name}: forward called before build`);
    if (x.rank !== 2 || x.shape[1] !== this.steps)
      throw new ShapeError(`Embedding ${this.name}: expected ids [batch, ${this.steps}]; got ${formatShape(x.shape)}`);
    const n = x.shape[0];
    const count = n * this.steps;
    if (this.ids.length < count) this.ids = new Int32Array(count);
    const y = this.buffers.get("y", [n, this.steps, this.dim]);
    const table = this.embeddings.value.data;
    const d = this.dim;
    for (let i = 0; i < count; i++) {
      // round, so ids nudged by a finite-difference check still name the same token
      const id = Math.round(x.data[i]);
      if (!(id >= 0 && id < this.vocabSize)) {
        throw new RangeError(`Embedding ${this.name}: token id ${x.data[i]} at position ${i} is outside 0..${this.vocabSize - 1}`);
      }
      this.ids[i] = id;
      y.data.set(table.subarray(id * d, id * d + d), i * d);
    }
    this.batch = n;
    return y;
  }

  backward(dy: Tensor, needInputGrad = true): Tensor {
    const n = this.batch;
    if (dy.size !== n * this.steps * this.dim)
      throw new ShapeError(`Embedding ${this.name}: dy ${formatShape(dy.shape)} does not match the last output [${n}, ${this.steps}, ${this.dim}]`);
    if (this.embeddings.trainable) {
      const g = this.embeddings.grad.data;
      const d = this.dim;
      for (let i = 0; i < n * this.steps; i++) {
        const row = this.ids[i] * d;
        for (let j = 0; j < d; j++) g[row + j] += dy.data[i * d + j];
      }
    }
    // ids are not differentiable: dL/dx is zero
    const dx = this.buffers.get("dx", [n, this.steps]);
    if (needInputGrad) dx.data.fill(0);
    return dx;
  }

  params(): Param[] {
    return this.embeddings === undefined ? [] : [this.embeddings];
  }

  config(): LayerConfig {
    const c: LayerConfig = {
      className: "Embedding",
      name: this.name,
      vocabSize: this.vocabSize,
      dim: this.dim,
      embeddingsInitializer: this.embeddingsInitializer,
    };
    if (this.inputShape !== undefined) c.inputShape = [...this.inputShape];
    return c;
  }
}

registerLayer("Embedding", (c) => {
  const vocabSize = configValue(c, "vocabSize", isNumber, "an integer >= 1");
  const dim = configValue(c, "dim", isNumber, "an integer >= 1");
  if (vocabSize === undefined || dim === undefined) throw new TypeError(`Embedding config: "vocabSize" and "dim" are required`);
  return new Embedding(vocabSize, dim, {
    embeddingsInitializer: configValue(c, "embeddingsInitializer", isString, "an initializer name") as InitializerName | undefined,
    name: configValue(c, "name", isString, "a string"),
    inputShape: configValue(c, "inputShape", isShape, "a shape"),
  });
});
