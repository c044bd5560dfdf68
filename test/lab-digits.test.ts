/**
 * The digits page in Chromium: it loads the CLI-trained MLP and LeNet-5 shipped in
 * lab/public/models with no console error, runs multi-threaded when isolated, and a "1"
 * stroke drawn with mouse events is read as 1 with probability > 0.5 by the MLP; LeNet's
 * feature maps are pictured. The MNIST-style preparation of a drawing is checked in Node.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Page } from "playwright-core";
import { centreOfMass, inkBounds, toMnist } from "../lab/digits/mnist-style.js";
import { SKIP_CHROMIUM } from "./helpers/chromium.js";
import { labSession, pageThreads } from "./helpers/lab.js";

interface DigitsState {
  ready: boolean;
  updates: number;
  mlp: number[];
  lenet: number[];
  input: number[];
  mapsDrawn: number;
}

/** A w×h drawing with a filled rectangle of ink. */
function rectangle(w: number, h: number, x0: number, y0: number, rw: number, rh: number): Float32Array {
  const ink = new Float32Array(w * h);
  for (let y = y0; y < y0 + rh; y++) for (let x = x0; x < x0 + rw; x++) ink[y * w + x] = 1;
  return ink;
}

describe("MNIST-style preparation of a drawing", () => {
  test("an off-centre tall stroke: scaled to 20 pixels high, aspect kept, centred by mass", () => {
    const px = toMnist(rectangle(280, 280, 10, 20, 20, 200), 280, 280);
    const box = inkBounds(px, 28, 28);
    assert.ok(box !== null);
    assert.equal(box.height, 20);
    assert.equal(box.width, 2);
    const [cx, cy] = centreOfMass(px, 28, 28);
    assert.ok(Math.abs(cx - 13.5) <= 0.5 && Math.abs(cy - 13.5) <= 0.5, `centre of mass (${cx}, ${cy})`);
    assert.ok(Math.max(...px) <= 1 && Math.min(...px) >= 0);
  });

  test("a small blot is enlarged to the 20-pixel box; nothing drawn gives a blank field", () => {
    const box = inkBounds(toMnist(rectangle(280, 280, 200, 200, 10, 10), 280, 280), 28, 28);
    assert.deepEqual(box && [box.width, box.height], [20, 20]);
    assert.ok(toMnist(new Float32Array(100), 10, 10).every((v) => v === 0));
  });
});

describe("the digits page in Chromium", () => {
  const lab = labSession();

  const digits = (page: Page) => page.evaluate(() => (globalThis as unknown as { labDigits: DigitsState }).labDigits) as Promise<DigitsState>;

  /** Drags the mouse through the points (fractions of the pad) and waits for the prediction after it. */
  async function draw(page: Page, points: [number, number][]): Promise<DigitsState> {
    const before = (await digits(page)).updates;
    const box = await page.locator("#pad").boundingBox();
    assert.ok(box !== null);
    const at = ([fx, fy]: [number, number]) => [box.x + fx * box.width, box.y + fy * box.height] as const;
    await page.mouse.move(...at(points[0]));
    await page.mouse.down();
    for (let k = 1; k < points.length; k++) await page.mouse.move(...at(points[k]), { steps: 12 });
    await page.mouse.up();
    await page.waitForFunction((n) => (globalThis as unknown as { labDigits: DigitsState }).labDigits.updates > n, before);
    await page.waitForTimeout(100); // the last frame's prediction
    return digits(page);
  }

  test('a drawn "1" is a 1 to the MLP with p > 0.5; LeNet\'s maps are drawn; multi-threaded; no console error', { skip: SKIP_CHROMIUM }, async () => {
    const { page, errors } = await lab.open("digits");
    await page.waitForFunction(() => (globalThis as unknown as { labDigits?: DigitsState }).labDigits?.ready === true, undefined, { timeout: 30_000 });
    const threads = await pageThreads(page);
    assert.ok(threads > 1, `threads ${threads}`);

    const s = await draw(page, [
      [0.52, 0.15],
      [0.5, 0.85],
    ]);
    assert.ok(
      s.input.some((v) => v > 0.5),
      "the stroke reached the nets",
    );
    const best = s.mlp.indexOf(Math.max(...s.mlp));
    assert.equal(best, 1, `MLP probabilities ${s.mlp.map((p) => p.toFixed(3)).join(" ")}`);
    assert.ok(s.mlp[1] > 0.5, `p(1) = ${s.mlp[1]}`);
    assert.ok(Math.abs(s.lenet.reduce((a, b) => a + b, 0) - 1) < 1e-4, "LeNet gives a distribution");
    assert.equal(await page.locator("#maps-c1 canvas").count(), 6);
    assert.equal(await page.locator("#maps-c3 canvas").count(), 16);

    if (process.env.LAYERWISE_SCREENSHOTS === "1") {
      await page.click("#clear");
      await draw(page, [
        [0.25, 0.2],
        [0.72, 0.2],
        [0.45, 0.85],
      ]);
      await page.screenshot({ path: "docs/lab/digits.png", fullPage: true });
    }
    assert.deepEqual(errors, []);
    await page.close();
  });
});
