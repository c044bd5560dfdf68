/**
 * Hebbian learning: "cells that fire together wire together". For a layer with weights W
 * (shape [inputs, outputs], the layout of Dense's kernel), presynaptic activity x and
 * postsynaptic activity y, the plain Hebbian rule is
 *
 *   Δw_ij = η x_i y_j,        for a batch:  ΔW = η Xᵀ Y = η Σ_n x_n y_nᵀ
 *
 * an outer-product accumulation, computed as one matmul with transA and beta = 1.
 *
 * Plain Hebb only ever grows correlated weights (‖w‖ diverges), so two normalised variants
 * are offered, both of which subtract a decay term driven by y²:
 *
 *   "oja"    (Oja 1982):    Δw_ij = η y_j (x_i − y_j w_ij)              ΔW = η (XᵀY − W ∘ diag(YᵀY))
 *   "sanger" (Sanger 1989): Δw_ij = η y_j (x_i − Σ_{k≤j} w_ik y_k)      ΔW = η (XᵀY − W · triu(YᵀY))
 *
 * With linear units y = xᵀW, Oja's rule drives each unit's weight vector to unit length along
 * the first principal component of x; Sanger's generalised Hebbian algorithm makes unit j
 * converge to the j-th principal component (the units are decorrelated in order).
 */
import * as ops from "../../ops/index.js";
import { formatShape, ShapeError } from "../../tensor/shape.js";
import type { Tensor } from "../../tensor/tensor.js";

export type HebbianRule = "hebb" | "oja" | "sanger";

export interface HebbianOptions {
  /** η. Default 0.01. */
  learningRate?: number;
  /** Which rule; default "hebb" (Δw = η x y). */
  rule?: HebbianRule;
}

const RULES: readonly HebbianRule[] = ["hebb", "oja", "sanger"];

/**
 * Applies one Hebbian update to `weights` in place, summed over the batch, and returns them.
 * x: [batch, inputs], y: [batch, outputs], weights: [inputs, outputs].
 */
export function hebbianUpdate(weights: Tensor, x: Tensor, y: Tensor, options: HebbianOptions = {}): Tensor {
  const { learningRate: eta = 0.01, rule = "hebb" } = options;
  if (!Number.isFinite(eta)) throw new RangeError(`hebbianUpdate: learningRate must be a finite number, got ${eta}`);
  if (!RULES.includes(rule)) throw new RangeError(`hebbianUpdate: rule must be one of ${RULES.join(", ")}, got ${String(rule)}`);
  checkShapes(weights, x, y);

  if (rule === "oja") {
    // W ← W ∘ (1 − η Σ_n y_nj²) column by column: the decay uses the old W, so apply it first.
    const decay = ops.sum(ops.square(y), 0);
    ops.scalarOp("rsub", ops.scale(decay, eta, decay), 1, decay);
    ops.mul(weights, decay, weights);
  } else if (rule === "sanger") {
    // W ← W − η W · triu(YᵀY): unit j unlearns what units k ≤ j already explain.
    const g = ops.matmul(y, y, { transA: true });
    const m = g.shape[0];
    for (let k = 1; k < m; k++) for (let j = 0; j < k; j++) g.data[k * m + j] = 0;
    const explained = ops.matmul(weights, g);
    ops.axpby(-eta, explained, 1, weights);
  }
  // W += η Xᵀ Y: the Hebbian term shared by all three rules.
  return ops.matmul(x, y, { transA: true, alpha: eta, beta: 1, out: weights });
}

function checkShapes(weights: Tensor, x: Tensor, y: Tensor): void {
  if (weights.rank !== 2 || x.rank !== 2 || y.rank !== 2) {
    throw new ShapeError(`hebbianUpdate: weights, x and y must be 2-D, got ${formatShape(weights.shape)}, ${formatShape(x.shape)}, ${formatShape(y.shape)}`);
  }
  const [inputs, outputs] = weights.shape;
  if (x.shape[1] !== inputs || y.shape[1] !== outputs || x.shape[0] !== y.shape[0]) {
    throw new ShapeError(
      `hebbianUpdate: weights ${formatShape(weights.shape)} need x [batch, ${inputs}] and y [batch, ${outputs}], got x ${formatShape(x.shape)} and y ${formatShape(y.shape)}`,
    );
  }
}
