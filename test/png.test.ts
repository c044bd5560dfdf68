import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { inflateRawSync, inflateSync } from "node:zlib";
import { adler32, crc32, deflateRaw, encodePng, tileImages, writePng, zlibCompress } from "../src/io/png.js";
import { Rng } from "../src/tensor/random.js";
import { fromArray, zeros } from "../src/tensor/tensor.js";

/** Bit-by-bit CRC-32, independent of the table-driven one under test. */
function crcReference(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return (c ^ 0xffffffff) >>> 0;
}

interface Chunk {
  type: string;
  data: Uint8Array;
}

/** Splits a PNG into chunks, checking the signature, every length and every CRC. */
function readChunks(png: Uint8Array): Chunk[] {
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  const chunks: Chunk[] = [];
  let at = 8;
  while (at < png.length) {
    const len = view.getUint32(at, false);
    const type = String.fromCharCode(...png.subarray(at + 4, at + 8));
    const data = png.subarray(at + 8, at + 8 + len);
    assert.equal(view.getUint32(at + 8 + len, false), crcReference(png.subarray(at + 4, at + 8 + len)), `CRC of ${type}`);
    chunks.push({ type, data });
    at += 12 + len;
  }
  assert.equal(at, png.length);
  return chunks;
}

/** Decodes our PNGs (8-bit, filter 0) with node:zlib, returning the pixel bytes. */
function decodePng(png: Uint8Array): { width: number; height: number; colourType: number; pixels: Uint8Array } {
  const chunks = readChunks(png);
  assert.deepEqual(
    chunks.map((c) => c.type),
    ["IHDR", "IDAT", "IEND"],
  );
  const ihdr = new DataView(chunks[0].data.buffer, chunks[0].data.byteOffset, 13);
  const width = ihdr.getUint32(0, false);
  const height = ihdr.getUint32(4, false);
  const colourType = chunks[0].data[9];
  assert.equal(chunks[0].data[8], 8, "bit depth 8");
  const channels = colourType === 0 ? 1 : 3;
  const raw = new Uint8Array(inflateSync(chunks[1].data));
  const row = width * channels;
  assert.equal(raw.length, (row + 1) * height);
  const pixels = new Uint8Array(row * height);
  for (let y = 0; y < height; y++) {
    assert.equal(raw[y * (row + 1)], 0, "filter type None");
    pixels.set(raw.subarray(y * (row + 1) + 1, (y + 1) * (row + 1)), y * row);
  }
  return { width, height, colourType, pixels };
}

describe("checksums", () => {
  it("CRC-32 and Adler-32 check values", () => {
    const ascii = new TextEncoder().encode("123456789");
    assert.equal(crc32(ascii), 0xcbf43926);
    assert.equal(adler32(new TextEncoder().encode("Wikipedia")), 0x11e60398);
    const rng = new Rng(1);
    const bytes = Uint8Array.from({ length: 10000 }, () => rng.int(256));
    assert.equal(crc32(bytes), crcReference(bytes));
    // Adler-32 against a direct (slow) definition on input long enough to need the modulo steps
    const big = new Uint8Array(20000).fill(255);
    let a = 1;
    let b = 0;
    for (const v of big) {
      a = (a + v) % 65521;
      b = (b + a) % 65521;
    }
    assert.equal(adler32(big), ((b << 16) | a) >>> 0);
  });
});

describe("deflate", () => {
  const rng = new Rng(7);
  const cases: [string, Uint8Array][] = [
    ["empty", new Uint8Array(0)],
    ["one byte", new Uint8Array([42])],
    ["random (incompressible)", Uint8Array.from({ length: 5000 }, () => rng.int(256))],
    ["long run", new Uint8Array(100000).fill(3)],
    ["short period", Uint8Array.from({ length: 3000 }, (_, i) => i % 7)],
    // a 40 KB random block repeated: matches at distances near and beyond the 32 KiB window
    [
      "far repeats",
      (() => {
        const block = Uint8Array.from({ length: 20000 }, () => rng.int(4));
        const out = new Uint8Array(70000);
        for (let i = 0; i < out.length; i++) out[i] = block[i % 20000] ^ (i % 33000 < 10 ? 1 : 0);
        return out;
      })(),
    ],
  ];
  for (const [name, data] of cases) {
    it(`round-trips through node:zlib: ${name}`, () => {
      assert.deepEqual(new Uint8Array(inflateRawSync(deflateRaw(data))), data);
      assert.deepEqual(new Uint8Array(inflateSync(zlibCompress(data))), data, "zlib wrapper with Adler-32 (checked by inflateSync)");
    });
  }
  it("compresses repetitive data", () => {
    assert.ok(deflateRaw(new Uint8Array(100000).fill(3)).length < 1000);
  });
});

describe("encodePng", () => {
  it("greyscale: header, CRCs and pixels decode back exactly", () => {
    const w = 37;
    const h = 11;
    const pixels = Uint8Array.from({ length: w * h }, (_, i) => (i * 7) % 256);
    const png = encodePng(pixels, w, h, 1);
    const d = decodePng(png);
    assert.equal(d.width, w);
    assert.equal(d.height, h);
    assert.equal(d.colourType, 0);
    assert.deepEqual(d.pixels, pixels);
  });
  it("RGB", () => {
    const pixels = Uint8Array.from({ length: 5 * 4 * 3 }, (_, i) => i * 4);
    const d = decodePng(encodePng(pixels, 5, 4, 3));
    assert.equal(d.colourType, 2);
    assert.deepEqual(d.pixels, pixels);
  });
  it("rejects sizes that do not match the pixels", () => {
    assert.throws(() => encodePng(new Uint8Array(10), 3, 3, 1), /3x3x1 needs 9 bytes, got 10/);
    assert.throws(() => encodePng(new Uint8Array(0), 0, 3, 1), /width and height must be integers >= 1/);
    assert.throws(() => encodePng(new Uint8Array(4), 2, 2, 2 as 1), /channels must be 1 \(grey\) or 3 \(RGB\)/);
  });
});

describe("tileImages", () => {
  // three 2x3 images with values 0..1
  const imgs = fromArray(
    Array.from({ length: 18 }, (_, i) => (i % 6) / 5),
    [3, 6],
  );
  it("grid layout with padding (cols=2, pad=1): 2 rows, width 2*3+1, height 2*2+1", () => {
    const t = tileImages(imgs, { height: 2, width: 3, cols: 2, pad: 1 });
    assert.equal(t.width, 7);
    assert.equal(t.height, 5);
    const px = (x: number, y: number) => t.pixels[y * t.width + x];
    assert.deepEqual([px(0, 0), px(1, 0), px(2, 0), px(3, 0), px(4, 0)], [0, 51, 102, 0, 0]);
    assert.equal(px(6, 1), 255); // image 1, last pixel (value 1)
    assert.equal(px(2, 4), 255); // image 2 on the second grid row
    assert.equal(px(4, 4), 0); // empty grid cell stays background
    assert.equal(px(0, 2), 0); // padding row
  });
  it("accepts [n, h, w] tensors and default cols = ceil(sqrt(n))", () => {
    const t = tileImages(imgs.reshape(3, 2, 3), { height: 2, width: 3 });
    assert.equal(t.width, 7);
    assert.equal(t.height, 5);
  });
  it("normalize: none clamps, minmax is global, per-image is per image; NaN draws as 0, flat images mid-grey", () => {
    const x = fromArray([-1, 0, 2, 3, 10, 10, Number.NaN, 0], [4, 2]);
    const none = tileImages(x, { height: 1, width: 2, cols: 4, pad: 0 }).pixels;
    assert.deepEqual([...none], [0, 0, 255, 255, 255, 255, 0, 0]);
    const minmax = tileImages(x, { height: 1, width: 2, cols: 4, pad: 0, normalize: "minmax" }).pixels;
    assert.deepEqual([...minmax], [0, 23, 70, 93, 255, 255, 0, 23]);
    const per = tileImages(x, { height: 1, width: 2, cols: 4, pad: 0, normalize: "per-image" }).pixels;
    assert.deepEqual([...per], [0, 255, 0, 255, 128, 128, 0, 128]);
  });
  it("scale and background", () => {
    const t = tileImages(fromArray([0, 1], [2, 1]), { height: 1, width: 1, cols: 2, pad: 1, scale: 2, background: 1 });
    assert.equal(t.width, 5);
    assert.equal(t.height, 2);
    assert.deepEqual([...t.pixels], [0, 0, 255, 255, 255, 0, 0, 255, 255, 255]);
  });
  it("validates shapes and options", () => {
    assert.throws(() => tileImages(zeros([3, 5]), { height: 2, width: 3 }), /not \[n, 6\] or \[n, 2, 3\]/);
    assert.throws(() => tileImages(zeros([0, 6]), { height: 2, width: 3 }), /no images/);
    assert.throws(() => tileImages(imgs, { height: 2, width: 3, pad: -1 }), /pad must be an integer >= 0/);
    assert.throws(() => tileImages(imgs, { height: 2, width: 3, normalize: "z" as "none" }), /normalize must be/);
  });
});

describe("writePng", () => {
  it("writes the encoded bytes atomically (no temp file left)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "layerwise-png-"));
    try {
      const image = tileImages(fromArray([0, 0.5, 1, 0.25], [1, 4]), { height: 2, width: 2 });
      const path = join(dir, "sub", "x.png");
      await writePng(path, image);
      const bytes = new Uint8Array(readFileSync(path));
      assert.deepEqual(bytes, encodePng(image.pixels, image.width, image.height, 1));
      assert.deepEqual([...decodePng(bytes).pixels], [0, 128, 255, 64]);
      assert.deepEqual(readdirSync(join(dir, "sub")), ["x.png"]);
      await assert.rejects(writePng(join(dir, "y.png"), image, 3), /needs 12 bytes, got 4/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
