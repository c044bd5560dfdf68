/**
 * Stacked autoencoders, trained greedily layer by layer (Bengio et al. 2007; Vincent et al. 2010):
 *
 *   h⁰ = x;  for l = 1..L:  train autoencoder l on h^{l−1}, keep its encoder, h^l = f(h^{l−1} W_l + b_l)
 *
 * Each layer IS an Autoencoder (basic, tied, denoising or sparse), fitted by the one training
 * loop on the codes of the layer below. With `denoising` every layer is a denoising autoencoder
 * that corrupts its own input afresh each batch: the stacked denoising autoencoder (SdA).
 * The kept encoders then serve as a DBN's RBMs do:
 *   toClassifier  the encoders plus a new softmax layer (pretrainAndFinetune's PretrainedStack),
 *                 fine-tuned with the stack frozen (outputLayerOnly) or globally;
 *   unroll        a deep autoencoder, encoders then the decoders in reverse, to fine-tune on reconstruction.
 */
import { registerModel, type SavedModel, type SavedModelReader, saveModel } from "../../io/model.js";
import { Dense } from "../../nn/dense.js";
import type { Layer } from "../../nn/layer.js";
import { DenseTied } from "../../nn/tied.js";
import { squaredErrorPerRow } from "../../ops/reduce.js";
import type { Optimizer } from "../../optim/optimizer.js";
import { formatShape, ShapeError } from "../../tensor/shape.js";
import type { Tensor } from "../../tensor/tensor.js";
import type { Callback } from "../../train/callbacks.js";
import type { History } from "../../train/loop.js";
import { Sequential } from "../../train/sequential.js";
import { transpose, withDropout } from "../dbn/dbn.js";
import type { DropoutRates, PretrainedStack } from "../recipes/pretrain-finetune.js";
import { Autoencoder, type AutoencoderFitOptions, type AutoencoderOptions } from "./autoencoder.js";

export interface StackedAutoencoderOptions extends Omit<AutoencoderOptions, "inputSize" | "codeSize" | "optimizer" | "seed"> {
  /** Units per layer, data first: [784, 500, 500, 2000] trains autoencoders 784→500, 500→500, 500→2000. */
  layers: readonly number[];
  /** A fresh optimiser for autoencoder `layer` (0 the lowest). Default the Autoencoder's (Adam, learning rate 0.01). */
  optimizer?: (layer: number) => Optimizer;
  /** Autoencoder l is seeded seed + l. Default 0. */
  seed?: number;
}

export type StackedPretrainOptions = Omit<AutoencoderFitOptions, "callbacks"> & {
  /** Keras callbacks for every layer's fit, or a function giving them per layer (0 the lowest). */
  callbacks?: Callback[] | ((layer: number) => Callback[]);
};

export interface StackedClassifierOptions {
  classes: number;
  /** Seed of the output layer's initial weights and the dropout masks. Default the stack's seed. */
  seed?: number;
  dropout?: DropoutRates;
  name?: string;
}

/** The layer list must be at least data and one code layer, each a whole number of units. */
function assertLayers(layers: unknown): number[] {
  const ok = Array.isArray(layers) && layers.length >= 2 && layers.every((u) => Number.isInteger(u) && u >= 1 && u <= 2 ** 24);
  if (!ok)
    throw new RangeError(
      `StackedAutoencoder: layers must list at least 2 layer sizes (data first), each an integer in [1, 16777216]; got ${JSON.stringify(layers)}`,
    );
  return [...(layers as number[])];
}

export class StackedAutoencoder implements PretrainedStack {
  /** Units per layer, data first. */
  readonly layers: readonly number[];
  /** Autoencoder l maps layers[l] → layers[l + 1] → layers[l]; its input is the code of autoencoder l − 1. */
  readonly autoencoders: readonly Autoencoder[];
  readonly seed: number;

  constructor(options: StackedAutoencoderOptions) {
    if (options === null || typeof options !== "object") throw new TypeError("StackedAutoencoder: options must be { layers, ... }");
    const { layers, optimizer, seed = 0, ...each } = options;
    this.layers = assertLayers(layers);
    if (!Number.isFinite(seed)) throw new RangeError(`StackedAutoencoder: seed must be a finite number; got ${seed}`);
    this.seed = seed;
    this.autoencoders = this.layers
      .slice(1)
      .map((codeSize, l) => new Autoencoder({ ...each, inputSize: this.layers[l], codeSize, optimizer: optimizer?.(l), seed: seed + l }));
  }

  /** A stack of autoencoders already built (a saved stack): each one's input must be the code of the one below. */
  static fromAutoencoders(autoencoders: readonly Autoencoder[], seed = 0): StackedAutoencoder {
    if (autoencoders.length === 0) throw new RangeError("StackedAutoencoder.fromAutoencoders: give at least one Autoencoder");
    autoencoders.forEach((ae, l) => {
      if (l > 0 && ae.inputSize !== autoencoders[l - 1].codeSize)
        throw new ShapeError(
          `StackedAutoencoder: autoencoder ${l + 1} takes ${ae.inputSize} inputs but autoencoder ${l} gives codes of ${autoencoders[l - 1].codeSize}`,
        );
    });
    const stack = Object.create(StackedAutoencoder.prototype) as { -readonly [K in keyof StackedAutoencoder]: StackedAutoencoder[K] };
    stack.layers = [autoencoders[0].inputSize, ...autoencoders.map((ae) => ae.codeSize)];
    stack.autoencoders = [...autoencoders];
    stack.seed = seed;
    return stack as StackedAutoencoder;
  }

  /**
   * Greedy layer-wise training: autoencoder l fits the codes of the (already trained) layers
   * below, for the same epochs and batches each. Returns one History per layer.
   */
  async pretrain(x: Tensor, options: StackedPretrainOptions = {}): Promise<History[]> {
    this.checkInput(x, "pretrain");
    const { callbacks, validationData, ...fit } = options;
    if (validationData !== undefined) this.checkInput(validationData, "pretrain validationData");
    const histories: History[] = [];
    let h = x;
    let v = validationData;
    for (const [l, ae] of this.autoencoders.entries()) {
      histories.push(await ae.fit(h, { ...fit, validationData: v, callbacks: typeof callbacks === "function" ? callbacks(l) : callbacks }));
      if (l < this.autoencoders.length - 1) {
        h = ae.encode(h);
        v = v === undefined ? undefined : ae.encode(v);
      }
    }
    return histories;
  }

  /** The top code h^L of each row of x (the codes of the layers below up to `depth`, when given). */
  encode(x: Tensor, depth = this.autoencoders.length): Tensor {
    this.checkInput(x, "encode");
    if (!Number.isInteger(depth) || depth < 0 || depth > this.autoencoders.length)
      throw new RangeError(`StackedAutoencoder.encode: depth must be an integer in [0, ${this.autoencoders.length}]; got ${depth}`);
    return this.autoencoders.slice(0, depth).reduce((h, ae) => ae.encode(h), x);
  }

  /** Fresh Dense layers computing exactly `encode` (the sparsity layers, identities at prediction, left out). */
  private encoderLayers(): Dense[] {
    return this.autoencoders.map((ae, l) => new Dense(ae.codeSize, { activation: ae.options.activation, name: `encoder_${l + 1}` }));
  }

  private copyEncoderWeights(model: Sequential): void {
    for (const [l, ae] of this.autoencoders.entries()) copyDense(model, `encoder_${l + 1}`, ae.encoderWeights, (ae.encoder[0] as Dense).bias?.value);
  }

  /**
   * The feed-forward net the encoders initialise plus a new softmax output layer of `classes`
   * units, dropout as asked: step 2 of pretrainAndFinetune.
   */
  toClassifier(options: StackedClassifierOptions): Sequential {
    const classes = options?.classes;
    if (!Number.isInteger(classes) || classes < 2)
      throw new RangeError(`StackedAutoencoder.toClassifier: classes must be an integer >= 2; got ${JSON.stringify(classes)}`);
    const seed = options.seed ?? this.seed;
    const output = new Dense(classes, { activation: "softmax", name: "output" });
    const layers = [...withDropout(this.encoderLayers(), options.dropout, seed), output];
    const model = new Sequential(layers, { inputShape: [this.layers[0]], seed, name: options.name ?? "stacked_ae_classifier" }).build();
    this.copyEncoderWeights(model);
    return model;
  }

  /**
   * The deep autoencoder: encoders 1..L, then decoders L..1, each with its autoencoder's
   * decoder weights (Wᵀ for a tied one, copied, so that fine-tuning unties them). Compile and
   * fit it x → x to fine-tune the whole stack on reconstruction.
   */
  unroll(name = "stacked_autoencoder"): Sequential {
    const decoders = this.autoencoders.map((ae, l) => new Dense(ae.inputSize, { activation: ae.options.outputActivation, name: `decoder_${l + 1}` })).reverse();
    const model = new Sequential([...this.encoderLayers(), ...decoders], { inputShape: [this.layers[0]], seed: this.seed, name }).build();
    this.copyEncoderWeights(model);
    this.autoencoders.forEach((ae, l) => {
      const decoder = ae.decoder[0] as Dense | DenseTied;
      // a tied decoder has no kernel of its own: it computes h Wᵀ with the encoder's W
      const kernel = decoder instanceof DenseTied ? transpose(decoder.kernel.value) : decoder.kernel.value;
      copyDense(model, `decoder_${l + 1}`, kernel, decoder.bias?.value);
    });
    return model;
  }

  /** Σ_i (x_i − x̂_i)² per row, averaged, of the unrolled (not fine-tuned) stack: encode all the way up, decode all the way down. */
  reconstructionError(x: Tensor): number {
    this.checkInput(x, "reconstructionError");
    return squaredErrorPerRow(
      x,
      this.autoencoders.reduceRight((z, ae) => ae.decode(z), this.encode(x)),
    );
  }

  /** Writes model.json + model.safetensors: each autoencoder as it saves itself, its tensors under "ae1.", "ae2.", ... */
  async save(dir: string, training?: Record<string, unknown>): Promise<void> {
    await saveModel(this, dir, training);
  }

  toSaved(): SavedModel {
    const parts = this.autoencoders.map((ae) => ae.toSaved());
    return {
      className: "StackedAutoencoder",
      config: { layers: [...this.layers], seed: this.seed, autoencoders: parts.map((p) => p.config) },
      state: { autoencoders: parts.map((p) => p.state) },
      tensors: parts.flatMap((p, l) => p.tensors.map(([name, t]) => [`ae${l + 1}.${name}`, t] as const)),
    };
  }

  static fromSaved(saved: SavedModelReader): StackedAutoencoder {
    const { layers, seed, autoencoders } = saved.config;
    const states = saved.state.autoencoders;
    if (!Array.isArray(autoencoders) || autoencoders.length === 0) saved.fail(`"config.autoencoders" must list the configs of the autoencoders`);
    if (!Array.isArray(states) || states.length !== autoencoders.length)
      saved.fail(`"state.autoencoders" must list one state per autoencoder (${autoencoders.length})`);
    const parts = autoencoders.map((config, l) => Autoencoder.fromSaved(saved.part("Autoencoder", config, states[l], `ae${l + 1}.`)));
    const stack = saved.build(() => StackedAutoencoder.fromAutoencoders(parts, typeof seed === "number" ? seed : 0));
    if (!Array.isArray(layers) || layers.join("-") !== stack.layers.join("-"))
      saved.fail(`"config.layers" ${JSON.stringify(layers)} does not match the saved autoencoders (${stack.layers.join("-")})`);
    return stack;
  }

  private checkInput(x: Tensor, what: string): void {
    if (x.rank !== 2 || x.shape[1] !== this.layers[0])
      throw new ShapeError(`StackedAutoencoder.${what}: expected [rows, ${this.layers[0]}]; got ${formatShape(x.shape)}`);
  }
}

/** Copies a kernel and bias into the Dense layer of `model` named `name`. */
function copyDense(model: Sequential, name: string, kernel: Tensor, bias: Tensor | undefined): void {
  const dense = model.layers.find((layer: Layer) => layer.name === name) as Dense;
  dense.kernel.value.assign(kernel);
  if (bias !== undefined) dense.bias?.value.assign(bias);
}

registerModel("StackedAutoencoder", StackedAutoencoder.fromSaved);
