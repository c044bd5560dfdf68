import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { formatHelp, parseOptions } from "../src/cli/args.js";
import { parseLayerSizes } from "../src/cli/commands/train-mlp.js";
import { cli } from "./helpers/cli.js";

describe("layerwise train mlp / evaluate", () => {
  it("trains, saves, and evaluates the saved model with the same accuracy", async () => {
    const dir = await mkdtemp(join(tmpdir(), "lw-cli-"));
    try {
      const train = await cli([
        "train",
        "mlp",
        "--layers",
        "784-32-10",
        "--epochs",
        "2",
        "--limit-train",
        "1000",
        "--limit-test",
        "500",
        "--quiet",
        "--out",
        dir,
      ]);
      assert.equal(train.code, 0, train.err);
      const acc = /accuracy (\d+\.\d+) %/.exec(train.out)?.[1];
      assert.ok(acc !== undefined && Number(acc) > 50, train.out);
      const evaluated = await cli(["evaluate", "--model", dir, "--limit-test", "500"]);
      assert.equal(evaluated.code, 0, evaluated.err);
      assert.match(evaluated.out, new RegExp(`500 bundled MNIST test digits: loss \\d\\.\\d{4} - accuracy ${acc.replace(".", "\\.")} %`));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("bad options name the option and the allowed values", async () => {
    const bad: [string[], RegExp][] = [
      [
        ["train", "mlp", "--layers", "784-10", "--optimizer", "rmsprop", "--out", "x"],
        /--optimizer must be one of sgd, momentum, nesterov, adagrad, adam; got "rmsprop"/,
      ],
      [["train", "mlp", "--layers", "784-10", "--activation", "gelu", "--out", "x"], /--activation must be one of relu, sigmoid, tanh, leakyRelu/],
      [["train", "mlp", "--layers", "784-10", "--epochs", "0", "--out", "x"], /--epochs must be an integer >= 1/],
      [["train", "mlp", "--layers", "784-10", "--dropout", "1", "--out", "x"], /--dropout must be a number >= 0 <= 0.99/],
      [["train", "mlp", "--layers", "784-10"], /--out is required/],
      [["evaluate"], /--model is required/],
    ];
    for (const [args, message] of bad) {
      const r = await cli(args);
      assert.equal(r.code, 2, args.join(" "));
      assert.match(r.err, message);
    }
    assert.deepEqual(parseLayerSizes("784-500-500-10"), [784, 500, 500, 10]);
    assert.throws(() => parseLayerSizes("784--10"), /--layers must be sizes joined by "-"/);
    assert.throws(() => parseLayerSizes("784-500-9"), /must end with 10/);
  });
});

describe("help text", () => {
  it("a label longer than the column keeps two spaces before its description", () => {
    const help = formatHelp("x", {
      short: { type: "number", description: "short one" },
      "pretrain-propagate": { type: "string", choices: ["mean", "sample"], description: "what goes up" },
    });
    assert.match(help, /^ {2}--short <number> {16}short one$/m);
    assert.match(help, /^ {2}--pretrain-propagate <mean\|sample> {2}what goes up$/m);
  });
});

describe("option parsing", () => {
  it("fills defaults but names only the options on the command line as given", () => {
    const specs = {
      momentum: { type: "number", description: "m", default: 0.5 },
      lr: { type: "number", description: "ε", default: 0.001 },
      flag: { type: "boolean", description: "f" },
    } as const;
    const { options, given } = parseOptions(["--momentum", "0.9", "--flag"], specs);
    assert.deepEqual(options, { momentum: 0.9, lr: 0.001, flag: true });
    assert.deepEqual([...given].sort(), ["flag", "momentum"]);
    assert.deepEqual([...parseOptions(["--lr=0.5"], specs).given], ["lr"]);
  });
});
