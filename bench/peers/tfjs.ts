/**
 * TensorFlow.js 4.22 as a peer, as its users load it: the `@tensorflow/tfjs` union package (core,
 * layers, gradients, the `cpu` backend) plus `@tensorflow/tfjs-backend-wasm` (XNNPACK + SIMD).
 * Both require the one `@tensorflow/tfjs-core` (`npm ls @tensorflow/tfjs-core` shows it deduped),
 * so the wasm backend registers with the engine the union package uses. Loaded lazily so that
 * listing or running our own impls never pays for it.
 */
import { createRequire } from "node:module";
import { dirname } from "node:path";

import { type Tf, type TfjsPeer, type TfjsVariant, tfjsImpl } from "./tfjs-fit.js";

export { fitEpoch, type TF, type Tf, type TfjsPeer, type TfjsVariant, tfjsImpl, tfOneHot } from "./tfjs-fit.js";

let tfModule: Tf | null = null;
export async function loadTfjs(name: "cpu" | "wasm", variant: TfjsVariant = "fit"): Promise<TfjsPeer> {
  if (tfModule === null) {
    tfModule = await import("@tensorflow/tfjs");
    // production mode, as a deployed app runs it (also silences the "install tfjs-node" banner)
    tfModule.enableProdMode();
  }
  const tf = tfModule;
  let threads = 1;
  let note = "JavaScript kernels, single-threaded";
  if (name === "wasm") {
    const wasm = await import("@tensorflow/tfjs-backend-wasm");
    // In Node the .wasm files are read from disk: point the backend at its own dist folder.
    const dist = dirname(createRequire(import.meta.url).resolve("@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm"));
    wasm.setWasmPaths(`${dist}/`);
    if (!(await tf.setBackend("wasm"))) throw new Error("tf.setBackend('wasm') failed");
    threads = wasm.getThreadsCount();
    const simd = await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT");
    const mt = await tf.env().getAsync("WASM_HAS_MULTITHREAD_SUPPORT");
    // tfjs-backend-wasm 4.22 reports no multithread support whenever IS_NODE (tfjs issue #3830):
    // its threads work only in a browser, so in Node it is one thread
    note = `XNNPACK, SIMD ${simd ? "on" : "off"}, ${mt ? `${threads} threads` : "one thread (TF.js wasm threads work only in browsers, not in Node)"}`;
  } else if (!(await tf.setBackend("cpu"))) {
    throw new Error("tf.setBackend('cpu') failed");
  }
  await tf.ready();
  return { tf, impl: tfjsImpl(name, variant), threads, note, tensor: (data, shape) => tf.tensor2d(data, shape) };
}
