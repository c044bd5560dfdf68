/** Runs the `layerwise` command in this process, capturing what it prints, and writes small IDX folders for it. */
import { createHash } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { main } from "../../src/cli/main.js";
import { idxBytes } from "./idx.js";

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

/** The SHA-256 of a file's bytes, in hex (to compare saved weights). */
export async function fileSha256(path: string): Promise<string> {
  return createHash("sha256")
    .update(await readFile(path))
    .digest("hex");
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
