/**
 * Autoencoder: an encoder h = f(x W + b) and a decoder x̂ = g(h W̃ + b′), trained to give back
 * its input through the one training loop (Sequential.fit with the target the clean input).
 *   loss "mse"                 J = 1/n Σ_rows ½‖x − x̂‖²           (the lecture's J)
 *   loss "binaryCrossentropy"  J = −1/n Σ_rows Σ_i [x_i log x̂_i + (1 − x_i) log(1 − x̂_i)]   (x in [0, 1])
 * Options make it the lecture's variants:
 *   tied        W̃ = Wᵀ (DenseTied), the gradients of both uses summed into one W
 *   denoising   the encoder sees x̃ ~ q(x̃ | x), drawn afresh each batch; J still compares with the clean x
 *   sparsity    β Σ_j KL(ρ ‖ ρ̂_j) (SparsityKL) or λ/n Σ|h| (ActivityL1) added to J
 * The layers: encoder = [Dense "encoder", (penalty layer "sparsity")], decoder = [Dense or DenseTied "decoder"].
 */
import { registerModel, type SavedModel, type SavedModelReader } from "../../io/model.js";
import { type ActivationName, assertActivation } from "../../nn/activations.js";
import { ActivityL1, SparsityKL } from "../../nn/activity.js";
import { Dense } from "../../nn/dense.js";
import type { Layer } from "../../nn/layer.js";
import type { LossName } from "../../nn/losses.js";
import { DenseTied } from "../../nn/tied.js";
import { Adam } from "../../optim/adam.js";
import type { Optimizer } from "../../optim/optimizer.js";
import { formatShape, ShapeError } from "../../tensor/shape.js";
import type { Tensor } from "../../tensor/tensor.js";
import type { History } from "../../train/loop.js";
import { type FitOptions, type SaveOptions, Sequential } from "../../train/sequential.js";
import { assertCorruption, type Corruption, type CorruptionOptions, corruptionTransform } from "./corruption.js";
import { EncoderDecoder } from "./encoder-decoder.js";

export const AUTOENCODER_LOSSES = ["mse", "binaryCrossentropy"] as const;
export type AutoencoderLoss = (typeof AUTOENCODER_LOSSES)[number];

/** KL sparsity (target ρ, weight β, optional running average) or an L1 activity penalty (weight λ). */
export type SparsityOptions = { penalty?: "kl"; target?: number; weight?: number; momentum?: number } | { penalty: "l1"; weight?: number };

export interface AutoencoderOptions {
  /** Input units, e.g. 784. */
  inputSize: number;
  /** Hidden (code) units. */
  codeSize: number;
  /** Encoder activation f. Default "sigmoid". */
  activation?: ActivationName;
  /** Decoder activation g. Default "sigmoid". */
  outputActivation?: ActivationName;
  /** Default "mse". */
  loss?: AutoencoderLoss;
  /** Decoder weights Wᵀ of the encoder's W. Default false. */
  tied?: boolean;
  /** Make it a denoising autoencoder. */
  denoising?: CorruptionOptions;
  /** Make it a sparse autoencoder. */
  sparsity?: SparsityOptions;
  /** Default Adam with learning rate 0.01. */
  optimizer?: Optimizer;
  /** Seeds initialisation, shuffling and corruption. Default 0. */
  seed?: number;
}

/** The options as saved in model.json (all but the optimiser, which the compiled model keeps). */
interface ResolvedOptions {
  inputSize: number;
  codeSize: number;
  activation: ActivationName;
  outputActivation: ActivationName;
  loss: AutoencoderLoss;
  tied: boolean;
  denoising: Corruption | null;
  sparsity: SparsityOptions | null;
  seed: number;
}

export type AutoencoderFitOptions = Omit<FitOptions, "validationData"> & {
  /** Held-out inputs; their reconstruction loss is logged as val_loss. */
  validationData?: Tensor;
};

function assertUnits(value: unknown, option: string): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1 || value > 2 ** 24)
    throw new RangeError(`Autoencoder: ${option} must be an integer in [1, 16777216]; got ${JSON.stringify(value)}`);
  return value;
}

function resolve(options: AutoencoderOptions): ResolvedOptions {
  if (options === null || typeof options !== "object") throw new TypeError("Autoencoder: options must be { inputSize, codeSize, ... }");
  const loss = options.loss ?? "mse";
  if (!(AUTOENCODER_LOSSES as readonly string[]).includes(loss))
    throw new RangeError(`Autoencoder: loss must be one of ${AUTOENCODER_LOSSES.join(", ")}; got ${JSON.stringify(loss)}`);
  const seed = options.seed ?? 0;
  if (!Number.isFinite(seed)) throw new RangeError(`Autoencoder: seed must be a finite number; got ${seed}`);
  const r: ResolvedOptions = {
    inputSize: assertUnits(options.inputSize, "inputSize"),
    codeSize: assertUnits(options.codeSize, "codeSize"),
    activation: assertActivation(options.activation ?? "sigmoid", "Autoencoder activation"),
    outputActivation: assertActivation(options.outputActivation ?? "sigmoid", "Autoencoder outputActivation"),
    loss,
    tied: options.tied ?? false,
    denoising: options.denoising === undefined || options.denoising === null ? null : assertCorruption(options.denoising, "Autoencoder"),
    sparsity: options.sparsity ?? null,
    seed,
  };
  if (typeof r.tied !== "boolean") throw new TypeError(`Autoencoder: tied must be a boolean; got ${JSON.stringify(r.tied)}`);
  if (r.sparsity !== null && r.sparsity.penalty !== "l1" && r.activation !== "sigmoid")
    throw new RangeError(`Autoencoder: sparsity with the KL penalty needs activation "sigmoid" (ρ̂ must lie in (0, 1)); got "${r.activation}"`);
  return r;
}

/** The penalty layer named "sparsity"; its constructor checks the options by name (target in (0, 1), ...). */
function sparsityLayer(s: SparsityOptions): Layer {
  try {
    if (s.penalty === "l1") return new ActivityL1({ weight: s.weight, name: "sparsity" });
    if (s.penalty !== undefined && s.penalty !== "kl") throw new RangeError(`penalty must be "kl" or "l1"; got ${JSON.stringify(s.penalty)}`);
    return new SparsityKL({ target: s.target, weight: s.weight, momentum: s.momentum, name: "sparsity" });
  } catch (e) {
    // "SparsityKL: target (...) must be in (0, 1)" becomes "Autoencoder: sparsity.target (...) must be in (0, 1)"
    throw e instanceof Error ? new RangeError(`Autoencoder: sparsity.${e.message.replace(/^\w+: /, "")}`) : e;
  }
}

function buildModel(o: ResolvedOptions, optimizer: Optimizer): Sequential {
  const encoder = new Dense(o.codeSize, { activation: o.activation, name: "encoder" });
  const layers: Layer[] = [encoder];
  if (o.sparsity !== null) layers.push(sparsityLayer(o.sparsity));
  layers.push(
    o.tied
      ? DenseTied.transposeOf(encoder, { activation: o.outputActivation, name: "decoder" })
      : new Dense(o.inputSize, { activation: o.outputActivation, name: "decoder" }),
  );
  const model = new Sequential(layers, { inputShape: [o.inputSize], seed: o.seed, name: "autoencoder" }).build();
  const loss: LossName = o.loss === "mse" ? "meanSquaredError" : "binaryCrossentropy";
  return model.compile({ loss, optimizer });
}

export class Autoencoder extends EncoderDecoder {
  /** The whole network x → x̂, trained by Sequential.fit. */
  readonly model: Sequential;
  readonly options: Readonly<ResolvedOptions>;

  constructor(options: AutoencoderOptions, model?: Sequential) {
    super();
    this.options = resolve(options);
    this.model = model ?? buildModel(this.options, options.optimizer ?? new Adam({ learningRate: 0.01 }));
    this.checkShapes();
  }

  /** The encoder is the Dense "encoder" (and the sparsity layer, an identity at prediction). */
  protected get encoderDepth(): number {
    return this.options.sparsity === null ? 1 : 2;
  }

  /** A model given from outside (a saved one) must match the options: x [inputSize] → h [codeSize] → x̂ [inputSize]. */
  private checkShapes(): void {
    const first = this.encoder[0];
    const { inputSize, codeSize } = this.options;
    if (
      !(first instanceof Dense) ||
      first.units !== codeSize ||
      this.model.inputShape.join() !== `${inputSize}` ||
      this.model.outputShape.join() !== `${inputSize}`
    )
      throw new ShapeError(
        `Autoencoder: the model ${formatShape(this.model.inputShape)} → ${formatShape(this.model.outputShape)} does not match inputSize ${inputSize} and codeSize ${codeSize}`,
      );
  }

  get inputSize(): number {
    return this.options.inputSize;
  }

  get codeSize(): number {
    return this.options.codeSize;
  }

  /** W, [inputSize, codeSize]: column j is the filter of hidden unit j. */
  get encoderWeights(): Tensor {
    return (this.encoder[0] as Dense).kernel.value;
  }

  /** Trains x → x through Sequential.fit; a denoising autoencoder corrupts each batch's input afresh, the target stays the clean x. */
  async fit(x: Tensor, options: AutoencoderFitOptions = {}): Promise<History> {
    this.checkRows(x, "fit", this.inputSize);
    const { validationData, ...rest } = options;
    if (this.options.denoising !== null && rest.transform !== undefined)
      throw new Error("Autoencoder.fit: a denoising autoencoder corrupts its batches itself; pass no transform");
    const transform = this.options.denoising === null ? rest.transform : corruptionTransform(this.options.denoising);
    if (validationData !== undefined) this.checkRows(validationData, "fit validationData", this.inputSize);
    return this.model.fit(x, x, { ...rest, transform, validationData: validationData === undefined ? undefined : [validationData, validationData] });
  }

  /** The Sequential's saved form, tagged Autoencoder with its options. */
  toSaved(options: SaveOptions = {}): SavedModel {
    const saved = this.model.toSaved(options);
    return { ...saved, className: "Autoencoder", config: { ...saved.config, autoencoder: { ...this.options } } };
  }

  static fromSaved(saved: SavedModelReader): Autoencoder {
    const o = saved.options<AutoencoderOptions>("autoencoder", "the autoencoder's options");
    const model = Sequential.fromSaved(saved);
    return saved.build(() => new Autoencoder({ ...o, denoising: o.denoising ?? undefined, sparsity: o.sparsity ?? undefined }, model));
  }
}

registerModel("Autoencoder", Autoencoder.fromSaved);
