/**
 * TensorFlow.js 4.22 as a peer: its `cpu` backend (plain JavaScript) and its `wasm` backend
 * (XNNPACK + SIMD). Loaded lazily so that listing or running our own impls never pays for it.
 */
import { createRequire } from "node:module";
import { dirname } from "node:path";
import type * as TF from "@tensorflow/tfjs-core";

export type Tf = typeof TF;

export interface TfjsPeer {
  tf: Tf;
  impl: "tfjs-cpu" | "tfjs-wasm";
  threads: number;
  note: string;
  /** Turns a Float32Array into a tensor on this backend. */
  tensor(data: Float32Array, shape: [number, number]): TF.Tensor2D;
}

let tfModule: Tf | null = null;

export async function loadTfjs(name: "cpu" | "wasm"): Promise<TfjsPeer> {
  if (tfModule === null) {
    tfModule = await import("@tensorflow/tfjs-core");
    await import("@tensorflow/tfjs-backend-cpu");
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
    // tfjs-backend-wasm 4.22 reports no multithread support whenever IS_NODE (tfjs issue #3830)
    note = `XNNPACK, SIMD ${simd ? "on" : "off"}, ${mt ? `${threads} threads` : "single-threaded (threads are disabled under Node)"}`;
  } else if (!(await tf.setBackend("cpu"))) {
    throw new Error("tf.setBackend('cpu') failed");
  }
  await tf.ready();
  return { tf, impl: `tfjs-${name}`, threads, note, tensor: (data, shape) => tf.tensor2d(data, shape) };
}
