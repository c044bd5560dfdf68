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

/** A page of the lab open in Chromium, with the console errors it has logged so far. */
export interface OpenLabPage {
  page: Page;
  errors: string[];
}

/** Chromium and the built lab served cross-origin isolated, for the tests of one describe. */
export interface LabSession {
  /** Opens lab page `name` (e.g. "digits") in a new tab. */
  open(name: string): Promise<OpenLabPage>;
}

/**
 * Registers the hooks that start Chromium and serve the lab before a describe's tests and stop
 * both after them (`beforeClose` first). Without Chromium the hooks do nothing: the tests skip
 * one by one with SKIP_CHROMIUM.
 */
export function labSession(beforeClose?: () => Promise<void>): LabSession {
  let browser: Browser | undefined;
  let server: StaticServer | undefined;
  before(async () => {
    if (!SKIP_CHROMIUM) {
      browser = await launchChromium();
      server = await serveLab({ isolated: true });
    }
  });
  after(async () => {
    await beforeClose?.();
    await browser?.close();
    await server?.close();
  });
  return {
    open: (name) => {
      if (browser === undefined || server === undefined)
        throw new Error(`labSession: no browser for ${name} (${SKIP_CHROMIUM || "its before hook has not run"})`);
      return openPage(browser, `${server.url}/${name}/`);
    },
  };
}

export interface LabPageOptions {
  /** Selectors the page sets when it has loaded what its tests use (each is waited for). */
  ready: string[];
  /** Saves the README's picture to `path` (default: the whole page). */
  screenshot?: (page: Page, path: string) => Promise<unknown>;
}

/**
 * Lab page `name` opened once for a describe's tests (a labSession of its own), waiting for
 * `options.ready`; before it closes, docs/lab/NAME.png is saved when LAYERWISE_SCREENSHOTS=1.
 */
export function labPage(name: string, options: LabPageOptions): OpenLabPage {
  const lab = {} as OpenLabPage;
  const session = labSession(async () => {
    if (process.env.LAYERWISE_SCREENSHOTS === "1" && lab.page !== undefined) {
      mkdirSync("docs/lab", { recursive: true });
      const path = `docs/lab/${name}.png`;
      await (options.screenshot ?? ((page, path) => page.screenshot({ path, fullPage: true })))(lab.page, path);
    }
  });
  before(async () => {
    if (!SKIP_CHROMIUM) {
      Object.assign(lab, await session.open(name));
      for (const selector of options.ready) await lab.page.waitForSelector(selector, { timeout: 30_000 });
    }
  });
  return lab;
}

/** How many threads the page's backend runs (lab/shared/status.ts sets window.layerwiseStatus). */
export function pageThreads(page: Page): Promise<number> {
  return page.evaluate(() => (globalThis as unknown as { layerwiseStatus: { threads: number } }).layerwiseStatus.threads);
}
