/**
 * A training run's report as one self-contained HTML page: the run's settings, its results, the
 * per-epoch curves as inline SVG, its pictures as inline PNG (data: URLs), a confusion matrix
 * for classifiers, and the library version, seed and wall time. It loads nothing (its Content
 * Security Policy forbids every fetch but data: images) and runs no script, so it opens offline
 * from any folder or mail attachment. No DOM and no Node: it returns a string, which the CLI
 * writes (src/cli/report.ts) and a page could show.
 */
import { pngSize } from "./png.js";
import { escapeXml, type LinePlotOptions, linePlotSvg } from "./svg.js";

/** A picture of the run: a PNG file's bytes, or SVG text (a plot a command drew itself). */
export type ReportPicture = { caption: string; png: Uint8Array } | { caption: string; svg: string };

/** counts[t][p]: test examples of true class t predicted as p. */
export interface ConfusionMatrix {
  labels: string[];
  counts: number[][];
  /** Which classifier, where a run trains more than one ("the pretrained net"). */
  model?: string;
}

/** Text the run produced (samples of a character model, say), shown as it is. */
export interface ReportText {
  caption: string;
  text: string;
}

export interface TrainingReport {
  /** "layerwise train mlp". */
  title: string;
  /** The command line as typed (arguments joined by spaces). */
  commandLine: string;
  /** The library's version, e.g. "0.1.0". */
  version: string;
  seed?: number;
  /** Wall time of the whole run (data loading, training, testing, saving). */
  seconds: number;
  /** When the run started (ISO 8601). */
  started: string;
  /** Hyper-parameters: every option with its value; `defaults` names those not given on the command line. */
  settings: Record<string, string | number | boolean>;
  defaults?: readonly string[];
  /** The run's figures (test accuracy, reconstruction error, ...). */
  results: Record<string, string | number | boolean>;
  plots: LinePlotOptions[];
  pictures: ReportPicture[];
  confusion?: ConfusionMatrix;
  texts?: ReportText[];
}

/** The whole page. */
export function reportHtml(r: TrainingReport): string {
  const body = [
    headerSection(r),
    resultsSection(r.results),
    plotsSection(r.plots),
    confusionSection(r.confusion),
    picturesSection(r.pictures),
    textsSection(r.texts ?? []),
    settingsSection(r.settings, r.defaults ?? []),
  ].filter((s) => s !== "");
  return [
    "<!DOCTYPE html>",
    '<html lang="en">',
    "<head>",
    '<meta charset="utf-8">',
    // nothing leaves the page: inline styles, data: images, no script, no fetch
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeXml(r.title)}</title>`,
    `<style>${STYLE}</style>`,
    "</head>",
    "<body>",
    ...body,
    "</body>",
    "</html>",
    "",
  ].join("\n");
}

const STYLE = [
  "body{font-family:Helvetica,Arial,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}",
  "h1{font-size:1.6em;margin-bottom:.2em}h2{font-size:1.2em;margin-top:1.6em;border-bottom:1px solid #ddd}",
  "pre{background:#f6f6f6;padding:.6em;overflow-x:auto;white-space:pre-wrap}",
  "table{border-collapse:collapse;margin:.4em 0}td,th{border:1px solid #ddd;padding:.2em .6em;text-align:left}",
  "td.n{text-align:right;font-variant-numeric:tabular-nums}",
  ".plots svg{max-width:100%;height:auto;margin:.4em .4em .4em 0}",
  "figure{display:inline-block;margin:.4em 1em .8em 0;vertical-align:top}figcaption{font-size:.9em;color:#555}",
  "img{image-rendering:pixelated;max-width:100%;height:auto}",
  ".confusion td{text-align:right;min-width:2.4em}.confusion .diag{font-weight:bold}",
].join("");

/** Title, command line, version, seed, wall time. */
export function headerSection(r: TrainingReport): string {
  const facts = [`layerwise ${r.version}`, r.seed === undefined ? "" : `seed ${r.seed}`, `wall time ${r.seconds.toFixed(1)} s`, `started ${r.started}`].filter(
    (f) => f !== "",
  );
  return [
    `<h1>${escapeXml(r.title)}</h1>`,
    `<p class="facts">${facts.map(escapeXml).join(" · ")}</p>`,
    `<pre><code>${escapeXml(r.commandLine)}</code></pre>`,
  ].join("\n");
}

/** The figures the run ended with. */
export function resultsSection(results: TrainingReport["results"]): string {
  const rows = Object.entries(results);
  if (rows.length === 0) return "";
  return section("Results", keyValueTable(rows.map(([k, v]) => [k, v])));
}

/** Every option the command ran with; the defaults marked. */
export function settingsSection(settings: TrainingReport["settings"], defaults: readonly string[]): string {
  // as text, left-aligned like the command line they came from
  const rows = Object.entries(settings).map(([k, v]): [string, string] => [k, defaults.includes(k) ? `${v} (default)` : String(v)]);
  if (rows.length === 0) return "";
  return section("Settings", keyValueTable(rows));
}

/** The per-epoch curves, each an inline SVG. */
export function plotsSection(plots: readonly LinePlotOptions[]): string {
  if (plots.length === 0) return "";
  return section("Curves", `<div class="plots">\n${plots.map((p) => inlineSvg(linePlotSvg(p))).join("\n")}\n</div>`);
}

/** Rows are the true classes, columns the predicted ones; a cell's shade is its share of the row. */
export function confusionSection(confusion: ConfusionMatrix | undefined): string {
  if (confusion === undefined) return "";
  const { labels, counts } = confusion;
  if (counts.length !== labels.length || counts.some((row) => row.length !== labels.length)) {
    throw new RangeError(`reportHtml: the confusion matrix must be ${labels.length} x ${labels.length} (one row and column per label)`);
  }
  const head = `<tr><th>true \\ predicted</th>${labels.map((l) => `<th>${escapeXml(l)}</th>`).join("")}<th>accuracy</th></tr>`;
  let right = 0;
  let total = 0;
  const rows = counts.map((row, t) => {
    const n = row.reduce((a, b) => a + b, 0);
    right += row[t];
    total += n;
    const cells = row.map((c, p) => {
      // white for none of the row, full blue for all of it
      const share = n > 0 ? c / n : 0;
      const shade = `rgba(78,121,167,${(0.85 * share).toFixed(3)})`;
      return `<td${p === t ? ' class="diag"' : ""} style="background:${shade}">${c}</td>`;
    });
    return `<tr><th>${escapeXml(labels[t])}</th>${cells.join("")}<td>${n > 0 ? percent(row[t] / n) : "–"}</td></tr>`;
  });
  const of = confusion.model === undefined ? "" : `${escapeXml(confusion.model)}: `;
  const caption = `<p>${of}${total} test examples, ${percent(total > 0 ? right / total : 0)} on the diagonal.</p>`;
  return section("Confusion matrix", `${caption}\n<table class="confusion">\n${head}\n${rows.join("\n")}\n</table>`);
}

/** The run's pictures: PNGs as data: URLs, SVGs inline. */
export function picturesSection(pictures: readonly ReportPicture[]): string {
  if (pictures.length === 0) return "";
  const figures = pictures.map((p) => {
    const caption = `<figcaption>${escapeXml(p.caption)}</figcaption>`;
    const content = "png" in p ? pngImg(p.caption, p.png) : inlineSvg(p.svg);
    return `<figure>\n${content}\n${caption}\n</figure>`;
  });
  return section("Pictures", figures.join("\n"));
}

/** Text the run produced, each under its caption. */
export function textsSection(texts: readonly ReportText[]): string {
  if (texts.length === 0) return "";
  return section("Text", texts.map((t) => `<h3>${escapeXml(t.caption)}</h3>\n<pre>${escapeXml(t.text)}</pre>`).join("\n"));
}

/** Pictures are drawn at least this many CSS pixels across (their longer side), when a whole multiple of their size allows. */
const PICTURE_PX = 280;

/**
 * A PNG as an <img>, enlarged by a whole factor when small: a 5 × 5 grid of 28-pixel filters
 * (145 pixels) shows twice its size, each pixel a crisp square (image-rendering: pixelated).
 */
export function pngImg(caption: string, png: Uint8Array): string {
  const { width, height } = pngSize(png);
  const scale = Math.max(1, Math.min(8, Math.round(PICTURE_PX / Math.max(width, height))));
  return `<img alt="${escapeXml(caption)}" src="${pngDataUrl(png)}" width="${scale * width}" height="${scale * height}">`;
}

/** "data:image/png;base64,…" */
export function pngDataUrl(png: Uint8Array): string {
  return `data:image/png;base64,${base64(png)}`;
}

/** Standard base64 (RFC 4648, padded). */
export function base64(bytes: Uint8Array): string {
  let binary = "";
  // in chunks: fromCharCode takes its codes as arguments, and a call has only so many
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

/**
 * An SVG document as an element of the page: without an XML declaration, and without the
 * namespace attribute, which HTML gives every <svg> anyway (so the page names no URL at all).
 */
export function inlineSvg(svg: string): string {
  return svg
    .replace(/^\s*<\?xml[^>]*\?>\s*/, "")
    .replace(/\s+xmlns="http:\/\/www\.w3\.org\/2000\/svg"/, "")
    .trim();
}

/**
 * The curves of per-epoch logs: one plot per figure, its validation twin (val_loss beside loss)
 * on the same axes. `epochs` are 1-based; `keys` picks figures (default: all).
 */
export function epochPlots(title: string, epochs: readonly number[], logs: Record<string, readonly number[]>, keys?: readonly string[]): LinePlotOptions[] {
  const names = Object.keys(logs).filter((k) => !k.startsWith("val_") && (keys === undefined || keys.includes(k)));
  // a validation figure without its training twin still gets its plot
  for (const k of Object.keys(logs)) if (k.startsWith("val_") && !(k.slice(4) in logs) && (keys === undefined || keys.includes(k))) names.push(k);
  return names.map((name) => {
    const twin = logs[`val_${name}`];
    const series = [{ name: twin === undefined ? name : "training", x: [...epochs], y: [...logs[name]] }];
    if (twin !== undefined) series.push({ name: "validation", x: [...epochs], y: [...twin] });
    return { title, xLabel: "epoch", yLabel: name, series, width: plotWidth(title), height: 340, integerX: true };
  });
}

/**
 * Two plots side by side in the page's width, unless the title (15-pixel type, about 8 pixels a
 * character, centred, never wrapped) needs more: then one wide enough to show all of it.
 */
function plotWidth(title: string): number {
  return Math.max(520, 8 * [...title].length + 24);
}

function section(heading: string, content: string): string {
  return `<section>\n<h2>${escapeXml(heading)}</h2>\n${content}\n</section>`;
}

function keyValueTable(rows: [string, string | number | boolean][]): string {
  const tr = rows.map(([k, v]) => `<tr><th>${escapeXml(k)}</th><td${typeof v === "number" ? ' class="n"' : ""}>${escapeXml(formatValue(v))}</td></tr>`);
  return `<table>\n${tr.join("\n")}\n</table>`;
}

/** Numbers to 6 significant digits (a loss of 0.123456789 reads 0.123457), integers whole. */
function formatValue(v: string | number | boolean): string {
  if (typeof v !== "number" || Number.isInteger(v)) return String(v);
  return Number(v.toPrecision(6)).toString();
}

function percent(share: number): string {
  return `${(100 * share).toFixed(2)} %`;
}
