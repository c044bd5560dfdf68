/**
 * Pictures of an autoencoder on image data: its filters (column j of the encoder's W, the
 * weights into hidden unit j, drawn as an image; a sparse AE's are the lecture's pen strokes),
 * and for the denoising AE the lecture's three rows: corrupted inputs, their reconstructions,
 * the clean originals; for the bimodal autoencoder, its cross-modal reconstructions; for the
 * masked autoencoder: masked input, its guess, the truth.
 */
import { type GrayImage, tileImages } from "../../io/png.js";
import { Rng } from "../../tensor/random.js";
import { type Tensor, zeros } from "../../tensor/tensor.js";
import { type ImageSize, imagesImage, squareSide } from "../rbm/pictures.js";
import type { Autoencoder } from "./autoencoder.js";
import type { BimodalAutoencoder } from "./bimodal.js";
import type { MaskedAutoencoder } from "./mae.js";

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
