/**
 * The library in a real Chromium (issue 23, item 1), three ways a page gets it:
 *   - the prebuilt bundle dist/browser/layerwise.js (npm run build:browser; test/bundle.test.ts
 *     checks it holds no Node built-in), imported by a plain HTML page with <script
 *     type="module">, no bundler: it runs its worker pool as module workers on shared memory
 *     when the page is cross-origin isolated, and one thread with a console note (not an
 *     error) when it is not;
 *   - a Vite app importing "layerwise" by its package name, resolved through package.json's
 *     "exports" (the "browser" condition) of this checkout;
 *   - the same seeded training in the page and in Node gives bit-identical weights.
 */
import assert from "node:assert/strict";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { build as esbuild } from "esbuild";
import type { Browser, Page } from "playwright-core";
import { BUNDLE_PATH, type BundleResult, buildBrowserBundle, ROOT } from "../scripts/build-browser.js";
import type * as Layerwise from "../src/index.js";
import { loadMnist } from "../src/index.js";
import { launchChromium, openPage, SKIP_CHROMIUM, type StaticServer, serveStatic } from "./helpers/chromium.js";
import { type SeededWeights, trainSeeded } from "./helpers/seeded-training.js";

type Lw = typeof Layerwise;

/** The page a user writes: the bundle, imported as an ES module, nothing else. */
const PLAIN_PAGE = `<!doctype html>
<html lang="en">
  <head><meta charset="utf-8" /><title>layerwise from the prebuilt bundle</title><link rel="icon" href="data:," /></head>
  <body>
    <script type="module">
      import * as layerwise from "./layerwise.js";
      globalThis.layerwise = layerwise;
    </script>
  </body>
</html>
`;

/** Records the `type` of every Worker the page starts (before any page script runs). */
async function watchWorkers(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const types: string[] = [];
    (globalThis as { workerTypes?: string[] }).workerTypes = types;
    const Native = globalThis.Worker;
    globalThis.Worker = class extends Native {
      constructor(url: string | URL, options?: WorkerOptions) {
        types.push(options?.type ?? "classic");
        super(url, options);
      }
    };
  });
}

describe("the library in Chromium", () => {
  let bundle: BundleResult;
  let site = "";
  let browser: Browser;
  let isolated: StaticServer;
  let plain: StaticServer;

  before(async () => {
    // skipped tests need none of this; the hook still runs
    if (!SKIP_CHROMIUM) {
      bundle = await buildBrowserBundle();
      site = mkdtempSync(join(tmpdir(), "layerwise-browser-"));
      copyFileSync(BUNDLE_PATH, join(site, "layerwise.js"));
      copyFileSync(`${BUNDLE_PATH}.map`, join(site, "layerwise.js.map"));
      writeFileSync(join(site, "index.html"), PLAIN_PAGE);
      // the seeded run, alone: it takes the library as an argument, so nothing else comes along
      await esbuild({
        entryPoints: [join(ROOT, "test/helpers/seeded-training.ts")],
        bundle: true,
        format: "esm",
        outfile: join(site, "seeded-training.js"),
        logLevel: "silent",
      });
      browser = await launchChromium();
      isolated = await serveStatic(site, { isolated: true });
      plain = await serveStatic(site, { isolated: false });
    }
  });
  after(async () => {
    await browser?.close();
    await isolated?.close();
    await plain?.close();
    if (site !== "") rmSync(site, { recursive: true, force: true });
  });

  /** The plain page with the bundle loaded. */
  async function bundlePage(server: StaticServer) {
    const opened = await openPage(browser, `${server.url}/`, watchWorkers);
    await opened.page.waitForFunction(() => (globalThis as { layerwise?: unknown }).layerwise !== undefined);
    return opened;
  }

  test("npm run build:browser writes the bundle test/bundle.test.ts checks for Node built-ins; its size", { skip: SKIP_CHROMIUM }, (t) => {
    t.diagnostic(`dist/browser/layerwise.js: ${bundle.bytes} bytes, ${bundle.gzipBytes} bytes gzipped`);
    assert.equal(readFileSync(BUNDLE_PATH, "utf8"), bundle.code);
    assert.ok("src/platform/browser.ts" in bundle.inputs && !("src/platform/node.ts" in bundle.inputs), "the bundle must take platform/browser.ts");
  });

  test("a plain page imports the bundle; cross-origin isolated, the pool runs module workers on shared memory", { skip: SKIP_CHROMIUM }, async () => {
    const { page, errors } = await bundlePage(isolated);
    const r = await page.evaluate(async () => {
      const lw = (globalThis as unknown as { layerwise: Lw }).layerwise;
      // awaitHelpers: each call waits for its workers to join before working
      const b = lw.setBackend("wasm", { threads: 2, awaitHelpers: true } as Layerwise.BackendOptions) as Layerwise.Backend & {
        ready(): Promise<void>;
        workerJoins: number;
      };
      await b.ready();
      const rng = new lw.Rng(1);
      const a = lw.randUniform([256, 256], rng, -1, 1);
      for (let i = 0; i < 3; i++) lw.ops.matmul(a, a);
      const workers = (globalThis as { workerTypes?: string[] }).workerTypes ?? [];
      return { info: b.info(), joins: b.workerJoins, workers, isolated: globalThis.crossOriginIsolated };
    });
    await page.close();
    assert.deepEqual(errors, []);
    assert.equal(r.isolated, true);
    assert.equal(r.info.name, "wasm");
    assert.equal(r.info.threads, 2, r.info.notes.join("; "));
    assert.deepEqual(r.workers, ["module"], "one module worker besides the page's thread");
    // (each call waits up to a second for it: on a starved machine it may still miss one)
    assert.ok(r.joins >= 1, "the worker joined none of 3 products");
  });

  test("in a module worker of the page's own (the way to keep a page responsive), the pool runs there too", { skip: SKIP_CHROMIUM }, async () => {
    const { page, errors } = await bundlePage(isolated);
    const r = await page.evaluate(async () => {
      const source = `
        const lw = await import(${JSON.stringify(new URL("./layerwise.js", location.href).href)});
        const b = lw.setBackend("wasm", { threads: 2, awaitHelpers: true });
        await b.ready();
        const a = lw.randUniform([256, 256], new lw.Rng(1), -1, 1);
        for (let i = 0; i < 3; i++) lw.ops.matmul(a, a);
        postMessage({ info: b.info(), joins: b.workerJoins });`;
      const worker = new Worker(URL.createObjectURL(new Blob([source], { type: "text/javascript" })), { type: "module" });
      return new Promise<{ info: Layerwise.BackendInfo; joins: number }>((resolve, reject) => {
        worker.onmessage = (e) => resolve(e.data);
        worker.onerror = (e) => reject(new Error(e.message));
      });
    });
    await page.close();
    assert.deepEqual(errors, []);
    assert.equal(r.info.threads, 2, r.info.notes.join("; "));
    assert.ok(r.joins >= 1, "the nested worker joined none of 3 products");
  });

  test("not cross-origin isolated: one thread, a console note saying why, no console error", { skip: SKIP_CHROMIUM }, async () => {
    const { page, errors, messages } = await bundlePage(plain);
    const info = await page.evaluate(() => {
      const lw = (globalThis as unknown as { layerwise: Lw }).layerwise;
      const b = lw.setBackend("wasm");
      lw.ops.matmul(lw.ones([64, 64]), lw.ones([64, 64]));
      return b.info();
    });
    const workers = await page.evaluate(() => (globalThis as { workerTypes?: string[] }).workerTypes ?? []);
    await page.close();
    assert.deepEqual(errors, []);
    assert.equal(info.name, "wasm");
    assert.equal(info.threads, 1);
    assert.deepEqual(workers, []);
    assert.match(info.notes.join("; "), /not cross-origin isolated/);
    const notes = messages.filter((m) => m.startsWith("info: layerwise:"));
    assert.equal(notes.length, 1, `expected one console.info note, got ${JSON.stringify(messages)}`);
    assert.match(notes[0], /one thread.*Cross-Origin-Opener-Policy: same-origin.*Cross-Origin-Embedder-Policy: require-corp/);
  });

  test('a Vite app imports "layerwise" by package name (exports, "browser" condition) and trains in the page', { skip: SKIP_CHROMIUM }, async () => {
    const { build } = await import("vite");
    // the app as a user has it: its files, and the package installed in its node_modules (a
    // link to this checkout, as `npm link` makes), so Vite resolves the name by package.json
    const app = mkdtempSync(join(tmpdir(), "layerwise-vite-app-"));
    const outDir = join(app, "dist");
    try {
      for (const f of ["index.html", "main.js"]) copyFileSync(join(ROOT, "test/fixtures/vite-app", f), join(app, f));
      mkdirSync(join(app, "node_modules"));
      symlinkSync(ROOT, join(app, "node_modules", "layerwise"), "dir");
      const result = await build({
        root: app,
        configFile: false,
        logLevel: "error",
        build: { outDir, emptyOutDir: true, target: "es2022", chunkSizeWarningLimit: 2000 },
      });
      const outputs = (Array.isArray(result) ? result : [result]) as { output: { type: string; moduleIds?: string[]; code?: string }[] }[];
      const chunks = outputs.flatMap((o) => o.output).filter((c) => c.type === "chunk");
      const modules = chunks.flatMap((c) => c.moduleIds ?? []);
      assert.ok(modules.includes(BUNDLE_PATH), `"layerwise" did not resolve to dist/browser/layerwise.js; modules: ${modules.join(", ")}`);
      for (const c of chunks) assert.doesNotMatch(c.code ?? "", /["']node:/);
      const server = await serveStatic(outDir, { isolated: true });
      try {
        const { page, errors } = await openPage(browser, `${server.url}/`);
        await page.waitForFunction(() => (globalThis as { appResult?: unknown }).appResult !== undefined, null, { timeout: 60_000 });
        const app = (await page.evaluate(() => (globalThis as { appResult?: unknown }).appResult)) as { backend: string; threads: number; correct: number };
        await page.close();
        assert.deepEqual(errors, []);
        assert.equal(app.backend, "wasm");
        assert.ok(app.threads > 1, `threads ${app.threads} in an isolated page`);
        assert.equal(app.correct, 4, "the MLP learns XOR in the page");
      } finally {
        await server.close();
      }
    } finally {
      rmSync(app, { recursive: true, force: true });
    }
  });

  test("same seed, same weights (bit for bit) after MLP and RBM CD-1 epochs in Chromium (2 threads) and Node (1 thread)", { skip: SKIP_CHROMIUM }, async () => {
    const { train } = await loadMnist({ limitTrain: 300, limitTest: 1 });
    const pixels = Array.from(train.images.data);
    const labels = Array.from(train.labels);
    const { page, errors } = await bundlePage(isolated);
    const inPage = (await page.evaluate(
      async ({ pixels, labels }) => {
        const lw = (globalThis as unknown as { layerwise: Lw }).layerwise;
        const run = (await import(new URL("./seeded-training.js", location.href).href)) as typeof import("./helpers/seeded-training.js");
        return run.trainSeeded(lw, pixels, labels, 2);
      },
      { pixels, labels },
    )) as SeededWeights;
    await page.close();
    const lw = await import("../src/index.js");
    const inNode = await trainSeeded(lw, pixels, labels, 1);
    lw.setBackend("js");
    assert.deepEqual(errors, []);
    assert.equal(inPage.backend, "wasm");
    assert.equal(inPage.threads, 2);
    assert.equal(inNode.backend, "wasm");
    assert.match(inPage.kernels, /^plain SIMD128/);
    assert.equal(inPage.weights.length, inNode.weights.length);
    const names = ["MLP W1", "MLP b1", "MLP W2", "MLP b2", "RBM W", "RBM a", "RBM b"];
    inNode.weights.forEach((w, i) => {
      const page32 = new Uint32Array(Float32Array.from(inPage.weights[i]).buffer);
      const node32 = new Uint32Array(Float32Array.from(w).buffer);
      const first = node32.findIndex((bits, j) => bits !== page32[j]);
      assert.equal(page32.length, node32.length, `${names[i]}: lengths differ`);
      assert.equal(first, -1, `${names[i]}[${first}]: ${inPage.weights[i][first]} in Chromium, ${w[first]} in Node`);
    });
    // and training moved them: the comparison is not of two untouched initialisations
    assert.ok(
      inNode.weights[1].some((v) => v !== 0),
      "the MLP's biases stayed zero",
    );
  });
});
