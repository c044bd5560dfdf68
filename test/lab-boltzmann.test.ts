/**
 * The lab's Boltzmann page in a real Chromium: it loads with no console error and runs
 * multi-threaded when isolated; one epoch of the RBM it trains changes the filters on screen and
 * lowers the reconstruction error of the test digits; the shipped DBN dreams (its canvas moves).
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Page } from "playwright-core";
import { SKIP_CHROMIUM } from "./helpers/chromium.js";
import { labPage, pageThreads } from "./helpers/lab.js";

const canvasUrl = (page: Page, id: string) => page.evaluate((i) => (document.getElementById(i) as HTMLCanvasElement).toDataURL(), id);

describe("the lab's Boltzmann page in Chromium", () => {
  const lab = labPage("boltzmann", {
    ready: ["#rbm-status[data-ready]", "#dbn-status[data-ready]"],
    // the RBM half (filters, reconstructions, error curve): the whole page's noisy greys pass 300 KB
    screenshot: (page, path) => page.locator("main > section").first().screenshot({ path }),
  });

  test("loads with no console error, multi-threaded", { skip: SKIP_CHROMIUM }, async () => {
    assert.deepEqual(lab.errors, []);
    const threads = await pageThreads(lab.page);
    assert.ok(threads > 1, `threads ${threads}`);
  });

  test("one RBM training epoch changes the filters and lowers the reconstruction error", { skip: SKIP_CHROMIUM }, async () => {
    const filtersBefore = await canvasUrl(lab.page, "rbm-filters");
    const errorBefore = Number(await lab.page.getAttribute("#rbm-status", "data-test-error"));
    await lab.page.click("#rbm-epoch");
    await lab.page.waitForSelector('#rbm-status[data-epochs="1"]', { timeout: 60_000 });
    const errorAfter = Number(await lab.page.getAttribute("#rbm-status", "data-test-error"));
    assert.notEqual(await canvasUrl(lab.page, "rbm-filters"), filtersBefore, "the filter grid did not change");
    assert.ok(errorAfter < 0.8 * errorBefore, `test reconstruction error ${errorBefore} -> ${errorAfter}`);
    assert.deepEqual(lab.errors, []);
  });

  test("the DBN dreams: its chains move and its digits redraw", { skip: SKIP_CHROMIUM }, async () => {
    const before = await canvasUrl(lab.page, "dbn-dreams");
    await lab.page.selectOption("#dbn-label", "3");
    await lab.page.click("#dbn-dream");
    await lab.page.waitForFunction(() => Number(document.getElementById("dbn-status")?.dataset.steps) >= 200, undefined, { timeout: 30_000 });
    await lab.page.click("#dbn-pause");
    assert.notEqual(await canvasUrl(lab.page, "dbn-dreams"), before);
    assert.deepEqual(lab.errors, []);
  });
});
