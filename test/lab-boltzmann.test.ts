/**
 * The lab's Boltzmann page in a real Chromium: it loads with no console error and runs
 * multi-threaded when isolated; one epoch of the RBM it trains changes the filters on screen and
 * lowers the reconstruction error of the test digits; the shipped DBN dreams (its canvas moves).
 */
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { after, before, describe, test } from "node:test";
import type { Browser, Page } from "playwright-core";
import { launchChromium, openPage, SKIP_CHROMIUM, type StaticServer } from "./helpers/chromium.js";
import { serveLab } from "./helpers/lab.js";

const canvasUrl = (page: Page, id: string) => page.evaluate((i) => (document.getElementById(i) as HTMLCanvasElement).toDataURL(), id);

describe("the lab's Boltzmann page in Chromium", () => {
  let browser: Browser;
  let server: StaticServer;
  let page: Page;
  let errors: string[];
  before(async () => {
    if (!SKIP_CHROMIUM) {
      browser = await launchChromium();
      server = await serveLab({ isolated: true });
      ({ page, errors } = await openPage(browser, `${server.url}/boltzmann/`));
      await page.waitForSelector("#rbm-status[data-ready]", { timeout: 30_000 });
      await page.waitForSelector("#dbn-status[data-ready]", { timeout: 30_000 });
    }
  });
  after(async () => {
    if (process.env.LAYERWISE_SCREENSHOTS === "1" && page !== undefined) {
      mkdirSync("docs/lab", { recursive: true });
      // the RBM half (filters, reconstructions, error curve): the whole page's noisy greys pass 300 KB
      await page.locator("main > section").first().screenshot({ path: "docs/lab/boltzmann.png" });
    }
    await browser?.close();
    await server?.close();
  });

  test("loads with no console error, multi-threaded", { skip: SKIP_CHROMIUM }, async () => {
    assert.deepEqual(errors, []);
    const threads = await page.evaluate(() => (globalThis as unknown as { layerwiseStatus: { threads: number } }).layerwiseStatus.threads);
    assert.ok(threads > 1, `threads ${threads}`);
  });

  test("one RBM training epoch changes the filters and lowers the reconstruction error", { skip: SKIP_CHROMIUM }, async () => {
    const filtersBefore = await canvasUrl(page, "rbm-filters");
    const errorBefore = Number(await page.getAttribute("#rbm-status", "data-test-error"));
    await page.click("#rbm-epoch");
    await page.waitForSelector('#rbm-status[data-epochs="1"]', { timeout: 60_000 });
    const errorAfter = Number(await page.getAttribute("#rbm-status", "data-test-error"));
    assert.notEqual(await canvasUrl(page, "rbm-filters"), filtersBefore, "the filter grid did not change");
    assert.ok(errorAfter < 0.8 * errorBefore, `test reconstruction error ${errorBefore} -> ${errorAfter}`);
    assert.deepEqual(errors, []);
  });

  test("the DBN dreams: its chains move and its digits redraw", { skip: SKIP_CHROMIUM }, async () => {
    const before = await canvasUrl(page, "dbn-dreams");
    await page.selectOption("#dbn-label", "3");
    await page.click("#dbn-dream");
    await page.waitForFunction(() => Number(document.getElementById("dbn-status")?.dataset.steps) >= 200, undefined, { timeout: 30_000 });
    await page.click("#dbn-pause");
    assert.notEqual(await canvasUrl(page, "dbn-dreams"), before);
    assert.deepEqual(errors, []);
  });
});
