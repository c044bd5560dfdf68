import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { gzipSync } from "node:zlib";
import { checkMnistImages, checkMnistLabels, checkSameCount, IdxFormatError, parseIdx, parseIdxRaw } from "../src/data/idx.js";
import { idxBytes } from "./helpers/idx.js";

const MNIST_DIR = join(import.meta.dirname, "..", "..", "shared", "datasets", "mnist");
const HAVE_MNIST = existsSync(join(MNIST_DIR, "train-images-idx3-ubyte.gz"));
const SKIP_REAL = HAVE_MNIST ? false : `full MNIST not found at ${MNIST_DIR} (../shared/datasets/mnist beside the checkout); skipping the real-file tests`;

const images = () => idxBytes([3, 28, 28]);
const labels = () => idxBytes([3], (i) => [5, 0, 9][i]);

/** Asserts an IdxFormatError (or Error) whose message names the file and matches every pattern. */
async function rejectsWith(run: () => unknown, patterns: RegExp[], offset?: number): Promise<void> {
  await assert.rejects(
    async () => run(),
    (err: unknown) => {
      assert.ok(err instanceof Error, "must throw an Error");
      assert.match(err.message, /bad\.idx/, `message names the file: ${err.message}`);
      for (const p of patterns) assert.match(err.message, p);
      if (offset !== undefined) {
        assert.ok(err instanceof IdxFormatError);
        assert.equal(err.offset, offset, err.message);
        if (offset >= 0) assert.match(err.message, new RegExp(`byte offset ${offset}\\b`));
      }
      return true;
    },
  );
}

describe("IDX reader on buffers the test makes", () => {
  it("parses raw and gzipped files to the same dims and data (data is a view, no copy)", async () => {
    const raw = images();
    const a = parseIdxRaw(raw, "x.idx");
    assert.deepEqual(a.dims, [3, 28, 28]);
    assert.equal(a.data.length, 3 * 784);
    assert.equal(a.data.buffer, raw.buffer);
    assert.equal(a.data[300], 300 % 251);
    const b = await parseIdx(new Uint8Array(gzipSync(raw)), "x.idx.gz");
    assert.deepEqual(b.dims, a.dims);
    assert.deepEqual(b.data, a.data);
    checkMnistImages(b, "x.idx.gz");
    const l = await parseIdx(labels(), "l.idx");
    checkMnistLabels(l, "l.idx");
    checkSameCount(b, "x", l, "l");
  });

  it("empty file and truncated header", async () => {
    await rejectsWith(() => parseIdx(new Uint8Array(0), "bad.idx"), [/expected a 4-byte IDX magic/, /found only 0 bytes/], 0);
    await rejectsWith(() => parseIdx(images().subarray(0, 10), "bad.idx"), [/16-byte header for 3 dimensions/, /ends after 10 bytes/], 10);
  });

  it("bad magic number", async () => {
    const b = images();
    b[0] = 0x12;
    await rejectsWith(() => parseIdx(b, "bad.idx"), [/expected an IDX magic number/, /found 0x12000803/], 0);
    const text = new TextEncoder().encode("hello, world, not idx");
    await rejectsWith(() => parseIdx(text, "bad.idx"), [/magic/, /not an IDX file/], 0);
  });

  it("unsupported element type", async () => {
    const b = images();
    b[2] = 0x0d;
    await rejectsWith(() => parseIdx(b, "bad.idx"), [/expected element type 0x08/, /found 0x0d \(float\)/], 2);
  });

  it("short file (truncated data) and extra bytes", async () => {
    const b = images();
    await rejectsWith(
      () => parseIdx(b.subarray(0, b.length - 5), "bad.idx"),
      [/dims \[3, 28, 28\]/, /should be 2368 bytes/, /it is 2363 bytes/, /5 bytes missing/],
      2363,
    );
    const longer = new Uint8Array(b.length + 7);
    longer.set(b);
    await rejectsWith(() => parseIdx(longer, "bad.idx"), [/should be 2368 bytes/, /it is 2375/, /7 extra bytes/], 2368);
  });

  it("a count in the header larger than the data", async () => {
    const b = images();
    new DataView(b.buffer).setUint32(4, 60000, false);
    await rejectsWith(() => parseIdx(b, "bad.idx"), [/dims \[60000, 28, 28\]/, /bytes missing/]);
  });

  it("wrong image dimensions or a label file given as images", async () => {
    const b = idxBytes([2, 28, 27]);
    const idx = await parseIdx(b, "bad.idx");
    await rejectsWith(() => checkMnistImages(idx, "bad.idx"), [/expected 28 columns per image, found 27/], 12);
    const c = await parseIdx(idxBytes([2, 32, 28]), "bad.idx");
    await rejectsWith(() => checkMnistImages(c, "bad.idx"), [/expected 28 rows per image, found 32/], 8);
    const l = await parseIdx(labels(), "bad.idx");
    await rejectsWith(() => checkMnistImages(l, "bad.idx"), [/expected the image magic number 0x00000803/, /found 0x00000801/, /a label file\?/], 3);
    const i = await parseIdx(images(), "bad.idx");
    await rejectsWith(() => checkMnistLabels(i, "bad.idx"), [/expected the label magic number 0x00000801/, /found 0x00000803/], 3);
  });

  it("label out of range", async () => {
    const idx = await parseIdx(
      idxBytes([4], (i) => [1, 2, 10, 3][i]),
      "bad.idx",
    );
    await rejectsWith(() => checkMnistLabels(idx, "bad.idx"), [/label of item 2 must be in 0-9, found 10/], 10);
  });

  it("mismatched image and label counts", async () => {
    const i = await parseIdx(images(), "bad.idx-images");
    const l = await parseIdx(
      idxBytes([4], () => 1),
      "bad.idx-labels",
    );
    await rejectsWith(() => checkSameCount(i, "bad.idx-images", l, "bad.idx-labels"), [/holds 3 images but bad\.idx-labels holds 4 labels/]);
  });

  it("bad gzip: corrupt deflate data, truncated stream, too short, bad CRC, bad size, trailing junk", async () => {
    const gz = new Uint8Array(gzipSync(images()));
    const corrupt = gz.slice();
    for (let i = 12; i < 40; i++) corrupt[i] ^= 0xa5;
    await rejectsWith(() => parseIdx(corrupt, "bad.idx.gz"), [/gzip data is corrupt/], -1);
    await rejectsWith(() => parseIdx(gz.subarray(0, gz.length - 30), "bad.idx.gz"), [/gzip/]);
    await rejectsWith(() => parseIdx(gz.subarray(0, 10), "bad.idx.gz"), [/gzip data is corrupt: expected at least 18 bytes/]);
    // trailer damage: CRC-32 of the data, and the size field (which must not drive a huge allocation)
    const badCrc = gz.slice();
    badCrc[badCrc.length - 6] ^= 1;
    await rejectsWith(() => parseIdx(badCrc, "bad.idx.gz"), [/gzip data is corrupt or truncated: incorrect data check/], -1);
    const badSize = gz.slice();
    new DataView(badSize.buffer).setUint32(badSize.length - 4, 0xffffffff, true);
    await rejectsWith(() => parseIdx(badSize, "bad.idx.gz"), [/incorrect length check/], -1);
    const junk = new Uint8Array(gz.length + 5).fill(7);
    junk.set(gz);
    await rejectsWith(() => parseIdx(junk, "bad.idx.gz"), [/gzip data is corrupt/], -1);
  });

  it("a gzip stream that inflates to a wrong-length IDX is caught by the length check", async () => {
    const b = images();
    const gz = new Uint8Array(gzipSync(b.subarray(0, b.length - 1)));
    await rejectsWith(() => parseIdx(gz, "bad.idx.gz"), [/1 bytes missing/]);
  });
});

// each test skips (not the describe): node:test 20 counts a skipped describe in no summary line
describe("IDX reader on the real MNIST files", () => {
  const read = async (name: string) => parseIdx(new Uint8Array(readFileSync(join(MNIST_DIR, name))), name);

  it("train: 60000 x 28 x 28 images and 60000 labels, first label 5", { skip: SKIP_REAL }, async () => {
    const [img, lab] = await Promise.all([read("train-images-idx3-ubyte.gz"), read("train-labels-idx1-ubyte.gz")]);
    assert.deepEqual(img.dims, [60000, 28, 28]);
    assert.deepEqual(lab.dims, [60000]);
    checkMnistImages(img, "train-images");
    checkMnistLabels(lab, "train-labels");
    checkSameCount(img, "train-images", lab, "train-labels");
    assert.deepEqual([...lab.data.subarray(0, 10)], [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]);
    let max = 0;
    let nonzero = 0;
    for (const p of img.data) {
      if (p > max) max = p;
      if (p > 0) nonzero++;
    }
    assert.equal(max, 255);
    // digits cover ~19% of the pixels
    const ink = nonzero / img.data.length;
    assert.ok(ink > 0.15 && ink < 0.25, `ink fraction ${ink}`);
  });

  it("test: 10000 images and labels", { skip: SKIP_REAL }, async () => {
    const [img, lab] = await Promise.all([read("t10k-images-idx3-ubyte.gz"), read("t10k-labels-idx1-ubyte.gz")]);
    assert.deepEqual(img.dims, [10000, 28, 28]);
    assert.deepEqual(lab.dims, [10000]);
    checkMnistLabels(lab, "t10k-labels");
    assert.equal(lab.data[0], 7);
  });
});
