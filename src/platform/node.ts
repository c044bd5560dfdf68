import { existsSync, readFileSync } from "node:fs";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { availableParallelism, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type { FileSystem, NativeAddonLoad, Platform, WorkerHandle } from "./types.js";

// Inside an eval'd worker (CommonJS), give the worker source the same tiny port it gets in a browser.
/**
 * The worker's source inside a shim defining __port. A dynamic import, not require: the eval'd
 * source is parsed as a module when the process runs with --input-type=module (node
 * --input-type=module -e ...), where require is undefined. Messages wait in the port's queue
 * until the source's listener is attached.
 */
const withPort = (source: string): string => `import("node:worker_threads").then((__wt) => {
const __port = { on: (f) => __wt.parentPort.on("message", f), post: (m) => __wt.parentPort.postMessage(m) };
${source}
});
`;

const fs: FileSystem = {
  readFile: async (path) => new Uint8Array(await readFile(path)),
  writeFile: (path, data) => writeFile(path, data),
  rename: (from, to) => rename(from, to),
  mkdir: async (path) => {
    await mkdir(path, { recursive: true });
  },
  rm: (path) => rm(path, { force: true }),
  exists: (path) => existsSync(path),
  resolve: (path) => resolve(path),
  tempDir: () => tmpdir(),
};

/** The nearest folder above this file whose package.json is layerwise's. */
function libraryRoot(): string | null {
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

function packageDir(name: string): string {
  try {
    return dirname(createRequire(import.meta.url).resolve(`${name}/package.json`));
  } catch {
    throw new Error(`npm package "${name}" not found (npm install ${name})`);
  }
}

let nativeAddon: NativeAddonLoad | null = null;

/** The first of the candidate files that loads, else why none did; tried once per process. */
function loadNativeAddon(): NativeAddonLoad {
  if (nativeAddon !== null) return nativeAddon;
  const override = process.env.LAYERWISE_NATIVE_PATH;
  const root = libraryRoot();
  const target = `${process.platform}-${process.arch}`;
  let candidates: string[];
  if (override !== undefined && override !== "") candidates = [resolve(override)];
  else if (root !== null)
    candidates = [join(root, "prebuilds", target, "layerwise.node"), join(root, "src", "backend", "native", "build", "Release", "layerwise.node")];
  else candidates = [];
  const failures: string[] = [];
  for (const path of candidates) {
    if (!existsSync(path)) continue;
    try {
      nativeAddon = { addon: createRequire(import.meta.url)(path), path };
      return nativeAddon;
    } catch (e) {
      // e.g. a binary for another libc, or a missing symbol: say which file and why
      failures.push(`${path} did not load: ${e instanceof Error ? e.message.split("\n")[0] : String(e)}`);
    }
  }
  let reason: string;
  if (failures.length > 0) reason = failures.join("; ");
  else if (override !== undefined && override !== "") reason = `LAYERWISE_NATIVE_PATH=${override}: file not found`;
  else if (root === null) reason = "the layerwise package folder was not found";
  else reason = `no prebuilt binary for ${target} and no local build (npm run build:native builds one)`;
  nativeAddon = { addon: null, reason };
  return nativeAddon;
}

export const platform: Platform = {
  name: "node",
  env: (name) => process.env[name],
  hardwareConcurrency: () => availableParallelism(),
  processId: () => process.pid,
  spawnWorker(source: string): WorkerHandle {
    const worker = new Worker(withPort(source), { eval: true });
    // idle pool threads must not keep the process alive
    worker.unref();
    return {
      postMessage: (m) => worker.postMessage(m),
      onMessage: (f) => {
        worker.on("message", f);
      },
      onError: (f) => {
        worker.on("error", f);
      },
      terminate: () => {
        void worker.terminate();
      },
      ref: () => worker.ref(),
      unref: () => worker.unref(),
    };
  },
  fs,
  packageDir,
  libraryRoot,
  loadNativeAddon,
  stdout: () => ({ write: (text) => void process.stdout.write(text), isTTY: process.stdout.isTTY === true }),
};
