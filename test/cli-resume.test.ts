/**
 * `train dbn` and `demo` into a folder that holds a stack resume it only with the settings it
 * records: a flag that differs stops the run with every mismatch and the two ways out; flags left
 * out take the recorded values, and summary.json records what was used. `evaluate` on such a
 * folder points to its classifier.
 */
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { cli, withEnv } from "./helpers/cli.js";

let root = "";
before(async () => {
  root = await mkdtemp(join(tmpdir(), "lw-cli-resume-"));
});
after(() => rm(root, { recursive: true, force: true }));

const json = async (path: string) => JSON.parse(await readFile(path, "utf8"));
const quick = ["--finetune-epochs", "1", "--sample-steps", "1", "--quiet"];

describe("a DBN run resumes only what matches", () => {
  it("train dbn: mismatches are listed, dropped flags take the recorded values, --fresh starts over", async () => {
    const out = join(root, "dbn");
    const first = [
      "train",
      "dbn",
      "--out",
      out,
      "--layers",
      "784-8-6",
      "--limit",
      "100",
      "--batch",
      "20",
      "--pretrain-epochs",
      "2",
      "--seed",
      "3",
      "--rbm-lr",
      "0.02",
      ...quick,
    ];
    await withEnv("LAYERWISE_MNIST", undefined, async () => {
      const r1 = await cli(first);
      assert.equal(r1.code, 0, r1.err);

      const bad = await cli([
        "train",
        "dbn",
        "--out",
        out,
        "--layers",
        "784-8-6",
        "--seed",
        "4",
        "--rbm-lr",
        "0.1",
        "--labels",
        "--pretrain-epochs",
        "1",
        "--limit",
        "50",
        "--batch",
        "10",
        ...quick,
      ]);
      assert.equal(bad.code, 2, bad.out);
      for (const m of [
        /--seed \(seed\): the stack was pretrained with 3; this run asks for 4/,
        /--rbm-lr \(RBM learning rate\): the stack was pretrained with 0\.02; this run asks for 0\.1/,
        /--labels \(label units on the top RBM\): the stack was pretrained with false; this run asks for true/,
        /--pretrain-epochs \(RBM epochs per layer\): the stack has trained 2 epoch\(s\) per layer; this run asks for 1/,
        /--limit \(training digits\): the stack was pretrained with 100; this run asks for 50/,
        /--batch \(mini-batch size\): the stack was pretrained with 20; this run asks for 10/,
        /--fresh to start over/,
        /drop these options/,
      ])
        assert.match(bad.err, m);
      const layers = await cli(["train", "dbn", "--out", out, "--layers", "784-8-5", ...quick]);
      assert.equal(layers.code, 2);
      assert.match(layers.err, /--layers \(layer sizes\): the stack was pretrained with 784-8-6; this run asks for 784-8-5/);

      // no flags: the recorded settings, also in summary.json
      const again = await cli(["train", "dbn", "--out", out, "--layers", "784-8-6", ...quick]);
      assert.equal(again.code, 0, again.err);
      const summary = await json(join(out, "summary.json"));
      assert.deepEqual(
        [summary.seed, summary.rbmLearningRate, summary.batchSize, summary.pretrainEpochs, summary.trainDigits, summary.data],
        [3, 0.02, 20, 2, 100, "bundled"],
      );
      // more epochs is a resume: the stack trains on
      const more = await cli(["train", "dbn", "--out", out, "--layers", "784-8-6", "--pretrain-epochs", "3", ...quick]);
      assert.equal(more.code, 0, more.err);
      const stack = await json(join(out, "stack", "model.json"));
      assert.deepEqual(
        stack.state.rbms.map((s: { epochsTrained: number }) => s.epochsTrained),
        [3, 3],
      );
      assert.equal(stack.training.pretraining.pretrainEpochs, 3);

      const fresh = await cli([
        "train",
        "dbn",
        "--out",
        out,
        "--layers",
        "784-8-5",
        "--seed",
        "4",
        "--limit",
        "60",
        "--pretrain-epochs",
        "1",
        "--fresh",
        ...quick,
      ]);
      assert.equal(fresh.code, 0, fresh.err);
      const renewed = await json(join(out, "stack", "model.json"));
      assert.deepEqual([renewed.config.layers, renewed.config.seed, renewed.training.pretraining.trainDigits], [[784, 8, 5], 4, 60]);
      assert.deepEqual((await json(join(out, "summary.json"))).seed, 4);

      // evaluate on the run folder, or on its stack, points to the classifier
      for (const model of [out, join(out, "stack")]) {
        const ev = await cli(["evaluate", "--model", model]);
        assert.equal(ev.code, 1);
        assert.ok(ev.err.includes(`layerwise evaluate --model ${join(out, "classifier")}`), ev.err);
      }
    });
  });

  it("demo: a different seed or data stops the resume; the same flags resume it", async () => {
    const out = join(root, "demo");
    const args = ["demo", "--out", out, "--layers", "784-6-6", "--limit", "100", "--pretrain-epochs", "1", "--finetune-epochs", "1", "--quiet"];
    await withEnv("LAYERWISE_MNIST", undefined, async () => {
      assert.equal((await cli(args)).code, 0);
      const seed = await cli([...args, "--seed", "2"]);
      assert.equal(seed.code, 2);
      assert.match(seed.err, /--seed \(seed\): the stack was pretrained with 1; this run asks for 2/);
      const same = await cli(args);
      assert.equal(same.code, 0, same.err);
      assert.match(same.out, /resuming the stack/);
    });
  });
});
