/**
 * Line plots as standalone SVG text (training curves, energy traces, log-likelihood against
 * epochs): no DOM and no dependencies, so Node writes them to files and the browser lab can
 * put the same string into a page.
 */

export interface LineSeries {
  name: string;
  x: number[];
  y: number[];
}

export interface LinePlotOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  series: LineSeries[];
  /** Pixels; default 640 x 400. */
  width?: number;
  height?: number;
  /** "log" plots log10(y) (positive y only), for losses that fall by orders of magnitude. Default "linear". */
  yScale?: "linear" | "log";
  /** x counts something whole (epochs): ticks only at whole numbers, never "1.5". Default false. */
  integerX?: boolean;
}

/** Tableau 10: distinguishable, colour-blind-friendlier than pure primaries (lines, and classes in scatter plots). */
export const COLOURS = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"];
const MARGIN = { left: 72, right: 24, top: 40, bottom: 52 };

/** A point of a line in pixels; a run is a stretch of drawable points (NaN, or y <= 0 on a log axis, breaks the line). */
export type PlotRun = [number, number][];

/**
 * Everything a line plot draws, placed in pixels: the one layout behind linePlotSvg and the
 * raster linePlotImage (plot-image.ts), so the two pictures agree.
 */
export interface LinePlotLayout {
  width: number;
  height: number;
  /** The plot area: left, top, width, height. */
  frame: { x: number; y: number; w: number; h: number };
  title: string;
  xLabel: string;
  /** With " (log scale)" appended on a log axis. */
  yLabel: string;
  xTicks: { at: number; label: string }[];
  yTicks: { at: number; label: string }[];
  lines: { name: string; colour: string; runs: PlotRun[] }[];
  /** No drawable point at all. */
  empty: boolean;
}

export function linePlotLayout(options: LinePlotOptions, where = "linePlotSvg"): LinePlotLayout {
  const width = options.width ?? 640;
  const height = options.height ?? 400;
  const logY = (options.yScale ?? "linear") === "log";
  if (!(Number.isFinite(width) && width >= 160 && Number.isFinite(height) && height >= 120)) {
    throw new RangeError(`${where}: width and height must be at least 160 x 120 pixels, got ${width} x ${height}`);
  }
  if (options.yScale !== undefined && options.yScale !== "linear" && options.yScale !== "log") {
    throw new RangeError(`${where}: yScale must be "linear" or "log", got ${JSON.stringify(options.yScale)}`);
  }
  for (const s of options.series) {
    if (s.x.length !== s.y.length) throw new RangeError(`${where}: series "${s.name}" has ${s.x.length} x values but ${s.y.length} y values`);
  }
  // points that cannot be drawn (NaN, Infinity, y <= 0 on a log axis) break the line instead
  const toY = (y: number): number => (logY ? (y > 0 ? Math.log10(y) : Number.NaN) : y);
  const series = options.series.map((s) => ({ name: s.name, x: s.x, y: s.y.map(toY) }));

  const xs = series.flatMap((s) => s.x.filter((_, i) => Number.isFinite(s.x[i]) && Number.isFinite(s.y[i])));
  const ys = series.flatMap((s) => s.y.filter((_, i) => Number.isFinite(s.x[i]) && Number.isFinite(s.y[i])));
  const [x0, x1] = paddedRange(xs);
  // 5% headroom above and below so lines do not run along the frame
  const [yLo, yHi] = paddedRange(ys);
  const y0 = yLo - 0.05 * (yHi - yLo);
  const y1 = yHi + 0.05 * (yHi - yLo);
  const plotW = width - MARGIN.left - MARGIN.right;
  const plotH = height - MARGIN.top - MARGIN.bottom;
  const px = (x: number): number => MARGIN.left + ((x - x0) / (x1 - x0)) * plotW;
  const py = (y: number): number => MARGIN.top + plotH - ((y - y0) / (y1 - y0)) * plotH;

  const xNice = niceTicks(x0, x1, Math.max(2, Math.floor(plotW / 90)));
  const xTicks = options.integerX ? xNice.filter(Number.isInteger) : xNice;
  const yTicks = logY ? decadeTicks(y0, y1, Math.max(2, Math.floor(plotH / 24))) : niceTicks(y0, y1, Math.max(2, Math.floor(plotH / 60)));
  const lines = series.map((s, k) => {
    const runs: PlotRun[] = [];
    let run: PlotRun = [];
    for (let i = 0; i <= s.x.length; i++) {
      if (i < s.x.length && Number.isFinite(s.x[i]) && Number.isFinite(s.y[i])) run.push([px(s.x[i]), py(s.y[i])]);
      else if (run.length > 0) {
        runs.push(run);
        run = [];
      }
    }
    return { name: s.name, colour: COLOURS[k % COLOURS.length], runs };
  });
  return {
    width,
    height,
    frame: { x: MARGIN.left, y: MARGIN.top, w: plotW, h: plotH },
    title: options.title,
    xLabel: options.xLabel,
    yLabel: `${options.yLabel}${logY ? " (log scale)" : ""}`,
    xTicks: xTicks.map((t) => ({ at: px(t), label: tickLabel(t, xTicks) })),
    yTicks: yTicks.map((t) => ({ at: py(t), label: logY ? significant(10 ** t) : tickLabel(t, yTicks) })),
    lines,
    empty: xs.length === 0,
  };
}

/** The legend box, top right inside the plot: its rectangle and the baseline y of each row. */
export function legendBox(layout: LinePlotLayout, charWidth = 7, rowH = 16): { x: number; y: number; w: number; h: number; rows: number[] } {
  const { frame, lines } = layout;
  const w = Math.min(frame.w - 8, 24 + charWidth * Math.max(...lines.map((s) => s.name.length)));
  const x = frame.x + frame.w - w - 6;
  const y = frame.y + 6;
  return { x, y, w, h: lines.length * rowH + 6, rows: lines.map((_, k) => y + 3 + k * rowH + rowH / 2) };
}

export function linePlotSvg(options: LinePlotOptions): string {
  const L = linePlotLayout(options);
  const { width, height, frame: f } = L;
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="12">`,
  );
  out.push(`<rect width="${width}" height="${height}" fill="white"/>`);
  out.push(`<text x="${width / 2}" y="${f.y / 2 + 6}" text-anchor="middle" font-size="15">${escapeXml(L.title)}</text>`);

  // grid and tick labels
  for (const t of L.xTicks) {
    const x = fmt(t.at);
    out.push(`<line x1="${x}" y1="${f.y}" x2="${x}" y2="${f.y + f.h}" stroke="#e5e5e5"/>`);
    out.push(`<text x="${x}" y="${f.y + f.h + 16}" text-anchor="middle">${t.label}</text>`);
  }
  for (const t of L.yTicks) {
    const y = fmt(t.at);
    out.push(`<line x1="${f.x}" y1="${y}" x2="${f.x + f.w}" y2="${y}" stroke="#e5e5e5"/>`);
    out.push(`<text x="${f.x - 6}" y="${y}" text-anchor="end" dominant-baseline="middle">${t.label}</text>`);
  }
  out.push(`<rect x="${f.x}" y="${f.y}" width="${f.w}" height="${f.h}" fill="none" stroke="#333"/>`);
  out.push(`<text x="${f.x + f.w / 2}" y="${height - 12}" text-anchor="middle">${escapeXml(L.xLabel)}</text>`);
  out.push(`<text x="16" y="${f.y + f.h / 2}" text-anchor="middle" transform="rotate(-90 16 ${f.y + f.h / 2})">${escapeXml(L.yLabel)}</text>`);

  // lines (a single point gets a dot, since a one-point path draws nothing)
  for (const line of L.lines) {
    const d = line.runs.map((run) => run.map(([x, y], i) => `${i === 0 ? "M" : "L"}${fmt(x)},${fmt(y)}`).join("")).join("");
    if (d) out.push(`<path d="${d}" fill="none" stroke="${line.colour}" stroke-width="1.8" stroke-linejoin="round"/>`);
    for (const run of line.runs) if (run.length === 1) out.push(`<circle cx="${fmt(run[0][0])}" cy="${fmt(run[0][1])}" r="2.5" fill="${line.colour}"/>`);
  }

  if (L.lines.length > 0) {
    const box = legendBox(L);
    out.push(`<rect x="${box.x}" y="${box.y}" width="${box.w}" height="${box.h}" fill="white" fill-opacity="0.85" stroke="#ccc"/>`);
    L.lines.forEach((s, k) => {
      const y = box.rows[k];
      out.push(`<line x1="${box.x + 6}" y1="${y}" x2="${box.x + 20}" y2="${y}" stroke="${s.colour}" stroke-width="2.5"/>`);
      out.push(`<text x="${box.x + 24}" y="${y}" dominant-baseline="middle">${escapeXml(s.name)}</text>`);
    });
  }
  if (L.empty) out.push(`<text x="${f.x + f.w / 2}" y="${f.y + f.h / 2}" text-anchor="middle" fill="#888">no data</text>`);
  out.push("</svg>");
  return `${out.join("\n")}\n`;
}

/** [min, max] of the values, widened when empty or flat so the axis has a length. */
function paddedRange(values: number[]): [number, number] {
  if (values.length === 0) return [0, 1];
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (hi === lo) {
    const d = Math.abs(lo) * 0.1 || 1;
    return [lo - d, hi + d];
  }
  return [lo, hi];
}

/** Round tick positions (1, 2 or 5 times a power of ten apart) inside [lo, hi]. */
export function niceTicks(lo: number, hi: number, target: number): number[] {
  const raw = (hi - lo) / target;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const ticks: number[] = [];
  // integer multiples of step (no accumulated rounding), trimmed to 12 significant digits
  const first = Math.ceil(lo / step - 1e-9);
  const last = Math.floor(hi / step + 1e-9);
  for (let k = first; k <= last; k++) ticks.push(k === 0 ? 0 : Number((k * step).toPrecision(12)));
  return ticks;
}

/**
 * Integer powers of ten (as exponents) within a log10 range, every one, or every 2nd, 5th, 10th …
 * when more than `most` would crowd the axis; at least the two ends when the range is under a decade.
 */
function decadeTicks(lo: number, hi: number, most: number): number[] {
  const decades = Math.floor(hi) - Math.ceil(lo) + 1;
  if (decades < 2) return niceTicks(lo, hi, 4);
  const step = decades <= most ? 1 : Math.max(1, niceTicks(0, decades, most)[1]);
  const ticks: number[] = [];
  for (let e = Math.ceil(lo / step) * step; e <= Math.floor(hi); e += step) ticks.push(e);
  return ticks;
}

/** A tick label with just enough digits to tell neighbouring ticks apart. */
function tickLabel(t: number, ticks: number[]): string {
  const step = ticks.length > 1 ? Math.abs(ticks[1] - ticks[0]) : Math.abs(t) || 1;
  const a = Math.abs(t);
  if (a !== 0 && (a >= 1e6 || a < 1e-4)) return t.toExponential(Math.max(0, Math.min(6, Math.ceil(-Math.log10(step / a)))));
  return t.toFixed(Math.max(0, Math.min(10, -Math.floor(Math.log10(step)))));
}

/** Three significant digits, for the values of a log axis. */
function significant(v: number): string {
  return v >= 1e6 || v < 1e-4 ? v.toExponential(2) : Number(v.toPrecision(3)).toString();
}

function fmt(v: number): string {
  return (Math.round(v * 100) / 100).toString();
}

export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" })[c] ?? c);
}
