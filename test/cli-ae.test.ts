import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { decodeSafetensors } from "../src/io/safetensors.js";
import { cli } from "./helpers/cli.js";

// a few hundred bundled digits, small batches so three epochs make enough updates
const DATA = ["--limit-train", "500", "--limit-test", "200", "--epochs", "3", "--batch-size", "20", "--quiet"];

const KINDS: [string, string[], string[]][] = [
  ["basic", ["--code", "50", "--tied"], ["filters.png"]],
  ["denoising", ["--noise", "masking", "--level", "0.3"], ["filters.png", "denoising.png"]],
  ["sparse", ["--sparsity-target", "0.1", "--sparsity-weight", "1"], ["filters.png"]],
  ["conv", [], []],
];

describe("layerwise train ae / encode", () => {
  let dir = "";
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "lw-cli-ae-"));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  for (const [kind, options, pictures] of KINDS) {
    it(`--kind ${kind} learns: test error well below the mean digit's, and writes its files`, async () => {
      const out = join(dir, kind);
      const r = await cli(["train", "ae", "--kind", kind, ...options, ...DATA, "--out", out]);
      assert.equal(r.code, 0, r.err);
      for (const file of ["model.json", "model.safetensors", "reconstructions.png", "summary.json", ...pictures])
        assert.ok((await stat(join(out, file))).size > 0, `${kind}: ${file}`);
      const summary = JSON.parse(await readFile(join(out, "summary.json"), "utf8"));
      assert.equal(summary.testDigits, 200);
      assert.equal(summary.epochs, 3);
      // a code that says nothing (the mean digit) errs ~53 per image on these digits; the untrained net ~180
      assert.ok(summary.reconstructionErrorPerImage < 0.85 * summary.meanDigitErrorPerImage, JSON.stringify(summary));
      assert.ok(summary.reconstructionErrorPerImage < 0.3 * summary.untrainedErrorPerImage, JSON.stringify(summary));
    });
  }

  it("--checkpoint-every and --resume continue a run to the weights of an uninterrupted one", async () => {
    const run = (out: string, more: string[]) =>
      cli([
        "train",
        "ae",
        "--kind",
        "denoising",
        "--limit-train",
        "200",
        "--limit-test",
        "50",
        "--batch-size",
        "20",
        "--quiet",
        ...more,
        "--out",
        join(dir, out),
      ]);
    assert.equal((await run("whole", ["--epochs", "3"])).code, 0);
    assert.equal((await run("parts", ["--epochs", "2", "--checkpoint-every", "1"])).code, 0);
    const resumed = await run("parts", ["--epochs", "3", "--resume"]);
    assert.equal(resumed.code, 0, resumed.err);
    assert.deepEqual(await readFile(join(dir, "parts", "model.safetensors")), await readFile(join(dir, "whole", "model.safetensors")));
    assert.equal(JSON.parse(await readFile(join(dir, "parts", "summary.json"), "utf8")).resumedAfterEpoch, 2);
  });

  it("encode writes one code per test digit with its label (CSV and safetensors)", async () => {
    const csv = join(dir, "codes.csv");
    const r = await cli(["encode", "--model", join(dir, "basic"), "--limit-test", "30", "--out", csv]);
    assert.equal(r.code, 0, r.err);
    const lines = (await readFile(csv, "utf8")).trimEnd().split("\n");
    assert.equal(lines.length, 31);
    assert.equal(lines[0].split(",").length, 51);
    assert.equal(lines[0].slice(0, 12), "label,c0,c1,");
    assert.ok(lines.slice(1).every((l) => l.split(",").length === 51 && /^[0-9],/.test(l)));

    const st = join(dir, "codes.safetensors");
    const s = await cli(["encode", "--model", join(dir, "conv"), "--limit-test", "30", "--out", st]);
    assert.equal(s.code, 0, s.err);
    const decoded = decodeSafetensors(new Uint8Array(await readFile(st)));
    assert.deepEqual(decoded.tensors.get("codes")?.shape, [30, 196]);
    assert.deepEqual(decoded.tensors.get("labels")?.shape, [30]);
    assert.ok(decoded.tensors.get("labels")?.data.every((l) => Number.isInteger(l) && l >= 0 && l <= 9));
  });

  it("bad options fail naming the option and the allowed range", async () => {
    const out = join(dir, "bad");
    const bad: [string[], RegExp][] = [
      [["--kind", "denoising", "--level", "1.5"], /--level must be a number >= 0 <= 1; got "1.5"/],
      [["--kind", "denoising", "--level", "-0.1"], /--level must be a number >= 0 <= 1/],
      [["--kind", "sparse", "--sparsity-target", "1"], /--sparsity-target must be in \(0, 1\); got 1/],
      [["--kind", "sparse", "--sparsity-target", "0"], /--sparsity-target must be in \(0, 1\); got 0/],
      [["--kind", "denoising", "--noise", "pepper"], /--noise must be one of masking, salt-pepper, gaussian; got "pepper"/],
      [["--kind", "pca"], /--kind must be one of basic, denoising, sparse, conv, .*; got "pca"/],
      [["--kind", "basic", "--level", "0.3"], /--level applies to --kind denoising; got --kind basic/],
      [["--kind", "conv", "--code", "50"], /--code must be a multiple of 49 for --kind conv/],
      [["--epochs", "1"], /--kind is required/],
    ];
    for (const [args, message] of bad) {
      const r = await cli(["train", "ae", ...args, "--out", out]);
      assert.notEqual(r.code, 0, args.join(" "));
      assert.match(r.err, message, args.join(" "));
    }
    const e = await cli(["encode", "--model", join(dir, "basic"), "--out", join(dir, "codes.txt")]);
    assert.notEqual(e.code, 0);
    assert.match(e.err, /--out must end in \.csv or \.safetensors/);
  });
});
