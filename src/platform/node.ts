import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import type { Platform, WorkerHandle } from "./types.js";

// Inside an eval'd worker (CommonJS), give the worker source the same tiny port it gets in a browser.
const PORT_SHIM = `const __wt = require("node:worker_threads");
const __port = { on: (f) => __wt.parentPort.on("message", f), post: (m) => __wt.parentPort.postMessage(m) };
`;

export const platform: Platform = {
  name: "node",
  env: (name) => process.env[name],
  hardwareConcurrency: () => availableParallelism(),
  spawnWorker(source: string): WorkerHandle {
    const worker = new Worker(PORT_SHIM + source, { eval: true });
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
};
