/**
 * Losses for a batch of n rows, each summed over a row's outputs and averaged over the batch:
 *   meanSquaredError         L = 1/n Σ_rows ½‖t − y‖²                    (as in the lectures)
 *   categoricalCrossentropy  L = −1/n Σ_rows Σ_j t_j log y_j
 *   binaryCrossentropy       L = −1/n Σ_rows Σ_j [t_j log y_j + (1 − t_j) log(1 − y_j)]
 * Each has a canonical output unit (linear, softmax, sigmoid) with which dL/dz = (y − t)/n.
 * When the network ends in that unit the loss is "fused": its value is computed from the
 * pre-activation z (log-sum-exp, never log 0) and backpropagation starts at dL/dz directly.
 */
import * as ops from "../ops/index.js";
import { assertSameShape } from "../tensor/shape.js";
import type { Tensor } from "../tensor/tensor.js";
import type { ActivationName } from "./activations.js";

export const LOSS_NAMES = ["meanSquaredError", "categoricalCrossentropy", "binaryCrossentropy"] as const;
export type LossName = (typeof LOSS_NAMES)[number];

/** Probabilities are clipped to [ε, 1 − ε] on the unfused paths, so log and 1/y stay finite. */
const EPSILON = 1e-7;

export function assertLoss(name: unknown, where: string): LossName {
  if (typeof name !== "string" || !(LOSS_NAMES as readonly string[]).includes(name)) {
    throw new RangeError(`${where}: loss must be one of ${LOSS_NAMES.join(", ")}; got ${JSON.stringify(name)}`);
  }
  return name as LossName;
}

export class Loss {
  readonly name: LossName;

  constructor(name: LossName) {
    this.name = assertLoss(name, "Loss");
  }

  /** Whether this loss fuses with an output unit (so value/gradient take z and return dL/dz). */
  fusesWith(activation: ActivationName | undefined): boolean {
    return (
      (this.name === "categoricalCrossentropy" && activation === "softmax") ||
      (this.name === "binaryCrossentropy" && activation === "sigmoid") ||
      (this.name === "meanSquaredError" && activation === "linear")
    );
  }

  /**
   * The batch loss. y is the network output; z (given when fused) is the pre-activation of
   * the fused output unit, from which cross-entropies are computed stably.
   */
  value(y: Tensor, t: Tensor, z?: Tensor): number {
    assertSameShape(`${this.name}`, y.shape, t.shape, ["prediction", "target"]);
    const n = y.rows;
    const cols = y.cols;
    const yd = y.data;
    const td = t.data;
    let s = 0;
    switch (this.name) {
      case "meanSquaredError":
        for (let i = 0; i < yd.length; i++) s += (td[i] - yd[i]) ** 2;
        return s / (2 * n);
      case "categoricalCrossentropy":
        if (z !== undefined) {
          // −Σ_j t_j (z_j − lse(z)) = lse(z) Σ_j t_j − Σ_j t_j z_j
          const zd = z.data;
          for (let r = 0; r < yd.length; r += cols) {
            let max = Number.NEGATIVE_INFINITY;
            for (let j = 0; j < cols; j++) if (zd[r + j] > max) max = zd[r + j];
            let sumExp = 0;
            let sumT = 0;
            let tz = 0;
            for (let j = 0; j < cols; j++) {
              sumExp += Math.exp(zd[r + j] - max);
              sumT += td[r + j];
              tz += td[r + j] * zd[r + j];
            }
            s += (max + Math.log(sumExp)) * sumT - tz;
          }
        } else {
          for (let i = 0; i < yd.length; i++) if (td[i] !== 0) s -= td[i] * Math.log(clip(yd[i]));
        }
        return s / n;
      case "binaryCrossentropy":
        if (z !== undefined) {
          // −[t log σ(z) + (1 − t) log(1 − σ(z))] = max(z, 0) − z t + log(1 + e^−|z|)
          const zd = z.data;
          for (let i = 0; i < zd.length; i++) s += Math.max(zd[i], 0) - zd[i] * td[i] + Math.log1p(Math.exp(-Math.abs(zd[i])));
        } else {
          for (let i = 0; i < yd.length; i++) {
            const p = clip(yd[i]);
            s -= td[i] * Math.log(p) + (1 - td[i]) * Math.log(1 - p);
          }
        }
        return s / n;
    }
  }

  /** dL/dz = (y − t)/n when fused, else dL/dy; written into out. */
  gradient(y: Tensor, t: Tensor, out: Tensor, fused: boolean): Tensor {
    assertSameShape(`${this.name} gradient`, y.shape, t.shape, ["prediction", "target"]);
    const n = y.rows;
    if (fused || this.name === "meanSquaredError") {
      ops.sub(y, t, out);
      return ops.scale(out, 1 / n, out);
    }
    // Unfused cross-entropies: rare (a custom output unit), kept simple and clipped like value().
    const yd = y.data;
    const td = t.data;
    const g = out.data;
    if (this.name === "categoricalCrossentropy") {
      for (let i = 0; i < yd.length; i++) g[i] = -td[i] / (clip(yd[i]) * n);
    } else {
      for (let i = 0; i < yd.length; i++) {
        const p = clip(yd[i]);
        g[i] = (p - td[i]) / (p * (1 - p) * n);
      }
    }
    return out;
  }
}

function clip(p: number): number {
  return p < EPSILON ? EPSILON : p > 1 - EPSILON ? 1 - EPSILON : p;
}
