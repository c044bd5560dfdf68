/**
 * Line plots as PNG pixels: the same layout as linePlotSvg (svg.ts) drawn into an RGB raster,
 * for places that show images but not SVG (a terminal image viewer, a report, a README). Lines are
 * drawn two pixels wide; text is a 3×5 pixel font (upper case, digits and a little punctuation;
 * lower case is drawn upper case, anything else as a gap), doubled in size.
 */
import type { GrayImage } from "./png.js";
import { type LinePlotLayout, type LinePlotOptions, legendBox, linePlotLayout } from "./svg.js";

/** 3×5 glyphs, row-major, "#" for ink. */
export const FONT_3X5: Readonly<Record<string, string>> = {
  "0": "#### ## ## ####",
  "1": " #  #  #  #  # ",
  "2": "###  #####  ###",
  "3": "###  ####  ####",
  "4": "# ## ####  #  #",
  "5": "####  ###  ####",
  "6": "####  #### ####",
  "7": "###  #  #  #  #",
  "8": "#### ##### ####",
  "9": "#### ####  ####",
  A: " # # ##### ## #",
  B: "## # ### # ### ",
  C: " ###  #  #   ##",
  D: "## # ## ## ### ",
  E: "####  ## #  ###",
  F: "####  ## #  #  ",
  G: " ###  # ## # ##",
  H: "# ## ##### ## #",
  I: "### #  #  # ###",
  J: "  #  #  ## # # ",
  K: "# ## ### # ## #",
  L: "#  #  #  #  ###",
  M: "# ######## ## #",
  N: "## # ## ## ## #",
  O: " # # ## ## # # ",
  P: "## # ### #  #  ",
  Q: " # # ## ###  ##",
  R: "## # ### # ## #",
  S: " ###   #   ### ",
  T: "### #  #  #  # ",
  U: "# ## ## ## ####",
  V: "# ## ## ## # # ",
  W: "# ## ######## #",
  X: "# ## # # # ## #",
  Y: "# ## # #  #  # ",
  Z: "###  # # #  ###",
  ".": "             # ",
  ",": "          # #  ",
  "-": "      ###      ",
  "+": "    # ### #    ",
  "=": "   ###   ###   ",
  "(": " # #  #  #   # ",
  ")": " #   #  #  # # ",
  ":": "    #     #    ",
  "/": "  #  # # #  #  ",
  "%": "# #  # # #  # #",
  _: "            ###",
  "'": " #  #          ",
  "<": "  # # #   #   #",
  ">": "#   #   # # #  ",
  "|": " #  #  #  #  # ",
  "·": "       #       ",
  "×": "   # # # # #   ",
  "−": "      ###      ",
  "‖": "# ## ## ## ## #",
  "≥": "#   #   ####   ",
  "≤": "  # # #  ###   ",
  "?": "###  # #     # ",
};

/** Pixels per font pixel, and the advance of one character. */
const SCALE = 2;
const ADVANCE = 4 * SCALE;
/** Room for the y tick labels between the rotated y label and the frame; longer labels are drawn at half size. */
const Y_TICK_ROOM = 46;
type Rgb = readonly [number, number, number];
const INK: Rgb = [0, 0, 0];
const GRID: Rgb = [229, 229, 229];
const FRAME: Rgb = [51, 51, 51];

export function linePlotImage(options: LinePlotOptions): GrayImage {
  const L = linePlotLayout(options, "linePlotImage");
  const canvas = new Canvas(L.width, L.height);
  const f = L.frame;
  for (const t of L.xTicks) {
    canvas.line(t.at, f.y, t.at, f.y + f.h, GRID, 1);
    canvas.text(t.label, t.at, f.y + f.h + 10, "middle");
  }
  // one size for all y tick labels: half size when the longest would not fit
  const scale = Math.max(...L.yTicks.map((t) => t.label.length)) * ADVANCE > Y_TICK_ROOM ? 1 : SCALE;
  for (const t of L.yTicks) {
    canvas.line(f.x, t.at, f.x + f.w, t.at, GRID, 1);
    canvas.text(t.label, f.x - 6, t.at - 2.5 * scale, "end", false, scale);
  }
  canvas.rect(f.x, f.y, f.w, f.h, FRAME);
  canvas.text(L.title, L.width / 2, f.y / 2 - 6, "middle");
  canvas.text(L.xLabel, f.x + f.w / 2, L.height - 20, "middle");
  canvas.text(L.yLabel, 10, f.y + f.h / 2, "middle", true);
  for (const line of L.lines) {
    const c = hexRgb(line.colour);
    for (const run of line.runs) {
      if (run.length === 1) canvas.fill(run[0][0] - 2, run[0][1] - 2, 5, 5, c);
      for (let i = 1; i < run.length; i++) canvas.line(run[i - 1][0], run[i - 1][1], run[i][0], run[i][1], c, 2);
    }
  }
  drawLegend(canvas, L);
  if (L.empty) canvas.text("no data", f.x + f.w / 2, f.y + f.h / 2 - 5, "middle");
  return canvas.image();
}

function drawLegend(canvas: Canvas, L: LinePlotLayout): void {
  if (L.lines.length === 0) return;
  const box = legendBox(L, ADVANCE);
  canvas.fill(box.x, box.y, box.w, box.h, [255, 255, 255]);
  canvas.rect(box.x, box.y, box.w, box.h, [204, 204, 204]);
  L.lines.forEach((s, k) => {
    canvas.line(box.x + 6, box.rows[k], box.x + 20, box.rows[k], hexRgb(s.colour), 3);
    canvas.text(s.name, box.x + 24, box.rows[k] - 5, "start");
  });
}

/** "#rrggbb" → [r, g, b]. */
export const hexRgb = (hex: string): [number, number, number] => [1, 3, 5].map((i) => Number.parseInt(hex.slice(i, i + 2), 16)) as [number, number, number];

/** An RGB raster, white to start, with the few strokes a plot needs. */
class Canvas {
  private readonly pixels: Uint8Array;

  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    this.pixels = new Uint8Array(width * height * 3).fill(255);
  }

  image(): GrayImage {
    return { pixels: this.pixels, width: this.width, height: this.height };
  }

  paint(x: number, y: number, c: Rgb): void {
    const i = Math.round(x);
    const j = Math.round(y);
    if (i < 0 || j < 0 || i >= this.width || j >= this.height) return;
    this.pixels.set(c, 3 * (j * this.width + i));
  }

  fill(x: number, y: number, w: number, h: number, c: Rgb): void {
    for (let j = 0; j < h; j++) for (let i = 0; i < w; i++) this.paint(x + i, y + j, c);
  }

  rect(x: number, y: number, w: number, h: number, c: Rgb): void {
    this.line(x, y, x + w, y, c, 1);
    this.line(x, y + h, x + w, y + h, c, 1);
    this.line(x, y, x, y + h, c, 1);
    this.line(x + w, y, x + w, y + h, c, 1);
  }

  /** A straight line `thickness` pixels wide, stepped one pixel at a time along its longer axis. */
  line(x0: number, y0: number, x1: number, y1: number, c: Rgb, thickness: number): void {
    const steps = Math.max(1, Math.ceil(Math.max(Math.abs(x1 - x0), Math.abs(y1 - y0))));
    for (let s = 0; s <= steps; s++) {
      const x = x0 + ((x1 - x0) * s) / steps;
      const y = y0 + ((y1 - y0) * s) / steps;
      for (let t = 0; t < thickness; t++) for (let u = 0; u < thickness; u++) this.paint(x + t - (thickness >> 1), y + u - (thickness >> 1), c);
    }
  }

  /** Text with its top at y (its middle at x for "middle"); `vertical` runs it bottom to top, centred on (x, y). */
  text(s: string, x: number, y: number, anchor: "start" | "middle" | "end", vertical = false, scale = SCALE): void {
    const advance = 4 * scale;
    const w = s.length * advance - scale;
    const start = anchor === "start" ? 0 : anchor === "middle" ? -w / 2 : -w;
    [...s].forEach((ch, k) => {
      const glyph = FONT_3X5[ch.toUpperCase()];
      if (glyph === undefined) return;
      for (let gy = 0; gy < 5; gy++)
        for (let gx = 0; gx < 3; gx++) {
          if (glyph[gy * 3 + gx] !== "#") continue;
          // offsets along the text (a) and down the glyph (b), in pixels
          const a = start + k * advance + gx * scale;
          const b = gy * scale;
          for (let d = 0; d < scale * scale; d++) {
            const da = a + (d % scale);
            const db = b + Math.floor(d / scale);
            if (vertical) this.paint(x + db - 5, y - da, INK);
            else this.paint(x + da, y + db, INK);
          }
        }
    });
  }
}
