/**
 * A block-diagonal dense layer: the input row is a concatenation of blocks [x_1 | x_2 | …], and
 * each block has its own Dense, y = [f(x_1 W_1 + b_1) | f(x_2 W_2 + b_2) | …]. It is one Dense
 * whose W is block-diagonal, without storing (or multiplying by) the zero blocks. The bimodal
 * autoencoder (Ngiam et al. 2011) uses it to give each modality its own first layer:
 *
 *   new BlockDense([392, 392], [256, 256], { activation: "sigmoid" })   // [a | b] → [h_a | h_b]
 *
 * It is a Parallel of branches [Columns(block i), Dense(units i)]: Parallel concatenates the
 * branches' outputs and sums their dL/dx, and each Columns branch's dL/dx is zero outside its
 * block, so the sum places every block's gradient where it belongs.
 */
import type { Rng } from "../tensor/random.js";
import { formatShape, type Shape, ShapeError } from "../tensor/shape.js";
import type { Tensor } from "../tensor/tensor.js";
import type { ActivationName } from "./activations.js";
import { assertActivation } from "./activations.js";
import { BatchBuffers } from "./buffers.js";
import { Dense } from "./dense.js";
import type { Layer, LayerConfig, Param } from "./layer.js";
import { copyColumns, Parallel } from "./parallel.js";
import { configValue, isNumber, isShape, isString, registerLayer } from "./registry.js";

export interface ColumnsOptions {
  name?: string;
  inputShape?: Shape;
}

/** Columns [start, start + width) of a [batch, features] input; backward puts dL/dy back there and zeros elsewhere. */
export class Columns implements Layer {
  name: string;
  readonly start: number;
  readonly width: number;
  readonly inputShape?: Shape;
  private features = 0;
  private readonly buffers = new BatchBuffers();

  constructor(start: number, width: number, options: ColumnsOptions = {}) {
    if (!Number.isInteger(start) || start < 0) throw new RangeError(`Columns: start must be an integer >= 0; got ${start}`);
    if (!Number.isInteger(width) || width < 1) throw new RangeError(`Columns: width must be an integer >= 1; got ${width}`);
    this.start = start;
    this.width = width;
    this.name = options.name ?? "";
    if (options.inputShape !== undefined) this.inputShape = [...options.inputShape];
  }

  build(inputShape: Shape, _rng: Rng): Shape {
    if (inputShape.length !== 1 || this.start + this.width > inputShape[0])
      throw new ShapeError(
        `Columns ${this.name}: columns [${this.start}, ${this.start + this.width}) must lie inside an input [features]; got ${formatShape(inputShape)}`,
      );
    this.features = inputShape[0];
    this.buffers.clear();
    return [this.width];
  }

  forward(x: Tensor, _training: boolean): Tensor {
    if (x.rank !== 2 || x.shape[1] !== this.features)
      throw new ShapeError(`Columns ${this.name}: expected input [batch, ${this.features}]; got ${formatShape(x.shape)}`);
    const y = this.buffers.get("y", [x.rows, this.width]);
    copyColumns(x.data, x.rows, this.features, y.data, this.width, this.start, true);
    return y;
  }

  backward(dy: Tensor, _needInputGrad = true): Tensor {
    const dx = this.buffers.get("dx", [dy.rows, this.features]);
    dx.data.fill(0);
    copyColumns(dy.data, dy.rows, this.width, dx.data, this.features, this.start, false);
    return dx;
  }

  params(): Param[] {
    return [];
  }

  config(): LayerConfig {
    const c: LayerConfig = { className: "Columns", name: this.name, start: this.start, width: this.width };
    if (this.inputShape !== undefined) c.inputShape = [...this.inputShape];
    return c;
  }
}

export interface BlockDenseOptions {
  /** f of every block. Default "linear". */
  activation?: ActivationName;
  name?: string;
  inputShape?: Shape;
}

/** Positive integers, one per block. */
function assertSizes(values: readonly number[], option: string): number[] {
  if (!Array.isArray(values) || values.length === 0 || values.some((v) => !Number.isInteger(v) || v < 1))
    throw new RangeError(`BlockDense: ${option} must be a non-empty array of integers >= 1; got ${JSON.stringify(values)}`);
  return [...values];
}

/** Branch i: columns of block i, then its Dense. */
function blockBranches(blocks: readonly number[], units: readonly number[], activation: ActivationName): Layer[][] {
  const b = assertSizes(blocks, "blocks");
  const u = assertSizes(units, "units");
  if (b.length !== u.length) throw new RangeError(`BlockDense: blocks and units must have one entry per block; got ${b.length} blocks and ${u.length} units`);
  const starts = b.map((_, i) => b.slice(0, i).reduce((s, w) => s + w, 0));
  return b.map((width, i) => [new Columns(starts[i], width, { name: `block${i}_columns` }), new Dense(u[i], { activation, name: `block${i}` })]);
}

export class BlockDense extends Parallel {
  /** Input columns of each block, in order; they must add up to the input's features. */
  readonly blocks: readonly number[];
  /** Output units of each block. */
  readonly units: readonly number[];
  readonly activation: ActivationName;

  constructor(blocks: readonly number[], units: readonly number[], options: BlockDenseOptions = {}) {
    const activation = assertActivation(options.activation ?? "linear", "BlockDense");
    super(blockBranches(blocks, units, activation), { name: options.name, inputShape: options.inputShape });
    this.blocks = [...blocks];
    this.units = [...units];
    this.activation = activation;
  }

  /** The Dense of block i (its kernel is W_i). */
  dense(i: number): Dense {
    return this.branches[i][1] as Dense;
  }

  override build(inputShape: Shape, rng: Rng): Shape {
    const total = this.blocks.reduce((s, w) => s + w, 0);
    if (inputShape.length !== 1 || inputShape[0] !== total)
      throw new ShapeError(
        `BlockDense ${this.name}: blocks ${this.blocks.join(" + ")} = ${total} must add up to the input's features; got input ${formatShape(inputShape)}`,
      );
    return super.build(inputShape, rng);
  }

  override config(): LayerConfig {
    const c: LayerConfig = { className: "BlockDense", name: this.name, blocks: [...this.blocks], units: [...this.units], activation: this.activation };
    if (this.inputShape !== undefined) c.inputShape = [...this.inputShape];
    return c;
  }
}

registerLayer("Columns", (c) => {
  const start = configValue(c, "start", isNumber, "an integer >= 0");
  const width = configValue(c, "width", isNumber, "an integer >= 1");
  if (start === undefined || width === undefined) throw new TypeError(`Columns config: "start" and "width" are required`);
  return new Columns(start, width, { name: configValue(c, "name", isString, "a string"), inputShape: configValue(c, "inputShape", isShape, "a shape") });
});

registerLayer("BlockDense", (c) => {
  const blocks = configValue(c, "blocks", isShape, "an array of integers >= 1");
  const units = configValue(c, "units", isShape, "an array of integers >= 1");
  if (blocks === undefined || units === undefined) throw new TypeError(`BlockDense config: "blocks" and "units" are required`);
  return new BlockDense(blocks, units, {
    activation: configValue(c, "activation", isString, "an activation name") as ActivationName | undefined,
    name: configValue(c, "name", isString, "a string"),
    inputShape: configValue(c, "inputShape", isShape, "a shape"),
  });
});
