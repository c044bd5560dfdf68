import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { FieldState, quadraticEnergy, unitIndices } from "../src/models/hopfield/core.js";
import { flipUnits, Hopfield, hammingDistance, randomPatterns, toBinary } from "../src/models/hopfield/hopfield.js";
import { hebbianWeights, invertSymmetricPositiveDefinite, pseudoInverseWeights } from "../src/models/hopfield/rules.js";
import { Rng } from "../src/tensor/random.js";
import { fromArray, tensor, zeros } from "../src/tensor/tensor.js";

/** All 2^n bipolar states, unit i = bit i. */
function bipolarStates(n: number): number[][] {
  return Array.from({ length: 2 ** n }, (_, s) => Array.from({ length: n }, (_, i) => ((s >> i) & 1 ? 1 : -1)));
}

/** Random symmetric W with zero diagonal and random θ (continuous values: ties have probability 0). */
function randomNetwork(n: number, rng: Rng) {
  const w = zeros([n, n]);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const v = rng.normal();
      w.data[i * n + j] = v;
      w.data[j * n + i] = v;
    }
  }
  const theta = fromArray(Array.from({ length: n }, () => rng.normal(0, 0.5)));
  return { w, theta };
}

describe("Hopfield: the lecture's worked example", () => {
  const patterns = tensor([
    [1, -1, -1, 1],
    [-1, 1, -1, 1],
  ]);

  test("W = Σ x xᵀ − K I has W12 = W21 = W34 = W43 = −2 and zeros elsewhere", () => {
    assert.deepEqual(hebbianWeights(patterns).toArray(), [
      [0, -2, 0, 0],
      [-2, 0, 0, 0],
      [0, 0, 0, -2],
      [0, 0, -2, 0],
    ]);
    const net = new Hopfield({ size: 4 }).store(patterns);
    assert.deepEqual(net.weights.toArray(), hebbianWeights(patterns).toArray());
  });

  test("E(x) = 2(x1 x2 + x3 x4) on all 16 states, and the stored patterns are minima", () => {
    const net = new Hopfield({ size: 4 }).store(patterns);
    for (const x of bipolarStates(4)) assert.equal(net.energy(x), 2 * (x[0] * x[1] + x[2] * x[3]), `state ${x}`);
    assert.equal(net.energy([1, -1, -1, 1]), -4);
    assert.ok(net.isFixedPoint([1, -1, -1, 1]) && net.isFixedPoint([-1, 1, -1, 1]));
  });

  test("the {0,1} form of the same memory has the same fixed points", () => {
    const bin = new Hopfield({ size: 4, states: "binary" }).store(toBinary(patterns));
    const bip = new Hopfield({ size: 4 }).store(patterns);
    for (const s of bipolarStates(4)) {
      const x = s.map((v) => (v + 1) / 2);
      assert.equal(bin.isFixedPoint(x), bip.isFixedPoint(s), `state ${s}`);
    }
  });
});

describe("Hopfield dynamics", () => {
  test("energy never increases under asynchronous updates (random symmetric W, zero diagonal, both state kinds)", () => {
    const rng = new Rng(7);
    let steps = 0;
    for (let trial = 0; trial < 40; trial++) {
      const n = 5 + rng.int(40);
      const { w, theta } = randomNetwork(n, rng);
      const states = trial % 2 === 0 ? "bipolar" : "binary";
      const net = new Hopfield({ size: n, states }).setWeights(w, theta);
      const probe = randomPatterns(1, n, rng, states).reshape(n);
      const r = net.recall(probe, { seed: trial, maxSweeps: 1000 });
      assert.ok(r.converged, `trial ${trial} did not converge in 1000 sweeps`);
      assert.equal(r.energyTrace.length, 1 + r.sweeps * n);
      for (let k = 1; k < r.energyTrace.length; k++) {
        assert.ok(r.energyTrace[k] <= r.energyTrace[k - 1] + 1e-9, `trial ${trial} step ${k}: ${r.energyTrace[k - 1]} -> ${r.energyTrace[k]}`);
      }
      // the incrementally tracked energy matches a fresh evaluation
      assert.ok(Math.abs(r.energy - net.energy(r.state)) < 1e-6 * (1 + Math.abs(r.energy)));
      assert.ok(net.isFixedPoint(r.state));
      steps += r.energyTrace.length - 1;
    }
    assert.ok(steps > 2000, `only ${steps} updates checked`);
  });

  test("incremental fields and energy stay equal to W x − θ and E(x) over thousands of flips", () => {
    const rng = new Rng(3);
    const n = 30;
    const { w, theta } = randomNetwork(n, rng);
    const fs = new FieldState(w, theta, "bipolar").load(randomPatterns(1, n, rng).data);
    const order = unitIndices(n);
    for (let s = 0; s < 200; s++) fs.sweep(rng.shuffle(order), 1.5, rng);
    assert.ok(Math.abs(fs.energy - quadraticEnergy(w, theta, fs.x)) < 1e-6);
    const fresh = new FieldState(w, theta, "bipolar").load(fs.x);
    for (let i = 0; i < n; i++) assert.ok(Math.abs(fs.u[i] - fresh.u[i]) < 1e-6);
  });

  test("synchronous updates can 2-cycle and the result says so", () => {
    // two units that inhibit each other: from (1, 1) both flip at once, forever
    const net = new Hopfield({ size: 2 }).setWeights(
      tensor([
        [0, -1],
        [-1, 0],
      ]),
    );
    const sync = net.recall([1, 1], { update: "sync", maxSweeps: 50 });
    assert.equal(sync.status, "two-cycle");
    assert.equal(sync.converged, false);
    assert.equal(sync.sweeps, 2);
    assert.deepEqual(Array.from(sync.energyTrace), [1, 1, 1]);
    // asynchronous updates on the same net reach a fixed point
    const async = net.recall([1, 1], { seed: 1 });
    assert.equal(async.status, "fixed-point");
    assert.equal(async.state.data[0] * async.state.data[1], -1);
    // and the batch form reports per probe
    const batch = net.recallBatch(
      tensor([
        [1, 1],
        [1, -1],
      ]),
    );
    assert.deepEqual(batch.status, ["two-cycle", "fixed-point"]);
    assert.deepEqual(Array.from(batch.sweeps), [2, 1]);
    assert.deepEqual(batch.states.toArray(), [
      [1, 1],
      [1, -1],
    ]);
  });

  test("the sweep limit is reported", () => {
    const rng = new Rng(5);
    const pats = randomPatterns(30, 100, rng);
    const net = new Hopfield({ size: 100 }).store(pats);
    const r = net.recall(randomPatterns(1, 100, rng).reshape(100), { maxSweeps: 1, seed: 2 });
    assert.equal(r.sweeps, 1);
    assert.equal(r.status, "sweep-limit");
    assert.equal(r.converged, false);
  });

  test("options are validated with errors that name them", () => {
    const net = new Hopfield({ size: 3 });
    assert.throws(() => net.recall([1, 1, 1], { maxSweeps: 0 }), /maxSweeps/);
    assert.throws(() => net.recall([1, 1, 1], { update: "both" as "sync" }), /update/);
    assert.throws(() => net.recall([1, 0, 1]), /bipolar/);
    assert.throws(() => net.recall([1, 1]), /units/);
    assert.throws(() => new Hopfield({ size: 0 }), /size/);
    assert.throws(() => new Hopfield({ size: 3, states: "ternary" as "binary" }), /states/);
    assert.throws(() => net.store(tensor([[1, -1, 1]]), { rule: "oja" as "hebbian" }), /rule/);
    assert.throws(
      () =>
        net.setWeights(
          tensor([
            [1, 0, 0],
            [0, 0, 0],
            [0, 0, 0],
          ]),
        ),
      /diagonal/,
    );
    assert.throws(
      () =>
        net.setWeights(
          tensor([
            [0, 1, 0],
            [0, 0, 0],
            [0, 0, 0],
          ]),
        ),
      /symmetric/,
    );
  });
});

describe("Hopfield storage and capacity", () => {
  test("stored patterns are fixed points when P ≪ N (Hebbian and pseudo-inverse, bipolar and binary)", () => {
    const rng = new Rng(11);
    for (const states of ["bipolar", "binary"] as const) {
      const pats = randomPatterns(5, 200, rng, states);
      for (const rule of ["hebbian", "pseudo-inverse"] as const) {
        const net = new Hopfield({ size: 200, states }).store(pats, { rule });
        for (let k = 0; k < 5; k++) {
          const r = net.recall(pats.row(k), { seed: k });
          assert.equal(r.changes, 0, `${states} ${rule} pattern ${k}`);
          assert.equal(r.sweeps, 1);
          assert.ok(r.converged);
        }
      }
    }
  });

  /** Fraction of patterns recalled exactly from 10 % flipped units, over seeds. */
  function recallRate(n: number, load: number, seeds: number, update: "async" | "sync"): number {
    let ok = 0;
    let total = 0;
    for (let seed = 0; seed < seeds; seed++) {
      const rng = new Rng(100 + seed);
      const p = Math.round(load * n);
      const pats = randomPatterns(p, n, rng);
      const net = new Hopfield({ size: n }).store(pats);
      const probes = flipUnits(pats, 0.1, rng);
      if (update === "sync") {
        const r = net.recallBatch(probes);
        for (let k = 0; k < p; k++) if (hammingDistance(r.states.row(k).data, pats.row(k).data) === 0) ok++;
      } else {
        for (let k = 0; k < p; k++) {
          const r = net.recall(probes.row(k), { seed: k, record: "none" });
          if (hammingDistance(r.state.data, pats.row(k).data) === 0) ok++;
        }
      }
      total += p;
    }
    return ok / total;
  }

  test("recall from 10 % noise succeeds at P = 0.05 N and mostly fails at P = 0.25 N (N = 300, 4 seeds)", () => {
    const low = recallRate(300, 0.05, 4, "async");
    const high = recallRate(300, 0.25, 4, "async");
    assert.ok(low >= 0.95, `P = 0.05 N: only ${low} recalled`);
    assert.ok(high <= 0.1, `P = 0.25 N: ${high} recalled`);
    // synchronous batch recall shows the same picture
    assert.ok(recallRate(300, 0.05, 2, "sync") >= 0.95);
    assert.ok(recallRate(300, 0.25, 2, "sync") <= 0.1);
  });

  test("the pseudo-inverse rule stores correlated patterns that the Hebbian rule confuses", () => {
    // 20 patterns that share 70 % of their units with a common prototype
    const rng = new Rng(21);
    const n = 100;
    const proto = randomPatterns(1, n, rng).data;
    const pats = zeros([20, n]);
    for (let k = 0; k < 20; k++) for (let i = 0; i < n; i++) pats.data[k * n + i] = rng.nextFloat() < 0.7 ? proto[i] : rng.nextFloat() < 0.5 ? 1 : -1;
    const hebb = new Hopfield({ size: n }).store(pats);
    const pinv = new Hopfield({ size: n }).store(pats, { rule: "pseudo-inverse" });
    let hebbFixed = 0;
    let pinvFixed = 0;
    for (let k = 0; k < 20; k++) {
      if (hebb.isFixedPoint(pats.row(k))) hebbFixed++;
      if (pinv.isFixedPoint(pats.row(k))) pinvFixed++;
    }
    assert.equal(pinvFixed, 20);
    assert.ok(hebbFixed <= 5, `Hebbian kept ${hebbFixed} of 20 correlated patterns`);
  });

  test("the pseudo-inverse weights project onto the patterns' span (W x_k = (1 − p_ii) x_k)", () => {
    const rng = new Rng(4);
    const pats = randomPatterns(6, 40, rng);
    const w = pseudoInverseWeights(pats);
    for (let k = 0; k < 6; k++) {
      for (let i = 0; i < 40; i++) {
        let s = 0;
        for (let j = 0; j < 40; j++) s += w.data[i * 40 + j] * pats.data[k * 40 + j];
        // (P x)_i = x_i; the cleared diagonal removes p_ii x_i, and p_ii = trace share < 1
        assert.ok(s * pats.data[k * 40 + i] > 0.5, `pattern ${k} unit ${i}: field ${s}`);
      }
    }
    assert.throws(
      () =>
        pseudoInverseWeights(
          tensor([
            [1, -1, 1],
            [1, -1, 1],
          ]),
        ),
      /linearly dependent/,
    );
  });

  test("the symmetric inverse is an inverse", () => {
    const a = Float64Array.from([4, 1, 2, 1, 3, 0.5, 2, 0.5, 5]);
    const inv = invertSymmetricPositiveDefinite(a, 3);
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 3; j++) {
        let s = 0;
        for (let k = 0; k < 3; k++) s += a[i * 3 + k] * inv[k * 3 + j];
        assert.ok(Math.abs(s - (i === j ? 1 : 0)) < 1e-12);
      }
    }
  });

  test("flipUnits flips exactly round(fraction N) units of each pattern", () => {
    const rng = new Rng(2);
    const pats = randomPatterns(4, 50, rng);
    const noisy = flipUnits(pats, 0.2, rng);
    for (let k = 0; k < 4; k++) assert.equal(hammingDistance(noisy.row(k).data, pats.row(k).data), 10);
    assert.throws(() => flipUnits(pats, 1.5, rng), /fraction/);
  });
});
