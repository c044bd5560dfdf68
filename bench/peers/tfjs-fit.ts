/**
 * The TF.js peer's parts that need no Node: its types, impl names and the model.fit helpers the
 * benches share. bench/peers/tfjs.ts (Node) and bench/browser/tfjs.ts (the page) load TF.js and
 * re-export these.
 */
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

export const tfjsImpl = (backend: "cpu" | "wasm", variant: TfjsVariant): string => `tfjs-${backend}${variant === "ops" ? "-ops" : ""}`;

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
