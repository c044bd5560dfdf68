/**
 * Pictures of an autoencoder on image data: its filters (column j of the encoder's W, the
 * weights into hidden unit j, drawn as an image; a sparse AE's are the lecture's pen strokes),
 * and for the denoising AE the lecture's three rows: corrupted inputs, their reconstructions,
 * the clean originals; for the bimodal autoencoder, its cross-modal reconstructions; for the
 * masked autoencoder: masked input, its guess, the truth; for the VAE its samples and its 2-D
 * latent manifold.
 */
import { type GrayImage, tileImages } from "../../io/png.js";
import { Rng } from "../../tensor/random.js";
import { type Tensor, zeros } from "../../tensor/tensor.js";
import { type ImageSize, imagesImage, squareSide } from "../rbm/pictures.js";
import type { Autoencoder } from "./autoencoder.js";
import type { BimodalAutoencoder } from "./bimodal.js";
import type { MaskedAutoencoder } from "./mae.js";
import type { VAE } from "./vae.js";

/** The first `count` filters as rows, [count, inputSize]. */
export function autoencoderFilters(ae: Autoencoder, count = ae.codeSize): Tensor {
  const W = ae.encoderWeights;
  const [V, H] = W.shape;
  const n = Math.min(count, H);
  const out = zeros([n, V]);
  for (let j = 0; j < n; j++) for (let i = 0; i < V; i++) out.data[j * V + i] = W.data[i * H + j];
  return out;
}

/** Filters as a grid, each scaled by its own range so its pattern shows. */
export function autoencoderFiltersImage(ae: Autoencoder, options: { count?: number; size?: ImageSize; cols?: number } = {}): GrayImage {
  const f = autoencoderFilters(ae, options.count ?? 100);
  return tileImages(f, {
    ...(options.size ?? squareSide(ae.inputSize)),
    cols: options.cols ?? Math.ceil(Math.sqrt(f.rows)),
    normalize: "per-image",
    pad: 1,
    background: 0,
  });
}

/** Three rows per group of `cols` images: noisy inputs, their reconstructions, the clean originals. */
export function denoisingImage(ae: Autoencoder, noisy: Tensor, clean: Tensor, options: { size?: ImageSize; cols?: number } = {}): GrayImage {
  return rowsImage([noisy, ae.reconstruct(noisy), clean], options.size ?? squareSide(ae.inputSize), options.cols ?? 10);
}

/**
 * The lecture's MAE picture, three rows per group of `cols` images: the masked input (hidden
 * patches grey), the MAE's guess (its predicted patches with the visible ones), the ground truth.
 * The masks are drawn from `seed`, so the picture is the same for the same model.
 */
export function maskedAutoencoderImage(mae: MaskedAutoencoder, x: Tensor, options: { cols?: number; seed?: number } = {}): GrayImage {
  const { masked, guess, truth } = mae.reconstruct(x, mae.sampleMask(x.rows, new Rng(options.seed ?? 0)));
  const [height, width] = mae.options.imageShape;
  return rowsImage([masked, guess, truth], { height, width }, options.cols ?? 10);
}

/**
 * The bimodal autoencoder's cross-modal reconstructions, five rows per group of `cols` examples
 * whose joined row [a | b] is an image (MNIST's top and bottom halves): the input with b zeroed,
 * [â | b̂] from a alone, the truth [a | b], the input with a zeroed, [â | b̂] from b alone.
 */
export function crossModalImage(bm: BimodalAutoencoder, a: Tensor, b: Tensor, options: { size?: ImageSize; cols?: number } = {}): GrayImage {
  const fromA = bm.reconstruct(a, null);
  const fromB = bm.reconstruct(null, b);
  const rows = [bm.join(a, null), bm.join(fromA.a, fromA.b), bm.join(a, b), bm.join(null, b), bm.join(fromB.a, fromB.b)];
  return rowsImage(rows, options.size ?? squareSide(rows[0].cols), options.cols ?? 10);
}

/** Images side by side: for each group of `cols` examples, one row per tensor of `rows` (each [n, pixels]). */
function rowsImage(rows: readonly Tensor[], size: ImageSize, cols: number): GrayImage {
  const [n, V] = rows[0].shape;
  const groups = Math.ceil(n / cols);
  const out = zeros([groups * rows.length * cols, V]);
  for (let k = 0; k < n; k++) {
    const group = Math.floor(k / cols);
    for (const [r, t] of rows.entries()) out.data.set(t.data.subarray(k * V, (k + 1) * V), ((rows.length * group + r) * cols + (k % cols)) * V);
  }
  return imagesImage(out, { size, cols });
}

/**
 * Φ⁻¹(p), the standard normal quantile, by Acklam's rational approximation (relative error
 * below 1.2e-9), for the VAE's latent manifold.
 */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`normalQuantile: p must be in (0, 1); got ${p}`);
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const tail = (q: number): number =>
    (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  if (p < 0.02425) return tail(Math.sqrt(-2 * Math.log(p)));
  if (p > 1 - 0.02425) return -tail(Math.sqrt(-2 * Math.log(1 - p)));
  const q = p - 0.5;
  const r = q * q;
  return ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}

/**
 * The learned 2-D manifold (Kingma & Welling 2014, fig. 4): the decoder's means p(x | z) over a
 * steps × steps grid of z = (Φ⁻¹(u), Φ⁻¹(v)), u, v evenly inside (0, 1), so equal areas of the
 * grid hold equal prior mass. Needs latentSize 2.
 */
export function vaeManifoldImage(vae: VAE, options: { steps?: number; size?: ImageSize } = {}): GrayImage {
  if (vae.latentSize !== 2) throw new RangeError(`vaeManifoldImage: the manifold is drawn for latentSize 2; the VAE has ${vae.latentSize}`);
  const steps = options.steps ?? 20;
  if (!Number.isInteger(steps) || steps < 2) throw new RangeError(`vaeManifoldImage: steps must be an integer >= 2; got ${steps}`);
  const z = zeros([steps * steps, 2]);
  for (let row = 0; row < steps; row++) {
    for (let col = 0; col < steps; col++) {
      // z₂ grows upwards, z₁ to the right
      z.data[2 * (row * steps + col)] = normalQuantile((col + 0.5) / steps);
      z.data[2 * (row * steps + col) + 1] = normalQuantile(1 - (row + 0.5) / steps);
    }
  }
  return tileImages(vae.decode(z), { ...(options.size ?? squareSide(vae.inputSize)), cols: steps, pad: 0 });
}

/** n draws z ~ N(0, I) decoded (the Bernoulli means), on a grid. */
export function vaeSamplesImage(vae: VAE, options: { n?: number; seed?: number; size?: ImageSize } = {}): GrayImage {
  return imagesImage(vae.sample(options.n ?? 100, options.seed ?? 0), { size: options.size ?? squareSide(vae.inputSize) });
}
