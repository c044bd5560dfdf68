/**
 * im2col / col2im over NHWC batches: the data movement that turns a convolution into one GEMM.
 *
 * In NHWC the kW·channels values of one kernel row are contiguous in the input, so each row
 * of `cols` is kH straight copies (plus zeros where the window overhangs the padding). That
 * keeps both kernels streaming through memory rather than gathering.
 */
import type { ConvGeometry } from "../backend.js";

export function im2colJs(x: Float32Array, g: ConvGeometry, cols: Float32Array): void {
  const { batch, inH, inW, channels: C, kH, kW, strideH, strideW, padTop, padLeft, outH, outW } = g;
  const span = kW * C; // one kernel row of one receptive field
  const rowLen = kH * span;
  let r = 0;
  for (let n = 0; n < batch; n++) {
    const image = n * inH * inW * C;
    for (let oh = 0; oh < outH; oh++) {
      const ih0 = oh * strideH - padTop;
      for (let ow = 0; ow < outW; ow++, r += rowLen) {
        const iw0 = ow * strideW - padLeft;
        // the part of the window that lies on the image, in units of whole pixels
        const kwStart = iw0 < 0 ? Math.min(-iw0, kW) : 0;
        const kwEnd = iw0 + kW > inW ? inW - iw0 : kW;
        const lo = kwStart * C;
        const hi = kwEnd > kwStart ? kwEnd * C : lo;
        const inside = lo === 0 && hi === span;
        for (let kh = 0; kh < kH; kh++) {
          const ih = ih0 + kh;
          const dst = r + kh * span;
          if (ih < 0 || ih >= inH) {
            cols.fill(0, dst, dst + span);
            continue;
          }
          const src = image + (ih * inW + iw0) * C; // may point before the row when iw0 < 0; only [lo, hi) is read
          if (inside) {
            // the common case: the whole kernel row lies on the image
            for (let j = 0; j < span; j++) cols[dst + j] = x[src + j];
            continue;
          }
          for (let j = 0; j < lo; j++) cols[dst + j] = 0;
          for (let j = lo; j < hi; j++) cols[dst + j] = x[src + j];
          for (let j = hi; j < span; j++) cols[dst + j] = 0;
        }
      }
    }
  }
}

export function col2imJs(cols: Float32Array, g: ConvGeometry, dx: Float32Array): void {
  const { batch, inH, inW, channels: C, kH, kW, strideH, strideW, padTop, padLeft, outH, outW } = g;
  const span = kW * C;
  const rowLen = kH * span;
  dx.fill(0, 0, batch * inH * inW * C);
  let r = 0;
  for (let n = 0; n < batch; n++) {
    const image = n * inH * inW * C;
    for (let oh = 0; oh < outH; oh++) {
      const ih0 = oh * strideH - padTop;
      for (let ow = 0; ow < outW; ow++, r += rowLen) {
        const iw0 = ow * strideW - padLeft;
        const kwStart = iw0 < 0 ? -iw0 : 0;
        const kwEnd = iw0 + kW > inW ? inW - iw0 : kW;
        if (kwEnd <= kwStart) continue;
        const lo = kwStart * C;
        const hi = kwEnd * C;
        for (let kh = 0; kh < kH; kh++) {
          const ih = ih0 + kh;
          if (ih < 0 || ih >= inH) continue;
          const src = r + kh * span;
          const dst = image + (ih * inW + iw0) * C;
          for (let j = lo; j < hi; j++) dx[dst + j] += cols[src + j];
        }
      }
    }
  }
}
