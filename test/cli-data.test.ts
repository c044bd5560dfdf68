/**
 * The command line's one data rule: --data DIR | full | bundled, else $LAYERWISE_MNIST, else the
 * bundled digits; every run prints which set it used and its size. The full set here is a small
 * IDX folder written by the test, so nothing depends on ../shared.
 */
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { dataOption } from "../src/cli/common.js";
import { cli, withEnv, writeSmallMnist } from "./helpers/cli.js";

let root = "";
let small = "";
let other = "";
before(async () => {
  root = await mkdtemp(join(tmpdir(), "lw-cli-data-"));
  small = writeSmallMnist(join(root, "small"), 30, 10);
  other = writeSmallMnist(join(root, "other"), 20, 5);
});
after(() => rm(root, { recursive: true, force: true }));

const rbm = (out: string, ...extra: string[]) => ["train", "rbm", "--hidden", "4", "--epochs", "1", "--sample-steps", "1", "--quiet", "--out", out, ...extra];

describe("the data rule of the command line", () => {
  it("$LAYERWISE_MNIST is used when --data is not given, and the run says so with the set's size", async () => {
    const r = await withEnv("LAYERWISE_MNIST", small, () => cli(rbm(join(root, "env"))));
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, new RegExp(`data: full MNIST from ${small} \\(\\$LAYERWISE_MNIST\\), 30 training and 10 test digits`));
  });

  it("--data DIR wins over $LAYERWISE_MNIST; --data bundled asks for the bundled digits", async () => {
    const dir = await withEnv("LAYERWISE_MNIST", small, () => cli(rbm(join(root, "dir"), "--data", other)));
    assert.equal(dir.code, 0, dir.err);
    assert.match(dir.out, /data: full MNIST from .*other \(--data\), 20 training and 5 test digits/);
    const bundled = await withEnv("LAYERWISE_MNIST", small, () => cli(rbm(join(root, "bundled"), "--data", "bundled", "--limit", "50")));
    assert.equal(bundled.code, 0, bundled.err);
    assert.match(bundled.out, /data: bundled MNIST \(--data bundled\), 50 training and 2000 test digits/);
  });

  it("--data full finds the full set through $LAYERWISE_MNIST first", async () => {
    const full = await withEnv("LAYERWISE_MNIST", small, () => cli(rbm(join(root, "full"), "--data", "full")));
    assert.equal(full.code, 0, full.err);
    assert.match(full.out, /data: full MNIST from .*small \(--data full: \$LAYERWISE_MNIST\), 30 training/);
  });

  it("the supervised trainers, evaluate and the DBN pipeline follow the same rule", async () => {
    await withEnv("LAYERWISE_MNIST", small, async () => {
      const mlp = await cli(["train", "mlp", "--layers", "784-4-10", "--epochs", "1", "--quiet", "--out", join(root, "mlp")]);
      assert.equal(mlp.code, 0, mlp.err);
      assert.match(mlp.out, /data: full MNIST from .*small \(\$LAYERWISE_MNIST\), 30 training and 10 test digits/);
      const evaluated = await cli(["evaluate", "--model", join(root, "mlp")]);
      assert.equal(evaluated.code, 0, evaluated.err);
      assert.match(evaluated.out, /data: full MNIST from .*small \(\$LAYERWISE_MNIST\), 0 training and 10 test digits/);
      const dbn = await cli([
        "train",
        "dbn",
        "--layers",
        "784-4",
        "--pretrain-epochs",
        "1",
        "--finetune-epochs",
        "1",
        "--sample-steps",
        "1",
        "--quiet",
        "--out",
        join(root, "dbn"),
      ]);
      assert.equal(dbn.code, 0, dbn.err);
      assert.match(dbn.out, /data: full MNIST from .*small \(\$LAYERWISE_MNIST\), 30 training and 10 test digits/);
    });
  });

  it("every command that reads MNIST states the rule in its help", async () => {
    for (const command of [["train", "mlp"], ["train", "cnn"], ["train", "rbm"], ["train", "dbn"], ["demo"], ["evaluate"], ["loglik"], ["hopfield"]]) {
      const r = await cli([...command, "--help"]);
      assert.equal(r.code, 0);
      assert.ok(r.out.includes(dataOption.description), `${command.join(" ")} --help:\n${r.out}`);
    }
  });
});
