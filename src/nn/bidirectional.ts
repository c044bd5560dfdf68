/**
 * Bidirectional (Schuster & Paliwal 1997): a recurrent layer reads the sequence forwards and a
 * twin reads it backwards (goBackwards flipped, its own weights), and their outputs are
 * concatenated on the last axis: [batch, 2·units], or with returnSequences [batch, time,
 * 2·units] where the backward twin's outputs are put back in input time order, so step t sees
 * the past through the first half and the future through the second. The mask reaches both.
 * Params are named "forward.<param>" and "backward.<param>".
 */
import type { Rng } from "../tensor/random.js";
import { formatShape, type Shape, ShapeError } from "../tensor/shape.js";
import type { Tensor } from "../tensor/tensor.js";
import { BatchBuffers } from "./buffers.js";
import type { Layer, LayerConfig, Param } from "./layer.js";
import { prefixedParam } from "./param.js";
import { Recurrent } from "./recurrent.js";
import { configValue, isShape, isString, layerFromConfig, registerLayer } from "./registry.js";

export interface BidirectionalOptions {
  name?: string;
  inputShape?: Shape;
}

export class Bidirectional implements Layer {
  name: string;
  readonly inputShape?: Shape;
  readonly forwardLayer: Recurrent;
  readonly backwardLayer: Recurrent;
  private readonly buffers = new BatchBuffers();
  private mask: Tensor | null = null;
  private last: { n: number; steps: number } | null = null;

  constructor(layer: Recurrent, options: BidirectionalOptions = {}) {
    if (!(layer instanceof Recurrent)) throw new TypeError("Bidirectional: layer must be a recurrent layer (SimpleRNN, LSTM or GRU)");
    if (layer.stateful) throw new RangeError("Bidirectional: the wrapped layer must not be stateful (the backward pass reads each sequence from its end)");
    const config = layer.config();
    this.forwardLayer = layerFromConfig({ ...config, name: "forward", goBackwards: layer.goBackwards }) as Recurrent;
    this.backwardLayer = layerFromConfig({ ...config, name: "backward", goBackwards: !layer.goBackwards }) as Recurrent;
    this.name = options.name ?? "";
    const inputShape = options.inputShape ?? layer.inputShape;
    if (inputShape !== undefined) this.inputShape = [...inputShape];
  }

  private get units(): number {
    return this.forwardLayer.units;
  }

  build(inputShape: Shape, rng: Rng): Shape {
    const out = this.forwardLayer.build(inputShape, rng);
    this.backwardLayer.build(inputShape, rng);
    this.buffers.clear();
    return [...out.slice(0, -1), 2 * this.units];
  }

  setMask(mask: Tensor | null): void {
    this.mask = mask;
  }

  outputMask(): Tensor | null {
    return this.forwardLayer.returnSequences ? this.mask : null;
  }

  forward(x: Tensor, training: boolean): Tensor {
    if (x.rank !== 3) throw new ShapeError(`Bidirectional ${this.name}: expected input [batch, time, features]; got ${formatShape(x.shape)}`);
    const [n, steps] = x.shape;
    this.forwardLayer.setMask(this.mask);
    this.backwardLayer.setMask(this.mask);
    const yf = this.forwardLayer.forward(x, training);
    const yb = this.backwardLayer.forward(x, training);
    const seq = this.forwardLayer.returnSequences;
    const y = this.buffers.get("y", seq ? [n, steps, 2 * this.units] : [n, 2 * this.units]);
    this.interleave(y.data, yf.data, yb.data, n, seq ? steps : 1, false);
    this.last = { n, steps };
    return y;
  }

  backward(dy: Tensor, needInputGrad = true): Tensor {
    if (this.last === null) throw new Error(`Bidirectional ${this.name}: backward called before forward`);
    const { n, steps } = this.last;
    const seq = this.forwardLayer.returnSequences;
    const rows = seq ? steps : 1;
    const half = seq ? [n, steps, this.units] : [n, this.units];
    if (dy.size !== n * rows * 2 * this.units) throw new ShapeError(`Bidirectional ${this.name}: dy ${formatShape(dy.shape)} does not match the last output`);
    const dyf = this.buffers.get("dyf", half);
    const dyb = this.buffers.get("dyb", half);
    this.interleave(dy.data, dyf.data, dyb.data, n, rows, true);
    const dxf = this.forwardLayer.backward(dyf, needInputGrad);
    const dxb = this.backwardLayer.backward(dyb, needInputGrad);
    if (!needInputGrad) return dxf;
    const dx = this.buffers.get("dx", dxf.shape);
    for (let i = 0; i < dx.size; i++) dx.data[i] = dxf.data[i] + dxb.data[i]; // x fans out to both directions
    return dx;
  }

  /**
   * Puts the two halves side by side (split = false) or takes them apart (split = true); the
   * backward twin's steps are in reversed order when it reads backwards, so they flip here.
   */
  private interleave(both: Float32Array, f: Float32Array, b: Float32Array, n: number, steps: number, split: boolean): void {
    const u = this.units;
    const flip = steps > 1 && this.backwardLayer.goBackwards !== this.forwardLayer.goBackwards;
    for (let r = 0; r < n; r++) {
      for (let t = 0; t < steps; t++) {
        const o = (r * steps + t) * 2 * u;
        const fo = (r * steps + t) * u;
        const bo = (r * steps + (flip ? steps - 1 - t : t)) * u;
        if (split) {
          f.set(both.subarray(o, o + u), fo);
          b.set(both.subarray(o + u, o + 2 * u), bo);
        } else {
          both.set(f.subarray(fo, fo + u), o);
          both.set(b.subarray(bo, bo + u), o + u);
        }
      }
    }
  }

  params(): Param[] {
    return [...this.forwardLayer.params().map((p) => prefixedParam("forward", p)), ...this.backwardLayer.params().map((p) => prefixedParam("backward", p))];
  }

  config(): LayerConfig {
    const c: LayerConfig = { className: "Bidirectional", name: this.name, layer: this.forwardLayer.config() };
    if (this.inputShape !== undefined) c.inputShape = [...this.inputShape];
    return c;
  }
}

const isLayerConfig = (v: unknown): v is LayerConfig => v !== null && typeof v === "object" && typeof (v as LayerConfig).className === "string";

registerLayer("Bidirectional", (c) => {
  const layer = configValue(c, "layer", isLayerConfig, "a layer config");
  if (layer === undefined) throw new TypeError(`Bidirectional config: "layer" is required`);
  return new Bidirectional(layerFromConfig(layer) as Recurrent, {
    name: configValue(c, "name", isString, "a string"),
    inputShape: configValue(c, "inputShape", isShape, "a shape"),
  });
});
