/**
 * The RBM-pretrained deep autoencoder (Hinton & Salakhutdinov 2006, the lecture's "Unrolling"):
 *   1. pretrain  a stack of RBMs greedily (a DBN), e.g. 784-1000-500-250-30; the top RBM has
 *                Gaussian (linear) hidden units, so the code is real-valued, not squashed;
 *   2. unroll    the stack into encoder W_1 … W_L and decoder W_Lᵀ … W_1ᵀ (DBN.unroll): the
 *                decoder starts as the RBMs' generative direction, biases a;
 *   3. fine-tune the unrolled net x → x̂ by backpropagation of the cross-entropy
 *                −Σ_i [x_i log x̂_i + (1 − x_i) log(1 − x̂_i)] through the one training loop
 *                (Sequential.fit; the paper used conjugate gradients, `ConjugateGradient`).
 * The pretraining is the DBN's and the net is a Sequential: this class only wires the three steps.
 * Saved through the one format with both: the RBM stack under "dbn." and the net under "net.".
 */
import { registerModel, type SavedModel, type SavedModelReader } from "../../io/model.js";
import { ConjugateGradient } from "../../optim/cg.js";
import type { Optimizer } from "../../optim/optimizer.js";
import { formatShape } from "../../tensor/shape.js";
import type { Tensor } from "../../tensor/tensor.js";
import type { History } from "../../train/loop.js";
import { type FitOptions, type SaveOptions, Sequential } from "../../train/sequential.js";
import { DBN, type DbnPretrainOptions, type LayerRbmOptions, perRbmOptions } from "../dbn/dbn.js";
import type { RbmEpochLogs } from "../rbm/rbm.js";
import { EncoderDecoder } from "./encoder-decoder.js";

export interface DeepAutoencoderOptions {
  /** Units per layer, data first, code last: [784, 1000, 500, 250, 30]. */
  layers: readonly number[];
  /** The code layer's units: "gaussian" (linear, the paper's) or "bernoulli" (logistic). Default "gaussian". */
  codeUnits?: "gaussian" | "bernoulli";
  /** RBM options for every RBM or one per RBM (the top RBM's hiddenUnits come from codeUnits). */
  rbm?: LayerRbmOptions | readonly LayerRbmOptions[];
  /** Fine-tuning optimiser. Default ConjugateGradient with 3 line searches per batch (the paper's backprop.m). */
  optimizer?: Optimizer;
  /** Seeds the RBMs (seed + i) and the fine-tuning's shuffling. Default 0. */
  seed?: number;
  /** A stack already pretrained (e.g. loadModel of a pretrain checkpoint) instead of a fresh one; its layers must equal `layers`. */
  dbn?: DBN;
}

export class DeepAutoencoder extends EncoderDecoder {
  /** The RBM stack that pretrain trains and unroll turns into the net. */
  readonly dbn: DBN;
  /** The unrolled net x → code → x̂, compiled with binary cross-entropy; rebuilt by unroll(). */
  model: Sequential;
  private readonly optimizer: Optimizer;

  constructor(options: DeepAutoencoderOptions) {
    super();
    const { layers, codeUnits = "gaussian", seed = 0 } = options ?? ({} as DeepAutoencoderOptions);
    if (!Array.isArray(layers) || layers.length < 2)
      throw new RangeError(
        `DeepAutoencoder: layers must list at least two sizes, data first and code last, e.g. [784, 1000, 500, 250, 30]; got ${JSON.stringify(layers)}`,
      );
    if (codeUnits !== "gaussian" && codeUnits !== "bernoulli")
      throw new RangeError(`DeepAutoencoder: codeUnits must be "gaussian" or "bernoulli"; got ${JSON.stringify(codeUnits)}`);
    const per = perRbmOptions("DeepAutoencoder", options.rbm, layers.length - 1);
    per[per.length - 1] = { ...per[per.length - 1], hiddenUnits: codeUnits };
    if (options.dbn !== undefined && options.dbn.layers.join("-") !== layers.join("-"))
      throw new RangeError(`DeepAutoencoder: the given dbn has layers ${options.dbn.layers.join("-")}, but layers is ${layers.join("-")}`);
    this.dbn = options.dbn ?? new DBN({ layers, rbm: per, seed });
    this.optimizer = options.optimizer ?? new ConjugateGradient({ lineSearches: 3 });
    this.model = this.unroll();
  }

  /** Units per layer, data first, code last. */
  get layers(): readonly number[] {
    return this.dbn.layers;
  }

  get inputSize(): number {
    return this.layers[0];
  }

  get codeSize(): number {
    return this.layers[this.layers.length - 1];
  }

  /** The encoder is the first L layers of the net (one per RBM), the decoder the last L. */
  protected get encoderDepth(): number {
    return this.dbn.rbms.length;
  }

  /** Step 1, then step 2: greedy RBM pretraining (DBN.pretrain, p(h | v) passed up), then a fresh unrolled net. */
  async pretrain(x: Tensor, options: DbnPretrainOptions = {}): Promise<RbmEpochLogs[][]> {
    const history = await this.dbn.pretrain(x, options);
    this.model = this.unroll();
    return history;
  }

  /** Step 2: the net with the RBMs' weights, encoder W and decoder Wᵀ, compiled for cross-entropy fine-tuning. */
  unroll(): Sequential {
    return this.dbn.unroll("deep_autoencoder").compile({ loss: "binaryCrossentropy", optimizer: this.optimizer });
  }

  /** Step 3: fine-tunes x → x by backpropagation through Sequential.fit. */
  async fit(x: Tensor, options: FitOptions = {}): Promise<History> {
    this.checkRows(x, "fit", this.inputSize);
    return this.model.fit(x, x, options);
  }

  /** The RBM stack (as DBN.save writes it) and the net (as Sequential.save), under "dbn." and "net.". */
  toSaved(options: SaveOptions = {}): SavedModel {
    const dbn = this.dbn.toSaved();
    const net = this.model.toSaved(options);
    const under = (prefix: string, part: SavedModel) => part.tensors.map(([name, t]) => [`${prefix}${name}`, t] as const);
    return {
      className: "DeepAutoencoder",
      config: { layers: [...this.layers], dbn: dbn.config, net: net.config },
      state: { dbn: dbn.state, net: net.state },
      tensors: [...under("dbn.", dbn), ...under("net.", net)],
    };
  }

  /** Rebuilds a saved deep autoencoder: its stack (which may pretrain on) and its net (which fine-tunes on where it stopped). */
  static fromSaved(saved: SavedModelReader): DeepAutoencoder {
    const { config, state } = saved;
    const dbn = DBN.fromSaved(saved.part("DBN", config.dbn, (state.dbn as object | undefined) ?? {}, "dbn."));
    const model = Sequential.fromSaved(saved.part("Sequential", config.net, (state.net as object | undefined) ?? {}, "net."));
    const ae = new DeepAutoencoder({ layers: dbn.layers, dbn });
    const L = dbn.rbms.length;
    if (model.layers.length !== 2 * L || model.inputShape.join() !== `${ae.inputSize}` || model.outputShape.join() !== `${ae.inputSize}`)
      saved.fail(
        `the net ${formatShape(model.inputShape)} → ${formatShape(model.outputShape)} with ${model.layers.length} layers is not the unrolled ${dbn.layers.join("-")} (${2 * L} layers)`,
      );
    ae.model = model;
    return ae;
  }
}

registerModel("DeepAutoencoder", DeepAutoencoder.fromSaved);
