/**
 * The digits every training-epoch benchmark uses, so all impls see the same rows: the first n
 * bundled digits (training split, then test split). Python peers read them from a temporary
 * file: float32 pixels [n, 784], then one uint8 label per digit.
 */
import { unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadMnist } from "../src/data/mnist.js";

export interface BenchDigits {
  /** [n, 784] pixels in [0, 1]. */
  x: Float32Array;
  labels: Uint8Array;
}

export async function benchDigits(n: number): Promise<BenchDigits> {
  const { train, test } = await loadMnist();
  const cols = train.images.cols;
  const x = new Float32Array(n * cols);
  const labels = new Uint8Array(n);
  const nTrain = Math.min(n, train.labels.length);
  x.set(train.images.data.subarray(0, nTrain * cols));
  labels.set(train.labels.subarray(0, nTrain));
  x.set(test.images.data.subarray(0, (n - nTrain) * cols), nTrain * cols);
  labels.set(test.labels.subarray(0, n - nTrain), nTrain);
  return { x, labels };
}

/** Writes each workload's digits to a temporary file, runs `fn` with `dataFile` added to each workload, then removes the files. */
export async function withDigitFiles<W extends object>(
  name: string,
  workloads: W[],
  data: Map<W, BenchDigits>,
  fn: (peerWorkloads: (W & { dataFile: string })[]) => Promise<void>,
): Promise<void> {
  const files: string[] = [];
  try {
    const peerWorkloads = workloads.map((w, i) => {
      const d = data.get(w)!;
      const file = join(tmpdir(), `layerwise-${name}-${process.pid}-${i}.bin`);
      writeFileSync(file, Buffer.concat([Buffer.from(d.x.buffer, d.x.byteOffset, d.x.byteLength), Buffer.from(d.labels)]));
      files.push(file);
      return { ...w, dataFile: file };
    });
    await fn(peerWorkloads);
  } finally {
    for (const f of files) unlinkSync(f);
  }
}
