import type { FileSystem, Platform, WorkerHandle } from "./types.js";

const PORT_SHIM = `const __port = { on: (f) => { self.onmessage = (e) => f(e.data); }, post: (m) => self.postMessage(m) };
`;

/** The error for what has no browser equivalent: what needs Node, and what to do instead. */
function needsNode(what: string, instead: string): Error {
  return new Error(`${what} needs Node; in the browser ${instead}`);
}

const LOAD_INSTEAD = "fetch() the bytes and decode them (decodeSafetensors, parseIdx, JSON.parse)";
const SAVE_INSTEAD = "encode to bytes (encodeSafetensors, encodePng, JSON.stringify) and download or store them";

const fs: FileSystem = {
  readFile: async (path) => {
    throw needsNode(`reading the file ${path}`, LOAD_INSTEAD);
  },
  writeFile: async (path) => {
    throw needsNode(`saving to the file ${path}`, SAVE_INSTEAD);
  },
  rename: async (from) => {
    throw needsNode(`saving to a folder (renaming ${from})`, SAVE_INSTEAD);
  },
  mkdir: async (path) => {
    throw needsNode(`saving to a folder (creating ${path})`, SAVE_INSTEAD);
  },
  rm: async (path) => {
    throw needsNode(`removing the file ${path}`, SAVE_INSTEAD);
  },
  exists: (path) => {
    throw needsNode(`looking for the file ${path}`, LOAD_INSTEAD);
  },
  // a path means nothing without a file system; the call that uses it says what needs Node
  resolve: (path) => path,
  tempDir: () => {
    throw needsNode("a temporary folder", "keep the bytes in memory or in IndexedDB");
  },
};

export const platform: Platform = {
  name: "browser",
  env: () => undefined,
  hardwareConcurrency: () => (typeof navigator !== "undefined" ? navigator.hardwareConcurrency || 1 : 1),
  processId: () => 0,
  spawnWorker(source: string): WorkerHandle {
    // a module worker from a Blob URL: no file to serve next to the bundle, and a module worker
    // is what a bundler leaves untouched (a classic worker's importScripts would not survive it)
    const url = URL.createObjectURL(new Blob([PORT_SHIM + source], { type: "text/javascript" }));
    const worker = new Worker(url, { type: "module" });
    return {
      postMessage: (m) => worker.postMessage(m),
      onMessage: (f) => worker.addEventListener("message", (e) => f(e.data)),
      onError: (f) => worker.addEventListener("error", (e) => f(new Error(e.message))),
      terminate: () => worker.terminate(),
      ref: () => {},
      unref: () => {},
    };
  },
  fs,
  packageDir: (name) => {
    throw needsNode(`reading the npm package "${name}" from node_modules`, `${LOAD_INSTEAD} from where the page serves them`);
  },
  libraryRoot: () => null,
  loadNativeAddon: () => ({ addon: null, reason: "no native addons in the browser" }),
  stdout: () => null,
};
