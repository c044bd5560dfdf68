/**
 * The lab's autoencoders page in a real Chromium: it loads with no console error and runs
 * multi-threaded when isolated; the 2-D code map draws its test digits and hovering a dot shows
 * that digit; a click in the VAE's latent plane decodes a digit; the denoising autoencoder's
 * output is closer to the clean digits than its corrupted input.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Page } from "playwright-core";
import { SKIP_CHROMIUM } from "./helpers/chromium.js";
import { labPage, pageThreads } from "./helpers/lab.js";

const canvasUrl = (page: Page, id: string) => page.evaluate((i) => (document.getElementById(i) as HTMLCanvasElement).toDataURL(), id);

/** Distinct colours among the canvas's pixels (a blank canvas has one). */
const colours = (page: Page, id: string) =>
  page.evaluate((i) => {
    const c = document.getElementById(i) as HTMLCanvasElement;
    const d = c.getContext("2d")?.getImageData(0, 0, c.width, c.height).data ?? new Uint8ClampedArray();
    const seen = new Set<number>();
    for (let p = 0; p < d.length; p += 4) seen.add((d[p] << 16) | (d[p + 1] << 8) | d[p + 2]);
    return seen.size;
  }, id);

interface Hooks {
  mapPixel(i: number): [number, number];
  planePixel(z: [number, number]): [number, number];
}

/** The page position of a canvas pixel. */
async function pagePoint(page: Page, id: string, [x, y]: [number, number]): Promise<[number, number]> {
  await page.locator(`#${id}`).scrollIntoViewIfNeeded(); // the mouse reaches only the viewport
  const box = await page.locator(`#${id}`).boundingBox();
  const size = await page.evaluate(
    (i) => [(document.getElementById(i) as HTMLCanvasElement).width, (document.getElementById(i) as HTMLCanvasElement).height],
    id,
  );
  assert.ok(box !== null);
  return [box.x + (x / size[0]) * box.width, box.y + (y / size[1]) * box.height];
}

describe("the lab's autoencoders page in Chromium", () => {
  const lab = labPage("autoencoders", { ready: ["#dae-status[data-ready]"] });

  test("loads with no console error, multi-threaded", { skip: SKIP_CHROMIUM }, async () => {
    assert.deepEqual(lab.errors, []);
    const threads = await pageThreads(lab.page);
    assert.ok(threads > 1, `threads ${threads}`);
  });

  test("the code map draws the test digits in their class colours; hovering a dot shows its digit", { skip: SKIP_CHROMIUM }, async () => {
    assert.equal(await lab.page.getAttribute("#ae-map", "data-points"), "500");
    assert.ok((await colours(lab.page, "ae-map")) >= 10, "fewer colours on the map than classes");
    const before = await canvasUrl(lab.page, "ae-digit");
    const dot = await lab.page.evaluate(() => (globalThis as unknown as { labAutoencoders: Hooks }).labAutoencoders.mapPixel(7));
    await lab.page.mouse.move(...(await pagePoint(lab.page, "ae-map", dot)));
    await lab.page.waitForSelector("#ae-caption[data-digit]");
    assert.notEqual(await canvasUrl(lab.page, "ae-digit"), before);
    assert.ok((await colours(lab.page, "ae-digit")) > 2, "the hovered digit is blank");
  });

  test("a click in the VAE's latent plane decodes a digit, and another point another digit", { skip: SKIP_CHROMIUM }, async () => {
    const blank = await canvasUrl(lab.page, "vae-digit");
    const click = async (z: [number, number]) => {
      const at = await lab.page.evaluate((p) => (globalThis as unknown as { labAutoencoders: Hooks }).labAutoencoders.planePixel(p), z);
      await lab.page.mouse.click(...(await pagePoint(lab.page, "vae-plane", at)));
      return canvasUrl(lab.page, "vae-digit");
    };
    const first = await click([-1, 0.5]);
    assert.notEqual(first, blank);
    assert.ok((await colours(lab.page, "vae-digit")) > 2, "the decoded digit is blank");
    assert.notEqual(await click([1.5, -1]), first);
    assert.deepEqual(lab.errors, []);
  });

  test("denoising lowers the squared error against the clean digits", { skip: SKIP_CHROMIUM }, async () => {
    // the noise the shipped DAE was trained on, at its training level (masking it barely undoes: 20.1 -> 18.2)
    await lab.page.selectOption("#dae-noise", "saltAndPepper");
    for (let round = 0; round < 2; round++) {
      await lab.page.click("#dae-run");
      const corrupted = Number(await lab.page.getAttribute("#dae-status", "data-corrupted"));
      const denoised = Number(await lab.page.getAttribute("#dae-status", "data-denoised"));
      assert.ok(denoised < 0.5 * corrupted, `corrupted ${corrupted}, denoised ${denoised}`);
    }
    assert.deepEqual(lab.errors, []);
  });
});
