// --checkpoint-every and --resume of the train commands: a run stopped at a checkpoint and
// resumed ends with the bytes of an uninterrupted run; a resume with other settings is refused.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { atomicWritesSettled, temporaryFilesInFlight, writeFileAtomic } from "../src/io/files.js";
import { cli, fileSha256 } from "./helpers/cli.js";

const root = await mkdtemp(join(tmpdir(), "lw-ckpt-"));
after(() => rm(root, { recursive: true, force: true }));

/** The weights after `total` epochs straight, and after `first` epochs with checkpoints, the output removed, then --resume. */
async function straightAndResumed(command: string[], total: number, first: number, name: string): Promise<[string, string]> {
  const straight = join(root, `${name}-straight`);
  const split = join(root, `${name}-split`);
  assert.equal((await cli([...command, "--epochs", `${total}`, "--out", straight])).code, 0);
  assert.equal((await cli([...command, "--epochs", `${first}`, "--out", split, "--checkpoint-every", "1"])).code, 0);
  await rm(join(split, "model.safetensors"));
  const resumed = await cli([...command, "--epochs", `${total}`, "--out", split, "--resume"]);
  assert.equal(resumed.code, 0, resumed.err);
  return [await fileSha256(join(straight, "model.safetensors")), await fileSha256(join(split, "model.safetensors"))];
}

const mlp = ["train", "mlp", "--layers", "784-16-10", "--limit-train", "300", "--limit-test", "50", "--batch-size", "50", "--quiet"];

describe("train --checkpoint-every / --resume", () => {
  it("train mlp (Adam, dropout, a learning-rate decay) resumes bit for bit", async () => {
    const [a, b] = await straightAndResumed([...mlp, "--optimizer", "adam", "--dropout", "0.2", "--lr-decay", "0.9"], 4, 2, "mlp");
    assert.equal(b, a);
  });

  it("train cnn with augmentation resumes bit for bit (the Augmenter's stream is kept)", async () => {
    const cnn = [
      "train",
      "cnn",
      "--arch",
      "lenet-relu",
      "--augment",
      "rotate=10,shift=1",
      "--limit-train",
      "100",
      "--limit-test",
      "20",
      "--batch-size",
      "50",
      "--quiet",
    ];
    const [a, b] = await straightAndResumed(cnn, 2, 1, "cnn");
    assert.equal(b, a);
  });

  it("train rbm (PCD) resumes bit for bit", async () => {
    const rbm = ["train", "rbm", "--hidden", "16", "--pcd", "--limit", "300", "--batch", "50", "--sample-steps", "1", "--quiet"];
    const [a, b] = await straightAndResumed(rbm, 4, 2, "rbm");
    assert.equal(b, a);
  });

  it("keeps only the last checkpoint: checkpoint.json names a whole epoch folder", async () => {
    const out = join(root, "layout");
    assert.equal((await cli([...mlp, "--epochs", "3", "--out", out, "--checkpoint-every", "2"])).code, 0);
    const record = JSON.parse(await readFile(join(out, "checkpoint", "checkpoint.json"), "utf8"));
    assert.equal(record.epoch, 2);
    assert.ok(existsSync(join(out, "checkpoint", "epoch-2", "model.safetensors")));
    assert.ok(!existsSync(join(out, "checkpoint", "epoch-1")));
  });

  it("refuses a resume whose settings differ, naming each", async () => {
    const out = join(root, "mismatch");
    assert.equal((await cli([...mlp, "--epochs", "1", "--out", out, "--checkpoint-every", "1"])).code, 0);
    const r = await cli(
      ["train", "mlp", "--layers", "784-8-10", "--limit-train", "200", "--limit-test", "50", "--batch-size", "50", "--lr", "0.2"].concat([
        "--quiet",
        "--epochs",
        "2",
        "--out",
        out,
        "--resume",
      ]),
    );
    assert.equal(r.code, 2);
    for (const part of ["--layers 784-8-10 (checkpoint: 784-16-10)", "--limit-train 200 (checkpoint: 300)", "--lr 0.2 (checkpoint: (default))", "data "]) {
      assert.ok(r.err.includes(part), `${part} in: ${r.err}`);
    }
    const wrongCommand = await cli(["train", "rbm", "--limit", "300", "--out", out, "--resume", "--quiet"]);
    assert.match(wrongCommand.err, /command train rbm \(checkpoint: train mlp\)/);
  });

  it("--resume without a checkpoint, and a fresh run over one, say what to do", async () => {
    const none = await cli([...mlp, "--out", join(root, "none"), "--resume"]);
    assert.equal(none.code, 2);
    assert.match(none.err, /no checkpoint to continue in .*none\/checkpoint/);
    const over = await cli([...mlp, "--epochs", "1", "--out", join(root, "mismatch"), "--checkpoint-every", "1"]);
    assert.equal(over.code, 2);
    assert.match(over.err, /holds a checkpoint already; add --resume/);
  });
});

describe("writeFileAtomic's writes under way", () => {
  it("are listed by their temporary files until they settle", async () => {
    const path = join(root, "atomic", "big.bin");
    const write = writeFileAtomic(path, new Uint8Array(1 << 20));
    const temporary = temporaryFilesInFlight();
    assert.equal(temporary.length, 1);
    assert.match(temporary[0], /\.big\.bin\.\d+\.\d+\.\d+\.tmp$/);
    await atomicWritesSettled();
    assert.deepEqual(temporaryFilesInFlight(), []);
    assert.ok(existsSync(path) && !existsSync(temporary[0]));
    await write;
  });
});
