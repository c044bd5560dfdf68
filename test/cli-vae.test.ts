// `layerwise train ae --kind vae` on a few hundred bundled digits, and `layerwise sample` from the saved VAE.
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { cli } from "./helpers/cli.js";

describe("layerwise train ae --kind vae / sample", () => {
  let dir = "";
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "lw-cli-vae-"));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("trains a VAE with a 2-D latent: the model, samples.png, manifold.png and summary.json with the test ELBO", async () => {
    const out = join(dir, "vae");
    const args = ["train", "ae", "--kind", "vae", "--latent", "2", "--hidden", "64", "--limit-train", "500", "--limit-test", "100"];
    const r = await cli([...args, "--epochs", "3", "--batch-size", "20", "--quiet", "--out", out]);
    assert.equal(r.code, 0, r.err);
    for (const file of ["model.json", "model.safetensors", "reconstructions.png", "samples.png", "manifold.png", "summary.json"])
      assert.ok((await stat(join(out, file))).size > 0, file);
    const summary = JSON.parse(await readFile(join(out, "summary.json"), "utf8"));
    assert.equal(summary.kind, "vae");
    assert.equal(summary.epochs, 3);
    assert.match(summary.model, /784-64-2/);
    // a log-likelihood bound in nats: negative, and far above the ~−543 nats of 784 coin flips
    assert.ok(summary.testElbo < 0 && summary.testElbo > -350, JSON.stringify(summary));
    assert.ok(summary.reconstructionErrorPerImage < 0.5 * summary.untrainedErrorPerImage, JSON.stringify(summary));
    assert.match(r.out, /testElbo: -\d+\.\d\d/);

    const s = await cli(["sample", "--model", out, "--n", "6", "--seed", "2"]);
    assert.equal(s.code, 0, s.err);
    assert.match(s.out, /6 samples z ~ N\(0, I\) decoded by the VAE/);
    assert.ok((await stat(join(out, "samples.png"))).size > 0);
    const gibbs = await cli(["sample", "--model", out, "--steps", "5"]);
    assert.notEqual(gibbs.code, 0);
    assert.match(gibbs.err, /--steps applies to an RBM's Gibbs chains; .* holds a VAE/);
  });

  it("--resume continues a VAE run to the weights of an uninterrupted one (the ε and binarisation streams are saved)", async () => {
    const run = (out: string, more: string[]) =>
      cli([
        "train",
        "ae",
        "--kind",
        "vae",
        "--latent",
        "3",
        "--hidden",
        "16",
        "--limit-train",
        "100",
        "--limit-test",
        "20",
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
  });

  it("refuses a latent size < 1, bad hidden sizes, and --latent with another kind, naming the option", async () => {
    const out = join(dir, "bad");
    const bad: [string[], RegExp][] = [
      [["--kind", "vae", "--latent", "0"], /--latent must be an integer >= 1; got "0"/],
      [["--kind", "vae", "--hidden", "200,x"], /--hidden must be layer sizes >= 1, comma-separated; got 200,x/],
      [["--kind", "basic", "--latent", "2"], /--latent applies to --kind vae; got --kind basic/],
    ];
    for (const [args, message] of bad) {
      const r = await cli(["train", "ae", ...args, "--limit-train", "20", "--limit-test", "10", "--epochs", "1", "--quiet", "--out", out]);
      assert.notEqual(r.code, 0, args.join(" "));
      assert.match(r.err, message, args.join(" "));
    }
  });
});
