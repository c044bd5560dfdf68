/**
 * Temperatures and simulated annealing (Kirkpatrick, Gelatt & Vecchi 1983) on any binary
 * energy network held in a FieldState: sweeps of stochastic units p(x_i = high) = σ(gap u_i / T)
 * while T falls along a schedule, then a quench (deterministic T = 0 sweeps) to the nearest
 * fixed point. At high T the state wanders over energy barriers; as T falls it settles into
 * ever deeper valleys. The Boltzmann machine and the Hopfield–Tank TSP solver both use this.
 */
import type { Rng } from "../../tensor/random.js";
import { checkTemperature, type FieldState, shuffleOrder, unitIndices } from "./core.js";

/** A temperature for each of `steps` sweeps. */
export interface AnnealingSchedule {
  readonly kind: "geometric" | "linear" | "constant";
  readonly steps: number;
  temperature(step: number): number;
}

export interface ScheduleOptions {
  /** Temperature of the first sweep (> 0). */
  start: number;
  /** Temperature of the last sweep (> 0; ≤ start for cooling). */
  end: number;
  /** Number of sweeps (≥ 1). */
  steps: number;
}

function checkSchedule(o: ScheduleOptions, what: string): void {
  if (!Number.isInteger(o.steps) || o.steps < 1) throw new RangeError(`${what}: steps must be an integer >= 1, got ${o.steps}`);
  if (!Number.isFinite(o.start) || o.start <= 0) throw new RangeError(`${what}: start must be a finite temperature > 0, got ${o.start}`);
  if (!Number.isFinite(o.end) || o.end <= 0) throw new RangeError(`${what}: end must be a finite temperature > 0, got ${o.end}`);
}

function checkStep(step: number, steps: number): void {
  if (!Number.isInteger(step) || step < 0 || step >= steps) throw new RangeError(`schedule: step must be an integer in [0, ${steps - 1}], got ${step}`);
}

/** T_k = start · (end/start)^(k/(steps−1)): a constant cooling factor per sweep, the usual choice. */
export function geometricSchedule(options: ScheduleOptions): AnnealingSchedule {
  checkSchedule(options, "geometricSchedule");
  const { start, end, steps } = options;
  const ratio = steps === 1 ? 1 : (end / start) ** (1 / (steps - 1));
  return {
    kind: "geometric",
    steps,
    temperature(step) {
      checkStep(step, steps);
      return step === steps - 1 ? end : start * ratio ** step;
    },
  };
}

/** T_k = start + (end − start) · k/(steps−1). */
export function linearSchedule(options: ScheduleOptions): AnnealingSchedule {
  checkSchedule(options, "linearSchedule");
  const { start, end, steps } = options;
  return {
    kind: "linear",
    steps,
    temperature(step) {
      checkStep(step, steps);
      return steps === 1 ? end : start + ((end - start) * step) / (steps - 1);
    },
  };
}

/** The same temperature for every sweep (plain Gibbs sampling). */
export function constantSchedule(temperature: number, steps: number): AnnealingSchedule {
  checkSchedule({ start: temperature, end: temperature, steps }, "constantSchedule");
  return {
    kind: "constant",
    steps,
    temperature(step) {
      checkStep(step, steps);
      return temperature;
    },
  };
}

export interface AnnealOptions {
  schedule: AnnealingSchedule;
  rng: Rng;
  /** The units that update (default all); the others stay clamped at their current values. */
  units?: ArrayLike<number>;
  /**
   * "stochastic" (default): units sampled at T (Boltzmann machine, simulated annealing);
   * "mean-field": units set to their expected value at T (graded units, Hopfield–Tank's
   * analogue dynamics / mean-field annealing), rounded to the nearer level before the quench.
   */
  dynamics?: "stochastic" | "mean-field";
  /** After the schedule, deterministic sweeps until a fixed point (default true). */
  quench?: boolean;
  /** Cap on the quench sweeps (default 1000). */
  maxQuenchSweeps?: number;
  /** Called after every sweep with its index, temperature and the energy (for plots). */
  onSweep?: (step: number, temperature: number, energy: number) => void;
}

export interface AnnealResult {
  /** Energy after the schedule and the quench. */
  energy: number;
  /** Lowest energy seen after any sweep. */
  minEnergy: number;
  quenchSweeps: number;
  /** Whether the quench reached a fixed point of the free units. */
  stable: boolean;
}

/** Anneals `state` in place along the schedule (units in a fresh random order each sweep). */
export function anneal(state: FieldState, options: AnnealOptions): AnnealResult {
  const { schedule, rng } = options;
  const order = options.units === undefined ? unitIndices(state.n) : Uint32Array.from(options.units);
  for (let k = 0; k < order.length; k++) {
    if (!Number.isInteger(order[k]) || order[k] >= state.n) throw new RangeError(`anneal: units must be indices in [0, ${state.n - 1}], got ${order[k]}`);
  }
  const maxQuench = options.maxQuenchSweeps ?? 1000;
  if (!Number.isInteger(maxQuench) || maxQuench < 0) throw new RangeError(`anneal: maxQuenchSweeps must be an integer >= 0, got ${maxQuench}`);
  const dynamics = options.dynamics ?? "stochastic";
  if (dynamics !== "stochastic" && dynamics !== "mean-field")
    throw new RangeError(`anneal: dynamics must be "stochastic" or "mean-field", got ${JSON.stringify(dynamics)}`);
  let minEnergy = state.energy;
  for (let step = 0; step < schedule.steps; step++) {
    const t = checkTemperature(schedule.temperature(step), "anneal");
    if (dynamics === "mean-field") state.sweepMeanField(shuffleOrder(order, rng), t);
    else state.sweep(shuffleOrder(order, rng), t, rng);
    if (state.energy < minEnergy) minEnergy = state.energy;
    options.onSweep?.(step, t, state.energy);
  }
  if (dynamics === "mean-field") state.round();
  let quenchSweeps = 0;
  let stable = false;
  if (options.quench ?? true) {
    while (quenchSweeps < maxQuench) {
      quenchSweeps++;
      if (state.sweep(shuffleOrder(order, rng), 0, null) === 0) {
        stable = true;
        break;
      }
    }
    if (state.energy < minEnergy) minEnergy = state.energy;
  }
  return { energy: state.energy, minEnergy, quenchSweeps, stable };
}
