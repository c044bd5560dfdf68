/**
 * Max and average pooling over NHWC batches, forward and backward. Pooling has no weights:
 * each output summarises one window of one channel (its largest value, or its mean), which
 * shrinks the feature map and makes it tolerant to small shifts. Global pooling is the
 * window that covers the whole map. Windows hanging over "same" padding only see real pixels.
 */
import { ShapeError, formatShape } from "../tensor/shape.js";
import type { Tensor } from "../tensor/tensor.js";
import type { ConvGeometry } from "./conv.js";
import { outputFor } from "./util.js";

function checkPoolInput(op: string, x: Tensor, g: ConvGeometry): void {
  if (x.size !== g.batch * g.inH * g.inW * g.channels) {
    throw new ShapeError(`${op}: input ${formatShape(x.shape)} is not a batch of ${g.batch} maps of ${formatShape([g.inH, g.inW, g.channels])} (NHWC)`);
  }
}

const outShape = (g: ConvGeometry): number[] => [g.batch, g.outH, g.outW, g.channels];

/**
 * y = the largest value in each window; `argmax[i]` receives the flat input index of the
 * winner of output i (first one on ties), which is all the backward pass needs.
 */
export function maxPool(x: Tensor, g: ConvGeometry, argmax: Int32Array, out?: Tensor): Tensor {
  checkPoolInput("maxPool", x, g);
  const y = outputFor("maxPool", outShape(g), out);
  if (argmax.length < y.size) throw new RangeError(`maxPool: argmax holds ${argmax.length} indices, ${y.size} needed`);
  const C = g.channels;
  const xs = x.data;
  const ys = y.data;
  forEachWindow(g, (o, image, h0, h1, w0, w1) => {
    for (let c = 0; c < C; c++) {
      ys[o + c] = Number.NEGATIVE_INFINITY;
      argmax[o + c] = -1;
    }
    for (let h = h0; h < h1; h++) {
      for (let w = w0; w < w1; w++) {
        const p = image + (h * g.inW + w) * C;
        for (let c = 0; c < C; c++) {
          if (xs[p + c] > ys[o + c]) {
            ys[o + c] = xs[p + c];
            argmax[o + c] = p + c;
          }
        }
      }
    }
  });
  return y;
}

/** dx (overwritten, shaped like the pooled input) = dy routed to each window's winner. */
export function maxPoolGrad(dy: Tensor, argmax: Int32Array, dx: Tensor): Tensor {
  const d = dx.data;
  d.fill(0);
  for (let i = 0; i < dy.size; i++) {
    const j = argmax[i];
    if (j >= 0) d[j] += dy.data[i];
  }
  return dx;
}

/** Calls visit(o, image offset, h0, h1, w0, w1) for each output position's window, clipped to the image. */
function forEachWindow(g: ConvGeometry, visit: (o: number, image: number, h0: number, h1: number, w0: number, w1: number) => void): void {
  const { batch, inH, inW, channels: C, kH, kW, strideH, strideW, padTop, padLeft, outH, outW } = g;
  let o = 0;
  for (let n = 0; n < batch; n++) {
    const image = n * inH * inW * C;
    for (let oh = 0; oh < outH; oh++) {
      const h0 = Math.max(oh * strideH - padTop, 0);
      const h1 = Math.min(oh * strideH - padTop + kH, inH);
      for (let ow = 0; ow < outW; ow++, o += C) {
        const w0 = Math.max(ow * strideW - padLeft, 0);
        const w1 = Math.min(ow * strideW - padLeft + kW, inW);
        visit(o, image, h0, h1, w0, w1);
      }
    }
  }
}

/** y = the mean of each window (over the pixels it covers on the image). */
export function avgPool(x: Tensor, g: ConvGeometry, out?: Tensor): Tensor {
  checkPoolInput("avgPool", x, g);
  const y = outputFor("avgPool", outShape(g), out);
  const C = g.channels;
  const xs = x.data;
  const ys = y.data;
  forEachWindow(g, (o, image, h0, h1, w0, w1) => {
    for (let c = 0; c < C; c++) ys[o + c] = 0;
    for (let h = h0; h < h1; h++) {
      for (let w = w0; w < w1; w++) {
        const p = image + (h * g.inW + w) * C;
        for (let c = 0; c < C; c++) ys[o + c] += xs[p + c];
      }
    }
    const inv = 1 / Math.max((h1 - h0) * (w1 - w0), 1);
    for (let c = 0; c < C; c++) ys[o + c] *= inv;
  });
  return y;
}

/** dx (overwritten) = each window's dy shared equally among the pixels it averaged. */
export function avgPoolGrad(dy: Tensor, g: ConvGeometry, dx: Tensor): Tensor {
  checkPoolInput("avgPoolGrad", dx, g);
  const C = g.channels;
  const d = dx.data;
  const dys = dy.data;
  d.fill(0);
  forEachWindow(g, (o, image, h0, h1, w0, w1) => {
    const inv = 1 / Math.max((h1 - h0) * (w1 - w0), 1);
    for (let h = h0; h < h1; h++) {
      for (let w = w0; w < w1; w++) {
        const p = image + (h * g.inW + w) * C;
        for (let c = 0; c < C; c++) d[p + c] += dys[o + c] * inv;
      }
    }
  });
  return dx;
}
