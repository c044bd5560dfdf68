/**
 * The travelling-salesman problem as a Hopfield network (Hopfield & Tank 1985). A tour of n
 * cities is an n×n grid of units, v_Xi = 1 when city X is visited at position i (unit index
 * X·n + i). The energy
 *
 *   E = A/2 Σ_X Σ_i Σ_{j≠i} v_Xi v_Xj            each city at most once        (row term)
 *     + B/2 Σ_i Σ_X Σ_{Y≠X} v_Xi v_Yi            each position at most once    (column term)
 *     + C/2 (Σ_Xi v_Xi − n)²                     n units on in all             (count term)
 *     + D/2 Σ_X Σ_{Y≠X} Σ_i d_XY v_Xi (v_Y,i+1 + v_Y,i−1)     tour length (positions mod n)
 *
 * is zero in its constraint terms exactly on permutation matrices, where the last term is D
 * times the tour length. It is quadratic in binary units, so it is a Hopfield energy
 * −½ vᵀWv + θᵀv + const with (a ≠ b)
 *   w_{Xi,Yj} = −A δ_XY (1−δ_ij) − B δ_ij (1−δ_XY) − C − D d_XY (δ_j,i+1 + δ_j,i−1),
 *   θ_Xi = C/2 − C n,  const = C n²/2
 * (v² = v turns the diagonal of the count term into the C/2 in θ). We minimise it by annealing
 * with the same FieldState sweeps as the Boltzmann machine: by default graded units set to
 * σ(u/T) (mean-field annealing, the analogue Hopfield–Tank dynamics), or stochastic units
 * (simulated annealing); then round, quench, and read the tour off the grid. Held–Karp dynamic programming gives the exact
 * optimum to compare against.
 */
import type { Rng } from "../../tensor/random.js";
import { rngFrom } from "../../tensor/random.js";
import { formatShape, ShapeError } from "../../tensor/shape.js";
import { type Tensor, zeros } from "../../tensor/tensor.js";
import { type AnnealingSchedule, anneal, geometricSchedule } from "./anneal.js";
import { FieldState } from "./core.js";

export interface TspPenalties {
  /** Row term: a city visited twice. */
  A: number;
  /** Column term: two cities at one position. */
  B: number;
  /** Count term: not exactly n units on. */
  C: number;
  /** Tour-length term. */
  D: number;
}

/**
 * Defaults for distances scaled so the largest is 1, tuned on random 10-city instances (see
 * notes/hopfield-log.md). Switching off one unit of a valid tour costs C/2 − D (d_prev + d_next),
 * so valid tours whose two edges at each city sum to less than C/(2D) = 1.5 are fixed points;
 * a larger D buys shorter tours at the price of fewer valid ones (Wilson & Pawley 1988).
 */
export const DEFAULT_TSP_PENALTIES: Readonly<TspPenalties> = Object.freeze({ A: 4, B: 4, C: 6, D: 2 });

/** n cities uniformly in the unit square: a [n, 2] tensor of (x, y). */
export function randomCities(n: number, rng: Rng): Tensor {
  if (!Number.isInteger(n) || n < 3) throw new RangeError(`randomCities: n must be an integer >= 3, got ${n}`);
  const c = zeros([n, 2]);
  for (let i = 0; i < 2 * n; i++) c.data[i] = rng.nextFloat();
  return c;
}

/** Euclidean distances between the rows of a [n, 2] city tensor: n×n, float64. */
export function distanceMatrix(cities: Tensor): Float64Array {
  if (cities.rank !== 2 || cities.shape[1] !== 2 || cities.shape[0] < 3)
    throw new ShapeError(`distanceMatrix: cities must be [n ≥ 3, 2], got ${formatShape(cities.shape)}`);
  const n = cities.shape[0];
  const d = new Float64Array(n * n);
  const c = cities.data;
  for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) d[a * n + b] = Math.hypot(c[2 * a] - c[2 * b], c[2 * a + 1] - c[2 * b + 1]);
  return d;
}

function citiesOf(dist: Float64Array, what: string): number {
  const n = Math.round(Math.sqrt(dist.length));
  if (n * n !== dist.length || n < 3) throw new ShapeError(`${what}: distances must be an n×n matrix with n >= 3, got ${dist.length} entries`);
  return n;
}

/** Length of the closed tour visiting tour[0], tour[1], ..., back to tour[0]. */
export function tourLength(tour: ArrayLike<number>, dist: Float64Array): number {
  const n = citiesOf(dist, "tourLength");
  if (!isPermutation(tour, n)) throw new RangeError(`tourLength: tour must be a permutation of 0..${n - 1}, got [${Array.from(tour).join(",")}]`);
  let len = 0;
  for (let i = 0; i < n; i++) len += dist[tour[i] * n + tour[(i + 1) % n]];
  return len;
}

export function isPermutation(tour: ArrayLike<number>, n: number): boolean {
  if (tour.length !== n) return false;
  const seen = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const c = tour[i];
    if (!Number.isInteger(c) || c < 0 || c >= n || seen[c]) return false;
    seen[c] = 1;
  }
  return true;
}

/** Largest n Held–Karp accepts: 2^n · n float64 entries (about 17 MB at n = 16). */
export const MAX_HELD_KARP_CITIES = 16;

/**
 * The exact shortest tour by Held–Karp dynamic programming, O(2^n n²): best[S][j] is the
 * shortest path from city 0 through the set S ending at j.
 */
export function heldKarp(dist: Float64Array): { length: number; tour: Int32Array } {
  const n = citiesOf(dist, "heldKarp");
  if (n > MAX_HELD_KARP_CITIES) throw new RangeError(`heldKarp: at most ${MAX_HELD_KARP_CITIES} cities, got ${n}`);
  // sets over cities 1..n−1 (city 0 is the fixed start): bit k ↔ city k + 1
  const m = n - 1;
  const sets = 1 << m;
  const best = new Float64Array(sets * m).fill(Number.POSITIVE_INFINITY);
  const parent = new Int8Array(sets * m).fill(-1);
  for (let k = 0; k < m; k++) best[(1 << k) * m + k] = dist[k + 1];
  for (let s = 1; s < sets; s++) {
    for (let k = 0; k < m; k++) {
      if (!(s & (1 << k))) continue;
      const prev = s ^ (1 << k);
      if (prev === 0) continue;
      let b = Number.POSITIVE_INFINITY;
      let arg = -1;
      for (let j = 0; j < m; j++) {
        if (!(prev & (1 << j))) continue;
        const c = best[prev * m + j] + dist[(j + 1) * n + k + 1];
        if (c < b) {
          b = c;
          arg = j;
        }
      }
      best[s * m + k] = b;
      parent[s * m + k] = arg;
    }
  }
  const full = sets - 1;
  let length = Number.POSITIVE_INFINITY;
  let last = -1;
  for (let k = 0; k < m; k++) {
    const c = best[full * m + k] + dist[(k + 1) * n];
    if (c < length) {
      length = c;
      last = k;
    }
  }
  const tour = new Int32Array(n);
  let s = full;
  for (let pos = n - 1; pos >= 1; pos--) {
    tour[pos] = last + 1;
    const p = parent[s * m + last];
    s ^= 1 << last;
    last = p;
  }
  tour[0] = 0;
  return { length, tour };
}

function checkPenalties(p: TspPenalties, what: string): void {
  for (const k of ["A", "B", "C", "D"] as const) {
    if (!Number.isFinite(p[k]) || p[k] < 0) throw new RangeError(`${what}: penalty ${k} must be a finite number >= 0, got ${p[k]}`);
  }
}

/** W, θ and the constant of the Hopfield–Tank energy for the given distances. */
export function hopfieldTankNetwork(
  dist: Float64Array,
  penalties: TspPenalties = DEFAULT_TSP_PENALTIES,
): { weights: Tensor; thresholds: Tensor; constant: number } {
  const n = citiesOf(dist, "hopfieldTankNetwork");
  checkPenalties(penalties, "hopfieldTankNetwork");
  const { A, B, C, D } = penalties;
  const units = n * n;
  const weights = zeros([units, units]);
  const w = weights.data;
  for (let X = 0; X < n; X++) {
    for (let i = 0; i < n; i++) {
      const a = X * n + i;
      for (let Y = 0; Y < n; Y++) {
        for (let j = 0; j < n; j++) {
          const b = Y * n + j;
          if (a === b) continue;
          let v = -C;
          if (X === Y) v -= A; // same city, other position
          if (i === j) v -= B; // same position, other city
          if (X !== Y && (j === (i + 1) % n || j === (i + n - 1) % n)) v -= D * dist[X * n + Y];
          w[a * units + b] = v;
        }
      }
    }
  }
  const thresholds = zeros([units]);
  thresholds.data.fill(C / 2 - C * n);
  return { weights, thresholds, constant: (C * n * n) / 2 };
}

export interface TspEnergyTerms {
  /** Σ_X Σ_{i≠j} v_Xi v_Xj / 2 (A/2 times this is the row term, unweighted here). */
  row: number;
  column: number;
  /** (Σ v − n)². */
  count: number;
  /** Σ_X Σ_{Y≠X} Σ_i d_XY v_Xi (v_Y,i+1 + v_Y,i−1) / 2: the tour length on a valid tour. */
  distance: number;
  /** The full energy A row + B column + C/2 count + D distance. */
  total: number;
}

/** The four terms of the Hopfield–Tank energy of a grid state (each without its penalty weight). */
export function tspEnergyTerms(v: ArrayLike<number>, dist: Float64Array, penalties: TspPenalties = DEFAULT_TSP_PENALTIES): TspEnergyTerms {
  const n = citiesOf(dist, "tspEnergyTerms");
  if (v.length !== n * n) throw new ShapeError(`tspEnergyTerms: state has ${v.length} units, a ${n}-city grid has ${n * n}`);
  let row = 0;
  let column = 0;
  let sum = 0;
  let distance = 0;
  for (let X = 0; X < n; X++) {
    for (let i = 0; i < n; i++) {
      const vxi = v[X * n + i];
      sum += vxi;
      if (vxi === 0) continue;
      for (let j = 0; j < n; j++) if (j !== i) row += vxi * v[X * n + j];
      for (let Y = 0; Y < n; Y++) {
        if (Y === X) continue;
        column += vxi * v[Y * n + i];
        distance += dist[X * n + Y] * vxi * (v[Y * n + ((i + 1) % n)] + v[Y * n + ((i + n - 1) % n)]);
      }
    }
  }
  row /= 2;
  column /= 2;
  distance /= 2;
  const count = (sum - n) ** 2;
  const { A, B, C, D } = penalties;
  return { row, column, count, distance, total: A * row + B * column + (C / 2) * count + D * distance };
}

/** The tour of a grid state (tour[i] = the city at position i), or null unless it is a permutation matrix. */
export function decodeTour(v: ArrayLike<number>, n: number): Int32Array | null {
  if (v.length !== n * n) throw new ShapeError(`decodeTour: state has ${v.length} units, a ${n}-city grid has ${n * n}`);
  const tour = new Int32Array(n).fill(-1);
  for (let X = 0; X < n; X++) {
    let on = 0;
    for (let i = 0; i < n; i++) {
      if (v[X * n + i] === 0) continue;
      on++;
      if (tour[i] !== -1) return null;
      tour[i] = X;
    }
    if (on !== 1) return null;
  }
  return tour;
}

export interface TspSolveOptions {
  penalties?: TspPenalties;
  /** Annealing schedule (default geometric from 4 to 0.05 over 2,000 sweeps). */
  schedule?: AnnealingSchedule;
  seed?: number | Rng;
  /** "mean-field" (default: graded units, Hopfield–Tank's analogue dynamics) or "stochastic" units. */
  dynamics?: "mean-field" | "stochastic";
  /** Scale distances so the largest is 1 before building the net (default true; lengths are reported unscaled). */
  normalize?: boolean;
  /**
   * Called after every annealing sweep with its index, temperature and the grid state v (n·n
   * units, city-major; read it there, it changes with the next sweep): to watch the tour form.
   */
  onSweep?: (step: number, temperature: number, state: Float32Array) => void;
}

export interface TspSolution {
  /** The decoded tour, or null when the final state is not a permutation matrix. */
  tour: Int32Array | null;
  valid: boolean;
  /** Tour length in the input's units (NaN when invalid). */
  length: number;
  /** The final grid state (n·n units). */
  state: Float32Array;
  /** Energy terms of the final state (distances as given to the net). */
  terms: TspEnergyTerms;
  /** Whether the quench ended at a fixed point. */
  stable: boolean;
}

/** One annealed descent of the Hopfield–Tank energy from a random grid. */
export function solveTspHopfield(dist: Float64Array, options: TspSolveOptions = {}): TspSolution {
  const n = citiesOf(dist, "solveTspHopfield");
  const penalties = options.penalties ?? DEFAULT_TSP_PENALTIES;
  const rng = rngFrom(options.seed);
  let maxD = 0;
  for (const d of dist) maxD = Math.max(maxD, d);
  const scaled = (options.normalize ?? true) && maxD > 0 ? dist.map((d) => d / maxD) : dist;
  const net = hopfieldTankNetwork(scaled, penalties);
  const schedule = options.schedule ?? geometricSchedule({ start: 4, end: 0.05, steps: 2000 });
  const dynamics = options.dynamics ?? "mean-field";
  const start = new Float32Array(n * n);
  // mean-field: graded units near 1/n plus noise to break the symmetry (Hopfield & Tank's start)
  for (let a = 0; a < start.length; a++) start[a] = dynamics === "mean-field" ? (1 + 0.2 * (rng.nextFloat() - 0.5)) / n : rng.nextFloat() < 1 / n ? 1 : 0;
  const state = new FieldState(net.weights, net.thresholds, "binary").load(start);
  const onSweep = options.onSweep;
  const r = anneal(state, { schedule, rng, dynamics, onSweep: onSweep && ((step, t) => onSweep(step, t, state.x)) });
  const tour = decodeTour(state.x, n);
  return {
    tour,
    valid: tour !== null,
    length: tour === null ? Number.NaN : tourLength(tour, dist),
    state: Float32Array.from(state.x),
    terms: tspEnergyTerms(state.x, scaled, penalties),
    stable: r.stable,
  };
}

export interface TspExperimentOptions extends Omit<TspSolveOptions, "seed"> {
  /** Number of cities (3..16, Held–Karp's limit). */
  cities: number;
  /** Seed of the city positions; run k uses seed · 1000 + k for its own start and noise. */
  seed: number;
  /** Independent runs on the same cities (default 20). */
  runs?: number;
}

export interface TspExperimentResult {
  cities: Tensor;
  optimum: { length: number; tour: Int32Array };
  runs: TspSolution[];
  /** Runs that decoded to a valid tour. */
  valid: number;
  /** length / optimum of each valid run, ascending. */
  ratios: number[];
}

/** Random cities, Held–Karp's optimum, and `runs` Hopfield–Tank descents compared against it. */
export function runTspExperiment(options: TspExperimentOptions): TspExperimentResult {
  const { cities: n, seed } = options;
  if (!Number.isInteger(n) || n < 3 || n > MAX_HELD_KARP_CITIES)
    throw new RangeError(`runTspExperiment: cities must be an integer in [3, ${MAX_HELD_KARP_CITIES}], got ${n}`);
  if (!Number.isInteger(seed)) throw new RangeError(`runTspExperiment: seed must be an integer, got ${seed}`);
  const runs = options.runs ?? 20;
  if (!Number.isInteger(runs) || runs < 1) throw new RangeError(`runTspExperiment: runs must be an integer >= 1, got ${runs}`);
  const cities = randomCities(n, rngFrom(seed));
  const dist = distanceMatrix(cities);
  const optimum = heldKarp(dist);
  const results: TspSolution[] = [];
  for (let k = 0; k < runs; k++) results.push(solveTspHopfield(dist, { ...options, seed: seed * 1000 + k }));
  const ratios = results
    .filter((r) => r.valid)
    .map((r) => r.length / optimum.length)
    .sort((a, b) => a - b);
  return { cities, optimum, runs: results, valid: ratios.length, ratios };
}
