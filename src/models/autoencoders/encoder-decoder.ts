/**
 * What every autoencoder of this folder is: one Sequential x → x̂ whose first layers are the
 * encoder x → h and the rest the decoder h → x̂. Trained whole by Sequential.fit (target x);
 * encode and decode run the two halves, reconstruct the whole net. Autoencoder (one hidden
 * layer), DeepAutoencoder (the unrolled RBMs) and UnrolledAutoencoder (any such net, e.g.
 * StackedAutoencoder.unroll's) differ only in how they build the net.
 */
import { registerModel, type SavedModel, type SavedModelReader, saveModel } from "../../io/model.js";
import { Dense } from "../../nn/dense.js";
import type { Layer } from "../../nn/layer.js";
import { squaredErrorPerRow } from "../../ops/reduce.js";
import { formatShape, ShapeError } from "../../tensor/shape.js";
import { type Tensor, zeros } from "../../tensor/tensor.js";
import { type SaveOptions, Sequential } from "../../train/sequential.js";

export abstract class EncoderDecoder {
  /** The whole network x → x̂. */
  abstract get model(): Sequential;
  /** How many of the model's layers make the encoder; the rest are the decoder. */
  protected abstract get encoderDepth(): number;
  abstract get inputSize(): number;
  abstract get codeSize(): number;

  /** x → h. */
  get encoder(): readonly Layer[] {
    return this.model.layers.slice(0, this.encoderDepth);
  }

  /** h → x̂. */
  get decoder(): readonly Layer[] {
    return this.model.layers.slice(this.encoderDepth);
  }

  get epochsTrained(): number {
    return this.model.epochsTrained;
  }

  /** h for each row of x, [rows, codeSize]. */
  encode(x: Tensor): Tensor {
    this.checkRows(x, "encode", this.inputSize);
    return forwardRows(this.encoder, x, this.codeSize);
  }

  /** x̂ for each code row of z, [rows, inputSize]. */
  decode(z: Tensor): Tensor {
    this.checkRows(z, "decode", this.codeSize);
    return forwardRows(this.decoder, z, this.inputSize);
  }

  /** x̂ = decode(encode(x)). */
  reconstruct(x: Tensor): Tensor {
    this.checkRows(x, "reconstruct", this.inputSize);
    return this.model.predict(x);
  }

  /** The lecture's figure: Σ_i (x_i − x̂_i)² per row, averaged over the rows (of `target`, the clean rows, when x is corrupted). */
  reconstructionError(x: Tensor, target: Tensor = x): number {
    if (target.rows !== x.rows || target.size !== x.size)
      throw new ShapeError(`${this.constructor.name}.reconstructionError: target ${formatShape(target.shape)} must match x ${formatShape(x.shape)}`);
    return squaredErrorPerRow(target, this.reconstruct(x));
  }

  /** What saveModel writes: the net's saved form with what the class needs to rebuild itself. */
  abstract toSaved(options?: SaveOptions): SavedModel;

  /** Writes model.json + model.safetensors (see toSaved); loadModel gives the same class back. */
  async save(dir: string, options: SaveOptions = {}): Promise<void> {
    await saveModel({ toSaved: () => this.toSaved(options) }, dir, options.training);
  }

  protected checkRows(x: Tensor, what: string, width: number): void {
    if (x.rank !== 2 || x.shape[1] !== width) throw new ShapeError(`${this.constructor.name}.${what}: expected [rows, ${width}]; got ${formatShape(x.shape)}`);
  }
}

/** An encoder-decoder Sequential given whole: the first `encoderDepth` layers encode, the last of them a Dense giving the code. */
export class UnrolledAutoencoder extends EncoderDecoder {
  readonly codeSize: number;

  constructor(
    readonly model: Sequential,
    protected readonly encoderDepth: number,
  ) {
    super();
    if (!Number.isInteger(encoderDepth) || encoderDepth < 1 || encoderDepth >= model.layers.length)
      throw new RangeError(`UnrolledAutoencoder: encoderDepth must be an integer in [1, ${model.layers.length - 1}]; got ${encoderDepth}`);
    if (model.inputShape.length !== 1 || model.outputShape.join() !== model.inputShape.join())
      throw new ShapeError(`UnrolledAutoencoder: the model ${formatShape(model.inputShape)} → ${formatShape(model.outputShape)} must map [n] to [n]`);
    const code = model.layers[encoderDepth - 1];
    if (!(code instanceof Dense)) throw new TypeError(`UnrolledAutoencoder: the code layer (layer ${encoderDepth}, "${code.name}") must be a Dense layer`);
    this.codeSize = code.units;
  }

  get inputSize(): number {
    return this.model.inputShape[0];
  }

  /** The Sequential's saved form, tagged UnrolledAutoencoder with its encoderDepth. */
  toSaved(options: SaveOptions = {}): SavedModel {
    const saved = this.model.toSaved(options);
    return { ...saved, className: "UnrolledAutoencoder", config: { ...saved.config, encoderDepth: this.encoderDepth } };
  }

  static fromSaved(saved: SavedModelReader): UnrolledAutoencoder {
    const model = Sequential.fromSaved(saved);
    return saved.build(() => new UnrolledAutoencoder(model, saved.config.encoderDepth as number));
  }
}

registerModel("UnrolledAutoencoder", UnrolledAutoencoder.fromSaved);

/** The layers' outputs for x in inference mode, 256 rows at a time, into a new [rows, width] tensor. */
export function forwardRows(layers: readonly Layer[], x: Tensor, width: number, batchSize = 256): Tensor {
  const out = zeros([x.rows, width]);
  for (let start = 0; start < x.rows; start += batchSize) {
    const end = Math.min(start + batchSize, x.rows);
    let h = x.sliceRows(start, end);
    for (const layer of layers) h = layer.forward(h, false);
    out.sliceRows(start, end).assign(h);
  }
  return out;
}
