/**
 * Pictures of a DBN on image data: the first layer's filters (the RBM's own picture) and
 * samples, one row per class when the top RBM has label units (Hinton et al. 2006, figure 8).
 */
import type { GrayImage } from "../../io/png.js";
import type { Tensor } from "../../tensor/tensor.js";
import { filtersImage, type ImageSize, imagesImage, squareSide } from "../rbm/pictures.js";
import type { DBN } from "./dbn.js";

export interface DbnSampleGridOptions {
  /** Samples per class (one row each), or the number of samples without labels. Default 10. */
  perClass?: number;
  gibbsSteps?: number;
  seed?: number;
  size?: ImageSize;
}

/** Samples p(v | h1) after `gibbsSteps` in the top RBM: a row per class with labels, else a square grid. */
export function dbnSamples(dbn: DBN, options: DbnSampleGridOptions = {}): { images: Tensor; cols: number } {
  const per = options.perClass ?? 10;
  const steps = options.gibbsSteps ?? 1000;
  if (dbn.labels === 0) {
    const n = per * per;
    return { images: dbn.sample({ n, gibbsSteps: steps, seed: options.seed, output: "mean" }), cols: per };
  }
  const label = new Int32Array(per * dbn.labels);
  for (let i = 0; i < label.length; i++) label[i] = Math.floor(i / per);
  return { images: dbn.sample({ label, gibbsSteps: steps, seed: options.seed, output: "mean" }), cols: per };
}

export function dbnSamplesImage(dbn: DBN, options: DbnSampleGridOptions = {}): GrayImage {
  const { images, cols } = dbnSamples(dbn, options);
  return imagesImage(images, { size: options.size ?? squareSide(dbn.layers[0]), cols });
}

/** Writes filters.png (first RBM) and samples.png into dir; returns their paths. Node only. */
export async function writeDbnPictures(dbn: DBN, dir: string, options: DbnSampleGridOptions & { filters?: number } = {}): Promise<string[]> {
  const { writePng } = await import("../../io/png.js");
  const path = (f: string): string => (dir.endsWith("/") ? dir + f : `${dir}/${f}`);
  const size = options.size ?? squareSide(dbn.layers[0]);
  await writePng(path("filters.png"), filtersImage(dbn.rbms[0], { count: options.filters ?? 100, size }));
  await writePng(path("samples.png"), dbnSamplesImage(dbn, { ...options, size }));
  return [path("filters.png"), path("samples.png")];
}
