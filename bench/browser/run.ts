/**
 * `npm run bench:browser [-- NAME...] [--json] [--repeats N] [--quick] [--threads N] [--only ...]`:
 * GEMM and one MLP epoch (bench/gemm.ts, bench/mlp-epoch.ts) timed in Debian's Chromium, in one
 * cross-origin isolated page: our WASM backend on 1 and N threads (default 2) against
 * TensorFlow.js's wasm backend (its threaded SIMD build, N threads). Prints the same JSON lines
 * or table as `npm run bench`. See docs/bench.md and docs/browser.md.
 *
 * The page is bench/browser/page.ts bundled by esbuild for the browser, with the Node-only
 * modules the benchmarks import swapped for the page's; the runner serves it, the digits and
 * TF.js's .wasm files from a temporary folder with COOP/COEP headers.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build, type Plugin } from "esbuild";
import { parseOptions, UsageError } from "../../src/cli/args.js";
import { chromiumMissing, launchChromium, openPage, serveStatic } from "../../test/helpers/chromium.js";
import { benchDigits } from "../digits.js";
import { type BenchRecord, formatTable, progress } from "../harness.js";
import { mlpEpochWorkloads } from "../mlp-epoch.js";
import type { PageRunOptions } from "./page.js";

const here = dirname(fileURLToPath(import.meta.url));

const specs = {
  json: { type: "boolean", description: "one JSON record per line on stdout instead of a table" },
  repeats: { type: "number", description: "timed samples per measurement", default: 9, integer: true, min: 1, max: 1000 },
  quick: { type: "boolean", description: "tiny workloads, no warm-up: checks that the page runs, measures nothing" },
  threads: { type: "number", description: "threads for our multi-threaded run and TF.js wasm", default: 2, integer: true, min: 1, max: 64 },
  only: { type: "string", description: "comma-separated impl names", default: "layerwise-wasm,tfjs-wasm" },
} as const;

/** The modules of bench/ that need Node, and the page's versions of them. */
const PAGE_SEAMS: Record<string, string> = {
  [join(here, "..", "digits.ts")]: join(here, "digits.ts"),
  [join(here, "..", "peers", "tfjs.ts")]: join(here, "tfjs.ts"),
  [join(here, "..", "peers", "python.ts")]: join(here, "python.ts"),
};

function pageSeams(): Plugin {
  return {
    name: "bench-page-seams",
    setup(b) {
      b.onResolve({ filter: /\/(digits|tfjs|python)\.js$/ }, (args) => {
        const file = join(args.resolveDir, args.path.replace(/\.js$/, ".ts"));
        return file in PAGE_SEAMS ? { path: PAGE_SEAMS[file] } : undefined;
      });
    },
  };
}

const PAGE = `<!doctype html>
<html lang="en">
  <head><meta charset="utf-8" /><title>layerwise browser benchmarks</title><link rel="icon" href="data:," /></head>
  <body><p>npm run bench:browser drives this page.</p><script type="module" src="./bench.js"></script></body>
</html>
`;

/** The page, the digits and TF.js's binaries in a fresh folder. */
async function preparePage(quick: boolean): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), "layerwise-bench-browser-"));
  await build({
    entryPoints: [join(here, "page.ts")],
    outfile: join(dir, "bench.js"),
    bundle: true,
    platform: "browser",
    format: "esm",
    target: "es2022",
    logLevel: "error",
    plugins: [pageSeams()],
  });
  writeFileSync(join(dir, "index.html"), PAGE);
  const d = await benchDigits(Math.max(...mlpEpochWorkloads(quick).map((w) => w.n)));
  writeFileSync(join(dir, "digits.bin"), Buffer.concat([Buffer.from(d.x.buffer, d.x.byteOffset, d.x.byteLength), Buffer.from(d.labels)]));
  const wasmDist = dirname(createRequire(import.meta.url).resolve("@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm"));
  mkdirSync(join(dir, "tfjs"));
  for (const f of readdirSync(wasmDist)) if (f.endsWith(".wasm")) copyFileSync(join(wasmDist, f), join(dir, "tfjs", f));
  return dir;
}

async function main(argv: string[]): Promise<void> {
  const { options, positional } = parseOptions(argv, specs);
  const missing = chromiumMissing();
  if (missing !== null) throw new Error(missing);
  const quick = options.quick;
  const dir = await preparePage(quick);
  const server = await serveStatic(dir, { isolated: true });
  const browser = await launchChromium();
  try {
    const onRecord = options.json ? (r: BenchRecord) => console.log(JSON.stringify(r)) : (r: BenchRecord) => console.error(progress(r));
    const threads = options.threads ?? 2;
    const { page, errors } = await openPage(browser, `${server.url}/`, async (p) => {
      await p.exposeFunction("benchRecord", onRecord);
      // TF.js wasm runs at most navigator.hardwareConcurrency / 2 threads (it assumes two
      // hyperthreads per core): report twice the threads asked for, so it gets them all
      await p.addInitScript({ content: `Object.defineProperty(Navigator.prototype, "hardwareConcurrency", { get: () => ${2 * threads} })` });
    });
    await page.waitForFunction(() => (globalThis as { pageBenchmarks?: string[] }).pageBenchmarks !== undefined);
    const offered = (await page.evaluate(() => (globalThis as unknown as { pageBenchmarks: string[] }).pageBenchmarks)) as string[];
    const names = positional.length > 0 ? positional : offered;
    const unknown = names.filter((n) => !offered.includes(n));
    if (unknown.length > 0) throw new UsageError(`the browser page runs ${offered.join(", ")}; not ${unknown.join(", ")}`);
    const run: PageRunOptions = {
      names,
      repeats: options.repeats ?? 9,
      quick,
      only: (options.only ?? "").split(",").filter((s) => s !== ""),
      threads,
    };
    const isolated = await page.evaluate(() => globalThis.crossOriginIsolated);
    if (!options.json) console.error(`Chromium ${browser.version()}, cross-origin isolated: ${isolated}`);
    const results = (await page.evaluate(
      (o) => (globalThis as unknown as { runBenchmarks: (o: PageRunOptions) => Promise<BenchRecord[][]> }).runBenchmarks(o),
      run,
    )) as BenchRecord[][];
    if (!options.json) for (const records of results) console.log(`${formatTable(records)}\n`);
    for (const e of errors) console.error(`page error: ${e}`);
  } finally {
    await browser.close();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main(process.argv.slice(2)).catch((e: unknown) => {
  console.error(e instanceof UsageError ? `bench:browser: ${e.message}` : e);
  process.exitCode = e instanceof UsageError ? 2 : 1;
});
