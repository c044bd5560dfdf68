import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { batchCount, batchIndices, gatherLabels, gatherRows } from "../src/data/batch.js";
import { binarize, classCounts, oneHot, sampleBinary } from "../src/data/transforms.js";
import { Rng } from "../src/tensor/random.js";
import { ShapeError } from "../src/tensor/shape.js";
import { fromArray, tensor, zeros } from "../src/tensor/tensor.js";

describe("oneHot", () => {
  it("one 1 per row at the label, into out when given", () => {
    const y = oneHot([2, 0, 1], 3);
    assert.deepEqual(y.toArray(), [
      [0, 0, 1],
      [1, 0, 0],
      [0, 1, 0],
    ]);
    const out = zeros([2, 4]);
    out.data.fill(7);
    assert.equal(oneHot(new Uint8Array([3, 3]), 4, out), out);
    assert.deepEqual([...out.data], [0, 0, 0, 1, 0, 0, 0, 1]);
  });
  it("rejects labels out of range and bad class counts", () => {
    assert.throws(() => oneHot([0, 10], 10), /label 1 is 10, outside 0\.\.9/);
    assert.throws(() => oneHot([0.5], 10), /label 0 is 0.5/);
    assert.throws(() => oneHot([0], 0), /classes must be an integer >= 1/);
    assert.throws(() => oneHot([0], 2, zeros([2, 2])), ShapeError);
  });
  it("classCounts", () => {
    assert.deepEqual(classCounts([1, 1, 0, 2, 1], 3), [1, 3, 1]);
  });
});

describe("binarize and sampleBinary", () => {
  it("binarize: 1 strictly above the threshold", () => {
    const x = fromArray([0, 0.2, 0.5, 0.50196, 0.9, 1]);
    assert.deepEqual([...binarize(x).data], [0, 0, 0, 1, 1, 1]);
    assert.deepEqual([...binarize(x, 0.1).data], [0, 1, 1, 1, 1, 1]);
    const out = zeros([6]);
    assert.equal(binarize(x, 0.5, out), out);
    assert.deepEqual([...x.data].slice(0, 2), [0, Math.fround(0.2)], "input untouched");
    assert.throws(() => binarize(x, Number.NaN), /threshold must be a finite number/);
  });
  it("sampleBinary: 0/1 with mean near the intensity, same seed same sample", () => {
    const p = zeros([100, 100]);
    for (let i = 0; i < p.size; i++) p.data[i] = i < 5000 ? 0.3 : i < 9000 ? 0.8 : i < 9500 ? 0 : 1;
    const a = sampleBinary(p, new Rng(5));
    const b = sampleBinary(p, new Rng(5));
    assert.deepEqual(a.data, b.data);
    const c = sampleBinary(p, new Rng(6));
    assert.notDeepEqual(a.data, c.data);
    let low = 0;
    let high = 0;
    for (let i = 0; i < p.size; i++) {
      const v = a.data[i];
      assert.ok(v === 0 || v === 1);
      if (i < 5000) low += v;
      else if (i < 9000) high += v;
      else if (i < 9500) assert.equal(v, 0);
      else assert.equal(v, 1);
    }
    assert.ok(Math.abs(low / 5000 - 0.3) < 0.03, `mean ${low / 5000}`);
    assert.ok(Math.abs(high / 4000 - 0.8) < 0.03, `mean ${high / 4000}`);
  });
});

describe("gatherRows / gatherLabels", () => {
  const x = tensor([
    [0, 1],
    [10, 11],
    [20, 21],
    [30, 31],
  ]);
  it("copies the chosen rows, in order, into a new or a reused buffer", () => {
    assert.deepEqual(gatherRows(x, [2, 0, 2]).toArray(), [
      [20, 21],
      [0, 1],
      [20, 21],
    ]);
    const out = zeros([3, 2]);
    assert.equal(gatherRows(x, new Uint32Array([3, 1, 0]), out), out);
    assert.deepEqual([...out.data], [30, 31, 10, 11, 0, 1]);
  });
  it("a smaller last batch fills the first rows of out and returns a view of them", () => {
    const out = zeros([3, 2]);
    const y = gatherRows(x, [1], out);
    assert.deepEqual(y.shape, [1, 2]);
    assert.equal(y.data.buffer, out.data.buffer);
    assert.deepEqual([...out.data.subarray(0, 2)], [10, 11]);
  });
  it("higher-rank rows keep their shape", () => {
    const imgs = fromArray(
      Array.from({ length: 3 * 2 * 2 }, (_, i) => i),
      [3, 2, 2],
    );
    const y = gatherRows(imgs, [2]);
    assert.deepEqual(y.shape, [1, 2, 2]);
    assert.deepEqual([...y.data], [8, 9, 10, 11]);
  });
  it("rejects bad indices and mis-shaped out", () => {
    assert.throws(() => gatherRows(x, [4]), /index 4 \(position 0\) is outside the 4 rows/);
    assert.throws(() => gatherRows(x, [-1]), /index -1/);
    assert.throws(() => gatherRows(x, [0, 1], zeros([1, 2])), ShapeError);
    assert.throws(() => gatherRows(x, [0], zeros([1, 3])), ShapeError);
  });
  it("gatherLabels", () => {
    const labels = new Uint8Array([7, 8, 9]);
    assert.deepEqual([...gatherLabels(labels, [2, 0])], [9, 7]);
    const out = new Uint8Array(5);
    assert.deepEqual([...gatherLabels(labels, [1], out)], [8]);
    assert.throws(() => gatherLabels(labels, [3]), /index 3/);
  });
});

describe("batchIndices", () => {
  const epoch = (n: number, size: number, rng?: Rng, dropLast = false) => [...batchIndices(n, size, { rng, dropLast })].map((b) => [...b]);

  it("in order without an rng; last batch smaller", () => {
    assert.deepEqual(epoch(7, 3), [[0, 1, 2], [3, 4, 5], [6]]);
    assert.deepEqual(epoch(6, 3), [
      [0, 1, 2],
      [3, 4, 5],
    ]);
    assert.deepEqual(epoch(0, 3), []);
    assert.deepEqual(epoch(7, 3, undefined, true), [
      [0, 1, 2],
      [3, 4, 5],
    ]);
    assert.equal(batchCount(7, 3), 3);
    assert.equal(batchCount(7, 3, true), 2);
  });

  it("shuffled: every index exactly once per epoch, a new order each epoch, same seed same batches", () => {
    const rng = new Rng(42);
    const n = 1003;
    const orders: string[] = [];
    for (let e = 0; e < 3; e++) {
      const batches = epoch(n, 100, rng);
      assert.equal(batches.length, 11);
      assert.equal(batches[10].length, 3);
      const flat = batches.flat();
      assert.deepEqual(
        [...flat].sort((a, b) => a - b),
        Array.from({ length: n }, (_, i) => i),
      );
      orders.push(flat.join(","));
    }
    assert.notEqual(orders[0], orders[1]);
    assert.notEqual(orders[0], Array.from({ length: n }, (_, i) => i).join(","));
    const again = new Rng(42);
    assert.equal(epoch(n, 100, again).flat().join(","), orders[0]);
    assert.equal(epoch(n, 100, again).flat().join(","), orders[1]);
  });

  it("batches are views of one index array (no copy per batch)", () => {
    const batches = [...batchIndices(10, 4)];
    assert.ok(batches.every((b) => b.buffer === batches[0].buffer));
  });

  it("validates its options", () => {
    assert.throws(() => epoch(10, 0), /batchSize must be an integer >= 1, got 0/);
    assert.throws(() => epoch(-1, 2), /n must be an integer >= 0/);
    assert.throws(() => [...batchIndices(10, 2, { shuffle: true })], /shuffle: true needs an rng/);
    assert.deepEqual(
      [...batchIndices(4, 4, { shuffle: false, rng: new Rng(1) })].map((b) => [...b]),
      [[0, 1, 2, 3]],
    );
  });
});
