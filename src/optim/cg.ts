/**
 * Nonlinear conjugate gradients on each mini-batch: the fine-tuning of Hinton & Salakhutdinov
 * (2006) and of Salakhutdinov & Hinton's DBM (2009), whose backprop.m runs Rasmussen's
 * minimize.m for 3 line searches on every batch of 1,000 images.
 *
 * Each call of `minimize` starts from steepest descent on the batch's loss f(w), then moves
 * along Polak-Ribière directions s ← −g + β s, β = max(0, gᵀ(g − g_prev) / g_prevᵀg_prev).
 * Each line search finds a step a with the strong Wolfe conditions
 *   f(w + a s) ≤ f(w) + c1 a gᵀs   and   |g(w + a s)ᵀs| ≤ c2 |gᵀs|
 * by extrapolation and then cubic interpolation inside the bracket (Nocedal & Wright,
 * algorithms 3.5 and 3.6); c1 = 0.01 and c2 = 0.5 as in minimize.m, which asks for a loose
 * line search because the direction changes after it anyway. The first step of a search is
 * 1 / (1 + |g|) and later ones the previous step times the ratio of the slopes (at most 100).
 * The loss never rises: a search that finds no decrease within its evaluations leaves the
 * weights where they were.
 *
 * The batch's loss must be the same function at every evaluation, so the model must not
 * use dropout while training with it. There is no learning rate; weightDecay adds ½λ‖w‖²
 * over the regularised params to the loss the line search sees (and λw to its gradient).
 */
import type { Param } from "../nn/layer.js";
import * as ops from "../ops/index.js";
import { type Tensor, zerosLike } from "../tensor/tensor.js";
import type { Optimizer, OptimizerConfig } from "./optimizer.js";
import { assertPositive } from "./optimizer.js";

export interface ConjugateGradientOptions {
  /** Line searches per batch (minimize.m's length; backprop.m: 3). */
  lineSearches?: number;
  /** Loss evaluations allowed in one line search (minimize.m: 20). */
  maxEvaluations?: number;
  /** L2 penalty λ on the regularised params, part of the loss the search minimises. */
  weightDecay?: number;
}

/** An optimiser that re-evaluates the batch itself: fit calls minimize instead of step. */
export interface BatchMinimizer extends Optimizer {
  /**
   * Moves the params to lower the loss of one batch. evaluate() computes that loss at the
   * params' current values and leaves its gradient in their grads. Returns the final loss.
   */
  minimize(params: readonly Param[], evaluate: () => number): number;
}

export function isBatchMinimizer(o: Optimizer): o is BatchMinimizer {
  return typeof (o as Partial<BatchMinimizer>).minimize === "function";
}

const C1 = 0.01;
const C2 = 0.5;
/** Extrapolate at most this many times the last step (minimize.m's EXT). */
const EXTRAPOLATE = 3;
/** Stay this fraction of the bracket away from its ends (minimize.m's INT). */
const INSIDE = 0.1;
/** The next search's first step is at most this many times the last one (minimize.m's RATIO). */
const RATIO = 100;

interface Point {
  a: number;
  f: number;
  /** The slope gᵀs at a. */
  d: number;
}

interface State {
  /** The weights where the line search started. */
  w0: Tensor;
  /** The search direction. */
  s: Tensor;
  /** The gradient at the start of the search. */
  g0: Tensor;
  /** The gradient at the best point of the bracket, should the search end there. */
  gBest: Tensor;
}

export class ConjugateGradient implements BatchMinimizer {
  readonly className = "ConjugateGradient";
  /** No learning rate: the line search chooses every step. */
  readonly learningRate = 0;
  readonly lineSearches: number;
  readonly maxEvaluations: number;
  readonly weightDecay: number;
  /** Loss evaluations in the last minimize call. */
  evaluations = 0;
  /** evaluations when the current line search began. */
  private searchStart = 0;
  private readonly state = new Map<Param, State>();
  private params: readonly Param[] = [];
  private evaluate: () => number = () => Number.NaN;

  constructor(options: ConjugateGradientOptions = {}) {
    const where = "ConjugateGradient";
    this.lineSearches = assertPositive(options.lineSearches ?? 3, "lineSearches", where);
    this.maxEvaluations = assertPositive(options.maxEvaluations ?? 20, "maxEvaluations", where);
    if (!Number.isInteger(this.lineSearches)) throw new RangeError(`${where}: lineSearches must be an integer >= 1; got ${this.lineSearches}`);
    if (!Number.isInteger(this.maxEvaluations)) throw new RangeError(`${where}: maxEvaluations must be an integer >= 1; got ${this.maxEvaluations}`);
    this.weightDecay = assertPositive(options.weightDecay ?? 0, "weightDecay", where, true);
  }

  setEpoch(): void {}

  step(): void {
    throw new Error("ConjugateGradient: step() has no loss to search along; train with model.fit, which calls minimize(params, evaluate)");
  }

  minimize(params: readonly Param[], evaluate: () => number): number {
    this.params = params.filter((p) => p.trainable);
    this.evaluate = evaluate;
    this.evaluations = 0;
    let f0 = this.objective();
    if (!Number.isFinite(f0)) return f0;
    this.forEachState((p, s) => s.g0.assign(p.grad));
    let d0 = this.steepestDescent();
    let a = 1 / (1 - d0);
    let steepest = true;
    for (let k = 0; k < this.lineSearches && d0 < 0; k++) {
      this.forEachState((p, s) => s.w0.assign(p.value));
      const found = this.lineSearch(f0, d0, a);
      if (found === null) {
        // no decrease along s: back to the start, and once more along −g unless s was −g
        this.forEachState((p, s) => {
          p.value.assign(s.w0);
          p.grad.assign(s.g0);
        });
        if (steepest) break;
        d0 = this.steepestDescent();
        a = 1 / (1 - d0);
        steepest = true;
        continue;
      }
      // Polak-Ribière: β = gᵀ(g − g0) / g0ᵀg0, restarted (β = 0) when negative
      const gg = this.dot("grad", "grad");
      const beta = Math.max(0, (gg - this.dot("grad", "g0")) / this.dot("g0", "g0"));
      this.forEachState((p, s) => {
        ops.axpby(-1, p.grad, beta, s.s);
        s.g0.assign(p.grad);
      });
      steepest = beta === 0;
      let d1 = this.dot("g0", "s");
      if (!(d1 < 0)) {
        d1 = this.steepestDescent();
        steepest = true;
      }
      a = found.a * Math.min(RATIO, d0 / (d1 - Number.MIN_VALUE));
      d0 = d1;
      f0 = found.f;
    }
    return f0;
  }

  config(): OptimizerConfig {
    return {
      className: this.className,
      learningRate: 0,
      weightDecay: this.weightDecay,
      l1: 0,
      clipNorm: null,
      schedule: null,
      lineSearches: this.lineSearches,
      maxEvaluations: this.maxEvaluations,
    };
  }

  /**
   * Strong-Wolfe search along s from w0 (loss f0, slope d0 < 0), first trying step a. Leaves
   * the params at the accepted point with its gradient, or returns null (params undefined).
   */
  private lineSearch(f0: number, d0: number, a: number): Point | null {
    let prev: Point = { a: 0, f: f0, d: d0 };
    let step = a;
    this.searchStart = this.evaluations;
    while (this.budgetLeft()) {
      const p = this.at(step);
      if (!sufficientDecrease(p, f0, d0) || (prev.a > 0 && p.f >= prev.f)) return this.zoom(f0, d0, prev, p);
      if (Math.abs(p.d) <= -C2 * d0) return p;
      this.keepBest();
      if (p.d >= 0) return this.zoom(f0, d0, p, prev);
      // still going down: extrapolate by the cubic through prev and p, within [1 + INSIDE, 1 + EXT] steps
      const width = p.a - prev.a;
      step = clampOr(cubicMinimum(prev, p), p.a + INSIDE * width, p.a + EXTRAPOLATE * width);
      prev = p;
    }
    return this.bestOf(prev);
  }

  /**
   * Nocedal & Wright's zoom: lo has sufficient decrease and the lowest loss so far, and the
   * interval between lo and hi holds a Wolfe point. When lo is not the start its gradient
   * is in gBest.
   */
  private zoom(f0: number, d0: number, lo: Point, hi: Point): Point | null {
    while (this.budgetLeft()) {
      const left = Math.min(lo.a, hi.a);
      const width = Math.abs(hi.a - lo.a);
      const guess = Number.isFinite(hi.f) ? cubicMinimum(lo, hi) : Number.NaN;
      const p = this.at(clampOr(guess, left + INSIDE * width, left + (1 - INSIDE) * width));
      if (!sufficientDecrease(p, f0, d0) || p.f >= lo.f) {
        hi = p;
        continue;
      }
      if (Math.abs(p.d) <= -C2 * d0) return p;
      this.keepBest();
      if (p.d * (hi.a - lo.a) >= 0) hi = lo;
      lo = p;
    }
    return this.bestOf(lo);
  }

  /** Out of evaluations: the best point found, if it lowered the loss (a > 0), with its gradient. */
  private bestOf(best: Point): Point | null {
    if (best.a === 0) return null;
    this.forEachState((p, s) => {
      p.value.assign(s.w0);
      ops.axpby(best.a, s.s, 1, p.value);
      p.grad.assign(s.gBest);
    });
    return best;
  }

  /** s = −g0; returns the slope g0ᵀs = −‖g0‖². */
  private steepestDescent(): number {
    this.forEachState((_, s) => ops.scale(s.g0, -1, s.s));
    return -this.dot("g0", "g0");
  }

  private forEachState(f: (p: Param, s: State) => void): void {
    for (const p of this.params) f(p, this.stateOf(p));
  }

  private budgetLeft(): boolean {
    return this.evaluations - this.searchStart < this.maxEvaluations;
  }

  private keepBest(): void {
    this.forEachState((p, s) => s.gBest.assign(p.grad));
  }

  /** The params at w0 + a s: loss and slope gᵀs. */
  private at(a: number): Point {
    this.forEachState((p, s) => {
      p.value.assign(s.w0);
      ops.axpby(a, s.s, 1, p.value);
    });
    const f = this.objective();
    return { a, f, d: Number.isFinite(f) ? this.dot("grad", "s") : Number.NaN };
  }

  /** The batch loss plus ½λ‖w‖², gradients in the params' grads. */
  private objective(): number {
    this.evaluations++;
    let f = this.evaluate();
    if (this.weightDecay > 0) {
      for (const p of this.params) {
        if (!p.regularize) continue;
        f += 0.5 * this.weightDecay * dotTensors(p.value, p.value);
        ops.axpby(this.weightDecay, p.value, 1, p.grad);
      }
    }
    return f;
  }

  private dot(x: "grad" | "g0" | "s", y: "grad" | "g0" | "s"): number {
    const pick = (p: Param, k: typeof x): Tensor => (k === "grad" ? p.grad : this.stateOf(p)[k]);
    let sum = 0;
    for (const p of this.params) sum += dotTensors(pick(p, x), pick(p, y));
    return sum;
  }

  private stateOf(p: Param): State {
    let s = this.state.get(p);
    if (s === undefined) {
      s = { w0: zerosLike(p.value), s: zerosLike(p.value), g0: zerosLike(p.value), gBest: zerosLike(p.value) };
      this.state.set(p, s);
    }
    return s;
  }
}

/** The first Wolfe condition (Armijo): f(a) ≤ f(0) + c1 a f'(0). */
function sufficientDecrease(p: Point, f0: number, d0: number): boolean {
  return Number.isFinite(p.f) && p.f <= f0 + C1 * p.a * d0;
}

function dotTensors(x: Tensor, y: Tensor): number {
  const a = x.data;
  const b = y.data;
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i] * b[i];
  return sum;
}

/** The minimiser of the cubic matching f and slope at p and q (Nocedal & Wright 3.59); NaN if none. */
function cubicMinimum(p: Point, q: Point): number {
  const d1 = p.d + q.d - (3 * (p.f - q.f)) / (p.a - q.a);
  const disc = d1 * d1 - p.d * q.d;
  if (!(disc >= 0)) return Number.NaN;
  const d2 = Math.sign(q.a - p.a) * Math.sqrt(disc);
  return q.a - ((q.a - p.a) * (q.d + d2 - d1)) / (q.d - p.d + 2 * d2);
}

/** x within [lo, hi], or the middle when x is not a number. */
function clampOr(x: number, lo: number, hi: number): number {
  if (!Number.isFinite(x)) return (lo + hi) / 2;
  return Math.min(hi, Math.max(lo, x));
}
