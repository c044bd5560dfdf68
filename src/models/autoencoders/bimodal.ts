/**
 * The bimodal deep autoencoder (Ngiam et al. 2011, "Multimodal deep learning", fig. 3): two
 * modalities a and b, each with its own first layer, joined in a shared representation z, and
 * decoded back to both. The net reads one row [a | b]:
 *   [h_a | h_b] = [f(a W_a + c_a) | f(b W_b + c_b)]        BlockDense "modality_encoders"
 *   z           = f([h_a | h_b] W + c)                     Dense "shared" (the shared code)
 *   [g_a | g_b] = f(z V + d)                               Dense "shared_decoder"
 *   [â | b̂]     = σ([g_a V_a + d_a | g_b V_b + d_b])        BlockDense "modality_decoders", Activation "output"
 * and is trained by the one loop (Sequential.fit) on the cross-entropy against both clean
 * modalities. The trick that makes either modality recoverable from the other is the paper's
 * "augmented" data: each batch, a share of the rows has one modality set to zero (half of those
 * rows lose a, half lose b), drawn afresh like a denoising autoencoder's corruption. With the
 * default share 2/3 a row is, on average, a third a only, a third b only, a third both, as in the
 * paper. A missing modality at test time is likewise fed as zeros: encode(a, null).
 */
import { registerModel, type SavedModelReader, saveModel } from "../../io/model.js";
import { Activation } from "../../nn/activation.js";
import { type ActivationName, assertActivation } from "../../nn/activations.js";
import { BlockDense } from "../../nn/block-dense.js";
import { Dense } from "../../nn/dense.js";
import type { Layer } from "../../nn/layer.js";
import { squaredErrorPerRow } from "../../ops/reduce.js";
import { Adam } from "../../optim/adam.js";
import type { Optimizer } from "../../optim/optimizer.js";
import type { Rng } from "../../tensor/random.js";
import { formatShape, ShapeError } from "../../tensor/shape.js";
import { type Tensor, zeros, zerosLike } from "../../tensor/tensor.js";
import type { History } from "../../train/loop.js";
import { type FitOptions, type SaveOptions, Sequential } from "../../train/sequential.js";
import { forwardRows } from "./encoder-decoder.js";

export interface BimodalAutoencoderOptions {
  /** Features of modality a and of modality b, e.g. [392, 392] for the top and bottom halves of MNIST. */
  modalities: readonly [number, number];
  /** Units of each modality's own layer (encoder and decoder side): one number for both, or [for a, for b]. Default 256. */
  hidden?: number | readonly [number, number];
  /** Units of the shared code z. Default 64. */
  codeSize?: number;
  /** f of the hidden layers. Default "relu": trained from random weights by Adam it learns far faster than the paper's RBM-pretrained sigmoid units. */
  activation?: ActivationName;
  /** Share of training rows with one modality zeroed, in [0, 1]; half lose a, half lose b. Default 2/3 (the paper's thirds); 0 gives a plain autoencoder on [a | b]. */
  zeroedShare?: number;
  /** Default Adam with learning rate 0.001. */
  optimizer?: Optimizer;
  /** Seeds initialisation, shuffling and the zeroing. Default 0. */
  seed?: number;
}

interface ResolvedOptions {
  modalities: [number, number];
  hidden: [number, number];
  codeSize: number;
  activation: ActivationName;
  zeroedShare: number;
  seed: number;
}

/** Which modalities are given to the net: "a" only, "b" only, or "both". */
export type GivenModality = "a" | "b" | "both";

/** One tensor per modality. */
export interface Modalities {
  a: Tensor;
  b: Tensor;
}

export type BimodalFitOptions = Omit<FitOptions, "validationData" | "transform"> & {
  /** Held-out [a, b]; the reconstruction loss of both given is logged as val_loss. */
  validationData?: readonly [Tensor, Tensor];
};

function units(value: unknown, option: string): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1 || value > 2 ** 24)
    throw new RangeError(`BimodalAutoencoder: ${option} must be an integer in [1, 16777216]; got ${JSON.stringify(value)}`);
  return value;
}

function pair(value: unknown, option: string): [number, number] {
  if (typeof value === "number") return [units(value, option), units(value, option)];
  if (!Array.isArray(value) || value.length !== 2) throw new RangeError(`BimodalAutoencoder: ${option} must be two sizes [a, b]; got ${JSON.stringify(value)}`);
  return [units(value[0], `${option}[0]`), units(value[1], `${option}[1]`)];
}

function resolve(options: BimodalAutoencoderOptions): ResolvedOptions {
  if (options === null || typeof options !== "object") throw new TypeError("BimodalAutoencoder: options must be { modalities: [a, b], ... }");
  if (typeof options.modalities === "number") throw new RangeError(`BimodalAutoencoder: modalities must be two sizes [a, b]; got ${options.modalities}`);
  const zeroedShare = options.zeroedShare ?? 2 / 3;
  if (typeof zeroedShare !== "number" || !(zeroedShare >= 0 && zeroedShare <= 1))
    throw new RangeError(`BimodalAutoencoder: zeroedShare (the share of rows with one modality zeroed) must be in [0, 1]; got ${JSON.stringify(zeroedShare)}`);
  const seed = options.seed ?? 0;
  if (!Number.isFinite(seed)) throw new RangeError(`BimodalAutoencoder: seed must be a finite number; got ${seed}`);
  return {
    modalities: pair(options.modalities, "modalities"),
    hidden: pair(options.hidden ?? 256, "hidden"),
    codeSize: units(options.codeSize ?? 64, "codeSize"),
    activation: assertActivation(options.activation ?? "relu", "BimodalAutoencoder activation"),
    zeroedShare,
    seed,
  };
}

function buildModel(o: ResolvedOptions, optimizer: Optimizer): Sequential {
  const f = o.activation;
  const layers: Layer[] = [
    new BlockDense(o.modalities, o.hidden, { activation: f, name: "modality_encoders" }),
    new Dense(o.codeSize, { activation: f, name: "shared" }),
    new Dense(o.hidden[0] + o.hidden[1], { activation: f, name: "shared_decoder" }),
    // linear blocks and a separate sigmoid, so the cross-entropy fuses with it (δ = x̂ − x)
    new BlockDense(o.hidden, o.modalities, { name: "modality_decoders" }),
    new Activation("sigmoid", { name: "output" }),
  ];
  const model = new Sequential(layers, { inputShape: [o.modalities[0] + o.modalities[1]], seed: o.seed, name: "bimodal_autoencoder" }).build();
  return model.compile({ loss: "binaryCrossentropy", optimizer });
}

/**
 * Ngiam et al.'s augmentation on one batch of rows [a | b] (a the first `widthA` columns): with
 * probability share/2 a row's a is set to zero, with probability share/2 its b, else it stays whole.
 */
export function zeroModalities(x: Tensor, widthA: number, share: number, rng: Rng, out: Tensor = zerosLike(x)): Tensor {
  const width = x.cols;
  out.assign(x);
  for (let r = 0; r < x.rows; r++) {
    const u = rng.nextFloat();
    if (u < share / 2) out.data.fill(0, r * width, r * width + widthA);
    else if (u < share) out.data.fill(0, r * width + widthA, (r + 1) * width);
  }
  return out;
}

/** Splits rows [a | b] into a (the first widthA columns) and b. For MNIST, widthA = 392 gives the top and bottom halves. */
export function splitModalities(x: Tensor, widthA: number): Modalities {
  if (x.rank !== 2 || !Number.isInteger(widthA) || widthA < 1 || widthA >= x.cols)
    throw new RangeError(`splitModalities: widthA must be an integer in [1, ${x.cols - 1}] for rows ${formatShape(x.shape)}; got ${widthA}`);
  const widthB = x.cols - widthA;
  const a = zeros([x.rows, widthA]);
  const b = zeros([x.rows, widthB]);
  for (let r = 0; r < x.rows; r++) {
    a.data.set(x.data.subarray(r * x.cols, r * x.cols + widthA), r * widthA);
    b.data.set(x.data.subarray(r * x.cols + widthA, (r + 1) * x.cols), r * widthB);
  }
  return { a, b };
}

export class BimodalAutoencoder {
  /** The whole net [a | b] → [â | b̂], trained by Sequential.fit. */
  readonly model: Sequential;
  readonly options: Readonly<ResolvedOptions>;

  constructor(options: BimodalAutoencoderOptions, model?: Sequential) {
    this.options = resolve(options);
    this.model = model ?? buildModel(this.options, options.optimizer ?? new Adam({ learningRate: 0.001 }));
    const [dA, dB] = this.options.modalities;
    const first = this.model.layers[0];
    if (
      !(first instanceof BlockDense) ||
      first.blocks.join() !== `${dA},${dB}` ||
      this.model.outputShape.join() !== `${dA + dB}` ||
      (this.model.layers[1] as Dense).units !== this.options.codeSize
    )
      throw new ShapeError(
        `BimodalAutoencoder: the model ${formatShape(this.model.inputShape)} → ${formatShape(this.model.outputShape)} does not match modalities [${dA}, ${dB}] and codeSize ${this.options.codeSize}`,
      );
  }

  get codeSize(): number {
    return this.options.codeSize;
  }

  /** [a | b] → z: each modality's own layer, then the shared one. */
  get encoder(): readonly Layer[] {
    return this.model.layers.slice(0, 2);
  }

  /** z → [â | b̂]. */
  get decoder(): readonly Layer[] {
    return this.model.layers.slice(2);
  }

  get epochsTrained(): number {
    return this.model.epochsTrained;
  }

  /** Trains [a | b] → [a | b] through Sequential.fit, zeroing one modality of a share of each batch's rows afresh; the target stays whole. */
  async fit(a: Tensor, b: Tensor, options: BimodalFitOptions = {}): Promise<History> {
    const x = this.join(a, b, "fit");
    const { validationData, ...rest } = options;
    const v = validationData === undefined ? undefined : this.join(validationData[0], validationData[1], "fit validationData");
    const [widthA] = this.options.modalities;
    const share = this.options.zeroedShare;
    return this.model.fit(x, x, {
      ...rest,
      transform: share > 0 ? (xb, _yb, info) => zeroModalities(xb, widthA, share, info.rng, info.out) : undefined,
      validationData: v === undefined ? undefined : [v, v],
    });
  }

  /**
   * The net's input [a | b], a missing modality (null) as zeros, the way the net saw it in
   * training. Both given must have the same rows; both missing is an error.
   */
  join(a: Tensor | null, b: Tensor | null, what = "join"): Tensor {
    const [dA, dB] = this.options.modalities;
    if (a === null && b === null) throw new RangeError(`BimodalAutoencoder.${what}: give modality a, b or both; got neither`);
    this.checkModality(a, dA, "a", what);
    this.checkModality(b, dB, "b", what);
    if (a !== null && b !== null && a.rows !== b.rows)
      throw new ShapeError(
        `BimodalAutoencoder.${what}: modalities a and b must have the same rows (one example per row); got a ${formatShape(a.shape)} and b ${formatShape(b.shape)}`,
      );
    const rows = (a ?? b)?.rows ?? 0;
    const x = zeros([rows, dA + dB]);
    for (let r = 0; r < rows; r++) {
      if (a !== null) x.data.set(a.data.subarray(r * dA, (r + 1) * dA), r * (dA + dB));
      if (b !== null) x.data.set(b.data.subarray(r * dB, (r + 1) * dB), r * (dA + dB) + dA);
    }
    return x;
  }

  /** The shared code z, [rows, codeSize], from a, b or both (a missing one is null). */
  encode(a: Tensor | null, b: Tensor | null): Tensor {
    return forwardRows(this.encoder, this.join(a, b, "encode"), this.codeSize);
  }

  /** â and b̂ from codes z. */
  decode(z: Tensor): Modalities {
    if (z.rank !== 2 || z.cols !== this.codeSize)
      throw new ShapeError(`BimodalAutoencoder.decode: expected [rows, ${this.codeSize}]; got ${formatShape(z.shape)}`);
    const [dA, dB] = this.options.modalities;
    return splitModalities(forwardRows(this.decoder, z, dA + dB), dA);
  }

  /** â and b̂ from a, b or both: from one alone this is the cross-modal reconstruction. */
  reconstruct(a: Tensor | null, b: Tensor | null): Modalities {
    return splitModalities(this.model.predict(this.join(a, b, "reconstruct")), this.options.modalities[0]);
  }

  /** Σ_i (a_i − â_i)² and Σ_i (b_i − b̂_i)² per row, averaged over the rows, with the net given a, b or both. */
  reconstructionError(a: Tensor, b: Tensor, given: GivenModality): { a: number; b: number } {
    this.join(a, b, "reconstructionError"); // checks both, though the net may see only one
    const r = this.reconstruct(given === "b" ? null : a, given === "a" ? null : b);
    return { a: squaredErrorPerRow(r.a, a), b: squaredErrorPerRow(r.b, b) };
  }

  /** Writes model.json + model.safetensors: the Sequential's saved form, tagged BimodalAutoencoder with its options. */
  async save(dir: string, options: SaveOptions = {}): Promise<void> {
    await saveModel({ toSaved: () => this.toSaved(options) }, dir, options.training);
  }

  toSaved(options: SaveOptions = {}): ReturnType<Sequential["toSaved"]> {
    const saved = this.model.toSaved(options);
    return { ...saved, className: "BimodalAutoencoder", config: { ...saved.config, bimodal: { ...this.options } } };
  }

  static fromSaved(saved: SavedModelReader): BimodalAutoencoder {
    const o = saved.options<BimodalAutoencoderOptions>("bimodal", "the bimodal autoencoder's options");
    const model = Sequential.fromSaved(saved);
    return saved.build(() => new BimodalAutoencoder(o, model));
  }

  private checkModality(m: Tensor | null, width: number, name: string, what: string): void {
    if (m !== null && (m.rank !== 2 || m.cols !== width))
      throw new ShapeError(`BimodalAutoencoder.${what}: modality ${name} must be [rows, ${width}]; got ${formatShape(m.shape)}`);
  }
}

registerModel("BimodalAutoencoder", BimodalAutoencoder.fromSaved);
