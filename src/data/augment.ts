/**
 * Data augmentation for images: random small rotations (±15° as in the lecture), shifts,
 * scalings and, optionally, elastic distortions (Simard, Steinkraus & Platt 2003). Each image
 * gets its own random transform drawn from a seeded Rng, so a run is reproducible, and the
 * network never sees the exact same digit twice: it has to learn what does not change under
 * these transforms instead of memorising pixels.
 *
 * Every output pixel p is read from the source at T⁻¹(p) with bilinear interpolation (zeros
 * outside the image), where T rotates by θ and scales by s about the centre, then shifts by t.
 *
 *   const aug = new Augmenter({ rotate: 15, shift: 2, seed: 1 });
 *   aug.apply(batch, out);                                           // one batch, any number of rows
 *   model.fit(x, y, { transform: aug.batchTransform() })             // fresh variants of every batch
 */
import { parseDecimal } from "../io/decimal.js";
import { outputFor } from "../ops/util.js";
import { Rng } from "../tensor/random.js";
import { formatShape, type Shape, ShapeError } from "../tensor/shape.js";
import type { Tensor } from "../tensor/tensor.js";
import type { BatchTransform } from "./batch.js";

export interface ElasticOptions {
  /** Displacement scale in pixels (Simard et al. use 34 on 28×28 with sigma 4). */
  alpha: number;
  /** Smoothness of the displacement field: the Gaussian's standard deviation in pixels. */
  sigma: number;
}

export interface AugmentOptions {
  /** Largest rotation in degrees: θ uniform in [−rotate, rotate]. Default 0. */
  rotate?: number;
  /** Largest shift in pixels along each axis. Default 0. */
  shift?: number;
  /** Largest relative change of size: factor uniform in [1 − scale, 1 + scale]. Default 0. */
  scale?: number;
  /** Elastic distortion; off by default. */
  elastic?: ElasticOptions | null;
  /** Default 0. */
  seed?: number;
  /** [height, width, channels] of one image (rows may be flat); default [28, 28, 1]. */
  imageShape?: Shape;
}

function checkRange(name: string, v: number, lo: number, hi: number): number {
  if (!(Number.isFinite(v) && v >= lo && v <= hi)) throw new RangeError(`Augmenter: ${name} must be in [${lo}, ${hi}]; got ${v}`);
  return v;
}

export class Augmenter {
  readonly rotate: number;
  readonly shift: number;
  readonly scale: number;
  readonly elastic: ElasticOptions | null;
  readonly imageShape: [number, number, number];
  private readonly rng: Rng;
  /** Elastic displacement fields and blur scratch, one image in size, reused. */
  private readonly dispX: Float32Array;
  private readonly dispY: Float32Array;
  private readonly scratch: Float32Array;
  private readonly gaussian: Float32Array;

  constructor(options: AugmentOptions = {}) {
    this.rotate = checkRange("rotate (degrees)", options.rotate ?? 0, 0, 180);
    this.shift = checkRange("shift (pixels)", options.shift ?? 0, 0, 1e3);
    this.scale = checkRange("scale", options.scale ?? 0, 0, 0.9);
    const e = options.elastic ?? null;
    if (e !== null) {
      checkRange("elastic.alpha", e.alpha, 0, 1e3);
      checkRange("elastic.sigma", e.sigma, 0.1, 100);
    }
    this.elastic = e === null ? null : { alpha: e.alpha, sigma: e.sigma };
    const s = options.imageShape ?? [28, 28, 1];
    if (s.length !== 3 || !s.every((d) => Number.isInteger(d) && d >= 1)) {
      throw new RangeError(`Augmenter: imageShape must be [height, width, channels]; got ${JSON.stringify(s)}`);
    }
    this.imageShape = [s[0], s[1], s[2]];
    this.rng = new Rng(options.seed ?? 0);
    const pixels = s[0] * s[1];
    this.dispX = new Float32Array(pixels);
    this.dispY = new Float32Array(pixels);
    this.scratch = new Float32Array(pixels);
    this.gaussian = gaussianKernel(this.elastic?.sigma ?? 1);
  }

  /** The generator's four state words, live: a checkpoint saves them and `set`s them back to resume the stream. */
  randomState(): Uint32Array {
    return this.rng.state;
  }

  /** Every row of x (an image, flat or [H, W, C]) under its own random transform, into out. */
  apply(x: Tensor, out?: Tensor): Tensor {
    const [h, w, c] = this.imageShape;
    const size = h * w * c;
    if (x.rank < 1 || x.cols !== size) {
      throw new ShapeError(`Augmenter.apply: rows of ${formatShape(x.shape)} are not images of ${formatShape(this.imageShape)} (${size} values)`);
    }
    if (out === x) throw new RangeError("Augmenter.apply: out must not be x (pixels are read from the untouched source)");
    const y = outputFor("Augmenter.apply", x.shape, out);
    for (let r = 0; r < x.rows; r++) this.transformImage(x.data, r * size, y.data);
    return y;
  }

  /**
   * A Sequential.fit transform: every training batch is replaced by fresh random variants,
   * written into fit's scratch buffer (no augmented copy of the data set). The transforms come
   * from this Augmenter's seed, so a seeded fit with a seeded Augmenter is reproducible.
   */
  batchTransform(): BatchTransform {
    return (xBatch, _yBatch, { out }) => this.apply(xBatch, out);
  }

  private transformImage(src: Float32Array, offset: number, dst: Float32Array): void {
    const [h, w, c] = this.imageShape;
    const rng = this.rng;
    const theta = (rng.uniform(-1, 1) * this.rotate * Math.PI) / 180;
    const s = 1 + rng.uniform(-1, 1) * this.scale;
    const tx = rng.uniform(-1, 1) * this.shift;
    const ty = rng.uniform(-1, 1) * this.shift;
    if (this.elastic !== null) this.drawDisplacement();
    // T⁻¹: undo the shift, then rotate by −θ and divide by s about the centre
    const cos = Math.cos(theta) / s;
    const sin = Math.sin(theta) / s;
    const cy = (h - 1) / 2;
    const cx = (w - 1) / 2;
    for (let i = 0; i < h; i++) {
      for (let j = 0; j < w; j++) {
        let dy = i - cy - ty;
        let dx = j - cx - tx;
        if (this.elastic !== null) {
          dy += this.dispY[i * w + j];
          dx += this.dispX[i * w + j];
        }
        const sy = cos * dy - sin * dx + cy;
        const sx = sin * dy + cos * dx + cx;
        for (let ch = 0; ch < c; ch++) dst[offset + (i * w + j) * c + ch] = bilinear(src, offset, h, w, c, ch, sy, sx);
      }
    }
  }

  /** Uniform random displacements in [−1, 1], smoothed by a Gaussian and scaled by alpha. */
  private drawDisplacement(): void {
    const [h, w] = this.imageShape;
    const { alpha } = this.elastic as ElasticOptions;
    for (const field of [this.dispX, this.dispY]) {
      for (let i = 0; i < field.length; i++) field[i] = this.rng.uniform(-1, 1);
      blur(field, h, w, this.gaussian, this.scratch);
      // smoothing leaves displacements of a few hundredths; alpha scales them to pixels (as Simard et al.)
      for (let i = 0; i < field.length; i++) field[i] *= alpha;
    }
  }
}

function bilinear(src: Float32Array, offset: number, h: number, w: number, c: number, ch: number, y: number, x: number): number {
  const y0 = Math.floor(y);
  const x0 = Math.floor(x);
  const fy = y - y0;
  const fx = x - x0;
  const top = (1 - fx) * pixel(src, offset, h, w, c, ch, y0, x0) + fx * pixel(src, offset, h, w, c, ch, y0, x0 + 1);
  const bottom = (1 - fx) * pixel(src, offset, h, w, c, ch, y0 + 1, x0) + fx * pixel(src, offset, h, w, c, ch, y0 + 1, x0 + 1);
  return (1 - fy) * top + fy * bottom;
}

/** Channel ch of pixel (i, j), 0 outside the image. A plain function: a closure here would be one per output pixel. */
function pixel(src: Float32Array, offset: number, h: number, w: number, c: number, ch: number, i: number, j: number): number {
  return i >= 0 && i < h && j >= 0 && j < w ? src[offset + (i * w + j) * c + ch] : 0;
}

/** Normalised 1-D Gaussian of standard deviation sigma, radius ⌈3σ⌉. */
function gaussianKernel(sigma: number): Float32Array {
  const radius = Math.ceil(3 * sigma);
  const k = new Float32Array(2 * radius + 1);
  let sum = 0;
  for (let i = -radius; i <= radius; i++) sum += k[i + radius] = Math.exp(-(i * i) / (2 * sigma * sigma));
  for (let i = 0; i < k.length; i++) k[i] /= sum;
  return k;
}

/** Separable Gaussian blur of an h×w field in place (zero beyond the edges). */
function blur(field: Float32Array, h: number, w: number, k: Float32Array, tmp: Float32Array): void {
  const r = (k.length - 1) / 2;
  for (let i = 0; i < h; i++) {
    for (let j = 0; j < w; j++) {
      let s = 0;
      for (let t = -r; t <= r; t++) if (j + t >= 0 && j + t < w) s += k[t + r] * field[i * w + j + t];
      tmp[i * w + j] = s;
    }
  }
  for (let i = 0; i < h; i++) {
    for (let j = 0; j < w; j++) {
      let s = 0;
      for (let t = -r; t <= r; t++) if (i + t >= 0 && i + t < h) s += k[t + r] * tmp[(i + t) * w + j];
      field[i * w + j] = s;
    }
  }
}

/**
 * Parses the CLI form "rotate=15,shift=2,scale=0.1,elastic=34:4" (elastic = alpha:sigma).
 * An empty string means no augmentation (null).
 */
export function parseAugmentSpec(spec: string, seed = 0): AugmentOptions | null {
  if (spec.trim() === "") return null;
  const options: AugmentOptions = { seed };
  for (const part of spec.split(",")) {
    const [key, value, extra] = part.split("=").map((t) => t.trim());
    if (value === undefined || value === "" || extra !== undefined)
      throw new RangeError(`--augment: "${part}" must be key=value (keys: rotate, shift, scale, elastic)`);
    if (key === "elastic") {
      const [alpha, sigma, ...more] = value.split(":").map(parseDecimal);
      if (alpha === undefined || sigma === undefined || more.length > 0)
        throw new RangeError(`--augment: elastic must be alpha:sigma, e.g. elastic=34:4; got "${value}"`);
      options.elastic = { alpha, sigma };
      continue;
    }
    const v = parseDecimal(value);
    if (v === undefined) throw new RangeError(`--augment: ${key} must be a number; got "${value}"`);
    if (key === "rotate") options.rotate = v;
    else if (key === "shift") options.shift = v;
    else if (key === "scale") options.scale = v;
    else throw new RangeError(`--augment: unknown key "${key}" (keys: rotate, shift, scale, elastic)`);
  }
  new Augmenter(options); // validates the ranges now, with the option names
  return options;
}
