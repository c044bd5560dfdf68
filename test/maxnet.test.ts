import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { HammingNet } from "../src/models/competitive/hamming.js";
import { checkMaxnetEpsilon, MAXNET } from "../src/models/competitive/maxnet.js";
import { flipUnits, hammingDistance, randomPatterns } from "../src/models/hopfield/hopfield.js";
import { Rng } from "../src/tensor/random.js";
import { fromArray, tensor } from "../src/tensor/tensor.js";
import { cli } from "./helpers/cli.js";

/** m distinct activations in [0, 10). */
function distinctActivations(m: number, rng: Rng): number[] {
  for (;;) {
    const y = Array.from({ length: m }, () => 10 * rng.nextFloat());
    if (new Set(y).size === m) return y;
  }
}

function argmaxOf(y: readonly number[]): number {
  return y.indexOf(Math.max(...y));
}

describe("MAXNET", () => {
  it("leaves exactly one unit positive, the largest at the start, for every ε below 1/m", () => {
    const rng = new Rng(3);
    for (const m of [2, 5, 10, 40]) {
      for (const share of [0.01, 0.3, 0.6, 0.99]) {
        const epsilon = share / m;
        const net = new MAXNET({ units: m, epsilon, maxIterations: 1_000_000 });
        for (let trial = 0; trial < 10; trial++) {
          const y0 = distinctActivations(m, rng);
          const r = net.run(y0);
          assert.equal(r.status, "single-winner", `m ${m} ε ${epsilon}: ${r.status} after ${r.iterations} iterations`);
          assert.equal(r.winner, argmaxOf(y0));
          assert.deepEqual(r.positive, [r.winner]);
          assert.equal(r.activations.filter((v) => v > 0).length, 1);
        }
      }
    }
  });

  it("traces y(0) … y(T): every unit's activation and the count of positive units only fall, the winner's stays above 0", () => {
    const y0 = [0.5, 0.9, 0.85, 0.2, 0.6, 0.7, 0.1, 0.88];
    const r = new MAXNET({ units: 8, epsilon: 0.1 }).run(y0, { trace: true });
    assert.equal(r.winner, 1);
    assert.equal(r.trace.length, r.iterations + 1);
    assert.deepEqual([...r.trace[0]], y0);
    assert.ok(r.iterations > 5, `the near tie 0.9 / 0.88 takes several steps, got ${r.iterations}`);
    for (let t = 1; t < r.trace.length; t++) {
      const before = r.trace[t - 1];
      const after = r.trace[t];
      for (let i = 0; i < 8; i++) assert.ok(after[i] <= before[i], `unit ${i} rose at step ${t}: ${before[i]} → ${after[i]}`);
      assert.ok(after.filter((v) => v > 0).length <= before.filter((v) => v > 0).length);
      assert.ok(after[1] > 0);
      // one synchronous update by hand: y_i ← max(0, y_i − ε Σ_{j≠i} y_j)
      const total = before.reduce((s, v) => s + v, 0);
      for (let i = 0; i < 8; i++) assert.ok(Math.abs(after[i] - Math.max(0, before[i] - 0.1 * (total - before[i]))) < 1e-12);
    }
  });

  it("refuses ε ≥ 1/m (the theorem's bound) and ε ≤ 0, naming ε and m", () => {
    for (const epsilon of [0.1, 0.2, 1, 0, -0.01, Number.NaN]) {
      assert.throws(() => new MAXNET({ units: 10, epsilon }), /epsilon must be in \(0, 1\/m\) = \(0, 0\.1\) for m = 10 units, got/);
    }
    assert.throws(() => checkMaxnetEpsilon(0.5, 2), /m = 2 units, got 0.5/);
    assert.equal(new MAXNET({ units: 4 }).epsilon, 1 / 8);
    assert.throws(() => new MAXNET({ units: 1 }), /units must be an integer >= 2, got 1/);
    assert.throws(() => new MAXNET({ units: 3, maxIterations: 0 }), /maxIterations must be an integer >= 1/);
  });

  it("reports ties (equal largest starts stay equal) and an all-zero start, and refuses negative activations", () => {
    const net = new MAXNET({ units: 4, epsilon: 0.2 });
    const tie = net.run([3, 1, 3, 2]);
    assert.equal(tie.status, "tie");
    assert.equal(tie.winner, -1);
    assert.deepEqual(tie.positive, [0, 2]);
    assert.equal(tie.activations[0], tie.activations[2]);
    assert.deepEqual(net.run([0, 0, 0, 0]), { ...net.run([0, 0, 0, 0]), status: "no-winner", winner: -1, positive: [], iterations: 0 });
    assert.equal(net.run([0, 0, 5, 0]).iterations, 0);
    assert.throws(() => net.run([1, -1, 0, 0]), /y0\[1\] is -1; initial activations must be finite and >= 0/);
    assert.throws(() => net.run([1, 2]), /2 activations for 4 units/);
    const capped = new MAXNET({ units: 2, epsilon: 0.01, maxIterations: 3 }).run([1, 0.999999]);
    assert.equal(capped.status, "iteration-limit");
    assert.equal(capped.iterations, 3);
  });
});

describe("Hamming net", () => {
  it("scores n − HD(x, p_k) exactly and picks the nearest stored pattern, as brute force does (−1 on a tie)", () => {
    const rng = new Rng(11);
    const n = 40;
    const M = 12;
    const patterns = randomPatterns(M, n, rng);
    const net = new HammingNet(patterns);
    // probes: stored patterns with 5 %–45 % of bits flipped, and fresh random vectors
    const probes = [0.05, 0.15, 0.3, 0.45].map((f) => flipUnits(patterns, f, rng));
    probes.push(randomPatterns(60, n, rng));
    let ties = 0;
    let checked = 0;
    for (const x of probes) {
      const scores = net.scores(x);
      const classes = net.classify(x);
      for (let r = 0; r < x.rows; r++) {
        const distances = Array.from({ length: M }, (_, k) => hammingDistance(x.row(r).data, patterns.row(k).data));
        for (let k = 0; k < M; k++) assert.equal(scores.data[r * M + k], n - distances[k]);
        const nearest = Math.min(...distances);
        const atNearest = distances.flatMap((d, k) => (d === nearest ? [k] : []));
        assert.equal(classes[r], atNearest.length === 1 ? atNearest[0] : -1, `probe ${r}: distances ${distances}`);
        if (atNearest.length > 1) ties++;
        checked++;
      }
    }
    assert.ok(ties > 0 && ties < checked / 2, `the probes include some ties (${ties} of ${checked})`);
  });

  it("recalls each stored pattern from a probe with 10 % of its bits flipped, with MAXNET's trace", () => {
    const rng = new Rng(5);
    const patterns = randomPatterns(10, 100, rng);
    const net = new HammingNet(patterns, { epsilon: 0.05 });
    assert.deepEqual([...net.classify(flipUnits(patterns, 0.1, rng))], [...Array(10).keys()]);
    const one = net.recall(flipUnits(patterns.row(3), 0.1, rng));
    assert.equal(one.winner, 3);
    assert.equal(one.trace.length, one.iterations + 1);
  });

  it("refuses patterns that are not bipolar, too few patterns, probes of the wrong length, and ε ≥ 1/M", () => {
    const p = tensor([
      [1, -1, 1],
      [-1, -1, 1],
    ]);
    assert.throws(
      () =>
        new HammingNet(
          tensor([
            [1, 0, 1],
            [1, 1, 1],
          ]),
        ),
      /patterns must hold only −1 and \+1 \(bipolar\); entry 1 is 0/,
    );
    assert.throws(() => new HammingNet(tensor([[1, 1, 1]])), /M >= 2 stored patterns/);
    assert.throws(() => new HammingNet(p, { epsilon: 0.5 }), /epsilon must be in \(0, 1\/m\) = \(0, 0\.5\) for m = 2 units, got 0.5/);
    assert.throws(() => new HammingNet(p).classify(fromArray([1, 1], [1, 2])), /probes must be \[rows, 3\]/);
  });
});

describe("layerwise maxnet", () => {
  it("prints the trace and the winner, draws trace.svg, and refuses ε ≥ 1/m and bad activations by name", async () => {
    const dir = await mkdtemp(join(tmpdir(), "lw-maxnet-"));
    try {
      const run = await cli(["maxnet", "--activations", "0.5,0.9,0.85,0.2", "--epsilon", "0.2", "--out", dir]);
      assert.equal(run.code, 0, run.err);
      assert.match(run.out, /unit 1 wins after 9 iterations \(m 4, ε 0\.2\)/);
      assert.match(await readFile(join(dir, "trace.svg"), "utf8"), /<svg[^>]*>[\s\S]*unit 3/);
      assert.equal(JSON.parse(await readFile(join(dir, "summary.json"), "utf8")).winner, 1);
      const tooStrong = await cli(["maxnet", "--activations", "0.5,0.9", "--epsilon", "0.5"]);
      assert.notEqual(tooStrong.code, 0);
      assert.match(tooStrong.err, /--epsilon: MAXNET: epsilon must be in \(0, 1\/m\) = \(0, 0\.5\) for m = 2 units, got 0\.5/);
      const negative = await cli(["maxnet", "--activations", "0.5,-1"]);
      assert.match(negative.err, /--activations must be at least 2 finite numbers >= 0/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
