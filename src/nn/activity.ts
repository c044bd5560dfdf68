/**
 * Activity penalties: identity layers placed after a hidden activation a (values in (0, 1)
 * for the KL form) that add a term to the training loss (Layer.penalty) and its derivative to
 * the deltas that pass through them on the way down.
 *
 * SparsityKL (the sparse autoencoder of the lecture), over a batch of n rows:
 *   ρ̂_j = 1/n Σ_i a_ij                          the average activation of hidden unit j
 *   P   = β Σ_j KL(ρ ‖ ρ̂_j),  KL(ρ ‖ ρ̂) = ρ log(ρ/ρ̂) + (1 − ρ) log((1 − ρ)/(1 − ρ̂))
 *   dP/da_ij = β(−ρ/ρ̂_j + (1 − ρ)/(1 − ρ̂_j)) / n   (the lecture's per-example term; the loss is a batch mean)
 * With momentum m > 0, ρ̂ is a running average across batches, ρ̂ ← m ρ̂_old + (1 − m) ρ̂_batch,
 * so only the share (1 − m) flows back into this batch. The running ρ̂ is an untrained param,
 * saved with the model so a resumed fit continues it.
 *
 * ActivityL1: P = λ/n Σ_ij |a_ij|, dP/da_ij = λ sign(a_ij)/n.
 */
import type { Rng } from "../tensor/random.js";
import type { Shape } from "../tensor/shape.js";
import { formatShape, ShapeError } from "../tensor/shape.js";
import { full, type Tensor } from "../tensor/tensor.js";
import { BatchBuffers } from "./buffers.js";
import type { Layer, LayerConfig, Param } from "./layer.js";
import { makeParam } from "./param.js";
import { configValue, isNumber, isString, registerLayer } from "./registry.js";

/** ρ̂ is kept inside [ε, 1 − ε] so log and 1/ρ̂ stay finite. */
const EPSILON = 1e-7;

function assertInRange(value: number, lo: number, hi: number, closed: boolean, what: string): number {
  const ok = closed ? value >= lo && value <= hi : value > lo && value < hi;
  if (typeof value !== "number" || !ok) throw new RangeError(`${what} must be in ${closed ? "[" : "("}${lo}, ${hi}${closed ? "]" : ")"}; got ${value}`);
  return value;
}

function assertWeight(value: number, what: string): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) throw new RangeError(`${what} must be a finite number >= 0; got ${value}`);
  return value;
}

function assertFeatures(where: string, x: Tensor, units: number): void {
  if (x.rank !== 2 || x.shape[1] !== units) throw new ShapeError(`${where}: expected input [batch, ${units}]; got ${formatShape(x.shape)}`);
}

export interface SparsityKLOptions {
  /** ρ, the target average activation, in (0, 1). Default 0.05. */
  target?: number;
  /** β, the weight of the penalty, >= 0. Default 3. */
  weight?: number;
  /** m in [0, 1): 0 uses each batch's own ρ̂; above, a running average across batches. Default 0. */
  momentum?: number;
  name?: string;
}

export class SparsityKL implements Layer {
  name: string;
  readonly target: number;
  readonly weight: number;
  readonly momentum: number;
  /** The running ρ̂ (only with momentum > 0): untrained, saved. */
  running: Param | null = null;
  private units = 0;
  /** ρ̂ of the last forward. */
  private rho = new Float64Array(0);
  private readonly buffers = new BatchBuffers();
  private penaltyValue = 0;
  private x: Tensor | null = null;
  private share = 1;

  constructor(options: SparsityKLOptions = {}) {
    this.target = assertInRange(options.target ?? 0.05, 0, 1, false, "SparsityKL: target (the sparsity target ρ)");
    this.weight = assertWeight(options.weight ?? 3, "SparsityKL: weight (β)");
    this.momentum = assertInRange(options.momentum ?? 0, 0, 1, true, "SparsityKL: momentum");
    if (this.momentum === 1) throw new RangeError("SparsityKL: momentum must be in [0, 1); got 1");
    this.name = options.name ?? "";
  }

  build(inputShape: Shape, _rng: Rng): Shape {
    if (inputShape.length !== 1) throw new ShapeError(`SparsityKL ${this.name}: input shape must be [units]; got ${formatShape(inputShape)}`);
    this.units = inputShape[0];
    this.rho = new Float64Array(this.units);
    // the running average starts at the target, so the first batches are not over-penalised
    this.running = this.momentum > 0 ? { ...makeParam("rhoHat", full([this.units], this.target), false), trainable: false } : null;
    return [this.units];
  }

  /** ρ̂ of the last forward (the running one when momentum > 0 and training). */
  averageActivation(): Float64Array {
    return this.rho;
  }

  forward(x: Tensor, training: boolean): Tensor {
    assertFeatures(`SparsityKL ${this.name}`, x, this.units);
    const n = x.rows;
    const U = this.units;
    this.rho.fill(0);
    for (let i = 0; i < n; i++) for (let j = 0; j < U; j++) this.rho[j] += x.data[i * U + j];
    for (let j = 0; j < U; j++) this.rho[j] /= n;
    this.share = 1;
    if (this.running !== null && training) this.blendRunning();
    const r = this.target;
    let kl = 0;
    for (let j = 0; j < U; j++) {
      const q = Math.min(Math.max(this.rho[j], EPSILON), 1 - EPSILON);
      kl += r * Math.log(r / q) + (1 - r) * Math.log((1 - r) / (1 - q));
    }
    this.penaltyValue = this.weight * kl;
    this.x = x;
    return x;
  }

  /** ρ̂ ← m ρ̂_old + (1 − m) ρ̂_batch, kept in the param. */
  private blendRunning(): void {
    const saved = (this.running as Param).value.data;
    const m = this.momentum;
    for (let j = 0; j < this.units; j++) {
      this.rho[j] = m * saved[j] + (1 - m) * this.rho[j];
      saved[j] = this.rho[j];
    }
    this.share = 1 - m;
  }

  penalty(): number {
    return this.penaltyValue;
  }

  backward(dy: Tensor, _needInputGrad = true): Tensor {
    if (this.x === null) throw new Error(`SparsityKL ${this.name}: backward called before forward`);
    const n = dy.rows;
    const U = this.units;
    const r = this.target;
    const dx = this.buffers.get("dx", dy.shape);
    const scale = (this.weight * this.share) / n;
    for (let j = 0; j < U; j++) {
      const q = Math.min(Math.max(this.rho[j], EPSILON), 1 - EPSILON);
      const g = scale * (-r / q + (1 - r) / (1 - q));
      for (let i = 0; i < n; i++) dx.data[i * U + j] = dy.data[i * U + j] + g;
    }
    return dx;
  }

  params(): Param[] {
    return this.running === null ? [] : [this.running];
  }

  config(): LayerConfig {
    return { className: "SparsityKL", name: this.name, target: this.target, weight: this.weight, momentum: this.momentum };
  }
}

export interface ActivityL1Options {
  /** λ, the weight of the penalty, >= 0. Default 1e-3. */
  weight?: number;
  name?: string;
}

export class ActivityL1 implements Layer {
  name: string;
  readonly weight: number;
  private units = 0;
  private penaltyValue = 0;
  private x: Tensor | null = null;
  private readonly buffers = new BatchBuffers();

  constructor(options: ActivityL1Options = {}) {
    this.weight = assertWeight(options.weight ?? 1e-3, "ActivityL1: weight (λ)");
    this.name = options.name ?? "";
  }

  build(inputShape: Shape, _rng: Rng): Shape {
    if (inputShape.length !== 1) throw new ShapeError(`ActivityL1 ${this.name}: input shape must be [units]; got ${formatShape(inputShape)}`);
    this.units = inputShape[0];
    return [this.units];
  }

  forward(x: Tensor, _training: boolean): Tensor {
    assertFeatures(`ActivityL1 ${this.name}`, x, this.units);
    let s = 0;
    for (let i = 0; i < x.size; i++) s += Math.abs(x.data[i]);
    this.penaltyValue = (this.weight * s) / x.rows;
    this.x = x;
    return x;
  }

  penalty(): number {
    return this.penaltyValue;
  }

  backward(dy: Tensor, _needInputGrad = true): Tensor {
    if (this.x === null) throw new Error(`ActivityL1 ${this.name}: backward called before forward`);
    const g = this.weight / dy.rows;
    const dx = this.buffers.get("dx", dy.shape);
    for (let i = 0; i < dy.size; i++) dx.data[i] = dy.data[i] + g * Math.sign(this.x.data[i]);
    return dx;
  }

  params(): Param[] {
    return [];
  }

  config(): LayerConfig {
    return { className: "ActivityL1", name: this.name, weight: this.weight };
  }
}

registerLayer("SparsityKL", (c) => {
  return new SparsityKL({
    target: configValue(c, "target", isNumber, "a number in (0, 1)"),
    weight: configValue(c, "weight", isNumber, "a number >= 0"),
    momentum: configValue(c, "momentum", isNumber, "a number in [0, 1)"),
    name: configValue(c, "name", isString, "a string"),
  });
});

registerLayer("ActivityL1", (c) => {
  return new ActivityL1({ weight: configValue(c, "weight", isNumber, "a number >= 0"), name: configValue(c, "name", isString, "a string") });
});
