/**
 * MAXNET (Lippmann 1987): lateral inhibition as a network. m units, each exciting itself with
 * weight 1 and inhibiting every other unit with weight −ε, iterate
 *
 *   y_i(t+1) = f( y_i(t) − ε Σ_{j≠i} y_j(t) ),   f(a) = max(0, a),
 *
 * from non-negative initial activations y(0) until one unit stays positive: the one with the
 * largest y(0). The theorem behind it needs 0 < ε < 1/m. The largest unit then keeps
 * y_max(t+1) ≥ y_max(t) (1 − (m − 1) ε) > 0, while the gap between two positive units grows by
 * the factor 1 + ε each step, so every other unit reaches 0 after finitely many steps. With
 * ε ≥ 1/m the largest unit can be driven to 0 with the rest, so such an ε is refused.
 *
 * Ties: units that start exactly equal stay equal forever (the dynamics treat them alike), and
 * no single winner ever emerges. The iteration stops as soon as every positive unit holds the
 * same value and reports all of them (status "tie", winner −1); an all-zero start has no
 * positive unit at all ("no-winner"). The activations are kept in float64, so a tie means
 * exactly equal inputs, not a rounding accident.
 */
import { formatShape, ShapeError } from "../../tensor/shape.js";
import type { Tensor } from "../../tensor/tensor.js";

export interface MaxnetOptions {
  /** m, the number of competing units: an integer >= 2. */
  units: number;
  /** ε, the mutual inhibition: in (0, 1/m). Default 1/(2m). */
  epsilon?: number;
  /** Upper bound on iterations (near-ties take about ln(y/δ)/ln(1 + ε) steps for a gap δ). Default 10,000. */
  maxIterations?: number;
}

export type MaxnetStatus = "single-winner" | "tie" | "no-winner" | "iteration-limit";

export interface MaxnetResult {
  /** The index of the one unit left positive, or −1 (tie, no positive unit, iteration limit). */
  winner: number;
  /** The units still positive at the end: [winner] on success, the tied units on a tie. */
  positive: number[];
  status: MaxnetStatus;
  /** Iterations run: y(0) → y(1) is one. */
  iterations: number;
  /** y at the end. */
  activations: Float64Array;
  /** y(0), y(1), …, y(iterations) when asked for (run(y0, { trace: true })), else empty. */
  trace: Float64Array[];
}

/** Throws unless 0 < ε < 1/m, the bound under which MAXNET is sure to leave the largest unit alone positive. */
export function checkMaxnetEpsilon(epsilon: number, m: number): number {
  if (!(epsilon > 0 && epsilon < 1 / m)) {
    throw new RangeError(`MAXNET: epsilon must be in (0, 1/m) = (0, ${1 / m}) for m = ${m} units, got ${epsilon}`);
  }
  return epsilon;
}

export class MAXNET {
  /** m. */
  readonly units: number;
  /** ε. */
  readonly epsilon: number;
  readonly maxIterations: number;

  constructor(options: MaxnetOptions) {
    const { units, maxIterations = 10_000 } = options ?? ({} as MaxnetOptions);
    if (!Number.isInteger(units) || units < 2) throw new RangeError(`MAXNET: units must be an integer >= 2, got ${units}`);
    if (!Number.isInteger(maxIterations) || maxIterations < 1) throw new RangeError(`MAXNET: maxIterations must be an integer >= 1, got ${maxIterations}`);
    this.units = units;
    this.epsilon = checkMaxnetEpsilon(options.epsilon ?? 1 / (2 * units), units);
    this.maxIterations = maxIterations;
  }

  /** Iterates from y0 (m non-negative numbers) until one unit is left positive, a tie is certain, or the limit. */
  run(y0: ArrayLike<number>, options: { trace?: boolean } = {}): MaxnetResult {
    const y = this.start(y0);
    const trace = options.trace ? [y.slice()] : [];
    let iterations = 0;
    let positive = positiveUnits(y);
    while (positive.length > 1 && !allEqual(y, positive) && iterations < this.maxIterations) {
      this.step(y);
      iterations++;
      if (options.trace) trace.push(y.slice());
      positive = positiveUnits(y);
    }
    const status: MaxnetStatus =
      positive.length === 1 ? "single-winner" : positive.length === 0 ? "no-winner" : allEqual(y, positive) ? "tie" : "iteration-limit";
    return { winner: status === "single-winner" ? positive[0] : -1, positive, status, iterations, activations: y, trace };
  }

  /** The winner of each row of y0 [n, m] (−1 where none emerges), one run per row. */
  winners(y0: Tensor): Int32Array {
    if (y0.rank !== 2 || y0.shape[1] !== this.units) throw new ShapeError(`MAXNET.winners: y0 must be [rows, ${this.units}], got ${formatShape(y0.shape)}`);
    const out = new Int32Array(y0.shape[0]);
    for (let r = 0; r < out.length; r++) out[r] = this.run(y0.row(r).data).winner;
    return out;
  }

  /** One synchronous update, in place: y_i ← max(0, y_i − ε (S − y_i)) with S = Σ_j y_j, O(m) rather than O(m²). */
  private step(y: Float64Array): void {
    let total = 0;
    for (let i = 0; i < y.length; i++) total += y[i];
    for (let i = 0; i < y.length; i++) y[i] = Math.max(0, y[i] - this.epsilon * (total - y[i]));
  }

  private start(y0: ArrayLike<number>): Float64Array {
    if (y0.length !== this.units) throw new ShapeError(`MAXNET.run: y0 has ${y0.length} activations for ${this.units} units`);
    const y = Float64Array.from(y0);
    for (let i = 0; i < y.length; i++) {
      if (!(y[i] >= 0) || !Number.isFinite(y[i])) throw new RangeError(`MAXNET.run: y0[${i}] is ${y[i]}; initial activations must be finite and >= 0`);
    }
    return y;
  }
}

function positiveUnits(y: Float64Array): number[] {
  const units: number[] = [];
  for (let i = 0; i < y.length; i++) if (y[i] > 0) units.push(i);
  return units;
}

function allEqual(y: Float64Array, units: readonly number[]): boolean {
  return units.every((i) => y[i] === y[units[0]]);
}
