/**
 * `--report` of the train commands on real runs: every train command takes it; `train mlp
 * --report` on a few hundred bundled digits writes report.html, which opens from a file:// URL
 * in Chromium with no console error and shows its curves (SVG elements counted) and its
 * confusion matrix; `train rbm --report` puts the very pictures the run wrote into its report,
 * and Chromium decodes them; `train lvq`'s confusion matrix agrees with its printed accuracy;
 * `train rnn`'s settings leave out the options of other tasks; `train ae --kind deep` draws each
 * pretrained RBM's curve. Without --report no report is written.
 */
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { pathToFileURL } from "node:url";
import type { Browser } from "playwright-core";
import { commands } from "../src/cli/commands/index.js";
import { launchChromium, openPage, SKIP_CHROMIUM } from "./helpers/chromium.js";
import { cli } from "./helpers/cli.js";

/** The data: PNGs of a report, by caption, as bytes. */
function inlinePngs(html: string): Map<string, Uint8Array> {
  const found = new Map<string, Uint8Array>();
  for (const [, caption, data] of html.matchAll(/<img alt="([^"]+)" src="data:image\/png;base64,([A-Za-z0-9+/=]+)"/g)) {
    found.set(caption, new Uint8Array(Buffer.from(data, "base64")));
  }
  return found;
}

describe("--report", () => {
  let dir: string;
  let browser: Browser | undefined;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "lw-report-"));
    if (!SKIP_CHROMIUM) browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("is an option of every train command", async () => {
    const trainers = commands.filter((c) => c.path[0] === "train");
    assert.ok(trainers.length >= 9, `${trainers.length} train commands`);
    for (const c of trainers) {
      const help = await cli([...c.path, "--help"]);
      assert.match(help.out, /--report/, `layerwise ${c.path.join(" ")} --help`);
    }
  });

  it("train mlp --report: report.html with the curves, the test figures and the confusion matrix, shown in Chromium with no console error", async (t) => {
    const out = join(dir, "mlp");
    const args = ["train", "mlp", "--layers", "784-32-10", "--epochs", "3", "--limit-train", "400", "--limit-test", "200"];
    const run = await cli([...args, "--validation-split", "0.1", "--seed", "3", "--out", out, "--report", "--quiet"]);
    assert.equal(run.code, 0, run.err);
    assert.match(run.out, /report: .*report\.html/);
    const html = await readFile(join(out, "report.html"), "utf8");
    assert.match(html, /layerwise \d+\.\d+\.\d+ · seed 3 · wall time \d+\.\d s/);
    assert.match(html, /<th>--layers<\/th><td>784-32-10<\/td>/);
    assert.match(html, /<p>200 test examples, \d+\.\d\d % on the diagonal\.<\/p>/);
    // the confusion matrix's diagonal is the accuracy the run printed
    const printed = /accuracy (\d+\.\d\d) %/.exec(run.out)?.[1];
    assert.match(html, new RegExp(`<p>200 test examples, ${printed?.replace(".", "\\.")} % on the diagonal`));
    assert.doesNotMatch(html, /https?:\/\//);

    if (browser === undefined) return t.skip(SKIP_CHROMIUM || "no browser");
    const { page, errors } = await openPage(browser, pathToFileURL(join(out, "report.html")).href);
    // loss and accuracy, each with its validation twin
    const plots = await page.locator(".plots svg").count();
    assert.ok(plots >= 2, `${plots} plots`);
    assert.equal(await page.locator(".plots svg path").count(), 2 * plots, "two lines in every plot");
    assert.equal(await page.locator("table.confusion tr").count(), 11);
    const box = await page.locator(".plots svg").first().boundingBox();
    assert.ok(box !== null && box.width > 200 && box.height > 100, `plot drawn ${JSON.stringify(box)}`);
    assert.deepEqual(errors, []);
    await page.close();
  });

  it("train rbm --report: the run's pictures inline, byte for byte, and Chromium decodes them; the free-energy curves beside the reconstruction error", async (t) => {
    const out = join(dir, "rbm");
    const run = await cli(["train", "rbm", "--hidden", "16", "--epochs", "2", "--limit", "300", "--sample-steps", "5", "--out", out, "--report", "--quiet"]);
    assert.equal(run.code, 0, run.err);
    const html = await readFile(join(out, "report.html"), "utf8");
    const pngs = inlinePngs(html);
    assert.deepEqual([...pngs.keys()], ["filters.png", "samples.png", "reconstructions.png"]);
    for (const [name, bytes] of pngs) assert.deepEqual(bytes, new Uint8Array(await readFile(join(out, name))), name);
    assert.match(html, /<th>testReconstructionError<\/th><td class="n">\d+(\.\d+)?<\/td>/);
    assert.match(html, /reconstructionError<\/text>/);
    // the free energy of training and test digits, on one plot (Hinton's overfitting monitor)
    assert.match(html, /mean free energy F\(v\) of 300 training and 300 test digits/);

    if (browser === undefined) return t.skip(SKIP_CHROMIUM || "no browser");
    const { page, errors } = await openPage(browser, pathToFileURL(join(out, "report.html")).href);
    const widths = await page.locator("figure img").evaluateAll((imgs) => imgs.map((i) => (i as HTMLImageElement).naturalWidth));
    assert.equal(widths.length, 3);
    assert.ok(
      widths.every((w) => w > 0),
      `decoded widths ${widths}`,
    );
    assert.equal(await page.locator(".plots svg").count(), 2);
    assert.deepEqual(errors, []);
    await page.close();
  });

  it("train lvq --report: the prototypes, the training error per epoch, and a confusion matrix whose diagonal is the printed accuracy", async () => {
    const out = join(dir, "lvq");
    const args = ["train", "lvq", "--epochs", "2", "--prototypes-per-class", "2", "--limit-train", "300", "--limit-test", "150"];
    const run = await cli([...args, "--out", out, "--report", "--quiet"]);
    assert.equal(run.code, 0, run.err);
    const html = await readFile(join(out, "report.html"), "utf8");
    assert.deepEqual([...inlinePngs(html).keys()], ["prototypes.png"]);
    assert.match(html, /errorRate<\/text>/);
    const printed = /test accuracy (\d+\.\d\d) %/.exec(run.out)?.[1];
    assert.match(html, new RegExp(`<p>150 test examples, ${printed?.replace(".", "\\.")} % on the diagonal`));
  });

  it("train rnn --report: among the settings only the options of its task and cell; its test curve beside the baseline", async () => {
    const out = join(dir, "rnn");
    const args = ["train", "rnn", "--task", "adding", "--length", "10", "--limit-train", "200", "--epochs", "2", "--units", "8"];
    const run = await cli([...args, "--out", out, "--report", "--quiet"]);
    assert.equal(run.code, 0, run.err);
    const html = await readFile(join(out, "report.html"), "utf8");
    const settings = html.slice(html.indexOf("<h2>Settings</h2>"));
    assert.match(settings, /<th>--length<\/th><td>10<\/td>/);
    assert.match(settings, /<th>--cell<\/th><td>lstm \(default\)<\/td>/);
    // the character model's options and the IRNN's have defaults, but this run read none of them
    for (const other of ["--held-out", "--layers", "--embedding", "--steps", "--irnn"]) assert.doesNotMatch(settings, new RegExp(`<th>${other}</th>`), other);
    assert.match(html, /always predicting 1<\/text>/);
  });

  it("train ae --kind deep --report: each pretrained RBM's curve before the fine-tuning's; no other kind's options among the settings", async () => {
    const out = join(dir, "deep");
    const args = [
      "train",
      "ae",
      "--kind",
      "deep",
      "--layers",
      "784-20-5",
      "--pretrain-epochs",
      "1",
      "--epochs",
      "1",
      "--limit-train",
      "200",
      "--limit-test",
      "100",
    ];
    const run = await cli([...args, "--out", out, "--report", "--quiet"]);
    assert.equal(run.code, 0, run.err);
    const html = await readFile(join(out, "report.html"), "utf8");
    const titles = [...html.matchAll(/<text [^>]*font-size="15">([^<]*)<\/text>/g)].map((m) => m[1]);
    assert.deepEqual(titles.slice(0, 2), ["RBM 1: 784-20", "RBM 2: 20-5"]);
    assert.match(titles[2], /^deep autoencoder 784-20-5/);
    const settings = html.slice(html.indexOf("<h2>Settings</h2>"));
    assert.match(settings, /<th>--optimizer<\/th><td>cg \(default\)<\/td>/);
    for (const other of ["--sparsity-target", "--tied", "--patch", "--code"]) assert.doesNotMatch(settings, new RegExp(`<th>${other}</th>`), other);
  });

  it("without --report, no report.html", async () => {
    const out = join(dir, "plain");
    const run = await cli([
      "train",
      "lvq",
      "--epochs",
      "1",
      "--prototypes-per-class",
      "1",
      "--limit-train",
      "200",
      "--limit-test",
      "100",
      "--out",
      out,
      "--quiet",
    ]);
    assert.equal(run.code, 0, run.err);
    await assert.rejects(readFile(join(out, "report.html")), /ENOENT/);
    assert.doesNotMatch(run.out, /report:/);
  });
});
