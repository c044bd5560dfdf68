/**
 * Convolution geometry and the im2col / col2im ops (NHWC everywhere).
 *
 * A convolutional layer looks at the image through small windows (local receptive fields)
 * and applies the same filter to every window (weight sharing). Writing every window as one
 * row of a matrix (im2col) makes "the same filter on every window" a single matrix product
 * cols @ kernel, which is where the speed comes from; col2im sends gradients back to pixels.
 */

import type { ConvGeometry } from "../backend/index.js";
import { backend } from "../backend/index.js";
import { formatShape, ShapeError } from "../tensor/shape.js";
import type { Tensor } from "../tensor/tensor.js";
import { outputFor } from "./util.js";

export type { ConvGeometry } from "../backend/index.js";

/** Padding: P zeros on each side, "valid" (P = 0) or "same" (output = ⌈W / S⌉, zeros split before/after). */
export type Padding = number | "valid" | "same";

/** The output length along one axis and the zeros added before and after. */
export interface AxisGeometry {
  out: number;
  padBefore: number;
  padAfter: number;
}

/**
 * Output size along one axis: (W − F + 2P)/S + 1 for numeric or "valid" padding, which must
 * come out a whole number ≥ 1 (the lecture's rule: the filter has to tile the padded input
 * exactly), or ⌈W/S⌉ for "same". `what` names the layer and axis in errors.
 */
export function axisGeometry(what: string, W: number, F: number, S: number, padding: Padding): AxisGeometry {
  if (!Number.isInteger(F) || F < 1) throw new RangeError(`${what}: kernel size F must be an integer >= 1, got ${F}`);
  if (!Number.isInteger(S) || S < 1) throw new RangeError(`${what}: stride S must be an integer >= 1, got ${S}`);
  if (padding === "same") {
    const out = Math.ceil(W / S);
    const total = Math.max((out - 1) * S + F - W, 0);
    return { out, padBefore: total >> 1, padAfter: total - (total >> 1) };
  }
  const P = padding === "valid" ? 0 : padding;
  if (typeof P !== "number" || !Number.isInteger(P) || P < 0) {
    throw new RangeError(`${what}: padding must be an integer >= 0, "valid" or "same", got ${String(padding)}`);
  }
  const span = W - F + 2 * P;
  const formula = `(W − F + 2P)/S + 1 = (${W} − ${F} + 2·${P})/${S} + 1`;
  if (span < 0) {
    throw new ShapeError(`${what}: the ${F}-wide window does not fit the input of width ${W} with padding ${P}: ${formula} = ${span / S + 1} < 1`);
  }
  if (span % S !== 0) {
    throw new ShapeError(
      `${what}: stride ${S} does not tile the input: ${formula} = ${span / S + 1} is not a whole number; change S or P, or use padding "same"`,
    );
  }
  return { out: span / S + 1, padBefore: P, padAfter: P };
}

/** A square or rectangular size option: 5 or [5, 3]. */
export type Size2 = number | readonly [number, number];

export function pair(what: string, v: Size2): [number, number] {
  const p: [number, number] = typeof v === "number" ? [v, v] : [v[0], v[1]];
  if (!p.every((x) => Number.isInteger(x) && x >= 1)) throw new RangeError(`${what} must be an integer >= 1 or a pair of them, got ${JSON.stringify(v)}`);
  return p;
}

/** Geometry of a kH×kW window with the given strides and padding over [inH, inW, channels] inputs. */
export function windowGeometry(
  what: string,
  input: readonly [number, number, number],
  kernel: readonly [number, number],
  strides: readonly [number, number],
  padding: Padding | readonly [Padding, Padding],
): ConvGeometry {
  const [inH, inW, channels] = input;
  const [padH, padW] = Array.isArray(padding) ? (padding as readonly [Padding, Padding]) : [padding as Padding, padding as Padding];
  const h = axisGeometry(`${what} (height)`, inH, kernel[0], strides[0], padH);
  const w = axisGeometry(`${what} (width)`, inW, kernel[1], strides[1], padW);
  return {
    batch: 1,
    inH,
    inW,
    channels,
    kH: kernel[0],
    kW: kernel[1],
    strideH: strides[0],
    strideW: strides[1],
    padTop: h.padBefore,
    padLeft: w.padBefore,
    outH: h.out,
    outW: w.out,
  };
}

function checkInput(op: string, x: Tensor, g: ConvGeometry): void {
  if (x.size !== g.batch * g.inH * g.inW * g.channels) {
    throw new ShapeError(`${op}: input ${formatShape(x.shape)} is not a batch of ${g.batch} images of ${formatShape([g.inH, g.inW, g.channels])} (NHWC)`);
  }
}

/** Receptive fields of x (NHWC) as rows: [batch·outH·outW, kH·kW·channels]. */
export function im2col(x: Tensor, g: ConvGeometry, out?: Tensor): Tensor {
  checkInput("im2col", x, g);
  const cols = outputFor("im2col", [g.batch * g.outH * g.outW, g.kH * g.kW * g.channels], out);
  backend().im2col(x.data, g, cols.data);
  return cols;
}

/** Adjoint of im2col: sums each row back onto its receptive field; [batch, inH, inW, channels]. */
export function col2im(cols: Tensor, g: ConvGeometry, out?: Tensor): Tensor {
  const rows = g.batch * g.outH * g.outW;
  const rowLen = g.kH * g.kW * g.channels;
  if (cols.size !== rows * rowLen) {
    throw new ShapeError(`col2im: cols ${formatShape(cols.shape)} does not hold ${rows} receptive fields of ${rowLen} values`);
  }
  const dx = outputFor("col2im", [g.batch, g.inH, g.inW, g.channels], out);
  backend().col2im(cols.data, g, dx.data);
  return dx;
}
