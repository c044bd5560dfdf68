/**
 * Weight initialisers. fanIn/fanOut are the numbers of inputs and outputs of one unit (for a
 * convolution: kH·kW·inChannels and kH·kW·filters). Glorot & Bengio (2010) keep the variance of
 * activations and gradients equal across layers for tanh/sigmoid units: Var = 2/(fanIn + fanOut).
 * He et al. (2015) double it for ReLU, which zeroes half its inputs: Var = 2/fanIn.
 */
import type { Rng } from "../tensor/random.js";
import type { Shape } from "../tensor/shape.js";
import { fillNormal, type Tensor, zeros } from "../tensor/tensor.js";

export const INITIALIZER_NAMES = ["glorotUniform", "glorotNormal", "heNormal", "heUniform", "uniform", "normal", "zeros"] as const;
export type InitializerName = (typeof INITIALIZER_NAMES)[number];

/** Scale of the plain "uniform" (±0.05) and "normal" (std 0.05) initialisers, as in Keras. */
const PLAIN_SCALE = 0.05;

export function assertInitializer(name: unknown, where: string): InitializerName {
  if (typeof name !== "string" || !(INITIALIZER_NAMES as readonly string[]).includes(name)) {
    throw new RangeError(`${where}: kernelInitializer must be one of ${INITIALIZER_NAMES.join(", ")}; got ${JSON.stringify(name)}`);
  }
  return name as InitializerName;
}

/** A new tensor of `shape` drawn from the initialiser. */
export function initialize(name: InitializerName, shape: Shape, fanIn: number, fanOut: number, rng: Rng): Tensor {
  const t = zeros(shape);
  const d = t.data;
  const uniform = (limit: number): void => {
    for (let i = 0; i < d.length; i++) d[i] = rng.uniform(-limit, limit);
  };
  switch (name) {
    case "glorotUniform":
      uniform(Math.sqrt(6 / (fanIn + fanOut)));
      break;
    case "glorotNormal":
      fillNormal(d, rng, 0, Math.sqrt(2 / (fanIn + fanOut)));
      break;
    case "heNormal":
      fillNormal(d, rng, 0, Math.sqrt(2 / fanIn));
      break;
    case "heUniform":
      uniform(Math.sqrt(6 / fanIn));
      break;
    case "uniform":
      uniform(PLAIN_SCALE);
      break;
    case "normal":
      fillNormal(d, rng, 0, PLAIN_SCALE);
      break;
    case "zeros":
      break;
  }
  return t;
}

/**
 * A [rows, cols] matrix with orthonormal rows (rows ≤ cols) or columns (rows ≥ cols), times
 * gain: Gram-Schmidt on a Gaussian matrix, which is Q of its QR factorisation with R's
 * diagonal positive, so Q is uniform (Haar) on the orthogonal matrices (Saxe et al. 2014).
 * A recurrent matrix with all singular values 1 neither shrinks nor grows h at the start.
 */
export function orthogonal(rows: number, cols: number, rng: Rng, gain = 1): Tensor {
  // orthonormalise the k = min(rows, cols) vectors of length m = max(rows, cols), in float64
  const k = Math.min(rows, cols);
  const m = Math.max(rows, cols);
  const q = Array.from({ length: k }, () => Float64Array.from({ length: m }, () => rng.normal()));
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < i; j++) {
      let dot = 0;
      for (let r = 0; r < m; r++) dot += q[i][r] * q[j][r];
      for (let r = 0; r < m; r++) q[i][r] -= dot * q[j][r];
    }
    let norm = 0;
    for (let r = 0; r < m; r++) norm += q[i][r] * q[i][r];
    norm = Math.sqrt(norm);
    for (let r = 0; r < m; r++) q[i][r] /= norm;
  }
  const t = zeros([rows, cols]);
  for (let i = 0; i < k; i++) {
    for (let r = 0; r < m; r++) {
      // vector i is row i (rows ≤ cols) or column i (rows > cols)
      if (rows <= cols) t.data[i * cols + r] = gain * q[i][r];
      else t.data[r * cols + i] = gain * q[i][r];
    }
  }
  return t;
}
