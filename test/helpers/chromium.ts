/**
 * Real-browser tests: Debian's Chromium driven by playwright-core, and a static file server
 * that can send the COOP/COEP headers a page needs for SharedArrayBuffer (cross-origin
 * isolation). Tests call `chromiumMissing()` and skip with its reason where no browser exists;
 * .ci/run installs one, so CI always runs them.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { extname, join, normalize, resolve } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/** Why the browser tests cannot run here, or null when they can. */
export function chromiumMissing(): string | null {
  return existsSync(CHROMIUM_PATH) ? null : `no Chromium at ${CHROMIUM_PATH} (apt-get install chromium, or set CHROMIUM_PATH)`;
}

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-background-networking", "--disable-component-update"],
  });
}

const MIME: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".wasm": "application/wasm",
  ".png": "image/png",
  ".svg": "image/svg+xml",
  ".bin": "application/octet-stream",
  ".safetensors": "application/octet-stream",
  ".gz": "application/gzip",
  ".md": "text/plain; charset=utf-8",
  ".txt": "text/plain; charset=utf-8",
};

export interface StaticServer {
  /** The server's origin, e.g. http://127.0.0.1:41234 (no trailing slash). */
  url: string;
  close(): Promise<void>;
}

/**
 * Serves `root` on 127.0.0.1 (a free port). With `isolated`, every response carries
 * Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp, so
 * the page is cross-origin isolated and may use SharedArrayBuffer (multi-threaded WASM).
 */
export async function serveStatic(root: string, options: { isolated?: boolean } = {}): Promise<StaticServer> {
  const base = resolve(root);
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
    let file = normalize(join(base, path));
    if (!file.startsWith(base)) {
      res.writeHead(403).end();
      return;
    }
    if (existsSync(file) && statSync(file).isDirectory()) file = join(file, "index.html");
    if (!existsSync(file)) {
      res.writeHead(404).end(`not found: ${path}`);
      return;
    }
    const headers: Record<string, string> = { "Content-Type": MIME[extname(file)] ?? "application/octet-stream" };
    if (options.isolated) {
      headers["Cross-Origin-Opener-Policy"] = "same-origin";
      headers["Cross-Origin-Embedder-Policy"] = "require-corp";
    }
    res.writeHead(200, headers).end(readFileSync(file));
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((done) => server.close(() => done())),
  };
}

/**
 * A new page whose console errors and uncaught exceptions are collected in `errors`, and every
 * console message in `messages` ("info: text"). `init` runs before the page loads (e.g.
 * page.addInitScript to watch what the page does).
 */
export async function openPage(
  browser: Browser,
  url: string,
  init?: (page: Page) => Promise<void>,
): Promise<{ page: Page; errors: string[]; messages: string[] }> {
  const page = await browser.newPage();
  const errors: string[] = [];
  const messages: string[] = [];
  page.on("console", (m) => {
    messages.push(`${m.type()}: ${m.text()}`);
    if (m.type() === "error") errors.push(m.text());
  });
  page.on("pageerror", (e) => errors.push(e.message));
  if (init !== undefined) await init(page);
  await page.goto(url);
  return { page, errors, messages };
}

/**
 * The `skip` option for each test that needs Chromium (false where it runs). Tests are skipped
 * one by one rather than as a describe, so the summary's "skipped" counts them.
 */
export const SKIP_CHROMIUM: string | false = chromiumMissing() ?? false;
