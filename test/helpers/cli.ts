/** Runs the `layerwise` command in this process, capturing what it prints, and writes small IDX folders for it. */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { main } from "../../src/cli/main.js";

export async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const log = console.log;
  const error = console.error;
  let out = "";
  let err = "";
  console.log = (...a: unknown[]) => void (out += `${a.join(" ")}\n`);
  console.error = (...a: unknown[]) => void (err += `${a.join(" ")}\n`);
  try {
    return { code: await main(args), out, err };
  } finally {
    console.log = log;
    console.error = error;
  }
}

/** An IDX file of unsigned bytes with the given dims, element i = fill(i). */
function idxBytes(dims: number[], fill: (i: number) => number): Uint8Array {
  const count = dims.reduce((a, b) => a * b, 1);
  const out = new Uint8Array(4 + 4 * dims.length + count);
  const view = new DataView(out.buffer);
  out[2] = 0x08;
  out[3] = dims.length;
  for (const [k, d] of dims.entries()) view.setUint32(4 + 4 * k, d, false);
  for (let i = 0; i < count; i++) out[4 + 4 * dims.length + i] = fill(i);
  return out;
}

/** Writes the four MNIST IDX files (raw) with nTrain and nTest digits into dir; returns dir. */
export function writeSmallMnist(dir: string, nTrain: number, nTest: number): string {
  mkdirSync(dir, { recursive: true });
  const split = (prefix: string, n: number): void => {
    writeFileSync(
      join(dir, `${prefix}-images-idx3-ubyte`),
      idxBytes([n, 28, 28], (i) => (i * 7) % 256),
    );
    writeFileSync(
      join(dir, `${prefix}-labels-idx1-ubyte`),
      idxBytes([n], (i) => i % 10),
    );
  };
  split("train", nTrain);
  split("t10k", nTest);
  return dir;
}

/** Sets (or, with undefined, unsets) an environment variable for the length of run. */
export async function withEnv<T>(name: string, value: string | undefined, run: () => Promise<T>): Promise<T> {
  const saved = process.env[name];
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
  try {
    return await run();
  } finally {
    if (saved === undefined) delete process.env[name];
    else process.env[name] = saved;
  }
}
