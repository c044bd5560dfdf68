/**
 * The command line's small promises: learning rates say "> 0" whatever the bad value; layer
 * sizes are plain whole numbers; `sample` names the options that size a non-square picture;
 * automatic layer names read as Keras writes them (conv2d_1), and saved names still load.
 */
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { parseLayers } from "../src/cli/commands/train-dbn.js";
import { parseLayerSizes } from "../src/cli/commands/train-mlp.js";
import { RBM } from "../src/models/rbm/rbm.js";
import { Conv2D } from "../src/nn/conv.js";
import { Dense } from "../src/nn/dense.js";
import { MaxPool2D } from "../src/nn/pool.js";
import { Flatten } from "../src/nn/reshape.js";
import { loadSequential } from "../src/train/load.js";
import { Sequential } from "../src/train/sequential.js";
import { cli } from "./helpers/cli.js";

describe("option values", () => {
  it("every learning rate is a number > 0: nan, 0 and -1 get the same message", async () => {
    const commands: [string[], string][] = [
      [["train", "mlp", "--layers", "784-4-10", "--out", "x"], "lr"],
      [["train", "cnn", "--out", "x"], "lr"],
      [["train", "rbm", "--out", "x"], "lr"],
      [["train", "dbn", "--out", "x"], "rbm-lr"],
      [["train", "dbn", "--out", "x"], "finetune-lr"],
    ];
    for (const [args, flag] of commands)
      for (const bad of ["nan", "0", "-1"]) {
        const r = await cli([...args, `--${flag}`, bad]);
        assert.equal(r.code, 2, `${args.join(" ")} --${flag} ${bad}`);
        assert.match(r.err, new RegExp(`option --${flag} must be a number > 0; got "${bad}"`));
      }
    const decay = await cli(["train", "mlp", "--layers", "784-4-10", "--out", "x", "--lr-decay", "0"]);
    assert.match(decay.err, /option --lr-decay must be a number > 0 <= 1; got "0"/);
  });

  it("layer sizes are plain whole numbers: spaces, exponents, signs and decimals are refused", async () => {
    for (const bad of ["784- 32-10", "784-1e2-10", "784-+32-10", "784-32.0-10", "784-0x20-10", "784--10", "784-032-10"]) {
      assert.throws(() => parseLayerSizes(bad), /--layers must be sizes joined by "-" \(whole numbers >= 1, in digits\)/, bad);
      assert.throws(() => parseLayers(bad.replace(/-10$/, "")), /--layers must be sizes joined by "-"/, bad);
    }
    assert.throws(() => parseLayers("784-1e2"), /got "784-1e2"/);
    assert.deepEqual(parseLayerSizes("784-32-10"), [784, 32, 10]);
    assert.deepEqual(parseLayers("784-500-500-2000"), [784, 500, 500, 2000]);
    const r = await cli(["train", "dbn", "--layers", "784- 32", "--out", join(tmpdir(), "lw-never")]);
    assert.equal(r.code, 2);
  });
});

describe("sample", () => {
  it("a non-square visible layer names --height and --width; given, they draw the picture", async () => {
    const dir = await mkdtemp(join(tmpdir(), "lw-cli-sample-"));
    try {
      await new RBM({ visible: 12, hidden: 3, seed: 1 }).save(dir);
      const r = await cli(["sample", "--model", dir, "--n", "2", "--steps", "1"]);
      assert.equal(r.code, 2);
      assert.match(r.err, /12 visible units, not a square picture: give its size with --height H --width W/);
      const wrong = await cli(["sample", "--model", dir, "--n", "2", "--steps", "1", "--height", "5"]);
      assert.match(wrong.err, /--height 5 --width \? do not fit the RBM's 12 visible units/);
      const ok = await cli(["sample", "--model", dir, "--n", "2", "--steps", "1", "--height", "3", "--width", "4"]);
      assert.equal(ok.code, 0, ok.err);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("automatic layer names", () => {
  it("read conv2d_1 and max_pool2d_1, and a saved model keeps the names it was saved with", async () => {
    const layers = () => [new Conv2D({ filters: 2, kernelSize: 3 }), new MaxPool2D({ poolSize: 2 }), new Flatten(), new Dense(3)];
    const model = new Sequential(layers(), { inputShape: [6, 6, 1], seed: 1 }).build();
    assert.deepEqual(
      model.layers.map((l) => l.name),
      ["conv2d_1", "max_pool2d_1", "flatten_1", "dense_1"],
    );
    // a model saved before the fix has the old names in its model.json: they load as they were
    const old = new Sequential(layers(), { inputShape: [6, 6, 1], seed: 1 }).build();
    old.layers[0].name = "conv2_d_1";
    const dir = await mkdtemp(join(tmpdir(), "lw-cli-names-"));
    try {
      await old.save(dir);
      assert.equal((await loadSequential(dir)).layers[0].name, "conv2_d_1");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
