/**
 * Variational autoencoder (Kingma & Welling 2014), one Sequential trained by the one loop:
 *   encoder   h = f(… f(x W₁ + b₁) …),  [μ, log σ²] = h W + b        q(z | x) = N(μ, diag σ²)
 *   sample    z = μ + σ ⊙ ε,  ε ~ N(0, I)                            (Reparameterize; z = μ at inference)
 *   decoder   p = sigmoid(… f(z V₁ + c₁) …)                          p(x | z) = Π_i p_i^x_i (1 − p_i)^(1 − x_i)
 * and the loss per row is the negative evidence lower bound
 *   −ELBO = −E_q[log p(x | z)] + KL(q(z | x) ‖ N(0, I))
 *         = the binary cross-entropy summed over pixels (one z per row) + the analytic KL
 * (the BCE is the compiled loss; the KL is the Reparameterize layer's penalty). Both are averaged
 * over the batch's rows, so the logged loss is −ELBO in nats per digit.
 *
 * The importance-weighted estimate of Burda et al. (2016) tightens the bound with k samples:
 *   log p(x) ≥ L_k = E[log (1/k) Σ_i p(x, z_i) / q(z_i | x)],  z_i ~ q(z | x)
 * L_1 is the ELBO, L_k rises with k and tends to log p(x); with k = 5000 it is their test figure.
 */
import type { BatchTransform } from "../../data/batch.js";
import { registerModel, type SavedModelReader, saveModel } from "../../io/model.js";
import { type ActivationName, assertActivation } from "../../nn/activations.js";
import { Dense } from "../../nn/dense.js";
import type { Layer } from "../../nn/layer.js";
import { gaussianKl, Reparameterize } from "../../nn/reparameterize.js";
import { bernoulli } from "../../ops/random.js";
import { Adam } from "../../optim/adam.js";
import type { Optimizer } from "../../optim/optimizer.js";
import { type Rng, rngFrom } from "../../tensor/random.js";
import { formatShape, ShapeError } from "../../tensor/shape.js";
import { fillNormal, type Tensor, zeros } from "../../tensor/tensor.js";
import type { History } from "../../train/loop.js";
import { type FitOptions, type SaveOptions, Sequential } from "../../train/sequential.js";
import { forwardRows } from "./encoder-decoder.js";

const LOG_2PI = Math.log(2 * Math.PI);

export interface VAEOptions {
  /** Input units (pixels), e.g. 784. */
  inputSize: number;
  /** Nz, the dimension of the latent z. */
  latentSize: number;
  /** Deterministic hidden layers of the encoder, mirrored by the decoder. Default [400] (Kingma & Welling's MNIST net). */
  hidden?: readonly number[];
  /** f of the hidden layers. Default "tanh" (both papers). */
  activation?: ActivationName;
  /** Default Adam with learning rate 0.001. */
  optimizer?: Optimizer;
  /** Seeds initialisation, shuffling, ε and binarisation. Default 0. */
  seed?: number;
}

/** The options as saved in model.json. */
interface ResolvedOptions {
  inputSize: number;
  latentSize: number;
  hidden: number[];
  activation: ActivationName;
  seed: number;
}

/** Fit options without validation (Sequential.evaluate knows no KL; measure held-out digits with elbo) or a transform of one's own. */
export type VAEFitOptions = Omit<FitOptions, "validationData" | "validationSplit" | "transform"> & {
  /**
   * Draw each training pixel x_i ~ Bernoulli(x_i) afresh every batch (dynamic binarisation, as
   * the papers train on MNIST), so the Bernoulli decoder models binary digits. Default false.
   */
  binarize?: boolean;
};

export interface EstimateOptions {
  /** Seeds the draws of z (and nothing else). Default 0. */
  seed?: number | Rng;
  /** Decoder rows per forward pass, samples of several digits together (memory ~ batchSize × inputSize). Default 1000. */
  batchSize?: number;
}

function assertSize(value: unknown, option: string, min = 1): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > 2 ** 24)
    throw new RangeError(`VAE: ${option} must be an integer in [${min}, 16777216]; got ${JSON.stringify(value)}`);
  return value;
}

function resolve(options: VAEOptions): ResolvedOptions {
  if (options === null || typeof options !== "object") throw new TypeError("VAE: options must be { inputSize, latentSize, ... }");
  const hidden = options.hidden ?? [400];
  if (!Array.isArray(hidden)) throw new TypeError(`VAE: hidden must be a list of layer sizes; got ${JSON.stringify(hidden)}`);
  const seed = options.seed ?? 0;
  if (!Number.isFinite(seed)) throw new RangeError(`VAE: seed must be a finite number; got ${seed}`);
  return {
    inputSize: assertSize(options.inputSize, "inputSize"),
    latentSize: assertSize(options.latentSize, "latentSize (Nz, the dimension of z)"),
    hidden: hidden.map((h, i) => assertSize(h, `hidden[${i}]`)),
    activation: assertActivation(options.activation ?? "tanh", "VAE activation"),
    seed,
  };
}

/** encoder Dense… → Dense "posterior" (2·Nz, linear: μ and log σ²) → Reparameterize "z" → decoder Dense… → Dense "likelihood" (sigmoid). */
function buildModel(o: ResolvedOptions, optimizer: Optimizer): Sequential {
  const dense = (units: number, name: string, activation: ActivationName = o.activation): Dense => new Dense(units, { activation, name });
  const layers: Layer[] = [
    ...o.hidden.map((h, i) => dense(h, `encoder${i + 1}`)),
    dense(2 * o.latentSize, "posterior", "linear"),
    new Reparameterize({ name: "z" }),
    ...[...o.hidden].reverse().map((h, i) => dense(h, `decoder${i + 1}`)),
    dense(o.inputSize, "likelihood", "sigmoid"),
  ];
  const model = new Sequential(layers, { inputShape: [o.inputSize], seed: o.seed, name: "vae" }).build();
  return model.compile({ loss: "binaryCrossentropy", optimizer });
}

/** A fit transform for dynamic binarisation: x ~ Bernoulli(x) in place, and the target (the input itself) the same draw. */
export function binarizeTransform(): BatchTransform {
  return (xBatch, yBatch, info) => {
    bernoulli(xBatch, info.rng, xBatch);
    yBatch.assign(xBatch);
  };
}

/** log Bernoulli(x | sigmoid(a)) summed over a row, from the logits a (stable: −softplus form). */
function logBernoulli(x: Float32Array, xOffset: number, logits: Float32Array, aOffset: number, width: number): number {
  let s = 0;
  for (let i = 0; i < width; i++) {
    const a = logits[aOffset + i];
    s -= Math.max(a, 0) - a * x[xOffset + i] + Math.log1p(Math.exp(-Math.abs(a)));
  }
  return s;
}

export class VAE {
  /** x → [μ, log σ²] → z → p(x | z): the whole network, trained by Sequential.fit. */
  readonly model: Sequential;
  /** x → [μ, log σ²]. */
  readonly encoder: readonly Layer[];
  /** The Reparameterize layer (its penalty is the KL). */
  readonly sampler: Reparameterize;
  /** z → p(x | z), Bernoulli means; the last layer is the sigmoid "likelihood". */
  readonly decoder: readonly Layer[];
  readonly options: Readonly<ResolvedOptions>;

  constructor(options: VAEOptions, model?: Sequential) {
    this.options = resolve(options);
    this.model = model ?? buildModel(this.options, options.optimizer ?? new Adam({ learningRate: 0.001 }));
    const at = this.model.layers.findIndex((l) => l instanceof Reparameterize);
    this.encoder = this.model.layers.slice(0, Math.max(at, 0));
    this.sampler = this.model.layers[at] as Reparameterize;
    this.decoder = this.model.layers.slice(at + 1);
    this.checkShapes(at);
  }

  /** A model given from outside (a saved one) must match the options. */
  private checkShapes(at: number): void {
    const { inputSize, latentSize, hidden } = this.options;
    const last = this.decoder[this.decoder.length - 1];
    if (
      at !== hidden.length + 1 ||
      this.sampler.latent !== latentSize ||
      this.model.inputShape.join() !== `${inputSize}` ||
      this.model.outputShape.join() !== `${inputSize}` ||
      !(last instanceof Dense && last.activation === "sigmoid")
    )
      throw new ShapeError(
        `VAE: the model ${formatShape(this.model.inputShape)} → ${formatShape(this.model.outputShape)} does not match inputSize ${inputSize}, hidden [${hidden}] and latentSize ${latentSize} with a sigmoid output`,
      );
  }

  get inputSize(): number {
    return this.options.inputSize;
  }

  get latentSize(): number {
    return this.options.latentSize;
  }

  get epochsTrained(): number {
    return this.model.epochsTrained;
  }

  /** Maximises the ELBO (minimises the loss −ELBO) on x → x through Sequential.fit. */
  async fit(x: Tensor, options: VAEFitOptions = {}): Promise<History> {
    this.checkRows(x, "fit", this.inputSize);
    const { binarize, ...rest } = options;
    return this.model.fit(x, x, { ...rest, transform: binarize === true ? binarizeTransform() : undefined });
  }

  /** [μ, log σ²] of q(z | x) for each row, [rows, 2·Nz]. */
  posterior(x: Tensor): Tensor {
    this.checkRows(x, "posterior", this.inputSize);
    return forwardRows(this.encoder, x, 2 * this.latentSize);
  }

  /** μ, the mean of q(z | x), for each row: [rows, Nz]. */
  encode(x: Tensor): Tensor {
    const p = this.posterior(x);
    const Z = this.latentSize;
    const mu = zeros([x.rows, Z]);
    for (let r = 0; r < x.rows; r++) mu.data.set(p.data.subarray(r * 2 * Z, r * 2 * Z + Z), r * Z);
    return mu;
  }

  /** p(x | z), the Bernoulli means, for each row of z: [rows, inputSize]. */
  decode(z: Tensor): Tensor {
    this.checkRows(z, "decode", this.latentSize);
    return forwardRows(this.decoder, z, this.inputSize);
  }

  /** decode(μ(x)): the network at inference. */
  reconstruct(x: Tensor): Tensor {
    this.checkRows(x, "reconstruct", this.inputSize);
    return this.model.predict(x);
  }

  /** n draws z ~ N(0, I) decoded: the Bernoulli means p(x | z), [n, inputSize]. */
  sample(n: number, seed: number | Rng = 0): Tensor {
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`VAE.sample: n must be an integer >= 1; got ${n}`);
    const z = zeros([n, this.latentSize]);
    fillNormal(z.data, rngFrom(seed));
    return this.decode(z);
  }

  /**
   * The ELBO per row, averaged over the rows, in nats: log p(x | z) − KL(q(z | x) ‖ N(0, I)) with
   * one z ~ q(z | x) per row (a Monte Carlo estimate of E_q[log p(x | z)], the analytic KL).
   */
  elbo(x: Tensor, options: EstimateOptions = {}): number {
    this.checkRows(x, "elbo", this.inputSize);
    const Z = this.latentSize;
    const p = this.posterior(x);
    let kl = 0;
    for (let r = 0; r < x.rows; r++) for (let j = 0; j < Z; j++) kl += gaussianKl(p.data[r * 2 * Z + j], p.data[r * 2 * Z + Z + j]);
    let logLikelihood = 0;
    this.drawAndDecode(x, p, 1, options, (_row, terms) => {
      logLikelihood += terms.logPxz;
    });
    return (logLikelihood - kl) / x.rows;
  }

  /**
   * Burda et al.'s importance-weighted estimate of log p(x) per row, averaged over the rows, in
   * nats: log (1/k) Σ_i p(x | z_i) p(z_i) / q(z_i | x), z_i ~ q(z | x), by a running
   * log-sum-exp over the k samples, so memory does not grow with k.
   */
  importanceWeightedLogLikelihood(x: Tensor, options: EstimateOptions & { k?: number } = {}): number {
    this.checkRows(x, "importanceWeightedLogLikelihood", this.inputSize);
    const k = options.k ?? 5000;
    if (!Number.isInteger(k) || k < 1) throw new RangeError(`VAE.importanceWeightedLogLikelihood: k (samples per row) must be an integer >= 1; got ${k}`);
    const max = new Float64Array(x.rows).fill(Number.NEGATIVE_INFINITY);
    const sum = new Float64Array(x.rows);
    this.drawAndDecode(x, this.posterior(x), k, options, (row, t) => {
      const logW = t.logPxz + t.logPz - t.logQz;
      // running log-sum-exp: keep the largest term as the reference
      if (logW > max[row]) {
        sum[row] = sum[row] * Math.exp(max[row] - logW) + 1;
        max[row] = logW;
      } else sum[row] += Math.exp(logW - max[row]);
    });
    let total = 0;
    for (let r = 0; r < x.rows; r++) total += max[r] + Math.log(sum[r]) - Math.log(k);
    return total / x.rows;
  }

  /**
   * For each row of x and each of k draws z = μ + σ ε from its posterior p ([μ, log σ²] rows),
   * calls visit with log p(x | z), log p(z) and log q(z | x). Draws of several rows share one
   * decoder pass of at most batchSize rows (a row's k draws split over passes when k is larger).
   */
  private drawAndDecode(
    x: Tensor,
    p: Tensor,
    k: number,
    options: EstimateOptions,
    visit: (row: number, terms: { logPxz: number; logPz: number; logQz: number }) => void,
  ): void {
    const batchSize = options.batchSize ?? 1000;
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`VAE: batchSize must be an integer >= 1; got ${batchSize}`);
    const rng = rngFrom(options.seed ?? 0);
    const Z = this.latentSize;
    const D = this.inputSize;
    const likelihood = this.decoder[this.decoder.length - 1] as Dense;
    const perPass = Math.min(k, batchSize); // draws of one row in one pass
    const rowsPerPass = Math.max(1, Math.floor(batchSize / perPass));
    const eps = new Float32Array(rowsPerPass * perPass * Z);
    const logPz = new Float64Array(rowsPerPass * perPass);
    const logQz = new Float64Array(rowsPerPass * perPass);
    for (let r0 = 0; r0 < x.rows; r0 += rowsPerPass) {
      const rows = Math.min(rowsPerPass, x.rows - r0);
      for (let s0 = 0; s0 < k; s0 += perPass) {
        const draws = Math.min(perPass, k - s0);
        const z = zeros([rows * draws, Z]);
        fillNormal(eps.subarray(0, rows * draws * Z), rng);
        for (let r = 0; r < rows; r++) {
          const pOffset = (r0 + r) * 2 * Z;
          for (let s = 0; s < draws; s++) {
            const m = r * draws + s;
            let pz = 0;
            let qz = 0;
            for (let j = 0; j < Z; j++) {
              const e = eps[m * Z + j];
              const logVar = p.data[pOffset + Z + j];
              const zj = p.data[pOffset + j] + Math.exp(0.5 * logVar) * e;
              z.data[m * Z + j] = zj;
              pz -= 0.5 * (zj * zj + LOG_2PI);
              qz -= 0.5 * (e * e + logVar + LOG_2PI);
            }
            logPz[m] = pz;
            logQz[m] = qz;
          }
        }
        let h = z;
        for (const layer of this.decoder) h = layer.forward(h, false);
        const logits = likelihood.preActivation().data;
        for (let r = 0; r < rows; r++) {
          for (let s = 0; s < draws; s++) {
            const m = r * draws + s;
            visit(r0 + r, { logPxz: logBernoulli(x.data, (r0 + r) * D, logits, m * D, D), logPz: logPz[m], logQz: logQz[m] });
          }
        }
      }
    }
  }

  /** Writes model.json + model.safetensors: the Sequential's saved form, tagged VAE with its options. */
  async save(dir: string, options: SaveOptions = {}): Promise<void> {
    await saveModel({ toSaved: () => this.toSaved(options) }, dir, options.training);
  }

  toSaved(options: SaveOptions = {}): ReturnType<Sequential["toSaved"]> {
    const saved = this.model.toSaved(options);
    return { ...saved, className: "VAE", config: { ...saved.config, vae: { ...this.options } } };
  }

  static fromSaved(saved: SavedModelReader): VAE {
    const o = saved.options<VAEOptions>("vae", "the VAE's options");
    const model = Sequential.fromSaved(saved);
    return saved.build(() => new VAE(o, model));
  }

  private checkRows(x: Tensor, what: string, width: number): void {
    if (x.rank !== 2 || x.shape[1] !== width) throw new ShapeError(`VAE.${what}: expected [rows, ${width}]; got ${formatShape(x.shape)}`);
  }
}

registerModel("VAE", VAE.fromSaved);
