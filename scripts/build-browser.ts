/**
 * `npm run build:browser`: the prebuilt browser bundle dist/browser/layerwise.js, one minified
 * ES module (with its source map) that a page imports with `<script type="module">`, no bundler
 * needed. esbuild bundles src/index.ts for the browser, so package.json's "browser" map swaps
 * platform/node for platform/browser; the WebAssembly kernels travel inside it as base64. A Node
 * built-in reaching the bundle fails the build, naming every one and who imports it.
 */
import { builtinModules } from "node:module";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { type BuildOptions, build, type Metafile, type Plugin } from "esbuild";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
export const BUNDLE_PATH = join(ROOT, "dist", "browser", "layerwise.js");

/** Marks every Node built-in import external and records it (with its importer), so all are named at once. */
export function recordNodeBuiltins(found: string[]): Plugin {
  const names = builtinModules.filter((m) => !m.startsWith("_")).map((m) => m.replace(/[/]/g, "\\/"));
  const filter = new RegExp(`^(node:.*|(${names.join("|")})(\\/.*)?)$`);
  return {
    name: "record-node-builtins",
    setup(b) {
      b.onResolve({ filter }, (args) => {
        found.push(`${args.path} (imported by ${relative(ROOT, args.importer)})`);
        return { path: args.path, external: true };
      });
    },
  };
}

/** The esbuild options of the bundle (shared with the tests that check it). */
export function bundleOptions(outfile: string, plugins: Plugin[] = []): BuildOptions {
  return {
    entryPoints: [join(ROOT, "src", "index.ts")],
    absWorkingDir: ROOT,
    outfile,
    bundle: true,
    platform: "browser",
    format: "esm",
    target: "es2022",
    minify: true,
    sourcemap: "linked",
    metafile: true,
    legalComments: "none",
    logLevel: "silent",
    plugins,
  };
}

export interface BundleResult {
  /** The bundle's code. */
  code: string;
  bytes: number;
  gzipBytes: number;
  /** The source files it holds, relative to the package root. */
  inputs: Metafile["inputs"];
}

/** Builds the bundle to `outfile` (write: false keeps it in memory); throws naming any Node built-in it would import. */
export async function buildBrowserBundle(outfile = BUNDLE_PATH, write = true): Promise<BundleResult> {
  const nodeBuiltins: string[] = [];
  const result = await build({ ...bundleOptions(outfile, [recordNodeBuiltins(nodeBuiltins)]), write });
  if (nodeBuiltins.length > 0) {
    throw new Error(`the browser bundle imports Node built-ins (keep them in src/platform/node.ts):\n  ${nodeBuiltins.join("\n  ")}`);
  }
  const js = result.outputFiles?.find((f) => f.path.endsWith(".js"));
  const code = js !== undefined ? js.text : await (await import("node:fs/promises")).readFile(outfile, "utf8");
  const bytes = Buffer.byteLength(code);
  return { code, bytes, gzipBytes: gzipSync(code, { level: 9 }).length, inputs: (result.metafile as Metafile).inputs };
}

const kb = (bytes: number): string => `${(bytes / 1024).toFixed(0)} KiB`;

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { bytes, gzipBytes } = await buildBrowserBundle();
  console.log(`${relative(ROOT, BUNDLE_PATH)}: ${kb(bytes)} (${bytes} bytes), ${kb(gzipBytes)} gzipped`);
}
