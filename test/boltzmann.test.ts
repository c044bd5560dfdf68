import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { BoltzmannMachine } from "../src/models/boltzmann/boltzmann.js";
import {
  boltzmannDistribution,
  empiricalDistribution,
  enumerateEnergies,
  klDivergence,
  marginalizeHidden,
  totalVariation,
} from "../src/models/boltzmann/exact.js";
import { anneal, constantSchedule, geometricSchedule, linearSchedule } from "../src/models/hopfield/anneal.js";
import { FieldState, quadraticEnergy } from "../src/models/hopfield/core.js";
import { Rng } from "../src/tensor/random.js";
import { tensor } from "../src/tensor/tensor.js";

/** A net with sizeable random weights and thresholds, so its distribution is far from uniform. */
function roughMachine(visible: number, hidden: number, seed: number): BoltzmannMachine {
  const bm = new BoltzmannMachine({ visible, hidden, initStd: 1, seed });
  const rng = new Rng(seed + 1000);
  for (let i = 0; i < bm.size; i++) bm.thresholds.data[i] = rng.normal(0, 0.7);
  return bm;
}

const data = tensor([
  [1, 1, 0, 0],
  [1, 1, 0, 0],
  [0, 0, 1, 1],
  [0, 0, 1, 1],
  [1, 1, 1, 1],
  [0, 0, 0, 0],
]);

describe("Boltzmann machine: exact enumeration", () => {
  test("the Gray-code energies equal E(x) for every state, and p sums to 1", () => {
    const bm = roughMachine(5, 2, 1);
    const n = bm.size;
    const { probabilities, logZ } = boltzmannDistribution(bm.weights, bm.thresholds, 1);
    let z = 0;
    for (let s = 0; s < 2 ** n; s++) {
      const x = Array.from({ length: n }, (_, i) => (s >> i) & 1);
      const e = quadraticEnergy(bm.weights, bm.thresholds, x);
      z += Math.exp(-e);
      assert.ok(Math.abs(probabilities[s] - Math.exp(-e - logZ)) < 1e-12, `state ${s}`);
    }
    assert.ok(Math.abs(Math.log(z) - logZ) < 1e-9);
    const pv = marginalizeHidden(probabilities, 5);
    assert.ok(Math.abs(pv.reduce((a, b) => a + b, 0) - 1) < 1e-12);
  });
});

describe("Boltzmann machine: Gibbs sampling", () => {
  test("the empirical distribution of 50,000 Gibbs samples (8 units, T = 1) is within TV 0.04 of the exact one", () => {
    const bm = roughMachine(8, 0, 3);
    const exact = bm.distribution(1);
    const samples = bm.sample({ samples: 50_000, burnIn: 100, seed: 1 });
    const tv = totalVariation(empiricalDistribution(samples), exact);
    assert.ok(tv < 0.04, `TV = ${tv}`);
    // the bound is tight enough to catch a sampler at the wrong temperature
    const wrong = totalVariation(empiricalDistribution(bm.sample({ samples: 50_000, temperature: 1.5, seed: 1 })), exact);
    assert.ok(wrong > 0.08, `T = 1.5 sampler TV = ${wrong}`);
  });

  test("clamped sampling draws the hidden units from p(h | v)", () => {
    const bm = roughMachine(3, 4, 5);
    const v = [1, 0, 1];
    const joint = bm.distribution(1);
    // p(h | v): the joint's slice with the visible bits equal to v, renormalised
    const exact = new Float64Array(16);
    let z = 0;
    for (let s = 0; s < joint.length; s++) if ((s & 7) === 0b101) z += joint[s];
    for (let s = 0; s < joint.length; s++) if ((s & 7) === 0b101) exact[s >> 3] = joint[s] / z;
    const samples = bm.sample({ samples: 20_000, clamp: v, seed: 2 });
    const hidden = tensor(Array.from({ length: 20_000 }, (_, r) => Array.from(samples.data.subarray(r * 7 + 3, r * 7 + 7))));
    for (let r = 0; r < 20_000; r++) assert.deepEqual(Array.from(samples.data.subarray(r * 7, r * 7 + 3)), v);
    const tv = totalVariation(empiricalDistribution(hidden), exact);
    assert.ok(tv < 0.04, `TV = ${tv}`);
  });
});

describe("Boltzmann machine: learning", () => {
  test("exact-gradient learning lowers KL(data ‖ model) monotonically (visible-only and with hidden units)", () => {
    for (const hidden of [0, 2]) {
      const bm = new BoltzmannMachine({ visible: 4, hidden, seed: 1 });
      const { kl } = bm.fit(data, { epochs: 150, learningRate: 0.5, method: "exact" });
      assert.equal(kl.length, 151);
      for (let k = 1; k < kl.length; k++) assert.ok(kl[k] <= kl[k - 1] + 1e-12, `hidden ${hidden}, epoch ${k}: KL ${kl[k - 1]} -> ${kl[k]}`);
      assert.ok(kl[150] < 0.25 * kl[0], `hidden ${hidden}: KL ${kl[0]} -> ${kl[150]}`);
      assert.ok(Math.abs(bm.klDivergence(data) - kl[150]) < 1e-12);
    }
  });

  test("hidden units let the machine learn what visible pairwise weights cannot (parity of 3 bits)", () => {
    // even-parity 3-bit vectors: every pairwise statistic is that of the uniform distribution
    const parity = tensor([
      [0, 0, 0],
      [1, 1, 0],
      [1, 0, 1],
      [0, 1, 1],
    ]);
    const visibleOnly = new BoltzmannMachine({ visible: 3, seed: 2 }).fit(parity, { epochs: 200, learningRate: 0.5, method: "exact" }).kl;
    const withHidden = new BoltzmannMachine({ visible: 3, hidden: 3, initStd: 1, seed: 2 }).fit(parity, { epochs: 600, learningRate: 1, method: "exact" }).kl;
    assert.ok(visibleOnly[200] > 0.6, `visible-only KL ${visibleOnly[200]} (log 2 = 0.693 is the floor)`);
    assert.ok(withHidden[600] < 0.2, `with hidden units KL ${withHidden[600]}`);
  });

  test("the sampled gradient agrees with the exact gradient in expectation (10 independent estimates)", () => {
    const bm = new BoltzmannMachine({ visible: 4, hidden: 2, seed: 5, initStd: 0.8 });
    const exact = bm.exactGradient(data);
    const replicates = 10;
    const n = bm.size;
    const estimates = Array.from({ length: replicates }, (_, r) => bm.sampledGradient(data, { seed: r, chains: 20, samples: 200, clampedSamples: 50 }));
    const components: [number, number[]][] = [];
    for (let i = 0; i < n; i++) {
      components.push([exact.thresholds[i], estimates.map((g) => g.thresholds[i])]);
      for (let j = i + 1; j < n; j++) components.push([exact.weights[i * n + j], estimates.map((g) => g.weights[i * n + j])]);
    }
    for (const [k, [truth, xs]] of components.entries()) {
      const mean = xs.reduce((a, b) => a + b, 0) / replicates;
      const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (replicates - 1));
      // 4.5 standard errors (false alarm ~1e-5 per component), plus slack for burn-in bias
      assert.ok(Math.abs(mean - truth) <= (4.5 * sd) / Math.sqrt(replicates) + 0.01, `component ${k}: mean ${mean} vs exact ${truth} (sd ${sd})`);
    }
    // and the gradient is not trivially zero
    assert.ok(components.some(([truth]) => Math.abs(truth) > 0.1));
  });

  test("Gibbs-sampled learning also lowers KL", () => {
    const bm = new BoltzmannMachine({ visible: 4, hidden: 1, seed: 3 });
    const { kl } = bm.fit(data, { epochs: 40, learningRate: 0.5, method: "gibbs", gibbs: { chains: 10, samples: 50, burnIn: 20, seed: 1 } });
    assert.ok(kl[40] < 0.5 * kl[0], `KL ${kl[0]} -> ${kl[40]}`);
  });

  test("options are validated with errors that name them", () => {
    assert.throws(() => new BoltzmannMachine({ visible: 0 }), /visible/);
    assert.throws(() => new BoltzmannMachine({ visible: 2, hidden: -1 }), /hidden/);
    const bm = new BoltzmannMachine({ visible: 4 });
    assert.throws(() => bm.fit(data, { epochs: 0 }), /epochs/);
    assert.throws(() => bm.fit(data, { epochs: 1, learningRate: -1 }), /learningRate/);
    assert.throws(() => bm.fit(data, { epochs: 1, method: "cd" as "exact" }), /method/);
    assert.throws(() => bm.fit(tensor([[1, 0, 1]]), { epochs: 1 }), /data/);
    assert.throws(() => bm.sample({ samples: 0 }), /samples/);
    assert.throws(() => bm.sample({ temperature: -1 }), /temperature/);
    assert.throws(() => bm.sample({ clamp: [1, 0] }), /clamp/);
  });
});

describe("annealing", () => {
  test("schedules run from start to end: geometric (constant ratio) and linear (constant step)", () => {
    const g = geometricSchedule({ start: 10, end: 0.1, steps: 5 });
    const temps = Array.from({ length: 5 }, (_, k) => g.temperature(k));
    assert.equal(temps[0], 10);
    assert.equal(temps[4], 0.1);
    for (let k = 1; k < 5; k++) assert.ok(Math.abs(temps[k] / temps[k - 1] - 10 ** -0.5) < 1e-12);
    const l = linearSchedule({ start: 4, end: 1, steps: 4 });
    assert.deepEqual(
      [0, 1, 2, 3].map((k) => l.temperature(k)),
      [4, 3, 2, 1],
    );
    assert.equal(constantSchedule(2, 3).temperature(2), 2);
    assert.throws(() => geometricSchedule({ start: 0, end: 1, steps: 3 }), /start/);
    assert.throws(() => linearSchedule({ start: 1, end: 1, steps: 0 }), /steps/);
    assert.throws(() => g.temperature(5), /step/);
  });

  test("annealing finds the ground state of random 14-unit nets more often than a plain quench", () => {
    let annealed = 0;
    let quenched = 0;
    const trials = 12;
    for (let t = 0; t < trials; t++) {
      const bm = roughMachine(14, 0, 50 + t);
      const energies = enumerateEnergies(
        new FieldState(bm.weights, bm.thresholds, "binary").load(new Float32Array(14)),
        Uint32Array.from({ length: 14 }, (_, i) => i),
      );
      const ground = Math.min(...energies);
      const schedule = geometricSchedule({ start: 5, end: 0.05, steps: 1000 });
      const a = bm.anneal({ schedule, seed: t });
      assert.ok(Math.abs(a.energy - bm.energy(a.state.data)) < 1e-6);
      if (a.energy <= ground + 1e-6) annealed++;
      const q = new FieldState(bm.weights, bm.thresholds, "binary").load(Float32Array.from({ length: 14 }, (_, i) => ((i * 7 + t) % 3 === 0 ? 1 : 0)));
      const r = anneal(q, { schedule: constantSchedule(1e-9, 1), rng: new Rng(t) });
      assert.ok(r.stable);
      if (q.energy <= ground + 1e-6) quenched++;
    }
    assert.ok(annealed >= trials - 1, `annealing found the ground state ${annealed} / ${trials} times`);
    assert.ok(annealed > quenched, `annealed ${annealed}, quenched ${quenched}`);
  });

  test("KL helper: zero for equal distributions, positive otherwise", () => {
    const p = Float64Array.from([0.5, 0.5, 0, 0]);
    assert.equal(klDivergence(p, p), 0);
    assert.ok(klDivergence(p, Float64Array.from([0.25, 0.25, 0.25, 0.25])) > 0);
  });
});
