// The kill test: 50 SIGKILL/SIGTERM/SIGINT at random (seeded) moments of checkpointed training
// of a small MLP and a small RBM, each run resumed from its last checkpoint. After every kill
// the checkpoint loads; after SIGINT/SIGTERM the process exited 130/143 and left no temporary
// file; and every chain of interrupted runs ends with the bytes of an uninterrupted run.
// The CLI is bundled once with esbuild (a child starts in a fraction of a second instead of
// compiling TypeScript through tsx each time) and reads 500 digits from IDX files written here.
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { build } from "esbuild";
import { loadMnist } from "../src/data/mnist.js";
import { loadModel } from "../src/models/load.js";
import { Rng } from "../src/tensor/random.js";
import type { Tensor } from "../src/tensor/tensor.js";

const KILLS_PER_MODEL = 25;
const root = await mkdtemp(join(tmpdir(), "lw-kill-"));
const cliBundle = join(root, "layerwise.mjs");
const dataDir = join(root, "mnist");
after(() => rm(root, { recursive: true, force: true }));

/** An IDX file of unsigned bytes: magic (0, 0, 8, rank), the dimensions, the values. */
function idx(dims: number[], values: ArrayLike<number>): Uint8Array {
  const head = new DataView(new ArrayBuffer(4 + 4 * dims.length));
  head.setUint32(0, 0x800 + dims.length);
  for (const [i, d] of dims.entries()) head.setUint32(4 + 4 * i, d);
  const bytes = new Uint8Array(head.byteLength + values.length);
  bytes.set(new Uint8Array(head.buffer));
  bytes.set(Uint8Array.from(values), head.byteLength);
  return bytes;
}

async function writeDigits(images: Tensor, labels: Uint8Array, prefix: string): Promise<void> {
  const n = images.rows;
  await writeFile(
    join(dataDir, `${prefix}-images-idx3-ubyte`),
    idx(
      [n, 28, 28],
      Array.from(images.data, (v) => Math.round(v * 255)),
    ),
  );
  await writeFile(join(dataDir, `${prefix}-labels-idx1-ubyte`), idx([n], labels));
}

before(async () => {
  await build({ entryPoints: ["src/cli/run.ts"], bundle: true, platform: "node", format: "esm", outfile: cliBundle, logLevel: "error" });
  const { train, test } = await loadMnist({ limitTrain: 500, limitTest: 100 });
  await mkdir(dataDir);
  await writeDigits(train.images, train.labels, "train");
  await writeDigits(test.images, test.labels, "t10k");
});

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  err: string;
  pid: number;
}

/** Runs the bundled CLI; `kill` (if given) is called with the child once it has printed its first line (training is about to start). */
function runCli(args: string[], kill?: (child: ChildProcess) => void): Promise<Exit & { trainingMs: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliBundle, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let err = "";
    let started = 0;
    child.stdout.on("data", () => {
      if (started === 0) kill?.(child);
      started ||= performance.now();
    });
    child.stderr.on("data", (d) => void (err += d));
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code, signal, err, pid: child.pid ?? -1, trainingMs: performance.now() - started }));
  });
}

const sha256 = async (path: string) =>
  createHash("sha256")
    .update(await readFile(path))
    .digest("hex");

/** Every file under dir whose name is a temporary file of process pid (src/io/files.ts names them .NAME.<pid>.<time>.<n>.tmp). */
async function temporaryFiles(dir: string, pid: number): Promise<string[]> {
  if (!existsSync(dir)) return []; // stopped before it wrote anything
  const all = await readdir(dir, { recursive: true });
  return all.filter((f) => new RegExp(`\\.${pid}\\.\\d+\\.\\d+\\.tmp$`).test(f));
}

const SIGNALS: NodeJS.Signals[] = ["SIGKILL", "SIGTERM", "SIGINT"];
const EXIT_CODES: Partial<Record<NodeJS.Signals, number>> = { SIGTERM: 143, SIGINT: 130 };

/**
 * KILLS_PER_MODEL interrupted runs of `command`: each starts fresh or resumes the checkpoint,
 * gets a random signal after a random delay, and is checked; a chain that reaches the end is
 * compared with the uninterrupted run and a new chain starts.
 */
async function killAndResume(name: string, command: string[], seed: number): Promise<{ kills: Record<string, number>; chains: number }> {
  const reference = join(root, `${name}-reference`);
  const plain = await runCli([...command, "--out", reference]);
  assert.equal(plain.code, 0, plain.err);
  const expected = await sha256(join(reference, "model.safetensors"));

  const rng = new Rng(seed);
  const kills: Record<string, number> = { SIGKILL: 0, SIGTERM: 0, SIGINT: 0 };
  let chains = 0;
  let out = "";
  const newChain = () => {
    out = join(root, `${name}-chain-${++chains}`);
  };
  newChain();
  const record = () => join(out, "checkpoint", "checkpoint.json");
  const args = () => [...command, "--out", out, ...(existsSync(record()) ? ["--resume"] : ["--checkpoint-every", "1"])];
  for (let n = 0; n < KILLS_PER_MODEL; ) {
    const signal = SIGNALS[Math.floor(rng.uniform(0, 3))];
    // within the first half of what a fresh run has left once it prints: most signals land in training
    const delay = rng.uniform(0, plain.trainingMs / 2);
    const r = await runCli(args(), (child) => setTimeout(() => child.kill(signal), delay));
    // it finished before the signal came (or the signal came as the finished process was exiting,
    // when Node no longer runs handlers and the signal's default action ends it): a whole chain
    const finishedAtExit = r.code === null && r.signal !== "SIGKILL" && existsSync(join(out, "model.safetensors"));
    if (r.code === 0 || finishedAtExit) {
      assert.equal(await sha256(join(out, "model.safetensors")), expected, `${name} chain ${chains}`);
      newChain();
      continue;
    }
    n++;
    kills[signal]++;
    if (signal === "SIGKILL") assert.equal(r.signal, "SIGKILL");
    else {
      assert.equal(r.code, EXIT_CODES[signal], `${signal}: exit ${r.code} ${r.signal}; ${r.err}`);
      assert.match(r.err, /received; .*(last good checkpoint is .*checkpoint|no checkpoint was written)/);
      assert.deepEqual(await temporaryFiles(out, r.pid), [], `${signal} left temporary files`);
    }
    if (existsSync(record())) {
      const saved = JSON.parse(await readFile(record(), "utf8"));
      const model = await loadModel(join(out, "checkpoint", saved.folder));
      assert.equal((model as { epochsTrained: number }).epochsTrained, saved.epoch);
    }
  }
  const last = await runCli(args());
  assert.equal(last.code, 0, last.err);
  assert.equal(await sha256(join(out, "model.safetensors")), expected, `${name} last chain`);
  return { kills, chains };
}

describe("kill test: random signals during checkpointed training", () => {
  it(`a small MLP: ${KILLS_PER_MODEL} kills, each resumed to the weights of an uninterrupted run`, async () => {
    const mlp = ["train", "mlp", "--layers", "784-16-10", "--optimizer", "adam", "--dropout", "0.1", "--batch-size", "50", "--epochs", "20"];
    const r = await killAndResume("mlp", [...mlp, "--data", dataDir], 19);
    console.log(`mlp: ${JSON.stringify(r)}`);
  });

  it(`a small RBM (PCD): ${KILLS_PER_MODEL} kills, each resumed to the weights of an uninterrupted run`, async () => {
    const rbm = ["train", "rbm", "--hidden", "16", "--pcd", "--batch", "50", "--epochs", "30", "--sample-steps", "1"];
    const r = await killAndResume("rbm", [...rbm, "--data", dataDir], 20);
    console.log(`rbm: ${JSON.stringify(r)}`);
  });

  it("a closed standard output ends the run quietly (exit 141, no EPIPE trace)", async () => {
    const out = join(root, "pipe");
    const r = await new Promise<Exit>((resolve) => {
      const child = spawn(process.execPath, [cliBundle, "train", "mlp", "--layers", "784-16-10", "--epochs", "200", "--data", dataDir, "--out", out], {
        stdio: ["ignore", "pipe", "pipe"],
      });
      let err = "";
      child.stdout.once("data", () => child.stdout.destroy()); // the reader goes away, as `| head -1` does
      child.stderr.on("data", (d) => void (err += d));
      child.on("close", (code, signal) => resolve({ code, signal, err, pid: child.pid ?? -1 }));
    });
    assert.equal(r.code, 141, r.err);
    assert.equal(r.err, "");
  });
});
