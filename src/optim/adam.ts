import * as ops from "../ops/index.js";
import type { Tensor } from "../tensor/tensor.js";
import { assertFraction, assertPositive, BaseOptimizer, type OptimizerOptions } from "./optimizer.js";

export interface AdamOptions extends OptimizerOptions {
  beta1?: number;
  beta2?: number;
  epsilon?: number;
}

/**
 * Adam (Kingma & Ba 2015): m ← β1 m + (1 − β1) g, v ← β2 v + (1 − β2) g²,
 * w ← w − η_t m / (√v + ε) with the bias correction folded into η_t = η √(1 − β2^t) / (1 − β1^t).
 */
export class Adam extends BaseOptimizer {
  readonly className = "Adam";
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  protected readonly slotNames = ["m", "v"];

  constructor(options: AdamOptions = {}) {
    super(options, 0.001, "Adam");
    this.beta1 = assertFraction(options.beta1 ?? 0.9, "beta1", "Adam");
    this.beta2 = assertFraction(options.beta2 ?? 0.999, "beta2", "Adam");
    this.epsilon = assertPositive(options.epsilon ?? 1e-7, "epsilon", "Adam");
  }

  protected update(w: Tensor, g: Tensor, slots: Tensor[], scratch: Tensor): void {
    const [m, v] = slots;
    const t = this.iterations;
    ops.axpby(1 - this.beta1, g, this.beta1, m);
    ops.square(g, scratch);
    ops.axpby(1 - this.beta2, scratch, this.beta2, v);
    const etaT = (this.learningRate * Math.sqrt(1 - this.beta2 ** t)) / (1 - this.beta1 ** t);
    ops.sqrt(v, scratch);
    ops.addScalar(scratch, this.epsilon, scratch);
    ops.div(m, scratch, scratch);
    ops.axpby(-etaT, scratch, 1, w);
  }

  protected extraConfig(): Record<string, unknown> {
    return { beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon };
  }
}
