/**
 * Pictures of an autoencoder on image data: its filters (column j of the encoder's W, the
 * weights into hidden unit j, drawn as an image; a sparse AE's are the lecture's pen strokes),
 * and for the denoising AE the lecture's three rows: corrupted inputs, their reconstructions,
 * the clean originals.
 */
import { type GrayImage, tileImages } from "../../io/png.js";
import { type Tensor, zeros } from "../../tensor/tensor.js";
import { type ImageSize, imagesImage, squareSide } from "../rbm/pictures.js";
import type { Autoencoder } from "./autoencoder.js";

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
  const cols = options.cols ?? 10;
  const V = ae.inputSize;
  const rows = [noisy, ae.reconstruct(noisy), clean];
  const groups = Math.ceil(noisy.rows / cols);
  const out = zeros([groups * 3 * cols, V]);
  for (let k = 0; k < noisy.rows; k++) {
    const group = Math.floor(k / cols);
    for (const [r, t] of rows.entries()) out.data.set(t.data.subarray(k * V, (k + 1) * V), ((3 * group + r) * cols + (k % cols)) * V);
  }
  return imagesImage(out, { size: options.size ?? squareSide(V), cols });
}
