/**
 * SimpleRNN (Elman): h_t = φ(x_t W + h_{t−1} U + b), φ = tanh or relu. With relu and
 * recurrentInitializer "identity" (U = I, b = 0) it is the IRNN of Le, Jaitly & Hinton (2015),
 * which starts by copying its state forward, so gradients through time neither vanish nor
 * explode at first. The loop over time and BPTT are in recurrent.ts.
 *
 * Step backward, with a_t the pre-activation:  δ_t = dL/da_t = dL/dh_t ∘ φ'(a_t)
 * (φ' through h_t: tanh' = 1 − h_t², relu' = [h_t > 0]).
 */
import type { LayerConfig } from "./layer.js";
import { Recurrent, type RecurrentOptions, recurrentOptionsFromConfig, type StepGrads, type StepViews } from "./recurrent.js";
import { registerLayer } from "./registry.js";

export const SIMPLE_RNN_ACTIVATIONS = ["tanh", "relu"] as const;
export type SimpleRNNActivation = (typeof SIMPLE_RNN_ACTIVATIONS)[number];

export interface SimpleRNNOptions extends RecurrentOptions {
  /** φ: "tanh" (default) or "relu". */
  activation?: SimpleRNNActivation;
}

export class SimpleRNN extends Recurrent {
  readonly activation: SimpleRNNActivation;
  protected readonly gates = 1;
  protected readonly stateCount = 1;

  constructor(units: number, options: SimpleRNNOptions = {}) {
    super(units, options, "SimpleRNN");
    const a = options.activation ?? "tanh";
    if (!(SIMPLE_RNN_ACTIVATIONS as readonly string[]).includes(a)) {
      throw new RangeError(`SimpleRNN: activation must be one of ${SIMPLE_RNN_ACTIVATIONS.join(", ")}; got ${JSON.stringify(a)}`);
    }
    this.activation = a;
  }

  protected get className(): string {
    return "SimpleRNN";
  }

  protected stepForward(v: StepViews): void {
    const { ax, ah, h } = v;
    const relu = this.activation === "relu";
    for (let k = 0; k < h.length; k++) {
      const a = ax[k] + ah[k];
      h[k] = relu ? Math.max(a, 0) : Math.tanh(a); // h_t = φ(a_t)
    }
  }

  protected stepBackward(v: StepViews, g: StepGrads): void {
    const { h } = v;
    const { dh, dax } = g;
    const relu = this.activation === "relu";
    for (let k = 0; k < h.length; k++) dax[k] = relu ? (h[k] > 0 ? dh[k] : 0) : dh[k] * (1 - h[k] * h[k]); // δ_t = dh_t ∘ φ'
  }

  protected override extraConfig(): Record<string, unknown> {
    return { activation: this.activation };
  }
}

registerLayer("SimpleRNN", (c: LayerConfig) => {
  const { units, ...options } = recurrentOptionsFromConfig(c);
  return new SimpleRNN(units, { ...options, activation: c.activation as SimpleRNNActivation | undefined });
});
