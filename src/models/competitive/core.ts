/**
 * The nearest-prototype computation every competitive rule shares. With prototypes w_1 … w_m as
 * rows, the squared distances of the rows x_n are
 *
 *   ‖x_n − w_j‖² = ‖x_n‖² − 2 x_nᵀ w_j + ‖w_j‖²,
 *
 * so the whole [n, m] table costs one GEMM (the cross term X Wᵀ) and two vectors of norms; the
 * winner of x_n is argmin_j ‖x_n − w_j‖² (the lowest index on a tie).
 */
import { matmul } from "../../ops/matmul.js";
import { formatShape, ShapeError } from "../../tensor/shape.js";
import { type Tensor, zeros } from "../../tensor/tensor.js";

/** Entries of the distance table winners() holds at once: 2^24 floats, 64 MB. */
const WINNER_BLOCK_ENTRIES = 1 << 24;

/** ‖x_n − w_j‖², [n, m], from x [n, d] and prototypes [m, d]; rounding below 0 is clamped to 0. */
export function squaredDistances(x: Tensor, prototypes: Tensor): Tensor {
  checkPair("squaredDistances", x, prototypes);
  const [n] = x.shape;
  const m = prototypes.shape[0];
  const xNorms = rowSquaredNorms(x);
  const wNorms = rowSquaredNorms(prototypes);
  const d2 = matmul(x, prototypes, { transB: true, alpha: -2 });
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++) {
      const k = i * m + j;
      d2.data[k] = Math.max(0, d2.data[k] + xNorms[i] + wNorms[j]);
    }
  }
  return d2;
}

/**
 * The index of each row's nearest prototype, argmin_j ‖x_n − w_j‖², ties to the lowest j. The
 * rows go through in blocks, so 10,000 test digits against 60,000 stored ones (1-NN) never hold
 * the whole table.
 */
export function winners(x: Tensor, prototypes: Tensor): Int32Array {
  checkPair("winners", x, prototypes);
  const n = x.shape[0];
  const m = prototypes.shape[0];
  const out = new Int32Array(n);
  const block = Math.max(1, Math.floor(WINNER_BLOCK_ENTRIES / Math.max(m, 1)));
  const wNorms = rowSquaredNorms(prototypes);
  const cross = zeros([Math.min(block, n), m]);
  for (let start = 0; start < n; start += block) {
    const rows = Math.min(block, n - start);
    const c = rows === cross.shape[0] ? cross : cross.sliceRows(0, rows);
    // ‖x‖² is the same for every j, so argmin_j (‖w_j‖² − 2 xᵀw_j) is the winner
    matmul(x.sliceRows(start, start + rows), prototypes, { transB: true, alpha: -2, out: c });
    for (let i = 0; i < rows; i++) {
      let best = 0;
      let bestScore = Number.POSITIVE_INFINITY;
      for (let j = 0; j < m; j++) {
        const score = c.data[i * m + j] + wNorms[j];
        if (score < bestScore) {
          bestScore = score;
          best = j;
        }
      }
      out[start + i] = best;
    }
  }
  return out;
}

/** ‖r‖² of each row, summed in float64. */
function rowSquaredNorms(t: Tensor): Float64Array {
  const [rows, d] = t.shape;
  const norms = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    let s = 0;
    for (let k = i * d; k < i * d + d; k++) s += t.data[k] * t.data[k];
    norms[i] = s;
  }
  return norms;
}

function checkPair(what: string, x: Tensor, prototypes: Tensor): void {
  if (x.rank !== 2 || prototypes.rank !== 2 || x.shape[1] !== prototypes.shape[1]) {
    throw new ShapeError(`${what}: x [rows, d] and prototypes [m, d] must share d; got ${formatShape(x.shape)} and ${formatShape(prototypes.shape)}`);
  }
  if (prototypes.shape[0] === 0) throw new ShapeError(`${what}: there are no prototypes`);
}
