/**
 * PNG output in pure TypeScript (no zlib binding), so the same code draws digits, filters and
 * samples in Node and in the browser: CRC-32 chunks, a zlib stream with one fixed-Huffman
 * deflate block (LZ77 over a 32 KiB window) and an Adler-32 trailer. Only writePng touches
 * the file system, through a lazy import of ./files.js so browser bundles never load it.
 */
import type { Tensor } from "../tensor/tensor.js";

export interface GrayImage {
  /** Row-major bytes, `channels` per pixel (1 grey, 3 RGB). */
  pixels: Uint8Array;
  width: number;
  height: number;
}

export type TileNormalize = "minmax" | "per-image" | "none";

export interface TileOptions {
  /** Height and width of one image in pixels. */
  height: number;
  width: number;
  /** Images per row of the grid; default ceil(sqrt(n)). */
  cols?: number;
  /** Pixels between neighbouring images; default 1. */
  pad?: number;
  /**
   * How values become grey levels: "none" reads them as intensities in [0, 1] (clamped; the
   * default), "minmax" scales all images by one global min and max (weights keep their relative
   * size), "per-image" scales each image by its own min and max (each filter's pattern shows).
   */
  normalize?: TileNormalize;
  /** Grey level of the padding, in [0, 1]; default 0 (black). */
  background?: number;
  /** Integer upscaling factor (nearest neighbour) for small images; default 1. */
  scale?: number;
}

// ---- checksums ----------------------------------------------------------------------------

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32 (ISO 3309, the polynomial PNG and gzip use) of bytes[start, end). */
export function crc32(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let c = 0xffffffff;
  for (let i = start; i < end; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** Adler-32, the checksum that ends a zlib stream. */
export function adler32(bytes: Uint8Array): number {
  let a = 1;
  let b = 0;
  // 5552 is the largest run before b can overflow 2^32 (zlib's NMAX)
  for (let i = 0; i < bytes.length; ) {
    const end = Math.min(i + 5552, bytes.length);
    for (; i < end; i++) {
      a += bytes[i];
      b += a;
    }
    a %= 65521;
    b %= 65521;
  }
  return ((b << 16) | a) >>> 0;
}

// ---- deflate (RFC 1951), one block with the fixed Huffman code ------------------------------

class BitWriter {
  bytes: Uint8Array;
  length = 0;
  private bitBuf = 0;
  private bitCount = 0;

  constructor(capacity: number) {
    this.bytes = new Uint8Array(Math.max(capacity, 64));
  }

  /** Appends the low n bits of value, least significant first (deflate's bit order). */
  bits(value: number, n: number): void {
    this.bitBuf |= value << this.bitCount;
    this.bitCount += n;
    while (this.bitCount >= 8) {
      this.byte(this.bitBuf & 0xff);
      this.bitBuf >>>= 8;
      this.bitCount -= 8;
    }
  }

  /** Appends a Huffman code, which deflate stores most significant bit first. */
  code(code: number, n: number): void {
    let reversed = 0;
    for (let i = 0; i < n; i++) reversed |= ((code >>> i) & 1) << (n - 1 - i);
    this.bits(reversed, n);
  }

  flush(): void {
    if (this.bitCount > 0) this.byte(this.bitBuf & 0xff);
    this.bitBuf = 0;
    this.bitCount = 0;
  }

  byte(b: number): void {
    if (this.length === this.bytes.length) {
      const grown = new Uint8Array(this.bytes.length * 2);
      grown.set(this.bytes);
      this.bytes = grown;
    }
    this.bytes[this.length++] = b;
  }
}

const LENGTH_BASE = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258];
const LENGTH_EXTRA = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0];
const DIST_BASE = [
  1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577,
];
const DIST_EXTRA = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13];

const WINDOW = 32768;
const MIN_MATCH = 3;
const MAX_MATCH = 258;
const HASH_BITS = 15;
const MAX_CHAIN = 64;

/** Writes literal/length symbol s (0-287) with the fixed code of RFC 1951 section 3.2.6. */
function fixedLiteral(w: BitWriter, s: number): void {
  if (s < 144) w.code(0x30 + s, 8);
  else if (s < 256) w.code(0x190 + s - 144, 9);
  else if (s < 280) w.code(s - 256, 7);
  else w.code(0xc0 + s - 280, 8);
}

function writeMatch(w: BitWriter, length: number, distance: number): void {
  let li = LENGTH_BASE.length - 1;
  while (LENGTH_BASE[li] > length) li--;
  fixedLiteral(w, 257 + li);
  if (LENGTH_EXTRA[li]) w.bits(length - LENGTH_BASE[li], LENGTH_EXTRA[li]);
  let di = DIST_BASE.length - 1;
  while (DIST_BASE[di] > distance) di--;
  w.code(di, 5);
  if (DIST_EXTRA[di]) w.bits(distance - DIST_BASE[di], DIST_EXTRA[di]);
}

/** Raw deflate of data: one final fixed-Huffman block, greedy LZ77 with hash chains. */
export function deflateRaw(data: Uint8Array): Uint8Array {
  const w = new BitWriter((data.length >>> 1) + 64);
  w.bits(1, 1); // BFINAL
  w.bits(1, 2); // BTYPE = 01, fixed Huffman
  const head = new Int32Array(1 << HASH_BITS).fill(-1);
  const prev = new Int32Array(WINDOW);
  const n = data.length;
  const hashAt = (i: number): number => (((data[i] << 10) ^ (data[i + 1] << 5) ^ data[i + 2]) * 2654435761) >>> (32 - HASH_BITS);
  const insert = (i: number): void => {
    if (i + MIN_MATCH > n) return;
    const h = hashAt(i);
    prev[i & (WINDOW - 1)] = head[h];
    head[h] = i;
  };
  let i = 0;
  while (i < n) {
    let bestLen = 0;
    let bestDist = 0;
    if (i + MIN_MATCH <= n) {
      let cand = head[hashAt(i)];
      const maxLen = Math.min(MAX_MATCH, n - i);
      for (let chain = 0; cand >= 0 && i - cand <= WINDOW && chain < MAX_CHAIN; chain++) {
        if (data[cand + bestLen] === data[i + bestLen]) {
          let len = 0;
          while (len < maxLen && data[cand + len] === data[i + len]) len++;
          if (len > bestLen) {
            bestLen = len;
            bestDist = i - cand;
            if (len === maxLen) break;
          }
        }
        const next = prev[cand & (WINDOW - 1)];
        if (next >= cand) break; // slot reused by a newer position: the chain has left the window
        cand = next;
      }
    }
    if (bestLen >= MIN_MATCH) {
      writeMatch(w, bestLen, bestDist);
      for (let k = 0; k < bestLen; k++) insert(i + k);
      i += bestLen;
    } else {
      fixedLiteral(w, data[i]);
      insert(i);
      i++;
    }
  }
  fixedLiteral(w, 256); // end of block
  w.flush();
  return w.bytes.subarray(0, w.length);
}

/** A zlib stream (RFC 1950): header, raw deflate, Adler-32 of the uncompressed data. */
export function zlibCompress(data: Uint8Array): Uint8Array {
  const body = deflateRaw(data);
  const out = new Uint8Array(2 + body.length + 4);
  out[0] = 0x78; // deflate, 32 KiB window
  out[1] = 0x01; // no preset dictionary; (0x78 * 256 + 0x01) % 31 === 0
  out.set(body, 2);
  new DataView(out.buffer).setUint32(2 + body.length, adler32(data), false);
  return out;
}

// ---- PNG ----------------------------------------------------------------------------------

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** An 8-bit greyscale (channels 1) or RGB (channels 3) PNG of row-major pixels. */
export function encodePng(pixels: Uint8Array, width: number, height: number, channels: 1 | 3 = 1): Uint8Array {
  if (!Number.isInteger(width) || width < 1 || !Number.isInteger(height) || height < 1) {
    throw new RangeError(`encodePng: width and height must be integers >= 1, got ${width}x${height}`);
  }
  if (channels !== 1 && channels !== 3) throw new RangeError(`encodePng: channels must be 1 (grey) or 3 (RGB), got ${channels}`);
  const rowBytes = width * channels;
  if (pixels.length !== rowBytes * height) {
    throw new RangeError(`encodePng: ${width}x${height}x${channels} needs ${rowBytes * height} bytes, got ${pixels.length}`);
  }
  // each scanline starts with its filter type; 0 (None) keeps the encoder simple, LZ77 finds the repeats
  const raw = new Uint8Array((rowBytes + 1) * height);
  for (let y = 0; y < height; y++) raw.set(pixels.subarray(y * rowBytes, (y + 1) * rowBytes), y * (rowBytes + 1) + 1);
  const ihdr = new Uint8Array(13);
  const hv = new DataView(ihdr.buffer);
  hv.setUint32(0, width, false);
  hv.setUint32(4, height, false);
  ihdr[8] = 8; // bit depth
  ihdr[9] = channels === 1 ? 0 : 2; // colour type: greyscale or truecolour
  // bytes 10-12: compression 0, filter method 0, no interlace
  const chunks = [chunk("IHDR", ihdr), chunk("IDAT", zlibCompress(raw)), chunk("IEND", new Uint8Array(0))];
  const out = new Uint8Array(PNG_SIGNATURE.length + chunks.reduce((s, c) => s + c.length, 0));
  out.set(PNG_SIGNATURE, 0);
  let at = PNG_SIGNATURE.length;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/**
 * A PNG's width and height in pixels, read from its header (the IHDR chunk, which the format puts
 * first, right after the signature).
 */
export function pngSize(png: Uint8Array): { width: number; height: number } {
  const isPng = png.length >= 24 && PNG_SIGNATURE.every((b, i) => png[i] === b) && String.fromCharCode(...png.subarray(12, 16)) === "IHDR";
  if (!isPng) throw new RangeError(`pngSize: not a PNG (no signature and IHDR chunk in its first 24 of ${png.length} bytes)`);
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  return { width: view.getUint32(16, false), height: view.getUint32(20, false) };
}

/** length, type, data, CRC-32 of type + data. */
function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length, false);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out, 4, 8 + data.length), false);
  return out;
}

/**
 * Lays out n images (rows of a [n, h*w] or [n, h, w] tensor) on a grid as one greyscale
 * picture: digits, RBM filters (rows of Wᵀ), reconstructions, samples.
 */
export function tileImages(images: Tensor, options: TileOptions): GrayImage {
  const { height: h, width: w } = options;
  for (const [name, v] of [
    ["height", h],
    ["width", w],
  ] as const) {
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`tileImages: ${name} must be an integer >= 1, got ${v}`);
  }
  const n = images.rank === 0 ? 1 : images.rows;
  if (images.rank >= 1 && n === 0) throw new RangeError("tileImages: no images to tile");
  if (images.rank < 1 || images.cols !== h * w) {
    throw new RangeError(`tileImages: images of shape [${images.shape.join(",")}] are not [n, ${h * w}] or [n, ${h}, ${w}] for ${h}x${w} images`);
  }
  const cols = options.cols ?? Math.ceil(Math.sqrt(n));
  const pad = options.pad ?? 1;
  const scale = options.scale ?? 1;
  const normalize = options.normalize ?? "none";
  const background = options.background ?? 0;
  if (!Number.isInteger(cols) || cols < 1) throw new RangeError(`tileImages: cols must be an integer >= 1, got ${cols}`);
  if (!Number.isInteger(pad) || pad < 0) throw new RangeError(`tileImages: pad must be an integer >= 0, got ${pad}`);
  if (!Number.isInteger(scale) || scale < 1 || scale > 64) throw new RangeError(`tileImages: scale must be an integer in [1, 64], got ${scale}`);
  if (!(background >= 0 && background <= 1)) throw new RangeError(`tileImages: background must be in [0, 1], got ${background}`);
  if (normalize !== "none" && normalize !== "minmax" && normalize !== "per-image") {
    throw new RangeError(`tileImages: normalize must be "minmax", "per-image" or "none", got ${JSON.stringify(normalize)}`);
  }
  const gridCols = Math.min(cols, n);
  const gridRows = Math.ceil(n / gridCols);
  const th = h * scale;
  const tw = w * scale;
  const width = gridCols * tw + (gridCols - 1) * pad;
  const height = gridRows * th + (gridRows - 1) * pad;
  const pixels = new Uint8Array(width * height).fill(Math.round(background * 255));
  const x = images.data;
  const size = h * w;
  let [lo, hi] = normalize === "minmax" ? finiteRange(x, 0, x.length) : [0, 1];
  for (let k = 0; k < n; k++) {
    if (normalize === "per-image") [lo, hi] = finiteRange(x, k * size, (k + 1) * size);
    // a flat image (hi == lo) shows as mid-grey rather than dividing by zero
    const inv = hi > lo ? 1 / (hi - lo) : 0;
    const flat = hi > lo ? 0 : 0.5;
    const top = Math.floor(k / gridCols) * (th + pad);
    const left = (k % gridCols) * (tw + pad);
    for (let r = 0; r < th; r++) {
      const src = k * size + Math.floor(r / scale) * w;
      const dst = (top + r) * width + left;
      for (let c = 0; c < tw; c++) {
        const v = x[src + Math.floor(c / scale)];
        const u = Number.isFinite(v) ? (inv ? (v - lo) * inv : flat) : 0;
        pixels[dst + c] = Math.round((u < 0 ? 0 : u > 1 ? 1 : u) * 255);
      }
    }
  }
  return { pixels, width, height };
}

function finiteRange(x: Float32Array, start: number, end: number): [number, number] {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (let i = start; i < end; i++) {
    const v = x[i];
    if (!Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return lo <= hi ? [lo, hi] : [0, 0];
}

/** Encodes and saves atomically (a temp file renamed over path). Node only. */
export async function writePng(path: string, image: GrayImage, channels: 1 | 3 = 1): Promise<void> {
  const bytes = encodePng(image.pixels, image.width, image.height, channels);
  const { writeFileAtomic } = await import("./files.js");
  await writeFileAtomic(path, bytes);
}
