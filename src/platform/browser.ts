import type { Platform, WorkerHandle } from "./types.js";

const PORT_SHIM = `const __port = { on: (f) => { self.onmessage = (e) => f(e.data); }, post: (m) => self.postMessage(m) };
`;

export const platform: Platform = {
  name: "browser",
  env: () => undefined,
  hardwareConcurrency: () => (typeof navigator !== "undefined" ? navigator.hardwareConcurrency || 1 : 1),
  spawnWorker(source: string): WorkerHandle {
    const url = URL.createObjectURL(new Blob([PORT_SHIM + source], { type: "text/javascript" }));
    const worker = new Worker(url);
    return {
      postMessage: (m) => worker.postMessage(m),
      onMessage: (f) => worker.addEventListener("message", (e) => f(e.data)),
      onError: (f) => worker.addEventListener("error", (e) => f(new Error(e.message))),
      terminate: () => worker.terminate(),
      ref: () => {},
      unref: () => {},
    };
  },
};
