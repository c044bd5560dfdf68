import * as ops from "../ops/index.js";
import type { Tensor } from "../tensor/tensor.js";
import { assertFraction, BaseOptimizer, type OptimizerOptions } from "./optimizer.js";

export interface SGDOptions extends OptimizerOptions {
  /** μ in v ← μv − ηg, w ← w + v (0: plain SGD). */
  momentum?: number;
  /** Nesterov's look-ahead (Sutskever et al. 2013 form): w ← w + μv − ηg. */
  nesterov?: boolean;
}

/**
 * Stochastic gradient descent. Mini-batch, full-batch or single-sample SGD is the same rule
 * with fit's batchSize = 100, n or 1.
 */
export class SGD extends BaseOptimizer {
  readonly className = "SGD";
  readonly momentum: number;
  readonly nesterov: boolean;
  protected readonly slotNames: readonly string[];

  constructor(options: SGDOptions = {}) {
    super(options, 0.01, "SGD");
    this.momentum = assertFraction(options.momentum ?? 0, "momentum", "SGD");
    this.nesterov = options.nesterov ?? false;
    if (this.nesterov && this.momentum === 0) throw new RangeError("SGD: nesterov needs momentum > 0");
    this.slotNames = this.momentum > 0 ? ["velocity"] : [];
  }

  protected update(w: Tensor, g: Tensor, slots: Tensor[]): void {
    const eta = this.learningRate;
    if (this.momentum === 0) {
      ops.axpby(-eta, g, 1, w);
      return;
    }
    const v = slots[0];
    ops.axpby(-eta, g, this.momentum, v); // v ← μv − ηg
    if (this.nesterov) {
      ops.axpby(this.momentum, v, 1, w); // w ← w + μv − ηg
      ops.axpby(-eta, g, 1, w);
    } else {
      ops.axpby(1, v, 1, w);
    }
  }

  protected extraConfig(): Record<string, unknown> {
    return { momentum: this.momentum, nesterov: this.nesterov };
  }
}
