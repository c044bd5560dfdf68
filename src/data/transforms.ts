/**
 * Per-example transforms of a data set: one-hot targets and the two binarisations that the
 * binary-unit models (Hopfield, Boltzmann machines, RBMs, DBNs) need.
 */
import { scalarOp, unary } from "../ops/elementwise.js";
import { bernoulli } from "../ops/random.js";
import { outputFor } from "../ops/util.js";
import type { Rng } from "../tensor/random.js";
import type { Tensor } from "../tensor/tensor.js";

/** Labels 0..classes-1 as a [n, classes] tensor of 0/1 rows (the targets of a softmax layer). */
export function oneHot(labels: ArrayLike<number>, classes: number, out?: Tensor): Tensor {
  if (!Number.isInteger(classes) || classes < 1) throw new RangeError(`oneHot: classes must be an integer >= 1, got ${classes}`);
  const n = labels.length;
  const y = outputFor("oneHot", [n, classes], out);
  y.data.fill(0);
  for (let i = 0; i < n; i++) {
    const c = labels[i];
    if (!Number.isInteger(c) || c < 0 || c >= classes) {
      throw new RangeError(`oneHot: label ${i} is ${c}, outside 0..${classes - 1}`);
    }
    y.data[i * classes + c] = 1;
  }
  return y;
}

/** Deterministic binarisation: 1 where the intensity is above `threshold`, else 0. */
export function binarize(images: Tensor, threshold = 0.5, out?: Tensor): Tensor {
  if (!Number.isFinite(threshold)) throw new RangeError(`binarize: threshold must be a finite number, got ${threshold}`);
  // step(x - t) is 1 exactly when x > t
  const y = scalarOp("add", images, -threshold, out);
  return unary("step", y, y);
}

/**
 * Stochastic binarisation: each pixel becomes 1 with probability equal to its intensity, the
 * reading of grey levels as probabilities that Salakhutdinov & Murray (2008) use for RBMs.
 * A fresh sample per epoch acts as data augmentation; the same rng state gives the same sample.
 */
export function sampleBinary(images: Tensor, rng: Rng, out?: Tensor): Tensor {
  return bernoulli(images, rng, out);
}

/** Class counts of a label vector, e.g. to check that a split is balanced. */
export function classCounts(labels: ArrayLike<number>, classes: number): number[] {
  const counts = new Array<number>(classes).fill(0);
  for (let i = 0; i < labels.length; i++) counts[labels[i]]++;
  return counts;
}
