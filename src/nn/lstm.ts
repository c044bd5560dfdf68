/**
 * LSTM (Hochreiter & Schmidhuber 1997, with the forget gate of Gers et al. 2000). Gates packed
 * in the order i, f, g, o (as Keras and PyTorch), a_t = x_t W + h_{t−1} U + b:
 *   i_t = σ(a_i)   input gate          c_t = f_t ∘ c_{t−1} + i_t ∘ g_t
 *   f_t = σ(a_f)   forget gate         h_t = o_t ∘ tanh(c_t)
 *   g_t = tanh(a_g) candidate cell
 *   o_t = σ(a_o)   output gate
 * The cell c_t is carried by f_t alone: while f_t ≈ 1 and i_t ≈ 0 the factor ∂c_t/∂c_{t−1}
 * stays ≈ 1 and the gradient neither vanishes nor explodes. The forget bias starts at 1
 * (unitForgetBias, Jozefowicz et al. 2015) so the cell remembers by default.
 *
 * Step backward, from dh_t and the dc_t carried down from step t + 1:
 *   dc_t ← dc_t + dh_t ∘ o_t ∘ (1 − tanh²(c_t))
 *   do_t = dh_t ∘ tanh(c_t),  di_t = dc_t ∘ g_t,  dg_t = dc_t ∘ i_t,  df_t = dc_t ∘ c_{t−1}
 *   dc_{t−1} = dc_t ∘ f_t
 *   δ = (di ∘ i(1 − i), df ∘ f(1 − f), dg ∘ (1 − g²), do ∘ o(1 − o))
 */

import { backend } from "../backend/index.js";
import type { Tensor } from "../tensor/tensor.js";
import { zeros } from "../tensor/tensor.js";
import type { LayerConfig } from "./layer.js";
import { Recurrent, type RecurrentOptions, recurrentOptionsFromConfig, type StepGrads, type StepViews } from "./recurrent.js";
import { configValue, isBoolean, registerLayer } from "./registry.js";

export interface LSTMOptions extends RecurrentOptions {
  /** Initialise the forget gate's bias to 1 (default true). */
  unitForgetBias?: boolean;
}

export class LSTM extends Recurrent {
  readonly unitForgetBias: boolean;
  protected readonly gates = 4;
  protected readonly stateCount = 2;
  /** tanh(c_t), kept for backward after the four gates. */
  protected override readonly cacheExtra = 1;

  constructor(units: number, options: LSTMOptions = {}) {
    super(units, options, "LSTM");
    this.unitForgetBias = options.unitForgetBias ?? true;
  }

  protected get className(): string {
    return "LSTM";
  }

  protected override initialBias(): Tensor {
    const u = this.units;
    const b = zeros([4 * u]);
    if (this.unitForgetBias) b.data.fill(1, u, 2 * u);
    return b;
  }

  /** The elementwise step is one backend kernel (fused into one SIMD pass on the WebAssembly backend). */
  protected stepForward(v: StepViews): void {
    backend().lstmCell(v.ax, v.ah, v.cPrev, v.c, v.h, v.cache, v.n, this.units);
  }

  protected stepBackward(v: StepViews, g: StepGrads): void {
    backend().lstmCellGrad(v.cache, v.cPrev, g.dh, g.dc, g.dax, g.dcPrev, v.n, this.units);
  }

  protected override extraConfig(): Record<string, unknown> {
    return { unitForgetBias: this.unitForgetBias };
  }
}

registerLayer("LSTM", (c: LayerConfig) => {
  const { units, ...options } = recurrentOptionsFromConfig(c);
  return new LSTM(units, { ...options, unitForgetBias: configValue(c, "unitForgetBias", isBoolean, "a boolean") });
});
