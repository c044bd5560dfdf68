/**
 * A drawing prepared the way MNIST's digits were (LeCun et al.): the ink's bounding box is
 * scaled, aspect ratio kept, to fit a 20×20 box (area averaging, which gives the grey
 * anti-aliased edges MNIST has), and that box is placed in the 28×28 field so that the centre
 * of mass of the ink lands on the field's centre. Nets trained on MNIST see drawings in the
 * same frame as their training digits only after this; the raw canvas scaled down is off
 * centre and the wrong size.
 */
export const SIDE = 28;
export const BOX = 20;

/** Ink in [0, 1] of a width×height drawing (row-major) → 784 MNIST pixels in [0, 1]. All zero if nothing is drawn. */
export function toMnist(ink: ArrayLike<number>, width: number, height: number): Float32Array {
  const out = new Float32Array(SIDE * SIDE);
  const box = inkBounds(ink, width, height);
  if (box === null) return out;
  const scale = BOX / Math.max(box.width, box.height);
  const w = Math.max(1, Math.round(box.width * scale));
  const h = Math.max(1, Math.round(box.height * scale));
  const small = areaResample(ink, width, box, w, h);
  const [cx, cy] = centreOfMass(small, w, h);
  // shift so the centre of mass sits at the field's centre (13.5, 13.5 in pixel-index units)
  const dx = Math.round((SIDE - 1) / 2 - cx);
  const dy = Math.round((SIDE - 1) / 2 - cy);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const tx = x + dx;
      const ty = y + dy;
      if (tx >= 0 && tx < SIDE && ty >= 0 && ty < SIDE) out[ty * SIDE + tx] = small[y * w + x];
    }
  }
  return out;
}

interface Bounds {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** The smallest rectangle holding every pixel with ink above a faint threshold, or null. */
export function inkBounds(ink: ArrayLike<number>, width: number, height: number, threshold = 0.05): Bounds | null {
  let x0 = width;
  let y0 = height;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (ink[y * width + x] <= threshold) continue;
      x0 = Math.min(x0, x);
      x1 = Math.max(x1, x);
      y0 = Math.min(y0, y);
      y1 = Math.max(y1, y);
    }
  }
  return x1 < 0 ? null : { x: x0, y: y0, width: x1 - x0 + 1, height: y1 - y0 + 1 };
}

/** The box resampled to w×h: each target pixel is the mean of the source pixels under it (at least one). */
function areaResample(ink: ArrayLike<number>, stride: number, box: Bounds, w: number, h: number): Float32Array {
  const out = new Float32Array(w * h);
  const span = (t: number, n: number, size: number): [number, number] => {
    const a = Math.floor((t * size) / n);
    return [a, Math.max(a + 1, Math.floor(((t + 1) * size) / n))];
  };
  for (let ty = 0; ty < h; ty++) {
    const [ya, yb] = span(ty, h, box.height);
    for (let tx = 0; tx < w; tx++) {
      const [xa, xb] = span(tx, w, box.width);
      let sum = 0;
      for (let y = ya; y < yb; y++) for (let x = xa; x < xb; x++) sum += ink[(box.y + y) * stride + box.x + x];
      out[ty * w + tx] = Math.min(1, sum / ((yb - ya) * (xb - xa)));
    }
  }
  return out;
}

/** (Σ x·v, Σ y·v) / Σ v in pixel-index units. */
export function centreOfMass(img: ArrayLike<number>, w: number, h: number): [number, number] {
  let mass = 0;
  let mx = 0;
  let my = 0;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const v = img[y * w + x];
      mass += v;
      mx += x * v;
      my += y * v;
    }
  }
  return mass === 0 ? [(w - 1) / 2, (h - 1) / 2] : [mx / mass, my / mass];
}
