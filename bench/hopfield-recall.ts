/**
 * `hopfield-recall`: 1,000 asynchronous sweeps (one update of every unit in a fresh random
 * order, no early stop) of an N = 1,000 Hopfield network, against a plain NumPy loop of the
 * same updates. Two workloads:
 *  - "hebbian-T0": 50 stored random patterns, deterministic threshold units from a random
 *    probe (it settles within a few sweeps; later sweeps only test the fields);
 *  - "glauber-T1": the same net's stochastic units at T = 0.5 · rms field, so units keep flipping
 *    every sweep (the Boltzmann-machine inner loop).
 * Ours keeps the fields u = W x − θ current incrementally (O(N) per flip). NumPy peers:
 * "numpy" does the same incremental update, "numpy-dot" recomputes u_i = W[i]·x per unit.
 */

import { FieldState, shuffleOrder, unitIndices } from "../src/models/hopfield/core.js";
import { randomPatterns } from "../src/models/hopfield/hopfield.js";
import { hebbianWeights } from "../src/models/hopfield/rules.js";
import { Rng } from "../src/tensor/random.js";
import { zeros } from "../src/tensor/tensor.js";
import type { Benchmark } from "./harness.js";

interface RecallWorkload {
  workload: string;
  units: number;
  patterns: number;
  sweeps: number;
  temperature: number;
}

function workloads(quick: boolean): RecallWorkload[] {
  const n = quick ? 50 : 1000;
  const sweeps = quick ? 5 : 1000;
  // T for the stochastic workload: half the rms local field of a Hebbian net, sqrt(N P)
  const p = quick ? 3 : 50;
  return [
    { workload: `hebbian-T0 N=${n} P=${p} ${sweeps} sweeps`, units: n, patterns: p, sweeps, temperature: 0 },
    { workload: `glauber-T N=${n} P=${p} ${sweeps} sweeps`, units: n, patterns: p, sweeps, temperature: 0.5 * Math.sqrt(n * p) },
  ];
}

export const hopfieldRecall: Benchmark = {
  name: "hopfield-recall",
  description: "1,000 async sweeps of an N = 1,000 Hopfield net (deterministic and Glauber units) vs a NumPy loop",
  async run(ctx) {
    const ws = workloads(ctx.quick);
    if (ctx.wants("layerwise-js")) {
      for (const w of ws) {
        const rng = new Rng(1);
        const weights = hebbianWeights(randomPatterns(w.patterns, w.units, rng));
        const thresholds = zeros([w.units]);
        const probe = randomPatterns(1, w.units, rng).data;
        const state = new FieldState(weights, thresholds, "bipolar");
        const order = unitIndices(w.units);
        const run = (): void => {
          state.load(probe);
          for (let s = 0; s < w.sweeps; s++) state.sweep(shuffleOrder(order, rng), w.temperature, rng);
        };
        // the update code is plain TypeScript (no backend kernel), so one impl covers every backend
        await ctx.time({ workload: w.workload, impl: "layerwise-js", threads: 1, note: "incremental fields, O(N) per flip" }, run);
      }
    }
    for (const impl of ["numpy", "numpy-dot"]) await ctx.python("peers/hopfield_recall.py", impl, "numpy", { workloads: ws });
  },
};
