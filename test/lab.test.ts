/**
 * The lab's index page in a real Chromium: it loads with no console error and reports the
 * backend it runs on, multi-threaded WebAssembly when the page is cross-origin isolated and
 * one thread with a note when it is not.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Browser } from "playwright-core";
import { launchChromium, openPage, SKIP_CHROMIUM, type StaticServer } from "./helpers/chromium.js";
import { serveLab } from "./helpers/lab.js";

interface Status {
  name: string;
  threads: number;
  crossOriginIsolated: boolean;
  notes: string[];
}

describe("the lab's index page in Chromium", () => {
  let browser: Browser;
  let isolated: StaticServer;
  let plain: StaticServer;
  before(async () => {
    // Skipped tests need no browser; the hook still runs.
    if (!SKIP_CHROMIUM) {
      browser = await launchChromium();
      isolated = await serveLab({ isolated: true });
      plain = await serveLab({ isolated: false });
    }
  });
  after(async () => {
    await browser?.close();
    await isolated?.close();
    await plain?.close();
  });

  async function statusAt(url: string): Promise<{ status: Status; errors: string[]; text: string }> {
    const { page, errors } = await openPage(browser, url);
    await page.waitForFunction(() => (globalThis as { layerwiseStatus?: unknown }).layerwiseStatus !== undefined);
    const status = (await page.evaluate(() => (globalThis as unknown as { layerwiseStatus: Status }).layerwiseStatus)) as Status;
    const text = (await page.textContent("#backend-status")) ?? "";
    await page.close();
    return { status, errors, text };
  }

  test("cross-origin isolated: the WASM backend with more than one thread, no console error", { skip: SKIP_CHROMIUM }, async () => {
    const { status, errors, text } = await statusAt(`${isolated.url}/`);
    assert.deepEqual(errors, []);
    assert.equal(status.crossOriginIsolated, true);
    assert.equal(status.name, "wasm");
    assert.ok(status.threads > 1, `threads ${status.threads}: ${text}`);
  });

  test("not isolated: one thread, and the page says why", { skip: SKIP_CHROMIUM }, async () => {
    const { status, errors, text } = await statusAt(`${plain.url}/`);
    assert.deepEqual(errors, []);
    assert.equal(status.crossOriginIsolated, false);
    assert.equal(status.threads, 1, text);
  });
});
