/**
 * Pattern sets for associative-memory experiments: the text bitmap format of
 * `layerwise hopfield --patterns FILE`, and a few binarised MNIST digits.
 *
 * Text format: patterns are blocks of equal-length lines separated by blank lines; `#`, `X`,
 * `x`, `1`, `*` or `+` is an "on" pixel (+1), `.`, `-`, `0`, `o` or a space an "off" pixel (−1).
 * Lines starting with `;` are comments. Every block must have the same height and width.
 *
 *   ; two 5x3 letters
 *   ###
 *   #.#
 *   ###
 *   #.#
 *   #.#
 *
 *   ##.
 *   #.#
 *   ##.
 *   #.#
 *   ##.
 */
import { ShapeError } from "../../tensor/shape.js";
import { fromArray, type Tensor, zeros } from "../../tensor/tensor.js";

export interface PatternSet {
  /** Bipolar patterns, one a row: [P, height · width]. */
  patterns: Tensor;
  height: number;
  width: number;
  /** A name per pattern (MNIST: the digit). */
  names: string[];
}

const ON = new Set(["#", "X", "x", "1", "*", "+"]);
const OFF = new Set([".", "-", "0", "o", " "]);

/** Parses the text bitmap format; errors name the line. */
export function parsePatternText(text: string): PatternSet {
  const blocks: string[][] = [];
  let current: string[] = [];
  const lines = text.split(/\r?\n/);
  const lineOf = new Map<string[], number>();
  lines.forEach((raw, k) => {
    if (raw.startsWith(";")) return;
    const line = raw.replace(/\s+$/, "");
    if (line === "") {
      if (current.length > 0) blocks.push(current);
      current = [];
      return;
    }
    if (current.length === 0) lineOf.set(current, k + 1);
    current.push(line);
  });
  if (current.length > 0) blocks.push(current);
  if (blocks.length === 0) throw new RangeError("patterns: no patterns found (blocks of lines of # and . separated by blank lines)");
  const height = blocks[0].length;
  const width = Math.max(...blocks[0].map((l) => l.length));
  const values: number[] = [];
  for (const [b, block] of blocks.entries()) {
    const first = lineOf.get(block) ?? 0;
    if (block.length !== height) throw new ShapeError(`patterns: pattern ${b + 1} (line ${first}) has ${block.length} lines, the first has ${height}`);
    for (const [r, line] of block.entries()) {
      // lines shorter than the width are padded with "off": trailing spaces are easy to lose
      const padded = line.padEnd(width, ".");
      if (padded.length !== width) throw new ShapeError(`patterns: line ${first + r} is ${line.length} characters wide, the first pattern is ${width}`);
      for (const ch of padded) {
        if (ON.has(ch)) values.push(1);
        else if (OFF.has(ch)) values.push(-1);
        else throw new RangeError(`patterns: line ${first + r} has "${ch}"; use # (on) and . (off)`);
      }
    }
  }
  return { patterns: fromArray(values, [blocks.length, height * width]), height, width, names: blocks.map((_, b) => `pattern ${b + 1}`) };
}

/**
 * The first image of each of the digits 0..count−1, thresholded at 0.5 to ±1: the classic
 * "store a handful of digits" demonstration. `images` [n, side²] in [0, 1], `labels` their classes.
 */
export function digitPatterns(images: Tensor, labels: ArrayLike<number>, count: number, side = 28): PatternSet {
  if (!Number.isInteger(count) || count < 1 || count > 10) throw new RangeError(`digitPatterns: count must be an integer in [1, 10], got ${count}`);
  const n = side * side;
  const out = zeros([count, n]);
  const names: string[] = [];
  for (let digit = 0; digit < count; digit++) {
    let r = 0;
    while (r < labels.length && labels[r] !== digit) r++;
    if (r === labels.length) throw new RangeError(`digitPatterns: no image of digit ${digit}`);
    for (let i = 0; i < n; i++) out.data[digit * n + i] = images.data[r * n + i] > 0.5 ? 1 : -1;
    names.push(`digit ${digit}`);
  }
  return { patterns: out, height: side, width: side, names };
}
