/**
 * Parallel: branches of layers that all read the same input, with their outputs concatenated
 * along the last axis. This is how a Sequential model expresses Kim's (2014) sentence CNN,
 * whose filters of several window sizes look at the same embedded sentence side by side:
 *
 *   new Parallel([
 *     [new Conv1D({ filters: 100, kernelSize: 3, activation: "relu" }), new GlobalMaxPool()],
 *     [new Conv1D({ filters: 100, kernelSize: 4, activation: "relu" }), new GlobalMaxPool()],
 *   ])                                                   // [steps, dim] → [200]
 *
 * Backward splits dL/dy by branch, runs each branch backward, and sums their dL/dx (the input
 * fans out to every branch, so its gradient is the sum over branches). Branch outputs must
 * agree on every axis but the last. Params are named "<sub-layer>.<param>".
 */

import * as ops from "../ops/index.js";
import type { Rng } from "../tensor/random.js";
import { formatShape, type Shape, ShapeError, shapeSize, shapesEqual } from "../tensor/shape.js";
import type { Tensor } from "../tensor/tensor.js";
import { BatchBuffers } from "./buffers.js";
import type { Layer, LayerConfig, Param } from "./layer.js";
import { prefixed } from "./param.js";
import { configValue, isShape, isString, layerFromConfig, registerLayer } from "./registry.js";

export interface ParallelOptions {
  name?: string;
  inputShape?: Shape;
}

export class Parallel implements Layer {
  name: string;
  readonly inputShape?: Shape;
  readonly branches: Layer[][];
  /** Last-axis width of each branch's output. */
  private widths: number[] = [];
  private outWidth = 0;
  private builtShape: Shape = [];
  private outShape: Shape = [];
  private wrapped: Param[] = [];
  private readonly buffers = new BatchBuffers();
  private batch = 0;

  constructor(branches: Layer[][], options: ParallelOptions = {}) {
    if (!Array.isArray(branches) || branches.length === 0 || branches.some((b) => !Array.isArray(b) || b.length === 0)) {
      throw new RangeError("Parallel: branches must be a non-empty array of non-empty layer arrays");
    }
    this.branches = branches.map((b) => [...b]);
    this.name = options.name ?? "";
    if (options.inputShape !== undefined) this.inputShape = [...options.inputShape];
  }

  build(inputShape: Shape, rng: Rng): Shape {
    this.builtShape = [...inputShape];
    const shapes: Shape[] = [];
    const used = new Set<string>();
    for (const [i, branch] of this.branches.entries()) {
      let shape: Shape = inputShape;
      for (const [j, layer] of branch.entries()) {
        if (layer.name === "") layer.name = `b${i}_${layer.config().className.toLowerCase()}${j}`;
        if (used.has(layer.name)) throw new RangeError(`Parallel ${this.name}: two sub-layers are named "${layer.name}"`);
        used.add(layer.name);
        shape = layer.build(shape, rng);
      }
      shapes.push(shape);
    }
    const lead = shapes[0].slice(0, -1);
    for (const [i, s] of shapes.entries()) {
      if (s.length === 0 || !shapesEqual(s.slice(0, -1), lead)) {
        throw new ShapeError(
          `Parallel ${this.name}: branch ${i} outputs ${formatShape(s)} but branch 0 outputs ${formatShape(shapes[0])}; they must agree on all but the last axis`,
        );
      }
    }
    this.widths = shapes.map((s) => s[s.length - 1]);
    this.outWidth = this.widths.reduce((a, b) => a + b, 0);
    this.outShape = [...lead, this.outWidth];
    this.wrapped = this.branches.flat().flatMap((layer) => layer.params().map((p) => prefixed(layer.name, p)));
    this.buffers.clear();
    return this.outShape;
  }

  forward(x: Tensor, training: boolean): Tensor {
    if (!shapesEqual(x.shape.slice(1), this.builtShape)) {
      throw new ShapeError(`Parallel ${this.name}: expected input [batch, ${this.builtShape.join(", ")}]; got ${formatShape(x.shape)}`);
    }
    const n = x.shape[0];
    const y = this.buffers.get("y", [n, shapeSize(this.outShape)]);
    const rows = y.size / this.outWidth;
    let offset = 0;
    for (const [i, branch] of this.branches.entries()) {
      let h = x;
      for (const layer of branch) h = layer.forward(h, training);
      copyColumns(h.data, rows, this.widths[i], y.data, this.outWidth, offset, false);
      offset += this.widths[i];
    }
    this.batch = n;
    return y.reshape([n, ...this.outShape]);
  }

  backward(dy: Tensor, needInputGrad = true): Tensor {
    const n = this.batch;
    if (dy.size !== n * shapeSize(this.outShape))
      throw new ShapeError(`Parallel ${this.name}: dy ${formatShape(dy.shape)} does not match the last output [${n}, ${this.outShape.join(", ")}]`);
    const rows = dy.size / this.outWidth;
    const dx = this.buffers.get("dx", [n, shapeSize(this.builtShape)]);
    let offset = 0;
    for (const [i, branch] of this.branches.entries()) {
      const w = this.widths[i];
      const dyBranch = this.buffers.get(`dy${i}`, [n, (rows / n) * w]);
      copyColumns(dy.data, rows, this.outWidth, dyBranch.data, w, offset, true);
      offset += w;
      let g = dyBranch.reshape([n, ...this.outShape.slice(0, -1), w]);
      for (let j = branch.length - 1; j >= 0; j--) g = branch[j].backward(g, needInputGrad || j > 0);
      if (!needInputGrad) continue;
      if (i === 0) dx.data.set(g.data);
      else ops.add(dx, g.reshape(dx.shape), dx);
    }
    return dx.reshape([n, ...this.builtShape]);
  }

  params(): Param[] {
    return this.wrapped;
  }

  config(): LayerConfig {
    const c: LayerConfig = { className: "Parallel", name: this.name, branches: this.branches.map((b) => b.map((l) => l.config())) };
    if (this.inputShape !== undefined) c.inputShape = [...this.inputShape];
    return c;
  }
}

/**
 * Moves a [rows, w] block between a narrow matrix and columns [offset, offset + w) of a wide
 * [rows, wideCols] matrix: scatter (narrow → wide) when `gather` is false, gather otherwise.
 */
function copyColumns(src: Float32Array, rows: number, srcCols: number, dst: Float32Array, dstCols: number, offset: number, gather: boolean): void {
  if (gather) {
    for (let r = 0; r < rows; r++) dst.set(src.subarray(r * srcCols + offset, r * srcCols + offset + dstCols), r * dstCols);
  } else {
    for (let r = 0; r < rows; r++) dst.set(src.subarray(r * srcCols, (r + 1) * srcCols), r * dstCols + offset);
  }
}

const isBranches = (v: unknown): v is LayerConfig[][] =>
  Array.isArray(v) &&
  v.every((b) => Array.isArray(b) && b.every((l) => l !== null && typeof l === "object" && typeof (l as LayerConfig).className === "string"));

registerLayer("Parallel", (c) => {
  const branches = configValue(c, "branches", isBranches, "an array of arrays of layer configs");
  if (branches === undefined) throw new TypeError(`Parallel config: "branches" is required`);
  return new Parallel(
    branches.map((b) => b.map((l) => layerFromConfig(l))),
    {
      name: configValue(c, "name", isString, "a string"),
      inputShape: configValue(c, "inputShape", isShape, "a shape"),
    },
  );
});
