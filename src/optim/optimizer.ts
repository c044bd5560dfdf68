/**
 * The optimiser contract and what all optimisers share: L2 weight decay and L1 added to the
 * gradient of regularised params (weights, not biases), clipping by the global gradient norm
 * and by value (the exploding gradients of recurrent nets), and the learning-rate schedule. Subclasses write only their update rule, with ops on
 * per-param state tensors allocated on first use (nothing is allocated per step afterwards).
 */
import type { Param } from "../nn/layer.js";
import * as ops from "../ops/index.js";
import { type Tensor, zeros, zerosLike } from "../tensor/tensor.js";
import { assertSchedule, type Schedule, type ScheduleSpec, scheduledRate } from "./schedules.js";

export interface OptimizerOptions {
  learningRate?: number;
  /** L2 penalty λ: adds λw to dL/dw (the loss ½λ‖w‖²; not included in the reported loss). */
  weightDecay?: number;
  /** L1 penalty λ: adds λ sign(w) to dL/dw. */
  l1?: number;
  /** Rescales all gradients together when their global L2 norm exceeds this. */
  clipNorm?: number;
  /** Clips each gradient component to [−clipValue, clipValue] (after clipNorm, as Keras does). */
  clipValue?: number;
  /** Learning rate per epoch; see schedules.ts. */
  schedule?: Schedule;
}

/** A JSON description of an optimiser (a function schedule is saved as null). */
export interface OptimizerConfig {
  className: string;
  learningRate: number;
  weightDecay: number;
  l1: number;
  clipNorm: number | null;
  /** Present only when set, so configs saved before it existed read the same. */
  clipValue?: number;
  schedule: ScheduleSpec | null;
  [option: string]: unknown;
}

export interface Optimizer {
  readonly className: string;
  /** The rate used by the next step (the initial rate moved by the schedule). */
  readonly learningRate: number;
  /** Called by fit at the start of each epoch (0-based) to apply the schedule. */
  setEpoch(epoch: number): void;
  /** One update of every trainable param from its grad. */
  step(params: readonly Param[]): void;
  config(): OptimizerConfig;
  /** Steps taken so far, where the rule depends on it (Adam's bias correction). */
  iterations?: number;
  /**
   * The per-param state of the params stepped so far (velocity, moments), each slot named
   * "<param name>.<slot>" after the names given; absent where nothing is kept between batches.
   */
  slotTensors?(params: readonly (readonly [string, Param])[]): [string, Tensor][];
  /** Puts saved slots back before the next step: get(name, shape) returns them or undefined when absent. */
  restoreSlots?(params: readonly (readonly [string, Param])[], get: (name: string, shape: readonly number[]) => Float32Array | undefined): void;
}

/** Per-param state: named slots (velocity, moments) and a scratch tensor of the param's shape. */
interface ParamState {
  slots: Tensor[];
  scratch: Tensor;
  /** The param and its grad viewed as a row and a column, for the squared norm ‖g‖² = g gᵀ. */
  gRow: Tensor;
  gCol: Tensor;
}

export function assertPositive(value: number, option: string, where: string, allowZero = false): number {
  if (!Number.isFinite(value) || value < 0 || (!allowZero && value === 0)) {
    throw new RangeError(`${where}: ${option} must be a number ${allowZero ? ">= 0" : "> 0"}; got ${value}`);
  }
  return value;
}

export function assertFraction(value: number, option: string, where: string): number {
  if (!(value >= 0 && value < 1)) throw new RangeError(`${where}: ${option} must be in [0, 1); got ${value}`);
  return value;
}

export abstract class BaseOptimizer implements Optimizer {
  abstract readonly className: string;
  readonly initialLearningRate: number;
  readonly weightDecay: number;
  readonly l1: number;
  readonly clipNorm: number | null;
  readonly clipValue: number | null;
  readonly schedule: Schedule | null;
  learningRate: number;
  /** Steps taken (Adam's bias correction counts them). */
  iterations = 0;
  private readonly state = new Map<Param, ParamState>();
  private readonly normOut = zeros([1, 1]);

  constructor(options: OptimizerOptions, defaultLearningRate: number, where: string) {
    this.initialLearningRate = assertPositive(options.learningRate ?? defaultLearningRate, "learningRate", where);
    this.learningRate = this.initialLearningRate;
    this.weightDecay = assertPositive(options.weightDecay ?? 0, "weightDecay", where, true);
    this.l1 = assertPositive(options.l1 ?? 0, "l1", where, true);
    this.clipNorm = options.clipNorm === undefined ? null : assertPositive(options.clipNorm, "clipNorm", where);
    this.clipValue = options.clipValue === undefined ? null : assertPositive(options.clipValue, "clipValue", where);
    this.schedule = options.schedule === undefined ? null : assertSchedule(options.schedule, where);
  }

  setEpoch(epoch: number): void {
    if (this.schedule !== null) this.learningRate = scheduledRate(this.schedule, epoch, this.initialLearningRate);
  }

  step(params: readonly Param[]): void {
    this.iterations++;
    let scaleGrads = 1;
    if (this.clipNorm !== null) {
      let sq = 0;
      for (const p of params) if (p.trainable) sq += this.squaredNorm(p);
      const norm = Math.sqrt(sq);
      if (norm > this.clipNorm) scaleGrads = this.clipNorm / norm;
    }
    for (const p of params) {
      if (!p.trainable) continue;
      const s = this.stateOf(p);
      if (scaleGrads !== 1) ops.scale(p.grad, scaleGrads, p.grad);
      if (this.clipValue !== null) {
        ops.scalarOp("min", p.grad, this.clipValue, p.grad);
        ops.scalarOp("max", p.grad, -this.clipValue, p.grad);
      }
      if (p.regularize && this.weightDecay > 0) ops.axpby(this.weightDecay, p.value, 1, p.grad);
      if (p.regularize && this.l1 > 0) {
        ops.unary("sign", p.value, s.scratch);
        ops.axpby(this.l1, s.scratch, 1, p.grad);
      }
      this.update(p.value, p.grad, s.slots, s.scratch);
    }
  }

  /** The rule: w ← w − (something of g and the slots). scratch is free for temporaries. */
  protected abstract update(w: Tensor, g: Tensor, slots: Tensor[], scratch: Tensor): void;
  /** Names of the state tensors of the param's shape that the rule keeps (velocity, moments). */
  protected abstract readonly slotNames: readonly string[];
  protected abstract extraConfig(): Record<string, unknown>;

  config(): OptimizerConfig {
    return {
      className: this.className,
      learningRate: this.initialLearningRate,
      weightDecay: this.weightDecay,
      l1: this.l1,
      clipNorm: this.clipNorm,
      ...(this.clipValue === null ? {} : { clipValue: this.clipValue }),
      schedule: this.schedule === null || typeof this.schedule === "function" ? null : this.schedule,
      ...this.extraConfig(),
    };
  }

  slotTensors(params: readonly (readonly [string, Param])[]): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [name, p] of params) {
      const s = this.state.get(p);
      if (s === undefined) continue;
      for (const [i, slot] of s.slots.entries()) out.push([`${name}.${this.slotNames[i]}`, slot]);
    }
    return out;
  }

  restoreSlots(params: readonly (readonly [string, Param])[], get: (name: string, shape: readonly number[]) => Float32Array | undefined): void {
    for (const [name, p] of params) {
      const saved = this.slotNames.map((slot) => get(`${name}.${slot}`, p.value.shape));
      if (saved.some((d) => d === undefined)) continue; // never stepped: its slots start fresh
      for (const [i, slot] of this.stateOf(p).slots.entries()) slot.data.set(saved[i] as Float32Array);
    }
  }

  /** Fresh slots for a param: zeros (Adagrad starts its accumulator elsewhere). */
  protected newSlot(like: Tensor): Tensor {
    return zerosLike(like);
  }

  private squaredNorm(p: Param): number {
    const s = this.stateOf(p);
    return ops.matmul(s.gRow, s.gCol, { out: this.normOut }).data[0];
  }

  private stateOf(p: Param): ParamState {
    let s = this.state.get(p);
    if (s === undefined) {
      s = {
        slots: this.slotNames.map(() => this.newSlot(p.value)),
        scratch: zerosLike(p.value),
        gRow: p.grad.reshape(1, -1),
        gCol: p.grad.reshape(-1, 1),
      };
      this.state.set(p, s);
    }
    return s;
  }
}
