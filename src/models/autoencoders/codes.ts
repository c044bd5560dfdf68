/**
 * 2-D codes, the lecture's figure (Hinton & Salakhutdinov 2006, fig. 3): each test digit as a
 * point at its code, coloured by its class, one panel per method (the deep autoencoder's codes
 * beside the first two principal components), as SVG text and as an RGB picture for PNG. And
 * "separates the classes better" as a number: the k-nearest-neighbour accuracy of the codes.
 */
import { FONT_3X5, hexRgb } from "../../io/plot-image.js";
import type { GrayImage } from "../../io/png.js";
import { COLOURS, escapeXml } from "../../io/svg.js";
import { formatShape, ShapeError } from "../../tensor/shape.js";
import type { Tensor } from "../../tensor/tensor.js";

/** One panel of the figure: a title and the codes [rows, 2]. */
export interface CodesPanel {
  title: string;
  codes: Tensor;
}

export interface CodesScatterOptions {
  /** Width and height of one panel in pixels. Default 400. */
  panelSize?: number;
}

const LEGEND_WIDTH = 60;
const TITLE_HEIGHT = 28;
const PAD = 8;

/** The panels and their labels checked: each panel [rows, 2], one integer label in [0, 9] per row. */
function checkPanels(who: string, panels: CodesPanel | readonly CodesPanel[], labels: ArrayLike<number>, size: number): CodesPanel[] {
  const list = Array.isArray(panels) ? [...(panels as readonly CodesPanel[])] : [panels as CodesPanel];
  if (list.length === 0) throw new RangeError(`${who}: panels must hold at least one { title, codes }`);
  for (const p of list) {
    if (p.codes.rank !== 2 || p.codes.shape[1] !== 2)
      throw new ShapeError(`${who}: codes of "${p.title}" must be [rows, 2]; got ${formatShape(p.codes.shape)}`);
    if (p.codes.rows !== labels.length) throw new ShapeError(`${who}: "${p.title}" has ${p.codes.rows} codes but there are ${labels.length} labels`);
  }
  for (let i = 0; i < labels.length; i++)
    if (!Number.isInteger(labels[i]) || labels[i] < 0 || labels[i] >= COLOURS.length)
      throw new RangeError(`${who}: labels must be integers in [0, ${COLOURS.length - 1}]; got ${labels[i]} at row ${i}`);
  if (!Number.isInteger(size) || size < 100 || size > 4000) throw new RangeError(`${who}: panelSize must be an integer in [100, 4000]; got ${size}`);
  return list;
}

/** Maps a panel's codes into [PAD, size − PAD]² (y up), each axis over its own finite range. */
function pixelMap(codes: Tensor, size: number): (r: number) => [number, number] {
  const lo = [Infinity, Infinity];
  const hi = [-Infinity, -Infinity];
  for (let r = 0; r < codes.rows; r++)
    for (let a = 0; a < 2; a++) {
      const v = codes.data[2 * r + a];
      if (Number.isFinite(v)) [lo[a], hi[a]] = [Math.min(lo[a], v), Math.max(hi[a], v)];
    }
  const span = [0, 1].map((a) => (hi[a] > lo[a] ? hi[a] - lo[a] : 1));
  const inner = size - 2 * PAD;
  return (r) => [PAD + ((codes.data[2 * r] - lo[0]) / span[0]) * inner, PAD + inner - ((codes.data[2 * r + 1] - lo[1]) / span[1]) * inner];
}

/** The classes present, in order. */
function classesOf(labels: ArrayLike<number>): number[] {
  return [...new Set(Array.from(labels))].sort((a, b) => a - b);
}

/** SVG of the panels side by side: one circle per row of codes, fill the class's colour, and a legend of the classes. */
export function codesScatterSvg(panels: CodesPanel | readonly CodesPanel[], labels: ArrayLike<number>, options: CodesScatterOptions = {}): string {
  const size = options.panelSize ?? 400;
  const list = checkPanels("codesScatterSvg", panels, labels, size);
  const width = list.length * size + LEGEND_WIDTH;
  const height = size + TITLE_HEIGHT;
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
  ];
  list.forEach((p, k) => {
    const x0 = k * size;
    const at = pixelMap(p.codes, size);
    out.push(`<g class="panel" transform="translate(${x0},${TITLE_HEIGHT})">`, `<rect width="${size}" height="${size}" fill="none" stroke="#ccc"/>`);
    for (let r = 0; r < p.codes.rows; r++) {
      const [x, y] = at(r);
      if (Number.isFinite(x) && Number.isFinite(y)) out.push(`<circle cx="${x.toFixed(1)}" cy="${y.toFixed(1)}" r="1.6" fill="${COLOURS[labels[r]]}"/>`);
    }
    out.push("</g>", `<text x="${x0 + size / 2}" y="18" text-anchor="middle" font-size="14">${escapeXml(p.title)}</text>`);
  });
  out.push(`<g class="legend" transform="translate(${list.length * size + 12},${TITLE_HEIGHT + 8})">`);
  for (const [i, c] of classesOf(labels).entries())
    out.push(`<rect x="0" y="${i * 18}" width="10" height="10" fill="${COLOURS[c]}"/>`, `<text x="16" y="${i * 18 + 10}">${c}</text>`);
  out.push("</g>", "</svg>");
  return `${out.join("\n")}\n`;
}

/** The same figure as an RGB picture (write it with writePng(path, image, 3)): 3×3 dots, a legend of swatches and digits, no titles. */
export function codesScatterImage(panels: CodesPanel | readonly CodesPanel[], labels: ArrayLike<number>, options: CodesScatterOptions = {}): GrayImage {
  const size = options.panelSize ?? 400;
  const list = checkPanels("codesScatterImage", panels, labels, size);
  const width = list.length * size + LEGEND_WIDTH;
  const height = size;
  const pixels = new Uint8Array(width * height * 3).fill(255);
  const paint = (x: number, y: number, c: readonly number[]): void => {
    if (x < 0 || y < 0 || x >= width || y >= height) return;
    pixels.set(c, 3 * (y * width + x));
  };
  list.forEach((p, k) => {
    const at = pixelMap(p.codes, size);
    for (let i = 0; i < size; i++)
      for (const [x, y] of [
        [k * size + i, 0],
        [k * size + i, size - 1],
        [k * size, i],
        [k * size + size - 1, i],
      ])
        paint(x, y, [204, 204, 204]);
    for (let r = 0; r < p.codes.rows; r++) {
      const [x, y] = at(r).map(Math.round);
      const c = hexRgb(COLOURS[labels[r]]);
      for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) paint(k * size + x + dx, y + dy, c);
    }
  });
  const left = list.length * size + 12;
  for (const [i, c] of classesOf(labels).entries()) {
    const top = 8 + i * 18;
    for (let dy = 0; dy < 10; dy++) for (let dx = 0; dx < 10; dx++) paint(left + dx, top + dy, hexRgb(COLOURS[c]));
    // the digit at twice its size beside the swatch
    for (let gy = 0; gy < 5; gy++)
      for (let gx = 0; gx < 3; gx++)
        if (FONT_3X5[String(c)][gy * 3 + gx] === "#") for (let s = 0; s < 4; s++) paint(left + 16 + 2 * gx + (s & 1), top + 2 * gy + (s >> 1), [0, 0, 0]);
  }
  return { pixels, width, height };
}

/**
 * The fraction of test rows whose k nearest training rows (Euclidean) vote for their label;
 * a tie between classes goes to the class of the nearest of the tied neighbours.
 */
export function knnAccuracy(trainCodes: Tensor, trainLabels: ArrayLike<number>, testCodes: Tensor, testLabels: ArrayLike<number>, k: number): number {
  const d = trainCodes.shape[1];
  if (trainCodes.rank !== 2 || testCodes.rank !== 2 || testCodes.shape[1] !== d)
    throw new ShapeError(
      `knnAccuracy: trainCodes and testCodes must be [rows, d] with the same d; got ${formatShape(trainCodes.shape)} and ${formatShape(testCodes.shape)}`,
    );
  if (trainLabels.length !== trainCodes.rows || testLabels.length !== testCodes.rows)
    throw new ShapeError(
      `knnAccuracy: one label per row needed; got ${trainLabels.length} for ${trainCodes.rows} train rows, ${testLabels.length} for ${testCodes.rows} test rows`,
    );
  const n = trainCodes.rows;
  if (!Number.isInteger(k) || k < 1 || k > n) throw new RangeError(`knnAccuracy: k must be an integer in [1, ${n}] (the training rows); got ${k}`);
  if (testCodes.rows === 0) throw new RangeError("knnAccuracy: testCodes has no rows");
  const dist = new Float64Array(k);
  const label = new Float64Array(k);
  let correct = 0;
  for (let t = 0; t < testCodes.rows; t++) {
    // the k nearest so far, sorted by distance (insertion: k is small)
    let found = 0;
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += (trainCodes.data[i * d + j] - testCodes.data[t * d + j]) ** 2;
      if (found === k && s >= dist[k - 1]) continue;
      let p = found < k ? found++ : k - 1;
      for (; p > 0 && dist[p - 1] > s; p--) [dist[p], label[p]] = [dist[p - 1], label[p - 1]];
      [dist[p], label[p]] = [s, trainLabels[i]];
    }
    if (vote(label, found) === testLabels[t]) correct++;
  }
  return correct / testCodes.rows;
}

/** The most frequent of the first `found` labels (sorted nearest first); of tied classes, the nearest's. */
function vote(label: Float64Array, found: number): number {
  const count = new Map<number, number>();
  for (let i = 0; i < found; i++) count.set(label[i], (count.get(label[i]) ?? 0) + 1);
  const most = Math.max(...count.values());
  for (let i = 0; i < found; i++) if (count.get(label[i]) === most) return label[i];
  return label[0];
}
