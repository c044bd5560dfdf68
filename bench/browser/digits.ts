/**
 * The benchmark digits in the page, in place of bench/digits.ts (which reads the bundled files):
 * the runner writes them to ./digits.bin in that module's peer format (float32 pixels [n, 784],
 * then one uint8 label per digit), and the page fetches the first n.
 */
import type { BenchDigits } from "../digits.js";

export type { BenchDigits } from "../digits.js";

const PIXELS = 784;
let all: Promise<Uint8Array> | null = null;

export async function benchDigits(n: number): Promise<BenchDigits> {
  all ??= fetch("./digits.bin").then(async (r) => new Uint8Array(await r.arrayBuffer()));
  const bytes = await all;
  const rows = bytes.length / (4 * PIXELS + 1);
  if (n > rows) throw new Error(`the page has ${rows} digits; the workload wants ${n}`);
  const x = new Float32Array(bytes.buffer.slice(0, 4 * rows * PIXELS)).subarray(0, n * PIXELS);
  return { x, labels: bytes.slice(4 * rows * PIXELS, 4 * rows * PIXELS + n) };
}

/** Python peers do not run in a page: no files to write; `fn` runs (and skips them). */
export async function withDigitFiles<W extends object>(
  _name: string,
  workloads: W[],
  _data: Map<W, BenchDigits>,
  fn: (peerWorkloads: (W & { dataFile: string })[]) => Promise<void>,
): Promise<void> {
  await fn(workloads.map((w) => ({ ...w, dataFile: "" })));
}
