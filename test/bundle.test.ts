/**
 * The library bundles for the browser: esbuild (platform "browser", as a user's bundler would;
 * the options of `npm run build:browser`, scripts/build-browser.ts) takes src/index.ts,
 * package.json's "browser" map swaps platform/node for platform/browser, and no Node built-in
 * may be pulled in. The bundle then runs: its embedded WebAssembly kernels
 * multiply matrices as the TypeScript backend does, and saving to a folder says it needs Node.
 */
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { pathToFileURL } from "node:url";
import { type BundleResult, buildBrowserBundle } from "../scripts/build-browser.js";

let code = "";
let inputs: BundleResult["inputs"] = {};
let sizes = "";
let dir = "";

before(async () => {
  dir = await mkdtemp(join(tmpdir(), "layerwise-bundle-"));
  // the options of npm run build:browser; it throws naming every Node built-in that gets in
  const bundle = await buildBrowserBundle(join(dir, "layerwise.js"), false);
  ({ code, inputs } = bundle);
  sizes = `browser bundle (esm, minified): ${bundle.bytes} bytes, ${bundle.gzipBytes} bytes gzipped`;
});

after(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

test("the browser bundle of src/index.ts pulls in no Node built-in", (t) => {
  t.diagnostic(sizes);
  // buildBrowserBundle has refused any Node built-in by name; this reads the code a page gets
  assert.doesNotMatch(code, /\b(from|import)\s*\(?\s*["']node:/, "the bundle imports a node: module");
  assert.doesNotMatch(code, /\brequire\s*\(/, "the bundle calls require()");
});

test("the bundle takes platform/browser.ts, not platform/node.ts, and embeds the WASM kernels", () => {
  assert.ok("src/platform/browser.ts" in inputs, "src/platform/browser.ts is not in the bundle: check package.json's browser map");
  assert.ok(!("src/platform/node.ts" in inputs), "src/platform/node.ts is in the browser bundle: check package.json's browser map");
  assert.ok("src/backend/wasm/kernels.generated.ts" in inputs, "the embedded WASM kernels are missing from the bundle");
});

test("the bundle runs: its WASM kernels multiply as the TypeScript backend does; saving says it needs Node", async () => {
  const file = join(dir, "layerwise.browser.mjs");
  await writeFile(file, code);
  // The browser platform finds no `navigator` in Node 20, so one thread and no Worker is needed.
  const lw = await import(pathToFileURL(file).href);
  const product = (name: "js" | "wasm"): Float32Array => {
    lw.setBackend(name, { threads: 1 });
    const rng = new lw.Rng(7);
    return lw.ops.matmul(lw.randUniform([17, 33], rng, -1, 1), lw.randUniform([33, 9], rng, -1, 1)).data;
  };
  const wasm = product("wasm");
  assert.equal(lw.backend().name, "wasm");
  const js = product("js");
  const worst = wasm.reduce((m: number, v: number, i: number) => Math.max(m, Math.abs(v - js[i])), 0);
  assert.ok(worst < 1e-5, `bundled WASM and TypeScript products differ by up to ${worst}`);
  await assert.rejects(lw.writeFileAtomic("models/x/model.json", "{}"), /needs Node; in the browser encode to bytes/);
});
