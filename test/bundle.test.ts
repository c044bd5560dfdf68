/**
 * The library bundles for the browser: esbuild (platform "browser", as a user's bundler would)
 * takes src/index.ts, package.json's "browser" map swaps platform/node for platform/browser, and
 * no Node built-in may be pulled in. The bundle then runs: its embedded WebAssembly kernels
 * multiply matrices as the TypeScript backend does, and saving to a folder says it needs Node.
 */
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { builtinModules } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { pathToFileURL } from "node:url";
import { gzipSync } from "node:zlib";
import { build, type Metafile, type Plugin } from "esbuild";

const root = new URL("..", import.meta.url).pathname;

/** Every Node built-in import, and who imports it, left out of the bundle so that all are named at once. */
function recordNodeBuiltins(found: string[]): Plugin {
  const names = builtinModules.filter((m) => !m.startsWith("_")).map((m) => m.replace(/[/]/g, "\\/"));
  const filter = new RegExp(`^(node:.*|(${names.join("|")})(\\/.*)?)$`);
  return {
    name: "record-node-builtins",
    setup(b) {
      b.onResolve({ filter }, (args) => {
        found.push(`${args.path} (imported by ${args.importer.replace(root, "")})`);
        return { path: args.path, external: true };
      });
    },
  };
}

let code = "";
let inputs: Metafile["inputs"] = {};
const nodeBuiltins: string[] = [];
let dir = "";

before(async () => {
  const result = await build({
    entryPoints: [join(root, "src/index.ts")],
    absWorkingDir: root,
    bundle: true,
    platform: "browser",
    format: "esm",
    minify: true,
    write: false,
    metafile: true,
    logLevel: "silent",
    plugins: [recordNodeBuiltins(nodeBuiltins)],
  });
  code = result.outputFiles[0].text;
  inputs = result.metafile.inputs;
  dir = await mkdtemp(join(tmpdir(), "layerwise-bundle-"));
});

after(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

test("the browser bundle of src/index.ts pulls in no Node built-in", (t) => {
  const bytes = Buffer.byteLength(code);
  const gzip = gzipSync(code).length;
  t.diagnostic(`browser bundle (esm, minified): ${bytes} bytes, ${gzip} bytes gzipped`);
  assert.deepEqual(nodeBuiltins, [], `the browser bundle imports Node built-ins:\n  ${nodeBuiltins.join("\n  ")}`);
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
