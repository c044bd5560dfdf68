/**
 * Masked autoencoder (He et al. 2022) on a small vision transformer. An image is cut into T
 * patches; per example a fresh random share r (maskRatio, 75 %) of them is hidden.
 *   encoder  the visible patches only: tokens e_t = patch_t W_e + b_e + E_t (t visible),
 *            `depth` pre-norm transformer blocks, LayerNorm
 *   decoder  (light) the encoded visible tokens mapped to the decoder width, a learned mask
 *            token m at each hidden position, positional embeddings D_t on all T, `decoderDepth`
 *            blocks, LayerNorm, and a linear head to each patch's p·p·C pixels x̂_t
 *   loss     J = 1/|M| Σ_{(i,t) ∈ M} 1/P ‖x̂_{i,t} − x_{i,t}‖²   over the hidden patches M only
 *            (plain pixel targets: MNIST's patches are not normalised per patch)
 * The encoder never sees a mask token, so it is a quarter of the compute; after training the
 * decoder is thrown away and `features(x)` (the encoder on all patches, mean-pooled) feeds a
 * linear probe. Positional embeddings are learned (N(0, 0.02²) at the start), not fixed sin-cos.
 * Training runs in the one training loop (fitLoop) with one optimiser (Adam by default).
 */

import { gatherRows } from "../../data/batch.js";
import { registerModel, type SavedModel, type SavedModelReader, saveModel } from "../../io/model.js";
import { Dense } from "../../nn/dense.js";
import type { Layer, Param } from "../../nn/layer.js";
import { LayerNorm } from "../../nn/layer-norm.js";
import { makeParam } from "../../nn/param.js";
import { PatchEmbedding, type PatchGrid, PositionalEmbedding, patchify, patchPixels, patchTokens, unpatchify } from "../../nn/patches.js";
import { TransformerBlock } from "../../nn/transformer.js";
import { Adam } from "../../optim/adam.js";
import type { Optimizer, OptimizerConfig } from "../../optim/optimizer.js";
import { optimizerOfSaved, optimizerState, paramAndSlotTensors, restoreOptimizer } from "../../optim/saved.js";
import { Rng } from "../../tensor/random.js";
import { formatShape, ShapeError, shapeSize } from "../../tensor/shape.js";
import { fillNormal, type Tensor, zeros } from "../../tensor/tensor.js";
import { type Callback, setTensors, type TrainableModel } from "../../train/callbacks.js";
import { type DivergenceOptions, fitLoop, type History } from "../../train/loop.js";
import { forwardRows } from "./encoder-decoder.js";

export interface MaskedAutoencoderOptions {
  /** [height, width, channels] of the images (rows of data are their NHWC pixels). Default [28, 28, 1]. */
  imageShape?: readonly [number, number, number];
  /** p: the side of a square patch; must divide the image's height and width. Default 7 (16 patches of MNIST). */
  patchSize?: number;
  /** Encoder token width. Default 64. */
  dim?: number;
  /** Encoder transformer blocks. Default 4. */
  depth?: number;
  /** Encoder attention heads (must divide dim). Default 4. */
  heads?: number;
  /** Decoder token width. Default 32. */
  decoderDim?: number;
  /** Decoder transformer blocks. Default 1. */
  decoderDepth?: number;
  /** Decoder attention heads (must divide decoderDim). Default 4. */
  decoderHeads?: number;
  /** MLP width / token width in every block. Default 2. */
  mlpRatio?: number;
  /** Share of each example's patches hidden from the encoder, in (0, 1). Default 0.75. */
  maskRatio?: number;
  /** Default Adam with learning rate 1e-3. */
  optimizer?: Optimizer;
  /** Seeds initialisation, the masks and the shuffling. Default 0. */
  seed?: number;
}

type ResolvedOptions = Required<Omit<MaskedAutoencoderOptions, "optimizer">> & { imageShape: [number, number, number] };

export interface MaskedAutoencoderFitOptions {
  /** Default 1. */
  epochs?: number;
  /** Default 128. */
  batchSize?: number;
  shuffle?: boolean;
  callbacks?: Callback[];
  /** Held-out images: their masked-patch loss (under masks from a fixed seed) is logged as val_loss. */
  validationData?: Tensor;
  divergence?: DivergenceOptions | false;
}

/** Which patches of each of n examples the encoder sees: visible [n·k] and hidden [n·(T − k)] token indices, ascending per example. */
export interface PatchMask {
  readonly examples: number;
  readonly visible: Int32Array;
  readonly hidden: Int32Array;
}

function integer(value: unknown, option: string, min: number): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > 2 ** 16)
    throw new RangeError(`MaskedAutoencoder: ${option} must be an integer in [${min}, 65536]; got ${JSON.stringify(value)}`);
  return value;
}

function resolve(o: MaskedAutoencoderOptions): ResolvedOptions {
  if (o === null || typeof o !== "object") throw new TypeError("MaskedAutoencoder: options must be an object ({ patchSize, dim, maskRatio, ... })");
  const imageShape = o.imageShape ?? [28, 28, 1];
  if (!Array.isArray(imageShape) || imageShape.length !== 3 || !imageShape.every((s) => Number.isInteger(s) && s >= 1))
    throw new RangeError(`MaskedAutoencoder: imageShape must be [height, width, channels] of integers >= 1; got ${JSON.stringify(imageShape)}`);
  const maskRatio = o.maskRatio ?? 0.75;
  if (typeof maskRatio !== "number" || !(maskRatio > 0 && maskRatio < 1))
    throw new RangeError(`MaskedAutoencoder: maskRatio must be in (0, 1) (the share of patches hidden); got ${JSON.stringify(maskRatio)}`);
  const mlpRatio = o.mlpRatio ?? 2;
  if (typeof mlpRatio !== "number" || !(mlpRatio > 0 && mlpRatio <= 16))
    throw new RangeError(`MaskedAutoencoder: mlpRatio must be in (0, 16]; got ${JSON.stringify(mlpRatio)}`);
  const seed = o.seed ?? 0;
  if (!Number.isFinite(seed)) throw new RangeError(`MaskedAutoencoder: seed must be a finite number; got ${seed}`);
  const r: ResolvedOptions = {
    imageShape: [imageShape[0], imageShape[1], imageShape[2]],
    patchSize: integer(o.patchSize ?? 7, "patchSize", 1),
    dim: integer(o.dim ?? 64, "dim", 1),
    depth: integer(o.depth ?? 4, "depth", 1),
    heads: integer(o.heads ?? 4, "heads", 1),
    decoderDim: integer(o.decoderDim ?? 32, "decoderDim", 1),
    decoderDepth: integer(o.decoderDepth ?? 1, "decoderDepth", 1),
    decoderHeads: integer(o.decoderHeads ?? 4, "decoderHeads", 1),
    mlpRatio,
    maskRatio,
    seed,
  };
  for (const [heads, width] of [
    ["heads", "dim"],
    ["decoderHeads", "decoderDim"],
  ] as const)
    if (r[width] % r[heads] !== 0) throw new RangeError(`MaskedAutoencoder: ${heads} (${r[heads]}) must divide ${width} (${r[width]})`);
  return r;
}

/** Rethrows a layer's build error under the model's name ("PatchEmbedding: patchSize 5 ..." → "MaskedAutoencoder: patchSize 5 ..."). */
function named<T>(build: () => T): T {
  try {
    return build();
  } catch (e) {
    if (e instanceof Error) e.message = `MaskedAutoencoder: ${e.message.replace(/^\w+( \w+)?: /, "")}`;
    throw e;
  }
}

export class MaskedAutoencoder implements TrainableModel {
  readonly options: Readonly<ResolvedOptions>;
  readonly optimizer: Optimizer;
  readonly grid: PatchGrid;
  /** T: patches per image. */
  readonly tokens: number;
  /** k: patches per image the encoder sees in training, ⌊T(1 − maskRatio)⌋ within [1, T − 1]. */
  readonly visibleTokens: number;
  readonly patchEmbedding: PatchEmbedding;
  readonly encoderPosition: PositionalEmbedding;
  readonly encoderBlocks: TransformerBlock[];
  readonly encoderNorm: LayerNorm;
  readonly decoderEmbedding: Dense;
  /** m: the learned token put at each hidden position, [decoderDim]. */
  readonly maskToken: Param;
  readonly decoderPosition: PositionalEmbedding;
  readonly decoderBlocks: TransformerBlock[];
  readonly decoderNorm: LayerNorm;
  readonly head: Dense;
  epochsTrained = 0;
  stopTraining = false;
  private readonly rng: Rng;
  private readonly named: [string, Param][];
  private batch: Tensor | null = null;
  private readonly buffers = new Map<string, Tensor>();

  constructor(options: MaskedAutoencoderOptions = {}) {
    const o = resolve(options);
    this.options = o;
    this.optimizer = options.optimizer ?? new Adam({ learningRate: 1e-3 });
    this.rng = new Rng(o.seed);
    const rng = this.rng;
    this.patchEmbedding = new PatchEmbedding({ patchSize: o.patchSize, dim: o.dim, name: "patch_embedding" });
    named(() => this.patchEmbedding.build(o.imageShape, rng));
    this.grid = this.patchEmbedding.grid;
    this.tokens = patchTokens(this.grid);
    if (this.tokens < 2) throw new RangeError(`MaskedAutoencoder: patchSize ${o.patchSize} leaves one patch per image; masking needs at least 2`);
    this.visibleTokens = Math.min(this.tokens - 1, Math.max(1, Math.floor(this.tokens * (1 - o.maskRatio))));
    const block = (width: number, heads: number, name: string): TransformerBlock => {
      const b = new TransformerBlock({ heads, mlpRatio: o.mlpRatio, name });
      named(() => b.build([this.tokens, width], rng));
      return b;
    };
    this.encoderPosition = new PositionalEmbedding({ name: "encoder_position" });
    this.encoderPosition.build([this.tokens, o.dim], rng);
    this.encoderBlocks = Array.from({ length: o.depth }, (_, i) => block(o.dim, o.heads, `encoder_block${i}`));
    this.encoderNorm = new LayerNorm({ name: "encoder_norm" });
    this.encoderNorm.build([this.tokens, o.dim], rng);
    this.decoderEmbedding = new Dense(o.decoderDim, { name: "decoder_embedding" });
    this.decoderEmbedding.build([o.dim], rng);
    const m = zeros([o.decoderDim]);
    fillNormal(m.data, rng, 0, 0.02);
    this.maskToken = makeParam("mask_token", m, false);
    this.decoderPosition = new PositionalEmbedding({ name: "decoder_position" });
    this.decoderPosition.build([this.tokens, o.decoderDim], rng);
    this.decoderBlocks = Array.from({ length: o.decoderDepth }, (_, i) => block(o.decoderDim, o.decoderHeads, `decoder_block${i}`));
    this.decoderNorm = new LayerNorm({ name: "decoder_norm" });
    this.decoderNorm.build([this.tokens, o.decoderDim], rng);
    this.head = new Dense(patchPixels(this.grid), { name: "head" });
    this.head.build([o.decoderDim], rng);
    const layers: Layer[] = [
      this.patchEmbedding,
      this.encoderPosition,
      ...this.encoderBlocks,
      this.encoderNorm,
      this.decoderEmbedding,
      this.decoderPosition,
      ...this.decoderBlocks,
      this.decoderNorm,
      this.head,
    ];
    this.named = [...layers.flatMap((l) => l.params().map((p): [string, Param] => [`${l.name}.${p.name}`, p])), ["mask_token", this.maskToken]];
  }

  /** Pixels per image, H·W·C. */
  get inputSize(): number {
    return shapeSize(this.options.imageShape);
  }

  /** Every param, named "<layer>.<param>" as saved. */
  params(): Param[] {
    return this.named.map(([, p]) => p);
  }

  /** The encoder's layers in order (patches, positions, blocks, norm): what a probe keeps once the decoder is thrown away. */
  get encoder(): Layer[] {
    return [this.patchEmbedding, this.encoderPosition, ...this.encoderBlocks, this.encoderNorm];
  }

  /** A fresh random mask per example: of the T patches, k stay visible, the rest hidden (drawn from rng, default the model's). */
  sampleMask(examples: number, rng: Rng = this.rng): PatchMask {
    const [T, k] = [this.tokens, this.visibleTokens];
    const visible = new Int32Array(examples * k);
    const hidden = new Int32Array(examples * (T - k));
    const order = new Int32Array(T);
    for (let b = 0; b < examples; b++) {
      for (let t = 0; t < T; t++) order[t] = t;
      for (let t = T - 1; t > 0; t--) {
        const j = rng.int(t + 1);
        [order[t], order[j]] = [order[j], order[t]];
      }
      const seen = order.subarray(0, k).sort();
      const unseen = order.subarray(k).sort();
      visible.set(seen, b * k);
      hidden.set(unseen, b * (T - k));
    }
    return { examples, visible, hidden };
  }

  /**
   * x̂ for every patch of images x [n, H·W·C] under `mask`: [n, T, p·p·C] (a view of the head's
   * buffer, valid until the next forward). Only the hidden patches' values are trained.
   */
  predictPatches(x: Tensor, mask: PatchMask, training = false): Tensor {
    this.checkImages(x, "predictPatches");
    const n = x.rows;
    if (mask.examples !== n) throw new ShapeError(`MaskedAutoencoder.predictPatches: the mask is for ${mask.examples} examples but x has ${n}`);
    const { dim, decoderDim } = this.options;
    const [T, k] = [this.tokens, this.visibleTokens];
    const tokens = this.encoderPosition.forward(this.patchEmbedding.forward(x.reshape([n, this.inputSize]), training), training);
    let h = gatherTokens(tokens, mask.visible, k, this.scratch("visible", [n, k, dim]));
    for (const b of this.encoderBlocks) h = b.forward(h, training);
    h = this.encoderNorm.forward(h, training);
    const d0 = this.decoderEmbedding.forward(h.reshape([n * k, dim]), training);
    const full = this.scratch("full", [n, T, decoderDim]);
    scatterTokens(d0.reshape([n, k, decoderDim]), mask.visible, full, T);
    fillTokens(full, mask.hidden, this.maskToken.value);
    let z = this.decoderPosition.forward(full, training);
    for (const b of this.decoderBlocks) z = b.forward(z, training);
    z = this.decoderNorm.forward(z, training);
    return this.head.forward(z.reshape([n * T, decoderDim]), training).reshape([n, T, patchPixels(this.grid)]);
  }

  /**
   * J: the mean squared error per pixel over the hidden patches of `mask` only, between the
   * prediction from images x and target (default x, its patches). With `grad`, also writes
   * dJ/dx̂ there (zero at visible patches).
   */
  maskedLoss(x: Tensor, mask: PatchMask, target: Tensor = x, grad?: Tensor): number {
    const prediction = this.predictPatches(x, mask, grad !== undefined);
    this.checkImages(target, "maskedLoss target");
    if (target.rows !== x.rows) throw new ShapeError(`MaskedAutoencoder.maskedLoss: target has ${target.rows} rows, x ${x.rows}`);
    return patchLoss(prediction, patchify(this.grid, target, this.scratch("target", prediction.shape)), mask, this.tokens - this.visibleTokens, grad);
  }

  /** J on images x under `mask` (see maskedLoss), with dJ/dθ left in every param's grad (zeroed first). */
  gradients(x: Tensor, mask: PatchMask, target: Tensor = x): number {
    for (const p of this.params()) p.grad.data.fill(0);
    const dPrediction = this.scratch("dPrediction", [x.rows, this.tokens, patchPixels(this.grid)]);
    const loss = this.maskedLoss(x, mask, target, dPrediction);
    this.backward(dPrediction, mask);
    return loss;
  }

  /** One step of the optimiser on a batch of images [n, H·W·C] under fresh masks; returns the batch's loss J. */
  trainBatch(x: Tensor): number {
    const loss = this.gradients(x, this.sampleMask(x.rows));
    this.optimizer.step(this.params());
    return loss;
  }

  /** Backpropagates dJ/dx̂ through the decoder and the encoder of the last forward (under `mask`), into every param's grad. */
  private backward(dPrediction: Tensor, mask: PatchMask): void {
    const n = mask.examples;
    const { dim, decoderDim } = this.options;
    const [T, k] = [this.tokens, this.visibleTokens];
    let g = this.head.backward(dPrediction.reshape([n * T, patchPixels(this.grid)])).reshape([n, T, decoderDim]);
    g = this.decoderNorm.backward(g);
    for (let i = this.decoderBlocks.length - 1; i >= 0; i--) g = this.decoderBlocks[i].backward(g);
    g = this.decoderPosition.backward(g);
    sumTokens(g, mask.hidden, this.maskToken.grad);
    const dVisible = gatherTokens(g, mask.visible, k, this.scratch("dVisibleDecoder", [n, k, decoderDim]));
    let e = this.decoderEmbedding.backward(dVisible.reshape([n * k, decoderDim])).reshape([n, k, dim]);
    e = this.encoderNorm.backward(e);
    for (let i = this.encoderBlocks.length - 1; i >= 0; i--) e = this.encoderBlocks[i].backward(e);
    const dTokens = this.scratch("dTokens", [n, T, dim]);
    dTokens.data.fill(0); // hidden patches never reached the encoder
    scatterTokens(e, mask.visible, dTokens, T);
    this.patchEmbedding.backward(this.encoderPosition.backward(dTokens), false);
  }

  /** Trains on images [n, H·W·C] in the one training loop: one trainBatch per mini-batch, the loss J logged as "loss". */
  async fit(x: Tensor, options: MaskedAutoencoderFitOptions = {}): Promise<History> {
    this.checkImages(x, "fit");
    const { validationData } = options;
    if (validationData !== undefined) this.checkImages(validationData, "fit validationData");
    const batchSize = options.batchSize ?? 128;
    const epochs = options.epochs ?? 1;
    return fitLoop({
      what: "MaskedAutoencoder.fit",
      model: this,
      step: {
        beginEpoch: (epoch) => {
          this.optimizer.setEpoch(epoch);
          return { learningRate: this.optimizer.learningRate };
        },
        trainStep: (rows) => {
          if (this.batch === null || this.batch.rows < rows.length) this.batch = zeros([Math.min(batchSize, x.rows), this.inputSize]);
          return { loss: this.trainBatch(gatherRows(x.reshape([x.rows, this.inputSize]), rows, this.batch)) };
        },
        endEpoch: (_epoch, logs) => {
          this.epochsTrained++;
          if (validationData !== undefined) logs.val_loss = this.evaluate(validationData);
        },
      },
      rows: x.rows,
      epochs,
      initialEpoch: this.epochsTrained,
      batchSize,
      shuffle: options.shuffle ?? true,
      rng: this.rng,
      callbacks: options.callbacks,
      validation: validationData !== undefined,
      advice: `lower the learning rate (now ${this.optimizer.learningRate})`,
      divergence: options.divergence,
      weights: () => this.named.map(([name, p]): [string, Tensor] => [name, p.value]),
    });
  }

  /** The masked-patch loss J on images x, averaged over batches, under masks drawn from a fixed seed (comparable across epochs). */
  evaluate(x: Tensor, seed = 1234, batchSize = 256): number {
    this.checkImages(x, "evaluate");
    const rng = new Rng(seed);
    const flat = x.reshape([x.rows, this.inputSize]);
    let sum = 0;
    for (let start = 0; start < x.rows; start += batchSize) {
      const batch = flat.sliceRows(start, Math.min(start + batchSize, x.rows));
      sum += this.maskedLoss(batch, this.sampleMask(batch.rows, rng)) * batch.rows;
    }
    return sum / x.rows;
  }

  /**
   * For the lecture's picture, from images x under `mask`: the masked input (hidden patches
   * set to `fill`), the MAE's guess (its predicted hidden patches with the visible ones), and
   * the ground truth x, each [n, H·W·C].
   */
  reconstruct(x: Tensor, mask: PatchMask = this.sampleMask(x.rows), fill = 0.5): { masked: Tensor; guess: Tensor; truth: Tensor } {
    this.checkImages(x, "reconstruct");
    const n = x.rows;
    const P = patchPixels(this.grid);
    const truth = x.reshape([n, this.inputSize]).clone();
    const patches = patchify(this.grid, truth);
    const guessPatches = patches.clone();
    const maskedPatches = patches.clone();
    const prediction = this.predictPatches(truth, mask);
    const hiddenPerExample = this.tokens - this.visibleTokens;
    for (let i = 0; i < mask.hidden.length; i++) {
      const at = (Math.floor(i / hiddenPerExample) * this.tokens + mask.hidden[i]) * P;
      guessPatches.data.set(prediction.data.subarray(at, at + P), at);
      maskedPatches.data.fill(fill, at, at + P);
    }
    return { masked: unpatchify(this.grid, maskedPatches), guess: unpatchify(this.grid, guessPatches), truth };
  }

  /** The encoder's output tokens for all T patches of images x (no masking): [n, T, dim]. */
  encode(x: Tensor, batchSize = 256): Tensor {
    this.checkImages(x, "encode");
    const { dim } = this.options;
    return forwardRows(this.encoder, x.reshape([x.rows, this.inputSize]), this.tokens * dim, batchSize).reshape([x.rows, this.tokens, dim]);
  }

  /**
   * The features a linear probe reads: the encoder's tokens for all patches, mean-pooled
   * ([n, dim], as in the paper) or, with pool "concat", side by side ([n, T·dim], which keeps
   * where each patch was).
   */
  features(x: Tensor, pool: FeaturePool = "mean"): Tensor {
    return poolTokens(this.encode(x), pool);
  }

  getWeights(): Tensor[] {
    return this.params().map((p) => p.value.clone());
  }

  setWeights(weights: readonly Tensor[]): void {
    setTensors(
      "MaskedAutoencoder.setWeights",
      this.params().map((p) => p.value),
      weights,
    );
  }

  /** Writes model.json + model.safetensors: options, optimiser, counters, every param, the optimiser's slots. */
  async save(dir: string, training?: Record<string, unknown>): Promise<void> {
    await saveModel(this, dir, training);
  }

  toSaved(): SavedModel {
    return {
      className: "MaskedAutoencoder",
      config: { ...this.options, optimizer: this.optimizer.config() },
      state: { epochsTrained: this.epochsTrained, rng: [...this.rng.state], ...optimizerState(this.optimizer) },
      tensors: paramAndSlotTensors(this.named, this.optimizer),
    };
  }

  static fromSaved(saved: SavedModelReader): MaskedAutoencoder {
    const { optimizer, ...options } = saved.config as MaskedAutoencoderOptions & { optimizer?: OptimizerConfig };
    const mae = new MaskedAutoencoder({ ...options, optimizer: optimizerOfSaved(saved, optimizer, "config.optimizer") });
    for (const [name, p] of mae.named) saved.into(name, p.value);
    mae.epochsTrained = saved.count("epochsTrained");
    const rng = saved.rngState("rng");
    if (rng !== undefined) mae.rng.state.set(rng);
    restoreOptimizer(saved, mae.optimizer, mae.named);
    return mae;
  }

  /** A scratch tensor by name and shape, reused while the shape stays (one per batch size in practice). */
  private scratch(name: string, shape: readonly number[]): Tensor {
    const key = `${name}:${shape.join("x")}`;
    let t = this.buffers.get(key);
    if (t === undefined) {
      t = zeros(shape);
      this.buffers.set(key, t);
    }
    return t;
  }

  private checkImages(x: Tensor, what: string): void {
    if (x.rank < 2 || x.size !== x.rows * this.inputSize)
      throw new ShapeError(
        `MaskedAutoencoder.${what}: expected images [rows, ${this.inputSize}] or [rows, ${this.options.imageShape.join(", ")}]; got ${formatShape(x.shape)}`,
      );
  }
}

export const FEATURE_POOLS = ["mean", "concat"] as const;
export type FeaturePool = (typeof FEATURE_POOLS)[number];

/** Tokens [n, T, d] → [n, d] (their mean) or [n, T·d] (side by side). */
export function poolTokens(tokens: Tensor, pool: FeaturePool = "mean"): Tensor {
  const [n, T, d] = tokens.shape;
  if (pool === "concat") return tokens.reshape([n, T * d]);
  if (pool !== "mean") throw new RangeError(`poolTokens: pool must be one of ${FEATURE_POOLS.join(", ")}; got ${JSON.stringify(pool)}`);
  const out = zeros([n, d]);
  for (let b = 0; b < n; b++) for (let t = 0; t < T; t++) for (let j = 0; j < d; j++) out.data[b * d + j] += tokens.data[(b * T + t) * d + j] / T;
  return out;
}

/** out [n, k, d] = the tokens of x [n, T, d] at positions [n·k] (k per example). */
function gatherTokens(x: Tensor, positions: Int32Array, k: number, out: Tensor): Tensor {
  const [n, T, d] = x.shape;
  for (let i = 0; i < n * k; i++) {
    const from = (Math.floor(i / k) * T + positions[i]) * d;
    out.data.set(x.data.subarray(from, from + d), i * d);
  }
  return out;
}

/** out[b, positions] = x [n, k, d], the adjoint of gatherTokens (other tokens of out untouched). */
function scatterTokens(x: Tensor, positions: Int32Array, out: Tensor, T: number): void {
  const [n, k, d] = x.shape;
  for (let i = 0; i < n * k; i++) out.data.set(x.data.subarray(i * d, (i + 1) * d), (Math.floor(i / k) * T + positions[i]) * d);
}

/** Puts token m [d] at the given positions of out [n, T, d] (positions.length / n per example). */
function fillTokens(out: Tensor, positions: Int32Array, m: Tensor): void {
  const [n, T, d] = out.shape;
  const k = positions.length / n;
  for (let i = 0; i < positions.length; i++) out.data.set(m.data, (Math.floor(i / k) * T + positions[i]) * d);
}

/** grad [d] += the tokens of g [n, T, d] at the positions (the mask token's gradient: it appears at every hidden position). */
function sumTokens(g: Tensor, positions: Int32Array, grad: Tensor): void {
  const [n, T, d] = g.shape;
  const k = positions.length / n;
  for (let i = 0; i < positions.length; i++) {
    const at = (Math.floor(i / k) * T + positions[i]) * d;
    for (let j = 0; j < d; j++) grad.data[j] += g.data[at + j];
  }
}

/** J over the hidden patches (h per example) and, into grad, dJ/dx̂ = 2(x̂ − x)/(|M|·P) there and 0 elsewhere. */
function patchLoss(prediction: Tensor, target: Tensor, mask: PatchMask, h: number, grad?: Tensor): number {
  const [, T, P] = prediction.shape;
  const count = mask.hidden.length * P;
  if (grad !== undefined) grad.data.fill(0);
  let sum = 0;
  for (let i = 0; i < mask.hidden.length; i++) {
    const at = (Math.floor(i / h) * T + mask.hidden[i]) * P;
    for (let j = at; j < at + P; j++) {
      const e = prediction.data[j] - target.data[j];
      sum += e * e;
      if (grad !== undefined) grad.data[j] = (2 * e) / count;
    }
  }
  return sum / count;
}

registerModel("MaskedAutoencoder", MaskedAutoencoder.fromSaved);
