/**
 * The HTML training report's builder (src/io/report.ts): every section there, text escaped,
 * pictures inline as data: URLs that decode to the same bytes, and no URL the page could fetch.
 * The report of real runs (train mlp, train rbm) opened in Chromium is in report-cli.test.ts.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { encodePng } from "../src/io/png.js";
import { base64, confusionSection, epochPlots, inlineSvg, pngDataUrl, pngImg, reportHtml, settingsSection, type TrainingReport } from "../src/io/report.js";
import { linePlotSvg } from "../src/io/svg.js";
import { confusionMatrix } from "../src/train/metrics.js";

const png = encodePng(new Uint8Array([0, 64, 128, 255, 32, 16]), 3, 2);

function report(over: Partial<TrainingReport> = {}): TrainingReport {
  return {
    title: "layerwise train mlp",
    commandLine: "layerwise train mlp --layers 784-32-10 --out runs/x --report",
    version: "0.1.0",
    seed: 7,
    seconds: 12.34,
    started: "2026-12-07T06:00:00.000Z",
    settings: { "--layers": "784-32-10", "--epochs": 3, "--seed": 7 },
    defaults: ["--seed"],
    results: { testAccuracy: 0.9123456789, model: "mlp" },
    plots: epochPlots("mlp", [1, 2, 3], { loss: [1, 0.5, 0.25], val_loss: [1.1, 0.6, 0.4], accuracy: [0.5, 0.7, 0.9] }),
    pictures: [
      { caption: "filters.png", png },
      { caption: "codes.svg", svg: linePlotSvg({ title: "codes", xLabel: "x", yLabel: "y", series: [{ name: "a", x: [0, 1], y: [0, 1] }] }) },
    ],
    confusion: {
      labels: ["0", "1"],
      counts: [
        [3, 1],
        [0, 4],
      ],
    },
    texts: [{ caption: "sample", text: "In the beginning" }],
    ...over,
  };
}

describe("reportHtml", () => {
  it("has every section: results, curves, confusion matrix, pictures, text, settings, and the version, seed and wall time", () => {
    const html = reportHtml(report());
    for (const heading of ["Results", "Curves", "Confusion matrix", "Pictures", "Text", "Settings"]) assert.match(html, new RegExp(`<h2>${heading}</h2>`));
    assert.match(html, /^<!DOCTYPE html>/);
    assert.match(html, /layerwise 0\.1\.0 · seed 7 · wall time 12\.3 s/);
    assert.match(html, /<pre><code>layerwise train mlp --layers 784-32-10/);
    // loss with val_loss on one plot, accuracy on another, and the picture that is an SVG
    assert.equal(html.match(/<svg /g)?.length, 3);
    assert.match(html, /<th>testAccuracy<\/th><td class="n">0\.912346<\/td>/);
    assert.match(html, /<th>--seed<\/th><td>7 \(default\)<\/td>/);
    assert.match(html, /<th>--epochs<\/th><td>3<\/td>/);
    assert.match(html, /<pre>In the beginning<\/pre>/);
  });

  it("leaves out the sections a run has nothing for", () => {
    const html = reportHtml(report({ plots: [], pictures: [], confusion: undefined, texts: [], results: {}, seed: undefined }));
    for (const heading of ["Results", "Curves", "Confusion matrix", "Pictures", "Text"]) assert.doesNotMatch(html, new RegExp(`<h2>${heading}</h2>`));
    assert.match(html, /<h2>Settings<\/h2>/);
    assert.match(html, /<p class="facts">layerwise 0\.1\.0 · wall time 12\.3 s · started 2026-12-07T06:00:00\.000Z<\/p>/);
  });

  it("escapes every text it is given", () => {
    const evil = `<script>alert("x")</script> & 'y'`;
    const html = reportHtml(
      report({
        title: evil,
        commandLine: evil,
        settings: { [evil]: evil },
        results: { [evil]: evil },
        plots: epochPlots(evil, [1], { [evil]: [1] }),
        pictures: [{ caption: evil, png }],
        confusion: { labels: [evil], counts: [[1]] },
        texts: [{ caption: evil, text: evil }],
      }),
    );
    assert.doesNotMatch(html, /<script/i);
    assert.doesNotMatch(html, /alert\("x"\)/);
    const escaped = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &apos;y&apos;";
    // title, heading, command line, settings key and value, results key and value, plot title and
    // legend and axis label, picture caption and alt text, confusion row and column, text caption and body
    assert.ok(html.split(escaped).length - 1 >= 15, `escaped ${html.split(escaped).length - 1} times`);
  });

  it("puts pictures inline: PNGs as data: URLs of the same bytes, SVGs as elements", () => {
    const html = reportHtml(report());
    const src = /<img alt="filters\.png" src="data:image\/png;base64,([A-Za-z0-9+/=]+)" width="(\d+)" height="(\d+)">/.exec(html);
    assert.ok(src, "no inline PNG");
    assert.deepEqual(new Uint8Array(Buffer.from(src[1], "base64")), png);
    // a 3 x 2 picture is drawn 8 times its size (the most), each pixel a square
    assert.deepEqual([src[2], src[3]], ["24", "16"]);
    assert.match(html, /<figure>\n<svg width="640" height="400"/);
  });

  it("names no URL: nothing to fetch, no script, and a Content Security Policy that forbids both", () => {
    const html = reportHtml(report());
    assert.doesNotMatch(html, /https?:\/\//);
    assert.doesNotMatch(html, /<script|<link|@import|url\(/i);
    assert.match(html, /<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'">/);
    // linePlotSvg's files name the SVG namespace; inline, HTML gives it and the page drops it
    assert.match(linePlotSvg(report().plots[0]), /xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    assert.doesNotMatch(inlineSvg(`<?xml version="1.0"?>\n${linePlotSvg(report().plots[0])}`), /<\?xml|xmlns/);
  });
});

describe("report sections", () => {
  it("confusion matrix: rows true, columns predicted, the row's share as shade, each class's accuracy", () => {
    const html = confusionSection({
      labels: ["a", "b"],
      counts: [
        [3, 1],
        [0, 4],
      ],
    });
    assert.match(html, /<p>8 test examples, 87\.50 % on the diagonal\.<\/p>/);
    assert.match(
      html,
      /<tr><th>a<\/th><td class="diag" style="background:rgba\(78,121,167,0\.637\)">3<\/td><td style="background:rgba\(78,121,167,0\.212\)">1<\/td><td>75\.00 %<\/td><\/tr>/,
    );
    assert.match(html, /<tr><th>b<\/th><td style="background:rgba\(78,121,167,0\.000\)">0<\/td><td class="diag"[^>]*>4<\/td><td>100\.00 %<\/td><\/tr>/);
    assert.throws(() => confusionSection({ labels: ["a", "b"], counts: [[1, 2]] }), /must be 2 x 2/);
    assert.match(
      confusionSection({ labels: ["a"], counts: [[2]], model: "the <pretrained> net" }),
      /<p>the &lt;pretrained&gt; net: 2 test examples, 100\.00 %/,
    );
  });

  it("settings: as given, the defaults marked", () => {
    const html = settingsSection({ "--lr": 0.1, "--quiet": false }, ["--quiet"]);
    assert.match(html, /<th>--lr<\/th><td>0\.1<\/td>/);
    assert.match(html, /<th>--quiet<\/th><td>false \(default\)<\/td>/);
  });

  it("epochPlots: a figure and its validation twin share a plot; keys pick figures", () => {
    const plots = epochPlots("t", [1, 2], { loss: [2, 1], val_loss: [3, 2], accuracy: [0.1, 0.2], momentum: [0.5, 0.9] }, ["loss", "val_loss", "accuracy"]);
    assert.deepEqual(
      plots.map((p) => [p.yLabel, p.series.map((s) => s.name)]),
      [
        ["loss", ["training", "validation"]],
        ["accuracy", ["accuracy"]],
      ],
    );
    assert.deepEqual(plots[0].series[1], { name: "validation", x: [1, 2], y: [3, 2] });
    assert.deepEqual(epochPlots("t", [1], { val_bits: [4] })[0].yLabel, "val_bits");
    // two fit side by side; a long title widens its plot so that none of it is cut off
    assert.equal(plots[0].width, 520);
    const long = "deep autoencoder 784-1000-500-250-30, RBM-pretrained, fine-tuned with conjugate gradients";
    assert.ok((epochPlots(long, [1], { loss: [1] })[0].width ?? 0) >= 8 * long.length, "wide enough for its title");
  });

  it("pngImg: a small picture enlarged by a whole factor to about 280 pixels across, a large one as it is", () => {
    const size = (w: number, h: number) => /width="(\d+)" height="(\d+)"/.exec(pngImg("p", encodePng(new Uint8Array(w * h), w, h)))?.slice(1);
    assert.deepEqual(size(145, 145), ["290", "290"]);
    assert.deepEqual(size(57, 28), ["285", "140"]);
    assert.deepEqual(size(300, 600), ["300", "600"]);
    assert.throws(() => pngImg("p", new Uint8Array([1, 2, 3])), /pngSize: not a PNG/);
  });

  it("base64 is RFC 4648's (Node's Buffer agrees) at every padding and past one chunk", () => {
    for (const n of [0, 1, 2, 3, 4, 5, 0x8000 + 7]) {
      const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 131 + 7) % 256);
      assert.equal(base64(bytes), Buffer.from(bytes).toString("base64"), `length ${n}`);
    }
    assert.equal(pngDataUrl(new Uint8Array([1, 2, 3])), "data:image/png;base64,AQID");
  });
});

describe("confusionMatrix", () => {
  it("counts true class by row, prediction by column", () => {
    assert.deepEqual(confusionMatrix([0, 1, 1, 2, 0], [0, 1, 2, 2, 1], 3), [
      [1, 0, 0],
      [1, 1, 0],
      [0, 1, 1],
    ]);
  });

  it("refuses mismatched lengths and classes out of range, naming the row", () => {
    assert.throws(() => confusionMatrix([0, 1], [0], 2), /2 predictions for 1 labels/);
    assert.throws(() => confusionMatrix([0, 3], [0, 1], 3), /row 1 has label 1 and prediction 3; both must be integers in \[0, 2\]/);
  });
});
