import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { gzipSync } from "node:zlib";
import { BUNDLED_SPLIT_SEED, bundledSplit, defaultMnistDir, forgetMnist, loadMnist, mnist } from "../src/data/mnist.js";
import { classCounts } from "../src/data/transforms.js";

const MNIST_DIR = join(import.meta.dirname, "..", "..", "shared", "datasets", "mnist");
const HAVE_MNIST = existsSync(join(MNIST_DIR, "train-images-idx3-ubyte.gz"));
const SKIP_REAL = HAVE_MNIST ? false : `full MNIST not found at ${MNIST_DIR} (../shared/datasets/mnist beside the checkout); skipping`;

// a private cache folder, so the test exercises the cold conversion and leaves the user's cache alone
const cacheDir = mkdtempSync(join(tmpdir(), "layerwise-data-test-"));
const savedEnv = { cache: process.env.LAYERWISE_CACHE, mnist: process.env.LAYERWISE_MNIST };
before(() => {
  process.env.LAYERWISE_CACHE = cacheDir;
  forgetMnist();
});
after(() => {
  for (const [k, v] of [
    ["LAYERWISE_CACHE", savedEnv.cache],
    ["LAYERWISE_MNIST", savedEnv.mnist],
  ] as const) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  rmSync(cacheDir, { recursive: true, force: true });
});

describe("bundled digits", () => {
  it("8000 train / 2000 test, 28x28 grey levels in [0,1], one-hot matching labels, every class in proportion", async () => {
    const d = await mnist.load();
    assert.equal(d.source, "bundled");
    assert.deepEqual(d.train.images.shape, [8000, 784]);
    assert.deepEqual(d.test.images.shape, [2000, 784]);
    assert.deepEqual(d.train.oneHot.shape, [8000, 10]);
    assert.equal(d.train.labels.length, 8000);
    assert.equal(d.test.labels.length, 2000);
    for (const split of [d.train, d.test]) {
      let min = Number.POSITIVE_INFINITY;
      let max = Number.NEGATIVE_INFINITY;
      for (const v of split.images.data) {
        if (v < min) min = v;
        if (v > max) max = v;
      }
      assert.equal(min, 0);
      assert.equal(max, 1);
      for (let i = 0; i < split.labels.length; i++) {
        for (let c = 0; c < 10; c++) assert.equal(split.oneHot.data[i * 10 + c], c === split.labels[i] ? 1 : 0);
      }
    }
    // the package's class sizes (the first 10,000 official training digits), split 80/20 per class
    assert.deepEqual(classCounts(d.train.labels, 10), [801, 902, 793, 826, 784, 690, 811, 856, 755, 782]);
    assert.deepEqual(classCounts(d.test.labels, 10), [200, 225, 198, 206, 196, 173, 203, 214, 189, 196]);
    // the fixed order mixes classes: the first 100 training digits hold every class
    assert.ok(classCounts(d.train.labels.subarray(0, 100), 10).every((n) => n > 0));
    // pixels are byte/255: 256 grey levels at most
    const levels = new Set(d.train.images.data.subarray(0, 784 * 200));
    for (const v of levels) assert.equal(v, Math.fround(Math.round(v * 255) / 255));
    assert.ok(levels.size > 100 && levels.size <= 256, `${levels.size} grey levels`);
  });

  it("writes the binary cache once and reloads identical data from it, rebuilding a damaged cache", async () => {
    const files = readdirSync(cacheDir).filter((f) => f.startsWith("mnist-bundled-"));
    assert.equal(files.length, 1, `one cache file in ${cacheDir}: ${files}`);
    const path = join(cacheDir, files[0]);
    assert.equal(statSync(path).size, 16 + 10000 + 10000 * 784);
    const a = await loadMnist({ limitTrain: 500, limitTest: 100 });
    forgetMnist(); // next load reads the cache file
    const b = await loadMnist({ limitTrain: 500, limitTest: 100 });
    assert.deepEqual(b.train.images.data, a.train.images.data);
    assert.deepEqual(b.test.labels, a.test.labels);
    writeFileSync(path, "not a cache");
    forgetMnist();
    const c = await loadMnist({ limitTrain: 500, limitTest: 100 });
    assert.deepEqual(c.train.images.data, a.train.images.data);
    assert.equal(statSync(path).size, 16 + 10000 + 10000 * 784);
  });

  it("limits take the first digits of each split's fixed order; loads return fresh tensors", async () => {
    const all = await loadMnist();
    const few = await loadMnist({ limitTrain: 37, limitTest: 0 });
    assert.deepEqual(few.train.images.shape, [37, 784]);
    assert.deepEqual(few.test.images.shape, [0, 784]);
    assert.deepEqual(few.train.labels, all.train.labels.subarray(0, 37));
    assert.deepEqual(few.train.images.data, all.train.images.data.subarray(0, 37 * 784));
    few.train.images.data[0] = 42;
    assert.notEqual(all.train.images.data[0], 42);
    const capped = await loadMnist({ limitTrain: 1e6 });
    assert.equal(capped.train.labels.length, 8000);
  });

  it("bundledSplit is the documented rule: per class the first round(0.8 n) in package order train, fixed seed order", () => {
    const labels = new Uint8Array([0, 0, 0, 0, 0, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2]);
    const { train, test } = bundledSplit(labels);
    assert.equal(BUNDLED_SPLIT_SEED, 1998);
    assert.deepEqual(
      [...train].sort((a, b) => a - b),
      [0, 1, 2, 3, 5, 6, 8, 9, 10, 11, 12, 13, 14, 15],
    );
    assert.deepEqual(
      [...test].sort((a, b) => a - b),
      [4, 7, 16, 17],
    );
    assert.deepEqual(bundledSplit(labels), { train, test });
  });

  it("validates options, naming the option and the allowed values", async () => {
    await assert.rejects(loadMnist({ limitTrain: -1 }), /limitTrain must be an integer >= 0, got -1/);
    await assert.rejects(loadMnist({ limitTest: 2.5 }), /limitTest must be an integer >= 0/);
    await assert.rejects(loadMnist({ source: "emnist" as "full" }), /source must be "bundled" or "full", got "emnist"/);
    await assert.rejects(loadMnist({ source: "bundled", dir: "/x" }), /dir is only used with source: "full"/);
  });
});

describe("full MNIST from a folder", () => {
  it("a missing folder names every path tried and the environment variable", async () => {
    const dir = join(cacheDir, "no-such-folder");
    await assert.rejects(loadMnist({ dir }), (err: Error) => {
      assert.match(err.message, /train-images-idx3-ubyte\.gz or .*train-images-idx3-ubyte\b/);
      assert.match(err.message, /t10k-labels-idx1-ubyte/);
      assert.match(err.message, /LAYERWISE_MNIST/);
      assert.ok(err.message.includes(dir));
      return true;
    });
    process.env.LAYERWISE_MNIST = dir;
    try {
      assert.equal(defaultMnistDir(), dir);
      await assert.rejects(loadMnist({ source: "full" }), /not found in .*no-such-folder/);
    } finally {
      if (savedEnv.mnist === undefined) delete process.env.LAYERWISE_MNIST;
      else process.env.LAYERWISE_MNIST = savedEnv.mnist;
    }
  });

  it("reads a small folder of raw and gzipped IDX files, and rejects mismatched counts naming both files", async () => {
    const dir = mkdtempSync(join(cacheDir, "idx-"));
    const idx = (dims: number[], fill: (i: number) => number): Buffer => {
      const count = dims.reduce((a, b) => a * b, 1);
      const out = Buffer.alloc(4 + 4 * dims.length + count);
      out[2] = 8;
      out[3] = dims.length;
      for (const [k, d] of dims.entries()) out.writeUInt32BE(d, 4 + 4 * k);
      for (let i = 0; i < count; i++) out[4 + 4 * dims.length + i] = fill(i);
      return out;
    };
    writeFileSync(join(dir, "train-images-idx3-ubyte.gz"), gzipSync(idx([3, 28, 28], (i) => (i % 784 === 0 ? 255 : 0))));
    writeFileSync(
      join(dir, "train-labels-idx1-ubyte"),
      idx([3], (i) => i + 3),
    );
    writeFileSync(
      join(dir, "t10k-images-idx3-ubyte"),
      idx([2, 28, 28], () => 51),
    );
    writeFileSync(join(dir, "t10k-labels-idx1-ubyte.gz"), gzipSync(idx([2], () => 9)));
    const d = await loadMnist({ dir });
    assert.equal(d.source, "full");
    assert.deepEqual([...d.train.labels], [3, 4, 5]);
    assert.equal(d.train.images.get(1, 0), 1);
    assert.equal(d.train.images.get(1, 1), 0);
    assert.equal(d.test.images.get(1, 5), Math.fround(51 / 255));
    assert.deepEqual([...d.test.labels], [9, 9]);

    const dir2 = mkdtempSync(join(cacheDir, "idx-"));
    for (const f of readdirSync(dir)) writeFileSync(join(dir2, f), readFileSync(join(dir, f)));
    writeFileSync(join(dir2, "t10k-labels-idx1-ubyte.gz"), gzipSync(idx([3], () => 1)));
    await assert.rejects(loadMnist({ dir: dir2 }), /t10k-images-idx3-ubyte holds 2 images but .*t10k-labels-idx1-ubyte\.gz holds 3 labels/);
  });
});

// each test skips (not the describe): node:test 20 counts a skipped describe in no summary line
describe("full MNIST, real files", () => {
  it("60000/10000 digits, first label 5, pixels in [0,1]; the bundled digits are the first 10,000 training digits", { skip: SKIP_REAL }, async () => {
    const full = await loadMnist({ dir: MNIST_DIR });
    assert.equal(full.source, "full");
    assert.deepEqual(full.train.images.shape, [60000, 784]);
    assert.deepEqual(full.test.images.shape, [10000, 784]);
    assert.equal(full.train.labels[0], 5);
    assert.deepEqual(classCounts(full.test.labels, 10), [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]);
    let max = 0;
    for (const v of full.test.images.data) if (v > max) max = v;
    assert.equal(max, 1);
    // package order = the first 10,000 official training digits grouped by class, order kept within a class
    const first = Array.from({ length: 10000 }, (_, i) => i);
    const packageOrder = first.sort((a, b) => full.train.labels[a] - full.train.labels[b] || a - b);
    const bundled = await loadMnist();
    const { train } = bundledSplit(Uint8Array.from(packageOrder, (i) => full.train.labels[i]));
    for (const r of [0, 1, 2, 999, 7999]) {
      const i = packageOrder[train[r]];
      assert.equal(bundled.train.labels[r], full.train.labels[i]);
      assert.deepEqual(bundled.train.images.row(r).data, full.train.images.row(i).data, `bundled train digit ${r} is official training digit ${i}`);
    }
  });
});
