/**
 * The reparameterisation trick of the variational autoencoder (Kingma & Welling 2014): the
 * encoder outputs the parameters of q(z | x) = N(μ, diag σ²) as one row [μ, log σ²] of 2·Nz
 * numbers, and this layer draws
 *   z = μ + σ ⊙ ε,   σ = exp(½ log σ²),   ε ~ N(0, I) drawn afresh for every training forward,
 * so z is a differentiable function of μ and log σ² (the noise sits outside the network). At
 * inference z = μ. It also adds the analytic KL(q(z | x) ‖ N(0, I)) to the training loss
 * (Layer.penalty), averaged over the n rows of the batch like the loss:
 *   KL = −½ Σ_j (1 + log σ²_j − μ_j² − σ²_j)
 *   dKL/dμ_j = μ_j / n,   dKL/d log σ²_j = ½ (σ²_j − 1) / n
 * and backward returns dL/dμ = dL/dz + dKL/dμ, dL/d log σ² = dL/dz ⊙ ½ σ ⊙ ε + dKL/d log σ².
 */
import { Rng } from "../tensor/random.js";
import type { Shape } from "../tensor/shape.js";
import { formatShape, ShapeError } from "../tensor/shape.js";
import { fillNormal, type Tensor } from "../tensor/tensor.js";
import { BatchBuffers } from "./buffers.js";
import type { Layer, LayerConfig, Param } from "./layer.js";
import { configValue, isNumber, isString, registerLayer } from "./registry.js";

export interface ReparameterizeOptions {
  /** Seed of the ε stream; by default the model's seed decides. */
  seed?: number;
  name?: string;
}

/** KL(N(μ, σ²) ‖ N(0, 1)) of one coordinate, from μ and log σ². */
export function gaussianKl(mu: number, logVar: number): number {
  return -0.5 * (1 + logVar - mu * mu - Math.exp(logVar));
}

export class Reparameterize implements Layer {
  name: string;
  readonly seed?: number;
  /** Nz: the layer takes [batch, 2·Nz] and gives [batch, Nz]. */
  latent = 0;
  /**
   * Keep ε of the previous training forward of the same batch size instead of drawing a new one
   * (for gradient checks, which re-run forward many times at fixed noise).
   */
  fixedNoise = false;
  private rng: Rng | null = null;
  private readonly buffers = new BatchBuffers();
  /** ε of the last training forward, or null after an inference forward (z = μ). */
  private epsilon: Tensor | null = null;
  private x: Tensor | null = null;
  private penaltyValue = 0;

  constructor(options: ReparameterizeOptions = {}) {
    this.seed = options.seed;
    this.name = options.name ?? "";
  }

  build(inputShape: Shape, rng: Rng): Shape {
    if (inputShape.length !== 1 || inputShape[0] % 2 !== 0 || inputShape[0] < 2)
      throw new ShapeError(`Reparameterize ${this.name}: input shape must be [2·Nz] (μ then log σ²); got ${formatShape(inputShape)}`);
    this.latent = inputShape[0] / 2;
    this.rng = this.seed !== undefined ? new Rng(this.seed) : rng.fork();
    this.buffers.clear();
    return [this.latent];
  }

  randomState(): Uint32Array | null {
    return this.rng?.state ?? null;
  }

  forward(x: Tensor, training: boolean): Tensor {
    const Z = this.latent;
    if (x.rank !== 2 || x.shape[1] !== 2 * Z)
      throw new ShapeError(`Reparameterize ${this.name}: expected input [batch, ${2 * Z}]; got ${formatShape(x.shape)}`);
    const n = x.rows;
    const xd = x.data;
    const z = this.buffers.get("z", [n, Z]);
    const previous = this.epsilon;
    this.epsilon = null;
    if (training) {
      const eps = this.buffers.get("epsilon", [n, Z]);
      if (!(this.fixedNoise && previous === eps)) fillNormal(eps.data, (this.rng ??= new Rng(this.seed ?? 0)));
      this.epsilon = eps;
    }
    let kl = 0;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < Z; j++) {
        const mu = xd[i * 2 * Z + j];
        const logVar = xd[i * 2 * Z + Z + j];
        kl += gaussianKl(mu, logVar);
        z.data[i * Z + j] = this.epsilon === null ? mu : mu + Math.exp(0.5 * logVar) * this.epsilon.data[i * Z + j];
      }
    }
    this.penaltyValue = kl / n;
    this.x = x;
    return z;
  }

  /** The batch mean of KL(q(z | x) ‖ p(z)) for the last forward. */
  penalty(): number {
    return this.penaltyValue;
  }

  backward(dy: Tensor, _needInputGrad = true): Tensor {
    if (this.x === null) throw new Error(`Reparameterize ${this.name}: backward called before forward`);
    const Z = this.latent;
    const n = dy.rows;
    const xd = this.x.data;
    const dx = this.buffers.get("dx", [n, 2 * Z]);
    const eps = this.epsilon;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < Z; j++) {
        const mu = xd[i * 2 * Z + j];
        const logVar = xd[i * 2 * Z + Z + j];
        const g = dy.data[i * Z + j];
        const variance = Math.exp(logVar);
        dx.data[i * 2 * Z + j] = g + mu / n;
        const throughZ = eps === null ? 0 : g * 0.5 * Math.sqrt(variance) * eps.data[i * Z + j];
        dx.data[i * 2 * Z + Z + j] = throughZ + (0.5 * (variance - 1)) / n;
      }
    }
    return dx;
  }

  params(): Param[] {
    return [];
  }

  config(): LayerConfig {
    const c: LayerConfig = { className: "Reparameterize", name: this.name };
    if (this.seed !== undefined) c.seed = this.seed;
    return c;
  }
}

registerLayer("Reparameterize", (c) => {
  return new Reparameterize({ seed: configValue(c, "seed", isNumber, "an integer"), name: configValue(c, "name", isString, "a string") });
});
