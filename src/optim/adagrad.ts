import * as ops from "../ops/index.js";
import { full, type Tensor } from "../tensor/tensor.js";
import { assertPositive, BaseOptimizer, type OptimizerOptions } from "./optimizer.js";

export interface AdagradOptions extends OptimizerOptions {
  epsilon?: number;
  /** Starting value of the accumulated squared gradient G (Keras: 0.1). */
  initialAccumulator?: number;
}

/** Adagrad (Duchi et al. 2011): G ← G + g², w ← w − η g / (√G + ε). */
export class Adagrad extends BaseOptimizer {
  readonly className = "Adagrad";
  readonly epsilon: number;
  readonly initialAccumulator: number;
  protected readonly slotNames = ["accumulator"];

  constructor(options: AdagradOptions = {}) {
    super(options, 0.01, "Adagrad");
    this.epsilon = assertPositive(options.epsilon ?? 1e-7, "epsilon", "Adagrad");
    this.initialAccumulator = assertPositive(options.initialAccumulator ?? 0.1, "initialAccumulator", "Adagrad", true);
  }

  protected update(w: Tensor, g: Tensor, slots: Tensor[], scratch: Tensor): void {
    const G = slots[0];
    ops.square(g, scratch);
    ops.add(G, scratch, G);
    ops.sqrt(G, scratch);
    ops.addScalar(scratch, this.epsilon, scratch);
    ops.div(g, scratch, scratch);
    ops.axpby(-this.learningRate, scratch, 1, w);
  }

  protected override newSlot(like: Tensor): Tensor {
    return full(like.shape, this.initialAccumulator);
  }

  protected extraConfig(): Record<string, unknown> {
    return { epsilon: this.epsilon, initialAccumulator: this.initialAccumulator };
  }
}
