/**
 * Builds the lab (lab/, a Vite app) once per test process into a fresh temporary folder and
 * serves it cross-origin isolated, as `npm run lab:preview` does.
 */
import { mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, before } from "node:test";
import type { Browser, Page } from "playwright-core";
import { launchChromium, openPage, SKIP_CHROMIUM, type StaticServer, serveStatic } from "./chromium.js";

let built: Promise<string> | null = null;

/** The folder holding the built lab (index.html and one folder per page). */
export function buildLab(): Promise<string> {
  if (built === null) {
    built = (async () => {
      const { build } = await import("vite");
      const outDir = mkdtempSync(join(tmpdir(), "layerwise-lab-"));
      await build({ configFile: resolve("lab/vite.config.ts"), logLevel: "error", build: { outDir, emptyOutDir: true } });
      return outDir;
    })();
  }
  return built;
}

/** The built lab served on a local port; `isolated` (default true) sends COOP/COEP. */
export async function serveLab(options: { isolated?: boolean } = {}): Promise<StaticServer> {
  return serveStatic(await buildLab(), { isolated: options.isolated ?? true });
}

/** A lab page opened once for the tests of one describe (see `labPage`). */
export interface OpenLabPage {
  page: Page;
  /** Console errors the page has logged so far. */
  errors: string[];
}

export interface LabPageOptions {
  /** Selectors the page sets when it has loaded what its tests use (each is waited for). */
  ready: string[];
  /** Saves the README's picture to `path` (default: the whole page). */
  screenshot?: (page: Page, path: string) => Promise<unknown>;
}

/**
 * Registers the hooks that open lab page `name` in Chromium, cross-origin isolated, before a
 * describe's tests, and close it after them, first saving docs/lab/NAME.png when
 * LAYERWISE_SCREENSHOTS=1. Without Chromium the hooks do nothing: the tests skip one by one with
 * SKIP_CHROMIUM.
 */
export function labPage(name: string, options: LabPageOptions): OpenLabPage {
  const lab = {} as OpenLabPage;
  let browser: Browser | undefined;
  let server: StaticServer | undefined;
  before(async () => {
    if (!SKIP_CHROMIUM) {
      browser = await launchChromium();
      server = await serveLab({ isolated: true });
      Object.assign(lab, await openPage(browser, `${server.url}/${name}/`));
      for (const selector of options.ready) await lab.page.waitForSelector(selector, { timeout: 30_000 });
    }
  });
  after(async () => {
    if (process.env.LAYERWISE_SCREENSHOTS === "1" && lab.page !== undefined) {
      mkdirSync("docs/lab", { recursive: true });
      const path = `docs/lab/${name}.png`;
      await (options.screenshot ?? ((page, path) => page.screenshot({ path, fullPage: true })))(lab.page, path);
    }
    await browser?.close();
    await server?.close();
  });
  return lab;
}

/** How many threads the page's backend runs (lab/shared/status.ts sets window.layerwiseStatus). */
export function pageThreads(page: Page): Promise<number> {
  return page.evaluate(() => (globalThis as unknown as { layerwiseStatus: { threads: number } }).layerwiseStatus.threads);
}
