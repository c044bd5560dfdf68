/**
 * Pictures of an RBM on image data: its filters (each hidden unit's incoming weights drawn as
 * an image), samples from long Gibbs chains, and reconstructions next to their originals.
 */
import { type GrayImage, tileImages } from "../../io/png.js";
import { type Tensor, zeros } from "../../tensor/tensor.js";
import type { RBM } from "./rbm.js";

export interface ImageSize {
  height: number;
  width: number;
}

/** A square image side for `visible` pixels (784 → 28), or an error naming the count. */
export function squareSide(visible: number): ImageSize {
  const side = Math.round(Math.sqrt(visible));
  if (side * side !== visible) throw new RangeError(`RBM pictures: ${visible} visible units are not a square image; pass { height, width }`);
  return { height: side, width: side };
}

/** The first `count` filters: row j is column j of W, the weights into hidden unit j. [count, visible]. */
export function filters(rbm: RBM, count = rbm.hidden): Tensor {
  const n = Math.min(count, rbm.hidden);
  const V = rbm.visible;
  const H = rbm.hidden;
  const out = zeros([n, V]);
  for (let j = 0; j < n; j++) for (let i = 0; i < V; i++) out.data[j * V + i] = rbm.W.data[i * H + j];
  return out;
}

/** Filters as a grid, each scaled by its own range so its pattern shows. */
export function filtersImage(rbm: RBM, options: { count?: number; size?: ImageSize; cols?: number } = {}): GrayImage {
  const size = options.size ?? squareSide(rbm.visible);
  const f = filters(rbm, options.count ?? 100);
  return tileImages(f, { ...size, cols: options.cols ?? Math.ceil(Math.sqrt(f.rows)), normalize: "per-image", pad: 1, background: 0 });
}

/** Images in [0, 1] (samples, data) as a grid. */
export function imagesImage(images: Tensor, options: { size: ImageSize; cols?: number }): GrayImage {
  return tileImages(images, { ...options.size, cols: options.cols ?? Math.ceil(Math.sqrt(images.rows)), normalize: "none", pad: 1, background: 0.3 });
}

/** Originals and their reconstructions in alternating rows of `cols` images. */
export function reconstructionsImage(rbm: RBM, data: Tensor, options: { size?: ImageSize; cols?: number } = {}): GrayImage {
  const size = options.size ?? squareSide(rbm.visible);
  const cols = options.cols ?? 10;
  const n = data.rows;
  const r = rbm.reconstruct(data);
  const V = rbm.visible;
  const rows = Math.ceil(n / cols);
  const out = zeros([rows * 2 * cols, V]);
  for (let k = 0; k < n; k++) {
    const row = Math.floor(k / cols);
    const col = k % cols;
    out.data.set(data.data.subarray(k * V, (k + 1) * V), (2 * row * cols + col) * V);
    out.data.set(r.data.subarray(k * V, (k + 1) * V), ((2 * row + 1) * cols + col) * V);
  }
  return imagesImage(out, { size, cols });
}

export interface RbmPictureOptions {
  /** Images to reconstruct (e.g. the test set's first 50). */
  data?: Tensor;
  /** Gibbs chains and steps for the samples picture. Default 100 chains, 1000 steps. */
  samples?: { n?: number; steps?: number; seed?: number; init?: Tensor };
  size?: ImageSize;
  filters?: number;
}

/** Writes filters.png, samples.png and (with data) reconstructions.png into dir; returns their paths. Node only. */
export async function writeRbmPictures(rbm: RBM, dir: string, options: RbmPictureOptions = {}): Promise<string[]> {
  const { writePng } = await import("../../io/png.js");
  const size = options.size ?? squareSide(rbm.visible);
  const path = (f: string): string => (dir.endsWith("/") ? dir + f : `${dir}/${f}`);
  const written: string[] = [];
  await writePng(path("filters.png"), filtersImage(rbm, { count: options.filters ?? 100, size }));
  written.push(path("filters.png"));
  const s = options.samples ?? {};
  const samples = rbm.sample({ n: s.n ?? 100, steps: s.steps ?? 1000, seed: s.seed ?? 1, init: s.init ?? "random" });
  await writePng(path("samples.png"), imagesImage(samples, { size }));
  written.push(path("samples.png"));
  if (options.data !== undefined) {
    await writePng(path("reconstructions.png"), reconstructionsImage(rbm, options.data, { size }));
    written.push(path("reconstructions.png"));
  }
  return written;
}
