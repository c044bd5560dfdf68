/**
 * Max and average pooling over NHWC batches, forward and backward: the reference loops every
 * other backend is tested against. Each output summarises one window of one channel, clipped
 * to the image (windows hanging over "same" padding only see real pixels).
 */
import type { ConvGeometry } from "../backend.js";

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

/** y = the largest value in each window; argmax[i] = the flat input index of output i's winner (first on ties, -1 for an empty window). */
export function maxPoolJs(x: Float32Array, g: ConvGeometry, y: Float32Array, argmax: Int32Array): void {
  const C = g.channels;
  forEachWindow(g, (o, image, h0, h1, w0, w1) => {
    for (let c = 0; c < C; c++) {
      y[o + c] = Number.NEGATIVE_INFINITY;
      argmax[o + c] = -1;
    }
    for (let h = h0; h < h1; h++) {
      for (let w = w0; w < w1; w++) {
        const p = image + (h * g.inW + w) * C;
        for (let c = 0; c < C; c++) {
          if (x[p + c] > y[o + c]) {
            y[o + c] = x[p + c];
            argmax[o + c] = p + c;
          }
        }
      }
    }
  });
}

/** dx (all of it overwritten) = dy routed to each window's winner. */
export function maxPoolGradJs(dy: Float32Array, argmax: Int32Array, dx: Float32Array): void {
  dx.fill(0);
  for (let i = 0; i < dy.length; i++) {
    const j = argmax[i];
    if (j >= 0) dx[j] += dy[i];
  }
}

/** y = the mean of each window (over the pixels it covers on the image). */
export function avgPoolJs(x: Float32Array, g: ConvGeometry, y: Float32Array): void {
  const C = g.channels;
  forEachWindow(g, (o, image, h0, h1, w0, w1) => {
    for (let c = 0; c < C; c++) y[o + c] = 0;
    for (let h = h0; h < h1; h++) {
      for (let w = w0; w < w1; w++) {
        const p = image + (h * g.inW + w) * C;
        for (let c = 0; c < C; c++) y[o + c] += x[p + c];
      }
    }
    const inv = 1 / Math.max((h1 - h0) * (w1 - w0), 1);
    for (let c = 0; c < C; c++) y[o + c] *= inv;
  });
}

/** dx (the batch·inH·inW·channels values overwritten) = each window's dy shared equally among the pixels it averaged. */
export function avgPoolGradJs(dy: Float32Array, g: ConvGeometry, dx: Float32Array): void {
  const C = g.channels;
  dx.fill(0, 0, g.batch * g.inH * g.inW * C);
  forEachWindow(g, (o, image, h0, h1, w0, w1) => {
    const inv = 1 / Math.max((h1 - h0) * (w1 - w0), 1);
    for (let h = h0; h < h1; h++) {
      for (let w = w0; w < w1; w++) {
        const p = image + (h * g.inW + w) * C;
        for (let c = 0; c < C; c++) dx[p + c] += dy[o + c] * inv;
      }
    }
  });
}
