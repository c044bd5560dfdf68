/**
 * The Hopfield page in Chromium: it loads with no console error and runs multi-threaded when
 * isolated; three patterns stored by the Hebbian rule are each recalled exactly from 20 %
 * noise by the page's unit-by-unit asynchronous recall, whose energy never rises; the capacity
 * curve collapses past 0.138; the TSP net's animation ends in a tour no shorter than the
 * optimum. In Node: solveTspHopfield's onSweep sees every annealing sweep's grid.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Page } from "playwright-core";
import { distanceMatrix, geometricSchedule, Rng, randomCities, solveTspHopfield } from "../src/index.js";
import { SKIP_CHROMIUM } from "./helpers/chromium.js";
import { labSession, pageThreads } from "./helpers/lab.js";

interface HopfieldPageState {
  stored: number[][];
  probe: number[];
  state: number[];
  energies: number[];
  recalling: boolean;
  done: boolean;
  sweeps: number;
  recalledIndex: number;
  capacity: { units: number; alphas: number[]; overlap: number[]; exact: number[]; done: boolean };
  tsp: { frames: number; done: boolean; valid: boolean; length: number; optimum: number };
}

test("solveTspHopfield's onSweep sees the grid after every annealing sweep, and does not change the result", () => {
  const dist = distanceMatrix(randomCities(6, new Rng(3)));
  const schedule = geometricSchedule({ start: 2, end: 0.05, steps: 120 });
  const seen: number[] = [];
  let sizes = new Set<number>();
  const watched = solveTspHopfield(dist, {
    schedule,
    seed: 5,
    onSweep: (step, t, v) => {
      seen.push(step);
      sizes = sizes.add(v.length);
      assert.equal(t, schedule.temperature(step));
    },
  });
  assert.deepEqual(
    seen,
    Array.from({ length: 120 }, (_, k) => k),
  );
  assert.deepEqual([...sizes], [36]);
  assert.deepEqual(watched.state, solveTspHopfield(dist, { schedule, seed: 5 }).state);
});

describe("the Hopfield page in Chromium", () => {
  const lab = labSession();

  const read = (page: Page) => page.evaluate(() => (globalThis as unknown as { labHopfield: HopfieldPageState }).labHopfield) as Promise<HopfieldPageState>;
  const hamming = (a: number[], b: number[]) => a.reduce((d, v, i) => d + (v === b[i] ? 0 : 1), 0);

  test("stored patterns are recalled from 20 % noise, unit by unit, the energy never rising; capacity; TSP; no console error", {
    skip: SKIP_CHROMIUM,
  }, async () => {
    const { page, errors } = await lab.open("hopfield");
    await page.waitForFunction(() => (globalThis as { layerwiseStatus?: unknown }).layerwiseStatus !== undefined);
    const threads = await pageThreads(page);
    assert.ok(threads > 1, `threads ${threads}`);

    // store the ready-made A, T and X (Hebbian, the default rule)
    for (let k = 0; k < 3; k++) {
      await page.locator("#presets canvas").nth(k).click();
      await page.click("#store");
    }
    const stored = (await read(page)).stored;
    assert.equal(stored.length, 3);
    await page.locator("#speed").fill("144"); // a sweep a frame

    for (let k = 0; k < 3; k++) {
      await page.locator("#stored canvas").nth(k).click();
      await page.click("#corrupt");
      const probe = (await read(page)).probe;
      assert.equal(hamming(probe, stored[k]), Math.round(0.2 * 144), "20 % of the units flipped");
      await page.click("#recall");
      await page.waitForFunction(() => {
        const s = (globalThis as unknown as { labHopfield: HopfieldPageState }).labHopfield;
        return s.done && !s.recalling;
      });
      const s = await read(page);
      assert.deepEqual(s.state, stored[k], `pattern ${k} recalled`);
      assert.equal(s.recalledIndex, k);
      assert.ok(s.energies.length > 144, "an energy after every unit visit");
      for (let i = 1; i < s.energies.length; i++) {
        assert.ok(
          s.energies[i] <= s.energies[i - 1] + 1e-9 * Math.abs(s.energies[i - 1]),
          `energy rose at visit ${i}: ${s.energies[i - 1]} -> ${s.energies[i]}`,
        );
      }
      assert.ok(s.energies[s.energies.length - 1] < s.energies[0], "the energy fell");
    }

    // the Hopfield–Tank energy gives a valid tour in about 3 runs of 4 (docs/hopfield.md): these cities' first 3 seeds give one
    for (let attempt = 0; attempt < 3 && !(await read(page)).tsp.valid; attempt++) {
      await page.click("#tsp-solve");
      await page.waitForFunction(() => (globalThis as unknown as { labHopfield: HopfieldPageState }).labHopfield.tsp.done, undefined, { timeout: 60_000 });
    }
    await page.waitForFunction(() => (globalThis as unknown as { labHopfield: HopfieldPageState }).labHopfield.capacity.done, undefined, { timeout: 60_000 });
    const { tsp, capacity } = await read(page);
    assert.equal(tsp.frames, 200, "one frame every 10 of the 2,000 annealing sweeps");
    assert.ok(tsp.valid, "a valid tour in 3 runs");
    assert.ok(tsp.length >= tsp.optimum - 1e-9, `tour ${tsp.length} shorter than the optimum ${tsp.optimum}?`);
    const at = (alpha: number) => capacity.overlap[capacity.alphas.findIndex((a) => Math.abs(a - alpha) < 1e-9)];
    assert.ok(at(0.04) > 0.97, `overlap at α = 0.04: ${at(0.04)}`);
    assert.ok(at(0.3) < at(0.04) - 0.2, `overlap at α = 0.3: ${at(0.3)} (no collapse)`);

    if (process.env.LAYERWISE_SCREENSHOTS === "1") {
      // mid-recall: the noisy A part-way back, the energy falling
      await page.locator("#stored canvas").nth(0).click();
      await page.locator("#speed").fill("2");
      await page.click("#corrupt");
      await page.click("#recall");
      await page.waitForFunction(() => (globalThis as unknown as { labHopfield: HopfieldPageState }).labHopfield.energies.length > 100);
      await page.screenshot({ path: "docs/lab/hopfield.png", fullPage: true });
    }
    assert.deepEqual(errors, []);
    await page.close();
  });
});
