/**
 * A small line chart on a canvas (energy while a Hopfield net settles, accuracy while a net
 * trains): one or more series against their index, the y range fitted to the data, optional
 * vertical marker lines. Drawing only; the pages keep the numbers.
 */
export interface Series {
  values: ArrayLike<number>;
  color: string;
  label?: string;
}

export interface ChartOptions {
  /** x values of the points (default: the index 0, 1, 2, …). */
  x?: ArrayLike<number>;
  /** Fixed y range; default: the data's range. */
  yRange?: [number, number];
  /** Vertical lines at these x values, e.g. the Hebbian capacity 0.138. */
  markers?: { x: number; color: string; label?: string }[];
  title?: string;
}

const PAD = { left: 48, right: 8, top: 18, bottom: 18 };

export function drawLineChart(canvas: HTMLCanvasElement, series: Series[], options: ChartOptions = {}): void {
  const ctx = canvas.getContext("2d");
  if (ctx === null) return;
  const { width, height } = canvas;
  ctx.clearRect(0, 0, width, height);
  ctx.fillStyle = "#fff";
  ctx.fillRect(0, 0, width, height);
  const count = Math.max(0, ...series.map((s) => s.values.length));
  const xs = options.x ?? Float64Array.from({ length: count }, (_, i) => i);
  if (count === 0 || xs.length === 0) return;
  const [x0, x1] = extent(xs, xs.length);
  const [y0, y1] =
    options.yRange ??
    extent(
      series.flatMap((s) => Array.from(s.values)),
      Number.POSITIVE_INFINITY,
    );
  const px = (x: number) => PAD.left + ((x - x0) / (x1 - x0 || 1)) * (width - PAD.left - PAD.right);
  const py = (y: number) => height - PAD.bottom - ((y - y0) / (y1 - y0 || 1)) * (height - PAD.top - PAD.bottom);

  ctx.strokeStyle = "#c9cfdb";
  ctx.strokeRect(PAD.left, PAD.top, width - PAD.left - PAD.right, height - PAD.top - PAD.bottom);
  ctx.fillStyle = "#5b6475";
  ctx.font = "11px system-ui, sans-serif";
  ctx.textAlign = "right";
  ctx.fillText(formatTick(y1), PAD.left - 4, PAD.top + 8);
  ctx.fillText(formatTick(y0), PAD.left - 4, height - PAD.bottom);
  ctx.textAlign = "left";
  if (options.title !== undefined) ctx.fillText(options.title, PAD.left + 2, 12);
  ctx.textAlign = "center";
  ctx.fillText(formatTick(x0), PAD.left, height - 4);
  ctx.fillText(formatTick(x1), width - PAD.right - 10, height - 4);

  for (const m of options.markers ?? []) {
    ctx.strokeStyle = m.color;
    ctx.setLineDash([4, 3]);
    ctx.beginPath();
    ctx.moveTo(px(m.x), PAD.top);
    ctx.lineTo(px(m.x), height - PAD.bottom);
    ctx.stroke();
    ctx.setLineDash([]);
    if (m.label !== undefined) {
      ctx.fillStyle = m.color;
      ctx.fillText(m.label, px(m.x), height - PAD.bottom - 4);
    }
  }
  for (const s of series) {
    ctx.strokeStyle = s.color;
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    for (let i = 0; i < s.values.length; i++) {
      const [x, y] = [px(xs[i]), py(s.values[i])];
      if (i === 0) ctx.moveTo(x, y);
      else ctx.lineTo(x, y);
    }
    ctx.stroke();
  }
  ctx.lineWidth = 1;
}

function extent(values: ArrayLike<number>, limit: number): [number, number] {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < Math.min(values.length, limit); i++) {
    if (!Number.isFinite(values[i])) continue;
    lo = Math.min(lo, values[i]);
    hi = Math.max(hi, values[i]);
  }
  return lo <= hi ? [lo, hi] : [0, 1];
}

function formatTick(v: number): string {
  return Math.abs(v) >= 1e6 || (Math.abs(v) < 0.01 && v !== 0) ? v.toExponential(1) : String(Number(v.toPrecision(4)));
}
