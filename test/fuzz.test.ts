/**
 * Property-based fuzzing of every loader (test/fuzz/targets.ts): valid files, the same files
 * damaged (bytes flipped, truncated, extended, lengths and shapes forged) and random input. The
 * only outcomes allowed are a load that an independent check confirms or a refusal with our own
 * error naming the file or option. Fixed seed and a bounded number of cases here; `npm run fuzz`
 * runs 100,000 per loader with a fresh seed.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { gzipSync } from "node:zlib";
import fc from "fast-check";
import { parseOptions } from "../src/cli/args.js";
import { trainCnnCommand } from "../src/cli/commands/train-cnn.js";
import { parseLayers } from "../src/cli/commands/train-dbn.js";
import { parseLayerSizes, trainMlpCommand } from "../src/cli/commands/train-mlp.js";
import { parseAugmentSpec } from "../src/data/augment.js";
import { IdxFormatError, parseIdx } from "../src/data/idx.js";
import { decodeModel, SavedModelError } from "../src/io/model.js";
import { encodeSafetensors } from "../src/io/safetensors.js";
import { classify, cleanTargets, type FuzzTarget, optionTargets } from "./fuzz/targets.js";

const SEED = 19;
const RUNS = 1000;

function property<T>(target: FuzzTarget<T>) {
  return fc.asyncProperty(target.inputs, async (input) => {
    const r = await classify(target, input);
    assert.ok(r.outcome === "load" || r.outcome === "clean", `${target.name}: ${r.outcome}: ${r.detail}`);
  });
}

describe("fuzzed loaders: every input loads correctly or is refused with our own error", async () => {
  for (const target of await cleanTargets()) {
    it(`${target.name}: ${RUNS} cases`, async () => {
      await fc.assert(property(target), { numRuns: RUNS, seed: SEED });
    });
  }
  // the constructor options and training state too (see CONSTRUCTOR_FIELDS): the model classes check them before allocating
  for (const target of await optionTargets()) {
    it(`${target.name}: ${RUNS} cases`, async () => {
      await fc.assert(property(target), { numRuns: RUNS, seed: SEED, endOnFailure: true });
    });
  }
});

/** The IDX bytes of dims (unsigned bytes, element i = i % 256). */
function idx(dims: number[]): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length + dims.reduce((a, b) => a * b, 1));
  out[2] = 0x08;
  out[3] = dims.length;
  for (const [k, d] of dims.entries()) new DataView(out.buffer).setUint32(4 + 4 * k, d, false);
  for (let i = 4 + 4 * dims.length; i < out.length; i++) out[i] = i % 256;
  return out;
}

describe("defects the fuzzing found", () => {
  it("a .gz file whose gzip magic is damaged is 'not a gzip file' (not a header of forged sizes)", async () => {
    // gzip with the file name stored (flag FNAME) has 0x08 in byte 3: zeroed magic read as IDX gave 8 dims
    const gz = new Uint8Array(gzipSync(idx([2, 28, 28])));
    const named = new Uint8Array([...gz.subarray(0, 3), gz[3] | 0x08, ...gz.subarray(4, 10), ...new TextEncoder().encode("x\0"), ...gz.subarray(10)]);
    assert.deepEqual((await parseIdx(named, "x.gz")).dims, [2, 28, 28]);
    for (const magic of [
      [0x00, 0x00],
      [0x1f, 0x8a],
      [0x1e, 0x8b],
    ]) {
      const damaged = named.slice();
      damaged.set(magic);
      await assert.rejects(parseIdx(damaged, "train-images-idx3-ubyte.gz"), (err: Error) => {
        assert.ok(err instanceof IdxFormatError);
        assert.match(err.message, /^train-images-idx3-ubyte\.gz: not a gzip file: expected the gzip magic 1f 8b, found [0-9a-f]{2} [0-9a-f]{2}/);
        return true;
      });
    }
    // a raw file keeps its raw reading
    assert.deepEqual((await parseIdx(idx([3]), "labels-idx1-ubyte")).dims, [3]);
  });

  it("option numbers are decimal text: ' 5', '0x10', '0b1', 'Infinity' are refused, '1e-3' and '.5' read", () => {
    const specs = {
      epochs: { type: "number", description: "passes", integer: true, min: 1 },
      lr: { type: "number", description: "rate", above: 0 },
    } as const;
    for (const bad of [" 5", "5 ", "0x10", "0b1", "0o7", "Infinity", "1_0"]) {
      assert.throws(() => parseOptions(["--epochs", bad], specs), new RegExp(`option --epochs must be an integer >= 1; got "${bad}"`));
    }
    assert.equal(parseOptions(["--lr=1e-3"], specs).options.lr, 0.001);
    assert.equal(parseOptions(["--lr", ".5"], specs).options.lr, 0.5);
  });

  it("train mlp and train cnn: --lr says '> 0' whatever the bad value (nan, 0, -1, x), before loading any data", async () => {
    for (const [command, args] of [
      [trainMlpCommand, ["--layers", "784-10", "--out", "unused"]],
      [trainCnnCommand, ["--out", "unused"]],
    ] as const) {
      for (const bad of ["nan", "0", "-1", "x"]) {
        await assert.rejects(command.run([...args, "--lr", bad]), new RegExp(`option --lr must be a number > 0; got "${bad}"`));
      }
    }
  });

  it("layer lists are whole numbers in digits: '784- 32-10', '784-1e2-10', '784-32.0-10', '784-+32-10' are refused", () => {
    for (const bad of ["784- 32-10", "784-1e2-10", "784-32.0-10", "784-+32-10", "784-032-10", "784-32-10 "]) {
      assert.throws(() => parseLayerSizes(bad), /option --layers must be sizes joined by "-" \(whole numbers >= 1, in digits\)/);
      assert.throws(() => parseLayers(bad), /option --layers must be sizes joined by "-"/);
    }
    assert.deepEqual(parseLayerSizes("784-32-10"), [784, 32, 10]);
    assert.deepEqual(parseLayers("784-500-2000"), [784, 500, 2000]);
  });

  it("--augment refuses what it cannot read whole: 'rotate=1=2', 'elastic=:4', 'elastic=34:4:1', 'shift=0x2'", () => {
    for (const bad of ["rotate=1=2", "elastic=:4", "elastic=34:", "elastic=34:4:1", "shift=0x2", "scale= "]) {
      assert.throws(() => parseAugmentSpec(bad), /^RangeError: --augment: /, bad);
    }
    assert.deepEqual(parseAugmentSpec(" rotate = 15 , elastic=34:4"), { seed: 0, rotate: 15, elastic: { alpha: 34, sigma: 4 } });
  });

  it("a damaged version-1 file is refused with SavedModelError, like a version-2 one", () => {
    const json = { format: "layerwise.rbm", version: 2, options: {} };
    assert.throws(
      () => decodeModel(json, encodeSafetensors([])),
      (err: Error) => err instanceof SavedModelError && /"version" 2 is not supported/.test(err.message),
    );
  });
});
