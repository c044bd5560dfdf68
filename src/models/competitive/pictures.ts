/**
 * Pictures of a self-organising map: the map itself (each node's prototype drawn as an image at
 * its grid position: the MNIST map), the U-matrix and the component planes as grey images, and
 * a 2-D map drawn in input space as an SVG (nodes joined to their grid neighbours, over the
 * data): one such frame per epoch shows the grid unfolding.
 */
import { type GrayImage, type TileNormalize, tileImages } from "../../io/png.js";
import { COLOURS, escapeXml } from "../../io/svg.js";
import type { Tensor } from "../../tensor/tensor.js";
import type { SOM } from "./som.js";

export interface MapImageOptions {
  /** Height and width of one prototype as an image (28 x 28 for MNIST); their product must be the input width. */
  height: number;
  width: number;
  /** Default "none": prototypes of [0, 1] data are grey levels as they are. */
  normalize?: TileNormalize;
  /** Pixels between nodes; default 1. */
  pad?: number;
}

/** Every node's prototype as a height x width image, laid out on the map's grid (a hexagonal grid drawn unshifted). */
export function somMapImage(som: SOM, options: MapImageOptions): GrayImage {
  const { height, width, normalize = "none", pad = 1 } = options;
  return tileImages(som.prototypes, { height, width, cols: som.options.grid[1], normalize, pad, background: 1 });
}

/** The U-matrix as a grey image, one scale x scale block per node: light ridges are borders between clusters, dark valleys clusters. */
export function uMatrixImage(som: SOM, scale = 8): GrayImage {
  const [rows, cols] = som.options.grid;
  return tileImages(som.uMatrix().reshape(1, rows * cols), { height: rows, width: cols, normalize: "minmax", scale });
}

/** Component planes of the chosen features (default all), each scaled by its own range: where on the map each feature is large. */
export function componentPlanesImage(som: SOM, features?: readonly number[], scale = 4): GrayImage {
  const [rows, cols] = som.options.grid;
  const planes = som.componentPlanes().reshape(som.features, rows * cols);
  const chosen: Tensor = features === undefined ? planes : gatherPlanes(planes, features);
  return tileImages(chosen, { height: rows, width: cols, normalize: "per-image", scale, pad: 2, background: 1 });
}

function gatherPlanes(planes: Tensor, features: readonly number[]): Tensor {
  const m = planes.shape[1];
  const out = planes.sliceRows(0, features.length).clone();
  features.forEach((k, r) => {
    if (!Number.isInteger(k) || k < 0 || k >= planes.shape[0]) throw new RangeError(`componentPlanesImage: feature ${k} is outside [0, ${planes.shape[0]})`);
    out.data.set(planes.data.subarray(k * m, (k + 1) * m), r * m);
  });
  return out;
}

export interface GridSvgOptions {
  /** Points drawn faintly behind the map, [n, 2]. */
  data?: Tensor;
  /** [xmin, xmax, ymin, ymax] of the plot; default the box of the data (or of the prototypes). Fix it to keep a sequence of frames aligned. */
  bounds?: readonly [number, number, number, number];
  title?: string;
  /** Pixels (square); default 480. */
  size?: number;
}

/** A map of 2-D inputs drawn in input space: each prototype a dot, joined to its grid neighbours; the classic picture of a SOM unfolding. */
export function somGridSvg(som: SOM, options: GridSvgOptions = {}): string {
  if (som.features !== 2) throw new RangeError(`somGridSvg: the map's inputs must be 2-D, got ${som.features}-D`);
  const { data, title = "", size = 480 } = options;
  if (data !== undefined && (data.rank !== 2 || data.shape[1] !== 2)) throw new RangeError(`somGridSvg: data must be [n, 2], got [${data.shape}]`);
  const w = som.prototypes.data;
  const [x0, x1, y0, y1] = options.bounds ?? box(data?.data ?? w);
  const margin = 20;
  const top = title ? 36 : margin;
  const span = size - 2 * margin;
  const px = (v: number) => (margin + ((v - x0) / (x1 - x0 || 1)) * span).toFixed(1);
  const py = (v: number) => (top + (1 - (v - y0) / (y1 - y0 || 1)) * span).toFixed(1);
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${top + span + margin}" viewBox="0 0 ${size} ${top + span + margin}">`,
    `<rect width="100%" height="100%" fill="white"/>`,
  ];
  if (title) parts.push(`<text x="${size / 2}" y="22" text-anchor="middle" font-family="sans-serif" font-size="15">${escapeXml(title)}</text>`);
  if (data !== undefined) {
    const dots: string[] = [];
    for (let j = 0; j < data.shape[0]; j++) dots.push(`<circle cx="${px(data.data[2 * j])}" cy="${py(data.data[2 * j + 1])}" r="1.2"/>`);
    parts.push(`<g fill="#bbb">${dots.join("")}</g>`);
  }
  const edges: string[] = [];
  for (let i = 0; i < som.nodes; i++)
    for (const j of som.neighbours(i)) if (j > i) edges.push(`M${px(w[2 * i])} ${py(w[2 * i + 1])}L${px(w[2 * j])} ${py(w[2 * j + 1])}`);
  parts.push(`<path d="${edges.join("")}" stroke="${COLOURS[0]}" stroke-width="1.2" fill="none"/>`);
  const nodes: string[] = [];
  for (let i = 0; i < som.nodes; i++) nodes.push(`<circle cx="${px(w[2 * i])}" cy="${py(w[2 * i + 1])}" r="2.5"/>`);
  parts.push(`<g fill="${COLOURS[2]}">${nodes.join("")}</g>`, "</svg>");
  return parts.join("\n");
}

function box(points: Float32Array): [number, number, number, number] {
  let [x0, x1, y0, y1] = [Infinity, -Infinity, Infinity, -Infinity];
  for (let j = 0; j < points.length; j += 2) {
    x0 = Math.min(x0, points[j]);
    x1 = Math.max(x1, points[j]);
    y0 = Math.min(y0, points[j + 1]);
    y1 = Math.max(y1, points[j + 1]);
  }
  return [x0, x1, y0, y1];
}
