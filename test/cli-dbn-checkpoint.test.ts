// `train dbn --checkpoint-every / --resume`: the fine-tuning of the classifier and of the
// random-init baseline, stopped (by a shorter --finetune-epochs, or by SIGINT after a checkpoint)
// and resumed, ends with the bytes of an uninterrupted run; a resume with other settings is
// refused, naming each difference.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { cli, fileSha256 } from "./helpers/cli.js";

const root = await mkdtemp(join(tmpdir(), "lw-dbn-ckpt-"));
after(() => rm(root, { recursive: true, force: true }));

const EPOCHS = 4;
const dbn = [
  "train",
  "dbn",
  "--layers",
  "784-16-16",
  "--limit",
  "300",
  "--pretrain-epochs",
  "1",
  "--batch",
  "50",
  "--baseline",
  "--sample-steps",
  "1",
  "--quiet",
];
const run = (out: string, ...args: string[]) => cli([...dbn, "--out", join(root, out), ...args]);

/** The final weights of a run in out: the classifier's, and the baseline's last checkpoint (the CLI saves that net only there). */
const weights = async (out: string) => [
  await fileSha256(join(root, out, "classifier", "model.safetensors")),
  await fileSha256(join(root, out, "checkpoint", "baseline", `epoch-${EPOCHS}`, "model.safetensors")),
];

describe("train dbn --checkpoint-every / --resume", () => {
  let straight: string[];
  before(async () => {
    // a checkpoint only at the end: it holds the baseline's final weights
    assert.equal((await run("straight", "--finetune-epochs", `${EPOCHS}`, "--checkpoint-every", `${EPOCHS}`)).code, 0);
    straight = await weights("straight");
  });

  it("fine-tuning stopped after 2 of 4 epochs and resumed ends with the classifier and baseline of a straight run", async () => {
    assert.equal((await run("split", "--finetune-epochs", "2", "--checkpoint-every", "1")).code, 0);
    await rm(join(root, "split", "classifier"), { recursive: true });
    const resumed = await run("split", "--finetune-epochs", `${EPOCHS}`, "--resume");
    assert.equal(resumed.code, 0, resumed.err);
    assert.deepEqual(await weights("split"), straight);
  });

  it("a run stopped before the baseline began resumes the classifier and trains the baseline anew, bit for bit", async () => {
    assert.equal((await run("early", "--finetune-epochs", "2", "--checkpoint-every", "2")).code, 0);
    await rm(join(root, "early", "checkpoint", "baseline"), { recursive: true });
    const resumed = await run("early", "--finetune-epochs", `${EPOCHS}`, "--resume");
    assert.equal(resumed.code, 0, resumed.err);
    assert.deepEqual(await weights("early"), straight);
  });

  it("SIGINT after a checkpoint of the classifier exits 130 naming it, and --resume finishes bit for bit", async () => {
    const out = join(root, "signal");
    const record = join(out, "checkpoint", "pretrained", "checkpoint.json");
    const child = spawn(
      process.execPath,
      ["--import", "tsx", "src/cli/run.ts", ...dbn, "--finetune-epochs", `${EPOCHS}`, "--checkpoint-every", "1", "--out", out],
      {
        stdio: ["ignore", "ignore", "pipe"],
      },
    );
    let err = "";
    child.stderr.on("data", (d) => void (err += d));
    // the signal as soon as the first checkpoint is whole (the record is written after its model)
    const poll = setInterval(() => existsSync(record) && child.kill("SIGINT"), 2);
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    clearInterval(poll);
    assert.equal(code, 130, err);
    assert.match(err, /SIGINT received; .*last good checkpoint is .*checkpoint\/(pretrained|baseline) \(after epoch \d; continue with --resume\)/);
    const resumed = await cli([...dbn, "--finetune-epochs", `${EPOCHS}`, "--out", out, "--resume"]);
    assert.equal(resumed.code, 0, resumed.err);
    // the checkpoints are every epoch here, so the baseline's epoch-4 folder holds its final weights too
    assert.deepEqual(await weights("signal"), straight);
  });

  it("a resume with other options is refused with each difference named; --fresh with --resume is refused", async () => {
    const other = await run("split", "--finetune-epochs", `${EPOCHS}`, "--resume", "--finetune-lr", "0.2", "--freeze");
    assert.equal(other.code, 2, other.err);
    assert.match(other.err, /--finetune-lr 0\.2 \(checkpoint: 0\.1\)/);
    assert.match(other.err, /--freeze true \(checkpoint: false\)/);
    const both = await run("split", "--resume", "--fresh");
    assert.equal(both.code, 2);
    assert.match(both.err, /--fresh starts over and --resume continues/);
    const over = await run("split", "--checkpoint-every", "1");
    assert.match(over.err, /holds a checkpoint already; add --resume/);
  });
});
