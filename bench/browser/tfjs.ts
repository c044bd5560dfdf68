/**
 * TensorFlow.js in the page, in place of bench/peers/tfjs.ts (which reads its .wasm files from
 * disk): the same TfjsPeer, with the wasm backend fetching its binaries from ./tfjs/ on the
 * bench server. In a cross-origin isolated page it picks its threaded SIMD build, so its
 * threads run here as they do for a web app (under Node they are disabled). It starts at most
 * navigator.hardwareConcurrency / 2 threads; run.ts reports twice the threads asked for.
 */
import * as tf from "@tensorflow/tfjs";
import * as wasm from "@tensorflow/tfjs-backend-wasm";
import { type TfjsPeer, type TfjsVariant, tfjsImpl } from "../peers/tfjs-fit.js";

export { fitEpoch, type TF, type Tf, type TfjsPeer, type TfjsVariant, tfjsImpl, tfOneHot } from "../peers/tfjs-fit.js";

let threadsWanted = 0;

/** Threads for the wasm backend (0: TF.js's default, every core); call before the first loadTfjs. */
export function setTfjsThreads(threads: number): void {
  threadsWanted = threads;
}

export async function loadTfjs(name: "cpu" | "wasm", variant: TfjsVariant = "fit"): Promise<TfjsPeer> {
  tf.enableProdMode();
  let threads = 1;
  let note = "JavaScript kernels, single-threaded";
  if (name === "wasm") {
    wasm.setWasmPaths(new URL("./tfjs/", location.href).href);
    if (threadsWanted > 0) wasm.setThreadsCount(threadsWanted);
    if (!(await tf.setBackend("wasm"))) throw new Error("tf.setBackend('wasm') failed");
    threads = wasm.getThreadsCount();
    const simd = await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT");
    const mt = await tf.env().getAsync("WASM_HAS_MULTITHREAD_SUPPORT");
    note = `XNNPACK, SIMD ${simd ? "on" : "off"}, ${mt ? `threaded build, ${threads} threads (navigator.hardwareConcurrency reported as ${navigator.hardwareConcurrency}: TF.js takes at most half)` : "single-threaded build (the page is not cross-origin isolated)"}`;
  } else if (!(await tf.setBackend("cpu"))) {
    throw new Error("tf.setBackend('cpu') failed");
  }
  await tf.ready();
  return { tf, impl: tfjsImpl(name, variant), threads, note, tensor: (data, shape) => tf.tensor2d(data, shape) };
}
