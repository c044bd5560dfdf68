/**
 * The one question every competitive network asks: which prototype is nearest to x? With the
 * prototypes w_1 … w_m as the rows of W [m, d], the squared distances from every row of X [n, d]
 * to every prototype come from one GEMM,
 *
 *   ‖x − w‖² = ‖x‖² − 2 xᵀw + ‖w‖²,
 *
 * so the winner-take-all layer, the self-organising map and LVQ share this file: the winner
 * i* = argmin_i ‖x − w_i‖² (and, for the SOM's topographic error and LVQ2.1, the runner-up).
 */
import { matmul } from "../../ops/matmul.js";
import type { Rng } from "../../tensor/random.js";
import { formatShape, ShapeError } from "../../tensor/shape.js";
import { type Tensor, zeros } from "../../tensor/tensor.js";

/** Rows of x per GEMM in nearestPrototypes: bounds the [rows, m] distance block it holds at once. */
const ROW_BLOCK = 1024;
/** At most 2^24 distances (64 MB) at once, so a 1-NN table of 60,000 prototypes stays small. */
const BLOCK_ENTRIES = 1 << 24;

/** ‖w_i‖² for each row of a [m, d] matrix, summed in float64. */
export function squaredNorms(w: Tensor): Float64Array {
  const [m, d] = w.shape;
  const norms = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    let s = 0;
    for (let k = i * d; k < (i + 1) * d; k++) s += w.data[k] * w.data[k];
    norms[i] = s;
  }
  return norms;
}

function checkPair(what: string, x: Tensor, prototypes: Tensor): void {
  if (x.rank !== 2 || prototypes.rank !== 2 || x.shape[1] !== prototypes.shape[1])
    throw new ShapeError(`${what}: x must be [n, d] and prototypes [m, d] with the same d, got ${formatShape(x.shape)} and ${formatShape(prototypes.shape)}`);
  if (prototypes.shape[0] < 1) throw new ShapeError(`${what}: there must be at least one prototype, got ${formatShape(prototypes.shape)}`);
}

/**
 * D[j, i] = ‖x_j − w_i‖², [n, m], by the GEMM identity above. Rounding can push a distance of
 * 0 a hair below zero; it is clamped, since a squared distance is not negative. `out` ([n, m])
 * is reused when given.
 */
export function squaredDistances(x: Tensor, prototypes: Tensor, out?: Tensor, prototypeNorms = squaredNorms(prototypes)): Tensor {
  checkPair("squaredDistances", x, prototypes);
  const d = x.shape[1];
  const m = prototypes.shape[0];
  const dist = matmul(x, prototypes, { transB: true, alpha: -2, out });
  const D = dist.data;
  for (let j = 0; j < x.shape[0]; j++) {
    let xx = 0;
    for (let k = j * d; k < (j + 1) * d; k++) xx += x.data[k] * x.data[k];
    for (let i = 0; i < m; i++) D[j * m + i] = Math.max(0, D[j * m + i] + xx + prototypeNorms[i]);
  }
  return dist;
}

/** The nearest and second-nearest prototype of each row of x, with their squared distances. */
export interface NearestPrototypes {
  /** i*, the winner (best-matching unit) of each row; ties go to the lower index. */
  winner: Int32Array;
  /** ‖x − w_{i*}‖². */
  winnerDistance: Float32Array;
  /** The runner-up (−1 when there is one prototype). */
  second: Int32Array;
  /** Its squared distance (Infinity when there is one prototype). */
  secondDistance: Float32Array;
}

/**
 * Winner and runner-up of every row of x among the prototypes, a block of rows at a time so
 * that memory stays [block, m] whatever n is.
 */
export function nearestPrototypes(x: Tensor, prototypes: Tensor): NearestPrototypes {
  checkPair("nearestPrototypes", x, prototypes);
  const n = x.shape[0];
  const m = prototypes.shape[0];
  const result: NearestPrototypes = {
    winner: new Int32Array(n),
    winnerDistance: new Float32Array(n),
    second: new Int32Array(n),
    secondDistance: new Float32Array(n),
  };
  const norms = squaredNorms(prototypes);
  const blockRows = Math.max(1, Math.min(ROW_BLOCK, Math.floor(BLOCK_ENTRIES / m)));
  const block = zeros([Math.min(blockRows, n), m]);
  for (let start = 0; start < n; start += blockRows) {
    const rows = Math.min(blockRows, n - start);
    const out = rows === block.shape[0] ? block : zeros([rows, m]);
    const D = squaredDistances(x.sliceRows(start, start + rows), prototypes, out, norms).data;
    for (let r = 0; r < rows; r++) {
      let best = -1;
      let bestD = Infinity;
      let next = -1;
      let nextD = Infinity;
      for (let i = 0; i < m; i++) {
        const v = D[r * m + i];
        if (v < bestD) {
          next = best;
          nextD = bestD;
          best = i;
          bestD = v;
        } else if (v < nextD) {
          next = i;
          nextD = v;
        }
      }
      result.winner[start + r] = best;
      result.winnerDistance[start + r] = bestD;
      result.second[start + r] = next;
      result.secondDistance[start + r] = nextD;
    }
  }
  return result;
}

/** i* = argmin_i ‖x − w_i‖² for each row of x: the competition's winners. */
export function winners(x: Tensor, prototypes: Tensor): Int32Array {
  return nearestPrototypes(x, prototypes).winner;
}

/** The mean over rows of ‖x − w_{i*}‖^power (power 1: Kohonen's quantisation error; 2: the k-means objective per row). */
export function quantisationError(x: Tensor, prototypes: Tensor, power: 1 | 2 = 1): number {
  const { winnerDistance } = nearestPrototypes(x, prototypes);
  let s = 0;
  for (const d2 of winnerDistance) s += power === 2 ? d2 : Math.sqrt(d2);
  return s / Math.max(1, winnerDistance.length);
}

/** w_i ← w_i + α (x − w_i): prototype i (a row of W) moves the fraction α of the way to x (a row of X). */
export function moveToward(prototypes: Tensor, i: number, x: Tensor, row: number, alpha: number): void {
  const d = prototypes.shape[1];
  const w = prototypes.data;
  const xs = x.data;
  const wo = i * d;
  const xo = row * d;
  for (let k = 0; k < d; k++) w[wo + k] += alpha * (xs[xo + k] - w[wo + k]);
}

/** A learning rate of a competitive rule: a step toward x of a fraction in (0, 1] (1 jumps onto x; more overshoots). */
export function checkRate(what: string, name: string, value: number): number {
  if (!(value > 0 && value <= 1)) throw new RangeError(`${what}: ${name} must be a number in (0, 1], got ${value}`);
  return value;
}

/** Prototypes drawn as m distinct random rows of x (all rows, repeated, when m > n): every prototype starts on the data. */
export function samplePrototypes(x: Tensor, m: number, rng: Rng): Tensor {
  const [n, d] = x.shape;
  const order = rng.permutation(n);
  const w = zeros([m, d]);
  for (let i = 0; i < m; i++) w.data.set(x.data.subarray(order[i % n] * d, (order[i % n] + 1) * d), i * d);
  return w;
}

/**
 * Each unit's label by majority vote of the labelled rows it wins (winner[j] the unit of row j),
 * ties to the lower label; −1 for a unit that wins no row. How an unsupervised map becomes a
 * classifier: a new row gets its winner's label.
 */
export function majorityLabels(winner: Int32Array, labels: ArrayLike<number>, units: number): Int32Array {
  if (labels.length !== winner.length) throw new ShapeError(`majorityLabels: labels must have one entry per row (${winner.length}), got ${labels.length}`);
  let classes = 0;
  for (let j = 0; j < labels.length; j++) {
    if (!Number.isInteger(labels[j]) || labels[j] < 0) throw new RangeError(`majorityLabels: labels must be integers >= 0, got ${labels[j]} at row ${j}`);
    classes = Math.max(classes, labels[j] + 1);
  }
  const votes = new Int32Array(units * classes);
  winner.forEach((c, j) => {
    votes[c * classes + labels[j]]++;
  });
  return Int32Array.from({ length: units }, (_, i) => {
    let best = -1;
    for (let k = 0; k < classes; k++) if (votes[i * classes + k] > 0 && (best < 0 || votes[i * classes + k] > votes[i * classes + best])) best = k;
    return best;
  });
}

/** The class means as prototypes, [classes, d]: the nearest-class-mean classifier is winners(x, classMeans(...)). */
export function classMeans(x: Tensor, labels: ArrayLike<number>, classes: number): Tensor {
  if (x.rank !== 2 || labels.length !== x.shape[0])
    throw new ShapeError(`classMeans: labels must have one entry per row of x ${formatShape(x.shape)}, got ${labels.length}`);
  const d = x.shape[1];
  const sums = new Float64Array(classes * d);
  const counts = new Float64Array(classes);
  for (let j = 0; j < labels.length; j++) {
    const l = labels[j];
    if (!Number.isInteger(l) || l < 0 || l >= classes) throw new RangeError(`classMeans: labels must be integers in [0, ${classes}), got ${l} at row ${j}`);
    counts[l]++;
    for (let k = 0; k < d; k++) sums[l * d + k] += x.data[j * d + k];
  }
  const means = zeros([classes, d]);
  for (let i = 0; i < means.size; i++) means.data[i] = sums[i] / Math.max(1, counts[Math.floor(i / d)]);
  return means;
}
