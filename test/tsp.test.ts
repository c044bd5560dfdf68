import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { geometricSchedule } from "../src/models/hopfield/anneal.js";
import { quadraticEnergy } from "../src/models/hopfield/core.js";
import {
  decodeTour,
  distanceMatrix,
  heldKarp,
  hopfieldTankNetwork,
  isPermutation,
  randomCities,
  solveTspHopfield,
  tourLength,
  tspEnergyTerms,
} from "../src/models/hopfield/tsp.js";
import { Rng } from "../src/tensor/random.js";
import { tensor } from "../src/tensor/tensor.js";

/** Shortest tour by trying every permutation that starts at city 0. */
function bruteForce(dist: Float64Array, n: number): number {
  let best = Number.POSITIVE_INFINITY;
  const rest = Array.from({ length: n - 1 }, (_, i) => i + 1);
  const permute = (k: number): void => {
    if (k === rest.length) {
      best = Math.min(best, tourLength([0, ...rest], dist));
      return;
    }
    for (let i = k; i < rest.length; i++) {
      [rest[k], rest[i]] = [rest[i], rest[k]];
      permute(k + 1);
      [rest[k], rest[i]] = [rest[i], rest[k]];
    }
  };
  permute(0);
  return best;
}

describe("TSP: Held–Karp", () => {
  test("matches brute force on random 4- to 8-city instances and returns a tour of that length", () => {
    for (let n = 4; n <= 8; n++) {
      const dist = distanceMatrix(randomCities(n, new Rng(n)));
      const hk = heldKarp(dist);
      assert.ok(isPermutation(hk.tour, n));
      assert.ok(Math.abs(tourLength(hk.tour, dist) - hk.length) < 1e-12);
      assert.ok(Math.abs(bruteForce(dist, n) - hk.length) < 1e-12, `n = ${n}`);
    }
  });

  test("the square's optimum is its perimeter", () => {
    const dist = distanceMatrix(
      tensor([
        [0, 0],
        [1, 1],
        [1, 0],
        [0, 1],
      ]),
    );
    assert.ok(Math.abs(heldKarp(dist).length - 4) < 1e-12);
  });
});

describe("TSP: the Hopfield–Tank network", () => {
  test("−½ vᵀWv + θᵀv + const equals the four-term energy on random grids", () => {
    const rng = new Rng(9);
    const dist = distanceMatrix(randomCities(6, rng));
    const penalties = { A: 1.5, B: 2, C: 3, D: 0.7 };
    const net = hopfieldTankNetwork(dist, penalties);
    for (let k = 0; k < 20; k++) {
      const v = Float32Array.from({ length: 36 }, () => (rng.nextFloat() < 0.2 ? 1 : 0));
      const e = quadraticEnergy(net.weights, net.thresholds, v) + net.constant;
      assert.ok(Math.abs(e - tspEnergyTerms(v, dist, penalties).total) < 1e-4 * (1 + Math.abs(e)));
    }
  });

  test("a permutation matrix has zero constraint terms and distance term = tour length", () => {
    const dist = distanceMatrix(randomCities(5, new Rng(1)));
    const tour = [2, 0, 4, 1, 3];
    const v = new Float32Array(25);
    for (const [pos, city] of tour.entries()) v[city * 5 + pos] = 1;
    const terms = tspEnergyTerms(v, dist);
    assert.deepEqual([terms.row, terms.column, terms.count], [0, 0, 0]);
    assert.ok(Math.abs(terms.distance - tourLength(tour, dist)) < 1e-12);
    assert.deepEqual(Array.from(decodeTour(v, 5) ?? []), tour);
    v[3] = 1; // city 0 also at position 3
    assert.equal(decodeTour(v, 5), null);
    assert.ok(tspEnergyTerms(v, dist).row > 0);
  });

  test("the decoded tour of a 5-city instance is a permutation with zero constraint terms, within 5 % of the optimum in most runs", () => {
    const dist = distanceMatrix(randomCities(5, new Rng(2)));
    const optimum = heldKarp(dist).length;
    let near = 0;
    const runs = 6;
    for (let seed = 0; seed < runs; seed++) {
      const r = solveTspHopfield(dist, { seed, schedule: geometricSchedule({ start: 4, end: 0.05, steps: 400 }) });
      assert.ok(r.valid && r.tour !== null, `seed ${seed}: no valid tour`);
      assert.ok(isPermutation(r.tour, 5));
      assert.deepEqual([r.terms.row, r.terms.column, r.terms.count], [0, 0, 0]);
      assert.ok(r.stable);
      assert.ok(r.length >= optimum - 1e-12);
      if (r.length <= 1.05 * optimum) near++;
    }
    assert.ok(near >= runs / 2, `${near} of ${runs} runs near the optimum`);
    // the stochastic (simulated-annealing) variant decodes valid tours too
    const s = solveTspHopfield(dist, { seed: 0, dynamics: "stochastic", schedule: geometricSchedule({ start: 1, end: 0.01, steps: 1000 }) });
    assert.ok(s.valid);
  });

  test("bad inputs give errors naming what is wrong", () => {
    assert.throws(() => randomCities(2, new Rng(0)), /n must be/);
    assert.throws(() => hopfieldTankNetwork(distanceMatrix(randomCities(4, new Rng(0))), { A: -1, B: 1, C: 1, D: 1 }), /penalty A/);
    assert.throws(() => tourLength([0, 1, 1, 2], distanceMatrix(randomCities(4, new Rng(0)))), /permutation/);
    assert.throws(() => heldKarp(new Float64Array(17 * 17)), /at most 16/);
  });
});
