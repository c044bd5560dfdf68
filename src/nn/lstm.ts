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

import type { Tensor } from "../tensor/tensor.js";
import { zeros } from "../tensor/tensor.js";
import type { LayerConfig } from "./layer.js";
import { Recurrent, type RecurrentOptions, recurrentOptionsFromConfig, type StepGrads, type StepViews } from "./recurrent.js";
import { configValue, isBoolean, registerLayer } from "./registry.js";

export interface LSTMOptions extends RecurrentOptions {
  /** Initialise the forget gate's bias to 1 (default true). */
  unitForgetBias?: boolean;
}

const sigmoid = (a: number): number => 1 / (1 + Math.exp(-a));

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

  protected stepForward(v: StepViews): void {
    const { n, ax, ah, cPrev, c, h, cache } = v;
    const u = this.units;
    for (let b = 0; b < n; b++) {
      const a = b * 4 * u; // this row's gates in ax, ah
      const k = b * 5 * u; // and in the cache: i, f, g, o, tanh(c)
      for (let j = 0; j < u; j++) {
        const i_t = sigmoid(ax[a + j] + ah[a + j]);
        const f_t = sigmoid(ax[a + u + j] + ah[a + u + j]);
        const g_t = Math.tanh(ax[a + 2 * u + j] + ah[a + 2 * u + j]);
        const o_t = sigmoid(ax[a + 3 * u + j] + ah[a + 3 * u + j]);
        const c_t = f_t * cPrev[b * u + j] + i_t * g_t;
        const tc = Math.tanh(c_t);
        c[b * u + j] = c_t;
        h[b * u + j] = o_t * tc;
        cache[k + j] = i_t;
        cache[k + u + j] = f_t;
        cache[k + 2 * u + j] = g_t;
        cache[k + 3 * u + j] = o_t;
        cache[k + 4 * u + j] = tc;
      }
    }
  }

  protected stepBackward(v: StepViews, g: StepGrads): void {
    const { n, cPrev, cache } = v;
    const { dh, dc, dax, dcPrev } = g;
    const u = this.units;
    for (let b = 0; b < n; b++) {
      const a = b * 4 * u;
      const k = b * 5 * u;
      for (let j = 0; j < u; j++) {
        const i_t = cache[k + j];
        const f_t = cache[k + u + j];
        const g_t = cache[k + 2 * u + j];
        const o_t = cache[k + 3 * u + j];
        const tc = cache[k + 4 * u + j];
        const dh_t = dh[b * u + j];
        const dc_t = dc[b * u + j] + dh_t * o_t * (1 - tc * tc);
        dax[a + j] = dc_t * g_t * i_t * (1 - i_t);
        dax[a + u + j] = dc_t * cPrev[b * u + j] * f_t * (1 - f_t);
        dax[a + 2 * u + j] = dc_t * i_t * (1 - g_t * g_t);
        dax[a + 3 * u + j] = dh_t * tc * o_t * (1 - o_t);
        dcPrev[b * u + j] = dc_t * f_t;
      }
    }
  }

  protected override extraConfig(): Record<string, unknown> {
    return { unitForgetBias: this.unitForgetBias };
  }
}

registerLayer("LSTM", (c: LayerConfig) => {
  const { units, ...options } = recurrentOptionsFromConfig(c);
  return new LSTM(units, { ...options, unitForgetBias: configValue(c, "unitForgetBias", isBoolean, "a boolean") });
});
