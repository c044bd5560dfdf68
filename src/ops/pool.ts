/**
 * Max and average pooling over NHWC batches, forward and backward. Pooling has no weights:
 * each output summarises one window of one channel (its largest value, or its mean), which
 * shrinks the feature map and makes it tolerant to small shifts. Global pooling is the
 * window that covers the whole map. Windows hanging over "same" padding only see real pixels.
 * The loops are backend kernels (src/backend/js/pool.ts is the reference).
 */
import { backend } from "../backend/index.js";
import { formatShape, ShapeError } from "../tensor/shape.js";
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
  backend().maxPool(x.data, g, y.data, argmax.length === y.size ? argmax : argmax.subarray(0, y.size));
  return y;
}

/** dx (overwritten, shaped like the pooled input) = dy routed to each window's winner. */
export function maxPoolGrad(dy: Tensor, argmax: Int32Array, dx: Tensor): Tensor {
  if (argmax.length < dy.size) throw new RangeError(`maxPoolGrad: argmax holds ${argmax.length} indices, ${dy.size} needed`);
  backend().maxPoolGrad(dy.data, argmax.length === dy.size ? argmax : argmax.subarray(0, dy.size), dx.data);
  return dx;
}

/** y = the mean of each window (over the pixels it covers on the image). */
export function avgPool(x: Tensor, g: ConvGeometry, out?: Tensor): Tensor {
  checkPoolInput("avgPool", x, g);
  const y = outputFor("avgPool", outShape(g), out);
  backend().avgPool(x.data, g, y.data);
  return y;
}

/** dx (overwritten) = each window's dy shared equally among the pixels it averaged. */
export function avgPoolGrad(dy: Tensor, g: ConvGeometry, dx: Tensor): Tensor {
  checkPoolInput("avgPoolGrad", dx, g);
  if (dy.size !== g.batch * g.outH * g.outW * g.channels) {
    throw new ShapeError(`avgPoolGrad: dy ${formatShape(dy.shape)} is not a batch of ${g.batch} maps of ${formatShape([g.outH, g.outW, g.channels])}`);
  }
  backend().avgPoolGrad(dy.data, g, dx.data);
  return dx;
}
