/**
 * TensorFlow.js 4.22 as a peer, as its users load it: the `@tensorflow/tfjs` union package (core,
 * layers, gradients, the `cpu` backend) plus `@tensorflow/tfjs-backend-wasm` (XNNPACK + SIMD).
 * Both require the one `@tensorflow/tfjs-core` (`npm ls @tensorflow/tfjs-core` shows it deduped),
 * so the wasm backend registers with the engine the union package uses. Loaded lazily so that
 * listing or running our own impls never pays for it.
 */
import { createRequire } from "node:module";
import { dirname } from "node:path";
import type * as TF from "@tensorflow/tfjs";

export type Tf = typeof TF;
export type { TF };

/**
 * How the peer's training step is written: `fit` is what a TF.js user writes (tf.sequential +
 * model.fit, or layers + optimizer.minimize for a custom loss; impl `tfjs-cpu`/`tfjs-wasm`);
 * `ops` is the same step written out with tf ops and no autograd tape (`tfjs-cpu-ops`/`tfjs-wasm-ops`).
 */
export type TfjsVariant = "fit" | "ops";

export interface TfjsPeer {
  tf: Tf;
  impl: string;
  threads: number;
  note: string;
  /** Turns a Float32Array into a tensor on this backend. */
  tensor(data: Float32Array, shape: [number, number]): TF.Tensor2D;
}

let tfModule: Tf | null = null;

export const tfjsImpl = (backend: "cpu" | "wasm", variant: TfjsVariant): string => `tfjs-${backend}${variant === "ops" ? "-ops" : ""}`;

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

/**
 * One epoch of `model.fit` as a TF.js user calls it (batches in order, no logging). The cpu and
 * wasm backends run kernels synchronously and fit resolves the epoch's loss to a number, so the
 * epoch's work is done when the promise resolves.
 */
export function fitEpoch(model: TF.LayersModel, x: TF.Tensor, y: TF.Tensor, batchSize: number): () => Promise<unknown> {
  return () => model.fit(x, y, { epochs: 1, batchSize, shuffle: false, verbose: 0 });
}

/** One-hot float32 targets [n, classes] for TF.js losses. */
export function tfOneHot(tf: Tf, labels: Uint8Array, classes: number): TF.Tensor2D {
  return tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d(labels, "int32"), classes), "float32") as TF.Tensor2D);
}
