import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { decodeSafetensors } from "../src/io/safetensors.js";
import { EncoderDecoder } from "../src/models/autoencoders/encoder-decoder.js";
import { loadModel } from "../src/models/load.js";
import { cli, writeSmallMnist } from "./helpers/cli.js";

// a few hundred bundled digits, small batches so three epochs make enough updates
const DATA = ["--limit-train", "500", "--limit-test", "200", "--epochs", "3", "--batch-size", "20", "--quiet"];

const KINDS: [string, string[], string[]][] = [
  ["basic", ["--code", "50", "--tied"], ["filters.png"]],
  ["denoising", ["--noise", "masking", "--level", "0.3"], ["filters.png", "denoising.png"]],
  ["sparse", ["--sparsity-target", "0.1", "--sparsity-weight", "1"], ["filters.png"]],
  ["stacked", ["--layers", "784-100-30", "--pretrain-epochs", "3", "--tied", "--level", "0.2"], ["filters.png", "stack/model.json"]],
  ["deep", ["--layers", "784-100-30", "--pretrain-epochs", "2", "--optimizer", "adam"], []],
  ["conv", [], []],
  ["bimodal", ["--code", "32", "--hidden", "64"], ["cross-modal.png"]],
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

  it("--kind bimodal: each half of a test digit from the other half alone, closer than the mean half", async () => {
    const { crossModalErrorPerHalf: e } = JSON.parse(await readFile(join(dir, "bimodal", "summary.json"), "utf8"));
    assert.ok(e.bottomFromTop < 0.95 * e.meanBottomHalf && e.topFromBottom < 0.95 * e.meanTopHalf, JSON.stringify(e));
  });

  for (const kind of ["stacked", "deep"]) {
    it(`--kind ${kind} with a 2-D code: pretrains, draws the codes beside PCA's, and encode and loadModel read the model`, async () => {
      const data = writeSmallMnist(join(dir, "idx"), 60, 20);
      const out = join(dir, `${kind}-2d`);
      const r = await cli([
        "train",
        "ae",
        "--kind",
        kind,
        "--layers",
        "784-16-2",
        "--pretrain-epochs",
        "1",
        "--epochs",
        "1",
        "--data",
        data,
        "--quiet",
        "--out",
        out,
      ]);
      assert.equal(r.code, 0, r.err);
      const svg = await readFile(join(out, "codes.svg"), "utf8");
      assert.equal(svg.match(/<circle /g)?.length, 2 * 20);
      assert.match(svg, /first two principal components/);
      assert.ok((await stat(join(out, "codes.png"))).size > 0);
      const summary = JSON.parse(await readFile(join(out, "summary.json"), "utf8"));
      assert.equal(summary.pcaComponents, 2);
      assert.ok(summary.pcaErrorPerImage > 0 && summary.pretrainedErrorPerImage > 0, JSON.stringify(summary));
      assert.ok((await loadModel(out)) instanceof EncoderDecoder);
      const csv = join(dir, `${kind}-codes.csv`);
      const e = await cli(["encode", "--model", out, "--data", data, "--out", csv]);
      assert.equal(e.code, 0, e.err);
      const lines = (await readFile(csv, "utf8")).trimEnd().split("\n");
      assert.deepEqual([lines.length, lines[0]], [21, "label,c0,c1"]);
    });
  }

  it("--kind mae learns (its guess of the hidden patches beats the untrained one's) and writes the triptych", async () => {
    const out = join(dir, "mae");
    const r = await cli(["train", "ae", "--kind", "mae", "--code", "32", "--lr", "0.003", ...DATA, "--out", out]);
    assert.equal(r.code, 0, r.err);
    for (const file of ["model.json", "model.safetensors", "reconstructions.png", "mae-triptych.png", "summary.json"])
      assert.ok((await stat(join(out, file))).size > 0, `mae: ${file}`);
    const summary = JSON.parse(await readFile(join(out, "summary.json"), "utf8"));
    assert.equal(summary.epochs, 3);
    assert.ok(summary.reconstructionErrorPerImage < 0.3 * summary.untrainedErrorPerImage, JSON.stringify(summary));
    // encode gives its mean-pooled encoder features
    const codes = join(dir, "mae-codes.safetensors");
    const e = await cli(["encode", "--model", out, "--limit-test", "30", "--out", codes]);
    assert.equal(e.code, 0, e.err);
    assert.deepEqual(decodeSafetensors(new Uint8Array(await readFile(codes))).tensors.get("codes")?.shape, [30, 32]);
  });

  for (const [kind, extra] of [
    ["denoising", []],
    ["mae", ["--code", "16"]],
  ] as const)
    it(`--checkpoint-every and --resume continue a run to the weights of an uninterrupted one (--kind ${kind})`, async () => {
      const run = (out: string, more: string[]) =>
        cli([
          "train",
          "ae",
          "--kind",
          kind,
          ...extra,
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
      assert.equal((await run(`${kind}-whole`, ["--epochs", "3"])).code, 0);
      assert.equal((await run(`${kind}-parts`, ["--epochs", "2", "--checkpoint-every", "1"])).code, 0);
      const resumed = await run(`${kind}-parts`, ["--epochs", "3", "--resume"]);
      assert.equal(resumed.code, 0, resumed.err);
      assert.deepEqual(await readFile(join(dir, `${kind}-parts`, "model.safetensors")), await readFile(join(dir, `${kind}-whole`, "model.safetensors")));
      assert.equal(JSON.parse(await readFile(join(dir, `${kind}-parts`, "summary.json"), "utf8")).resumedAfterEpoch, 2);
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

    const shared = join(dir, "bimodal-codes.safetensors");
    const m = await cli(["encode", "--model", join(dir, "bimodal"), "--limit-test", "30", "--out", shared]);
    assert.equal(m.code, 0, m.err);
    assert.deepEqual(decodeSafetensors(new Uint8Array(await readFile(shared))).tensors.get("codes")?.shape, [30, 32]);
  });

  it("bad options fail naming the option and the allowed range", async () => {
    const out = join(dir, "bad");
    const bad: [string[], RegExp][] = [
      [["--kind", "denoising", "--level", "1.5"], /--level must be a number >= 0 <= 1; got "1.5"/],
      [["--kind", "denoising", "--level", "-0.1"], /--level must be a number >= 0 <= 1/],
      [["--kind", "sparse", "--sparsity-target", "1"], /--sparsity-target must be in \(0, 1\); got 1/],
      [["--kind", "sparse", "--sparsity-target", "0"], /--sparsity-target must be in \(0, 1\); got 0/],
      [["--kind", "denoising", "--noise", "pepper"], /--noise must be one of masking, salt-pepper, gaussian; got "pepper"/],
      [["--kind", "nope"], /--kind must be one of basic, denoising, sparse(, \w+)*; got "nope"/],
      [["--kind", "mae", "--mask-ratio", "1"], /--mask-ratio must be in \(0, 1\); got 1/],
      [["--kind", "mae", "--patch", "5"], /--patch or --code: patchSize 5 does not tile the 28×28 image/],
      [["--kind", "basic", "--patch", "4"], /--patch applies to --kind mae; got --kind basic/],
      [["--kind", "basic", "--level", "0.3"], /--level applies to --kind denoising\|stacked; got --kind basic/],
      [["--kind", "basic", "--layers", "784-30"], /--layers applies to --kind stacked\|deep; got --kind basic/],
      [["--kind", "deep", "--code", "30"], /--code applies to --kind basic\|denoising\|sparse\|conv\|bimodal\|mae; got --kind deep/],
      [["--kind", "stacked", "--optimizer", "adam"], /--optimizer applies to --kind deep; got --kind stacked/],
      [["--kind", "deep", "--resume"], /--resume applies to --kind basic\|denoising\|sparse\|conv\|bimodal\|mae\|vae; got --kind deep/],
      [["--kind", "deep", "--optimizer", "sgd"], /--optimizer must be one of cg, adam; got "sgd"/],
      [["--kind", "stacked", "--layers", "100-30"], /--layers must start with the 784 pixels of an image, e.g. 784-500-250; got 100-30/],
      [["--kind", "deep", "--layers", "784-0-30"], /--layers must be sizes joined by "-" \(whole numbers >= 1/],
      [["--kind", "basic", "--zeroed-share", "0.5"], /--zeroed-share applies to --kind bimodal; got --kind basic/],
      [["--kind", "bimodal", "--zeroed-share", "1.5"], /--zeroed-share must be a number >= 0 <= 1; got "1.5"/],
      [["--kind", "bimodal", "--hidden", "64,64,64"], /--hidden must be one or two layer sizes >= 1, comma-separated; got 64,64,64/],
      [["--kind", "basic", "--latent", "2"], /--latent applies to --kind vae; got --kind basic/],
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
