/**
 * The Hopfield network (Hopfield 1982): N threshold units with symmetric weights and a zero
 * diagonal, an associative memory whose stored patterns are minima of the energy
 * E(x) = −½ Σ w_ij x_i x_j + Σ θ_i x_i. Recall starts from a probe and lets units take the
 * lower-energy value, u_i = Σ_j w_ij x_j − θ_i > 0 → high, < 0 → low, = 0 → unchanged:
 * - asynchronously, one unit at a time in a seeded random order per sweep: E never increases,
 *   so it always stops at a fixed point (a sweep with no change);
 * - synchronously, all units at once from the same fields (one matmul for a batch of probes):
 *   it ends at a fixed point or in a 2-cycle, which is detected and reported.
 */
import { registerModel, type SavedModel, type SavedModelReader, saveModel } from "../../io/model.js";
import { sub } from "../../ops/elementwise.js";
import { matmul } from "../../ops/matmul.js";
import { type Rng, rngFrom } from "../../tensor/random.js";
import { checkTensorSize, formatShape, ShapeError } from "../../tensor/shape.js";
import { fromArray, type Tensor, zeros } from "../../tensor/tensor.js";
import {
  checkEnergyParameters,
  checkStates,
  checkUnitStates,
  FieldState,
  quadraticEnergy,
  STATE_LEVELS,
  shuffleOrder,
  type UnitStates,
  unitIndices,
} from "./core.js";
import { binaryForm, hebbianWeights, pseudoInverseWeights } from "./rules.js";

export type StorageRule = "hebbian" | "pseudo-inverse";
export type UpdateMode = "async" | "sync";
/** How much of the energy to keep: after every unit update, after every sweep, or none. */
export type EnergyRecord = "update" | "sweep" | "none";
export type RecallStatus = "fixed-point" | "two-cycle" | "sweep-limit";

export interface HopfieldOptions {
  /** Number of units N. */
  size: number;
  /** Unit states: "bipolar" {−1, +1} (default) or "binary" {0, 1}. */
  states?: UnitStates;
}

export interface StoreOptions {
  /** "hebbian" (default) or "pseudo-inverse" (projection rule, no crosstalk). */
  rule?: StorageRule;
  /** Pseudo-inverse only: ridge added to X Xᵀ (default 0, the exact projection). */
  ridge?: number;
}

export interface RecallOptions {
  /** "async" (default): one unit at a time, random order; "sync": all units at once. */
  update?: UpdateMode;
  /** Seed or generator of the asynchronous update order (default seed 0). */
  seed?: number | Rng;
  /** Stop after this many sweeps if no fixed point was reached (default 100). */
  maxSweeps?: number;
  /** Energy trace to keep (default "update": after every unit update; sync updates count a sweep as one update). */
  record?: EnergyRecord;
}

export interface RecallResult {
  /** The final state, shape [N]. */
  state: Tensor;
  status: RecallStatus;
  /** True when the final state is a fixed point. */
  converged: boolean;
  /** Sweeps run (the last one changed nothing when converged; a sync 2-cycle ends after the sweep that closed it). */
  sweeps: number;
  /** Unit changes in total. */
  changes: number;
  /** Energy of the final state. */
  energy: number;
  /** Energy of the probe, then after every update (or sweep, per `record`). */
  energyTrace: Float64Array;
}

export interface BatchRecallResult {
  /** Final states, one row a probe. */
  states: Tensor;
  status: RecallStatus[];
  sweeps: Int32Array;
}

class Trace {
  private values: number[] = [];
  push(e: number): void {
    this.values.push(e);
  }
  toArray(): Float64Array {
    return Float64Array.from(this.values);
  }
}

function checkPositiveInt(v: number, name: string, what: string): number {
  if (!Number.isInteger(v) || v < 1) throw new RangeError(`${what}: ${name} must be an integer >= 1, got ${v}`);
  return v;
}

export class Hopfield {
  readonly size: number;
  readonly states: UnitStates;
  /** W, N×N, symmetric with a zero diagonal. */
  readonly weights: Tensor;
  /** θ, length N (the energy's linear term; u_i = (W x)_i − θ_i). */
  readonly thresholds: Tensor;
  private readonly levels: { low: number; high: number };
  private field: FieldState | null = null;

  constructor(options: HopfieldOptions) {
    this.size = checkPositiveInt(options.size, "size", "Hopfield");
    checkTensorSize("Hopfield", [
      ["size", this.size],
      ["size", this.size],
    ]);
    this.states = checkUnitStates(options.states ?? "bipolar", "Hopfield");
    this.levels = STATE_LEVELS[this.states];
    this.weights = zeros([this.size, this.size]);
    this.thresholds = zeros([this.size]);
  }

  /**
   * Stores the patterns (rows of a P×N tensor or arrays, in the network's states), replacing
   * what was stored before. A binary network stores the bipolar weights of s = 2x − 1 in
   * their {0,1} form (see binaryForm), so both kinds recall the same way.
   */
  store(patterns: Tensor | readonly (readonly number[])[], options: StoreOptions = {}): this {
    const x = this.asMatrix(patterns, "store");
    const rule = options.rule ?? "hebbian";
    if (rule !== "hebbian" && rule !== "pseudo-inverse")
      throw new RangeError(`Hopfield.store: rule must be "hebbian" or "pseudo-inverse", got ${JSON.stringify(rule)}`);
    const bipolar = this.states === "bipolar" ? x : toBipolar(x);
    const w = rule === "hebbian" ? hebbianWeights(bipolar) : pseudoInverseWeights(bipolar, { ridge: options.ridge });
    if (this.states === "bipolar") {
      this.weights.assign(w);
      this.thresholds.data.fill(0);
    } else {
      const b = binaryForm(w);
      this.weights.assign(b.weights);
      this.thresholds.assign(b.thresholds);
    }
    this.field = null;
    return this;
  }

  /** Sets W (and θ, default 0) directly; checked for symmetry and a zero diagonal. */
  setWeights(weights: Tensor, thresholds?: Tensor): this {
    const theta = thresholds ?? zeros([this.size]);
    checkEnergyParameters(weights, theta, "Hopfield.setWeights");
    if (weights.shape[0] !== this.size) throw new ShapeError(`Hopfield.setWeights: weights ${formatShape(weights.shape)} do not fit ${this.size} units`);
    this.weights.assign(weights);
    this.thresholds.assign(theta);
    this.field = null;
    return this;
  }

  /** E(x) = −½ xᵀ W x + θᵀ x. */
  energy(x: Tensor | ArrayLike<number>): number {
    return quadraticEnergy(this.weights, this.thresholds, isTensor(x) ? x.data : x);
  }

  /** Whether no unit of x would change. */
  isFixedPoint(x: Tensor | ArrayLike<number>): boolean {
    const v = this.asVector(x, "isFixedPoint");
    return this.fieldState().load(v).isStable();
  }

  /** Runs the dynamics from `probe` until a fixed point (or 2-cycle, or the sweep limit). */
  recall(probe: Tensor | ArrayLike<number>, options: RecallOptions = {}): RecallResult {
    const x0 = this.asVector(probe, "recall");
    const update = options.update ?? "async";
    const maxSweeps = checkPositiveInt(options.maxSweeps ?? 100, "maxSweeps", "Hopfield.recall");
    const record = options.record ?? "update";
    if (record !== "update" && record !== "sweep" && record !== "none")
      throw new RangeError(`Hopfield.recall: record must be "update", "sweep" or "none", got ${JSON.stringify(record)}`);
    if (update === "async") return this.recallAsync(x0, rngFrom(options.seed), maxSweeps, record);
    if (update === "sync") return this.recallSyncOne(x0, maxSweeps, record);
    throw new RangeError(`Hopfield.recall: update must be "async" or "sync", got ${JSON.stringify(update)}`);
  }

  /**
   * Synchronous recall of a batch of probes (rows of an M×N tensor) with one matmul per sweep:
   * U = X W − θ. Each probe stops at its own fixed point or 2-cycle.
   */
  recallBatch(probes: Tensor, options: { maxSweeps?: number } = {}): BatchRecallResult {
    const x = this.asMatrix(probes, "recallBatch");
    const maxSweeps = checkPositiveInt(options.maxSweeps ?? 100, "maxSweeps", "Hopfield.recallBatch");
    return this.syncDynamics(x, maxSweeps, null);
  }

  private recallAsync(x0: ArrayLike<number>, rng: Rng, maxSweeps: number, record: EnergyRecord): RecallResult {
    const fs = this.fieldState().load(x0);
    const trace = record === "none" ? null : new Trace();
    trace?.push(fs.energy);
    const perUpdate = record === "update" ? trace : null;
    const order = unitIndices(this.size);
    let sweeps = 0;
    let changes = 0;
    let converged = false;
    while (sweeps < maxSweeps) {
      shuffleOrder(order, rng);
      const changed = fs.sweep(order, 0, null, perUpdate);
      sweeps++;
      changes += changed;
      if (record === "sweep") trace?.push(fs.energy);
      if (changed === 0) {
        converged = true;
        break;
      }
    }
    return {
      state: fromArray(fs.x),
      status: converged ? "fixed-point" : "sweep-limit",
      converged,
      sweeps,
      changes,
      energy: fs.energy,
      energyTrace: trace?.toArray() ?? new Float64Array(0),
    };
  }

  private recallSyncOne(x0: ArrayLike<number>, maxSweeps: number, record: EnergyRecord): RecallResult {
    const trace = record === "none" ? null : new Trace();
    trace?.push(this.energy(x0));
    const r = this.syncDynamics(fromArray(x0, [1, this.size]), maxSweeps, trace);
    const state = r.states.reshape(this.size);
    return {
      state,
      status: r.status[0],
      converged: r.status[0] === "fixed-point",
      sweeps: r.sweeps[0],
      changes: r.changes,
      energy: this.energy(state),
      energyTrace: trace?.toArray() ?? new Float64Array(0),
    };
  }

  /**
   * The synchronous dynamics on M probes; `trace` (M = 1 only) gets E after every sweep.
   * Only probes still moving take part in the matmul: the slow ones (long transients, sweep
   * limit) would otherwise cost a full M×N×N product per sweep.
   */
  private syncDynamics(probes: Tensor, maxSweeps: number, trace: Trace | null): BatchRecallResult & { changes: number } {
    const [m, n] = probes.shape;
    const { low, high } = this.levels;
    let prev = probes.clone(); // x(t−1), all probes
    let cur = probes.clone(); // x(t)
    let next = probes.clone(); // x(t+1)
    const movingStates = probes.clone(); // x(t) of the moving probes, packed
    const movingFields = zeros([m, n]);
    const moving = Int32Array.from({ length: m }, (_, r) => r);
    let count = m;
    const status: RecallStatus[] = new Array(m).fill("sweep-limit");
    const sweeps = new Int32Array(m).fill(maxSweeps);
    let changes = 0;
    for (let t = 1; t <= maxSweeps && count > 0; t++) {
      // U = X W − θ (W is symmetric, so row r of X W is (W x_r)ᵀ)
      const u = movingFields.sliceRows(0, count);
      matmul(movingStates.sliceRows(0, count), this.weights, { out: u });
      sub(u, this.thresholds, u);
      let kept = 0;
      for (let k = 0; k < count; k++) {
        const r = moving[k];
        const o = r * n;
        const f = k * n;
        let sameAsCur = true;
        let sameAsPrev = true;
        for (let i = 0; i < n; i++) {
          const old = cur.data[o + i];
          const v = u.data[f + i] > 0 ? high : u.data[f + i] < 0 ? low : old;
          next.data[o + i] = v;
          if (v !== old) {
            sameAsCur = false;
            changes++;
          }
          if (v !== prev.data[o + i]) sameAsPrev = false;
        }
        if (sameAsCur || (sameAsPrev && t > 1)) {
          status[r] = sameAsCur ? "fixed-point" : "two-cycle";
          sweeps[r] = t;
          // a settled row is never written again, so keep it identical in all three buffers
          prev.data.set(next.data.subarray(o, o + n), o);
          cur.data.set(next.data.subarray(o, o + n), o);
        } else {
          moving[kept] = r;
          movingStates.data.set(next.data.subarray(o, o + n), kept * n);
          kept++;
        }
      }
      count = kept;
      [prev, cur, next] = [cur, next, prev];
      trace?.push(this.energy(cur.data));
    }
    return { states: cur, status, sweeps, changes };
  }

  private fieldState(): FieldState {
    this.field ??= new FieldState(this.weights, this.thresholds, this.states);
    return this.field;
  }

  private asVector(x: Tensor | ArrayLike<number>, what: string): ArrayLike<number> {
    const v = isTensor(x) ? x.data : x;
    if (v.length !== this.size) throw new ShapeError(`Hopfield.${what}: state has ${v.length} units but the network has ${this.size}`);
    checkStates(v, this.states, `Hopfield.${what}`);
    return v;
  }

  private asMatrix(x: Tensor | readonly (readonly number[])[], what: string): Tensor {
    const t = isTensor(x) ? x : fromArray(x.flat(), [x.length, x[0]?.length ?? 0]);
    if (t.rank !== 2 || t.shape[1] !== this.size)
      throw new ShapeError(`Hopfield.${what}: expected a P×${this.size} matrix of patterns, got ${formatShape(t.shape)}`);
    checkStates(t.data, this.states, `Hopfield.${what}`);
    return t;
  }

  /** What saveModel writes: size and states, weights [N, N] and thresholds [N]. */
  toSaved(): SavedModel {
    return {
      className: "Hopfield",
      config: { size: this.size, states: this.states },
      state: {},
      tensors: [
        ["weights", this.weights],
        ["thresholds", this.thresholds],
      ],
    };
  }

  static fromSaved(saved: SavedModelReader): Hopfield {
    const net = new Hopfield(saved.config as unknown as HopfieldOptions);
    saved.into("weights", net.weights);
    saved.into("thresholds", net.thresholds);
    return net;
  }

  /** Writes dir/model.json and dir/model.safetensors (see saveModel). */
  async save(dir: string, training?: Record<string, unknown>): Promise<void> {
    await saveModel(this, dir, training);
  }
}

function isTensor(x: unknown): x is Tensor {
  return typeof x === "object" && x !== null && "shape" in x && "data" in x;
}

/** s = 2x − 1: {0,1} patterns to {−1,+1}. */
export function toBipolar(x: Tensor): Tensor {
  const y = zeros(x.shape);
  for (let i = 0; i < x.size; i++) y.data[i] = 2 * x.data[i] - 1;
  return y;
}

/** x = (s + 1)/2: {−1,+1} patterns to {0,1}. */
export function toBinary(s: Tensor): Tensor {
  const y = zeros(s.shape);
  for (let i = 0; i < s.size; i++) y.data[i] = (s.data[i] + 1) / 2;
  return y;
}

/** P random patterns of N units, each unit high or low with probability ½. */
export function randomPatterns(count: number, size: number, rng: Rng, states: UnitStates = "bipolar"): Tensor {
  checkPositiveInt(count, "count", "randomPatterns");
  checkPositiveInt(size, "size", "randomPatterns");
  const { low, high } = STATE_LEVELS[checkUnitStates(states, "randomPatterns")];
  const x = zeros([count, size]);
  for (let i = 0; i < x.size; i++) x.data[i] = rng.nextFloat() < 0.5 ? low : high;
  return x;
}

/**
 * A copy of the patterns with exactly round(fraction · N) units of each row flipped (distinct
 * units, chosen at random): the noisy probes of recall experiments.
 */
export function flipUnits(patterns: Tensor, fraction: number, rng: Rng, states: UnitStates = "bipolar"): Tensor {
  if (!Number.isFinite(fraction) || fraction < 0 || fraction > 1) throw new RangeError(`flipUnits: fraction must be a number in [0, 1], got ${fraction}`);
  const { low, high } = STATE_LEVELS[checkUnitStates(states, "flipUnits")];
  const rows = patterns.rank === 1 ? 1 : patterns.shape[0];
  const n = patterns.size / Math.max(rows, 1);
  const flips = Math.round(fraction * n);
  const out = patterns.clone();
  const order = unitIndices(n);
  for (let r = 0; r < rows; r++) {
    // partial Fisher–Yates: the first `flips` entries become a uniform random subset
    for (let k = 0; k < flips; k++) {
      const j = k + rng.int(n - k);
      const tmp = order[k];
      order[k] = order[j];
      order[j] = tmp;
      const i = r * n + order[k];
      out.data[i] = out.data[i] === high ? low : high;
    }
  }
  return out;
}

/** Number of units where a and b differ. */
export function hammingDistance(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new ShapeError(`hammingDistance: lengths ${a.length} and ${b.length} differ`);
  let d = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) d++;
  return d;
}

registerModel("Hopfield", Hopfield.fromSaved);
