/**
 * The output folder is checked (created, probed, cleaned) before any data is loaded: a file in
 * the way, a folder without write permission or a special file system fails at once with the
 * path and the reason, and a failed run leaves no empty folder it created. $LAYERWISE_MNIST
 * points at a folder that does not exist, so a run that loaded data first would fail with a
 * data error instead.
 */
import assert from "node:assert/strict";
import { existsSync, readdirSync } from "node:fs";
import { chmod, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { cli, withEnv } from "./helpers/cli.js";

let root = "";
before(async () => {
  root = await mkdtemp(join(tmpdir(), "lw-cli-out-"));
});
after(() => rm(root, { recursive: true, force: true }));

const trainers = (out: string): string[][] => [
  ["train", "mlp", "--layers", "784-4-10", "--epochs", "1", "--limit-train", "50", "--limit-test", "50", "--quiet", "--out", out],
  ["train", "cnn", "--epochs", "1", "--limit-train", "50", "--limit-test", "50", "--quiet", "--out", out],
  ["train", "rbm", "--hidden", "4", "--epochs", "1", "--limit", "50", "--sample-steps", "1", "--quiet", "--out", out],
  ["train", "dbn", "--layers", "784-4", "--pretrain-epochs", "1", "--finetune-epochs", "1", "--limit", "50", "--sample-steps", "1", "--quiet", "--out", out],
  ["demo", "--layers", "784-4-4", "--pretrain-epochs", "1", "--finetune-epochs", "1", "--limit", "100", "--quiet", "--out", out],
];

/** Runs every trainer with no data to be found: the output check must speak first. */
async function failsBeforeData(out: string, reason: RegExp): Promise<void> {
  await withEnv("LAYERWISE_MNIST", join(root, "no-such-mnist"), async () => {
    for (const args of trainers(out)) {
      const r = await cli(args);
      assert.equal(r.code, 2, `${args.slice(0, 2).join(" ")}: ${r.out}${r.err}`);
      assert.ok(r.err.includes(`cannot write to the output folder ${out}`), r.err);
      assert.match(r.err, reason);
      assert.doesNotMatch(r.err, /MNIST IDX files not found/);
    }
  });
}

describe("the output folder is checked before any data is loaded", () => {
  it("a file in the way, at the path or above it", async () => {
    const file = join(root, "a-file");
    await writeFile(file, "not a folder");
    await failsBeforeData(file, /it is a file, not a folder/);
    await failsBeforeData(join(file, "sub"), new RegExp(`${file} is a file, not a folder`));
  });

  // the timeout only turns a hang (what an unchecked write under /proc did) into a failure
  it("a special file system is refused by name instead of hanging", { timeout: 120_000 }, async () => {
    await failsBeforeData("/proc/nope", /special file system \/proc/);
  });

  it("a folder without write permission", async (t) => {
    if (process.getuid?.() === 0) return t.skip("running as root: permissions do not stop writes");
    const locked = join(root, "locked");
    await mkdir(locked);
    await chmod(locked, 0o555);
    try {
      await failsBeforeData(join(locked, "out"), /no permission to write there/);
    } finally {
      await chmod(locked, 0o755);
    }
  });

  it("a run that fails after the check leaves no empty folder it created, and keeps folders it did not create", async () => {
    const fresh = join(root, "new", "deeper");
    await withEnv("LAYERWISE_MNIST", join(root, "no-such-mnist"), async () => {
      for (const args of trainers(fresh)) {
        const r = await cli(args);
        assert.equal(r.code, 1, r.err);
        assert.match(r.err, /MNIST IDX files not found/);
        assert.ok(!existsSync(join(root, "new")), `${args.slice(0, 2).join(" ")} left ${join(root, "new")}`);
      }
      const existing = join(root, "existing");
      await mkdir(existing);
      const r = await cli(trainers(existing)[0]);
      assert.equal(r.code, 1);
      assert.ok(existsSync(existing));
      assert.deepEqual(readdirSync(existing), [], "the probe file is gone");
    });
  });
});
