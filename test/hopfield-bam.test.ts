import assert from "node:assert/strict";
import { test } from "node:test";
import { BAM } from "../src/models/hopfield/bam.js";
import { flipUnits, hammingDistance, randomPatterns } from "../src/models/hopfield/hopfield.js";
import { Rng } from "../src/tensor/random.js";
import { tensor } from "../src/tensor/tensor.js";

test("BAM: W = Σ x yᵀ, and stored pairs recall each other in both directions", () => {
  const xs = tensor([
    [1, -1, 1, -1, 1, -1],
    [1, 1, 1, -1, -1, -1],
  ]);
  const ys = tensor([
    [1, 1, -1, -1],
    [1, -1, 1, -1],
  ]);
  const bam = new BAM({ xSize: 6, ySize: 4 }).store(xs, ys);
  assert.equal(bam.weights.get(0, 0), 2);
  assert.equal(bam.weights.get(1, 1), -2);
  assert.equal(bam.weights.get(0, 1), 0);
  for (let k = 0; k < 2; k++) {
    const f = bam.recall(xs.row(k));
    assert.deepEqual(Array.from(f.y.data), Array.from(ys.row(k).data));
    assert.ok(f.converged);
    const b = bam.recall(ys.row(k), { from: "y" });
    assert.deepEqual(Array.from(b.x.data), Array.from(xs.row(k).data));
  }
});

test("BAM: random pairs are recalled from noisy x probes, and the energy of the final pair is a local minimum", () => {
  const rng = new Rng(8);
  const xs = randomPatterns(5, 120, rng);
  const ys = randomPatterns(5, 80, rng);
  const bam = new BAM({ xSize: 120, ySize: 80 }).store(xs, ys);
  const noisy = flipUnits(xs, 0.15, rng);
  for (let k = 0; k < 5; k++) {
    const r = bam.recall(noisy.row(k));
    assert.ok(r.converged);
    assert.equal(hammingDistance(r.y.data, ys.row(k).data), 0, `pair ${k}`);
    assert.equal(hammingDistance(r.x.data, xs.row(k).data), 0, `pair ${k}`);
    assert.ok(r.energy <= bam.energy(noisy.row(k).data, r.y.data));
  }
  assert.throws(() => bam.store(xs, ys.sliceRows(0, 4)), /same P/);
  assert.throws(() => bam.recall(ys.row(0)), /x probe/);
  assert.throws(() => new BAM({ xSize: 0, ySize: 3 }), /xSize/);
});
