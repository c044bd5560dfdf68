/**
 * GRU (Cho et al. 2014), in the "reset after" form of PyTorch and cuDNN (Keras's resetAfter):
 * the reset gate scales the recurrent part h_{t−1} U_n + b_hn after the product, so U is one
 * GEMM for the three gates. Gates packed r, z, n (PyTorch's order); b is the input bias and
 * recurrentBias b_h the recurrent one (both as in torch.nn.GRU):
 *   r_t = σ(x_t W_r + b_r + h_{t−1} U_r + b_hr)          reset gate
 *   z_t = σ(x_t W_z + b_z + h_{t−1} U_z + b_hz)          update gate
 *   n_t = tanh(x_t W_n + b_n + r_t ∘ (h_{t−1} U_n + b_hn))  candidate
 *   h_t = (1 − z_t) ∘ n_t + z_t ∘ h_{t−1}
 * (The original form, r_t ∘ h_{t−1} inside the product, needs a GEMM after r_t: not supported.)
 *
 * Step backward, with q_t = h_{t−1} U_n + b_hn cached:
 *   dn = dh ∘ (1 − z),  dz = dh ∘ (h_{t−1} − n),  dh_{t−1} (direct) = dh ∘ z
 *   δn = dn ∘ (1 − n²) (input part), δn ∘ r (recurrent part),  dr = δn ∘ q
 *   δr = dr ∘ r(1 − r),  δz = dz ∘ z(1 − z)
 */

import * as ops from "../ops/index.js";
import type { Tensor } from "../tensor/tensor.js";
import { zeros } from "../tensor/tensor.js";
import type { LayerConfig, Param } from "./layer.js";
import { makeParam } from "./param.js";
import { Recurrent, type RecurrentOptions, recurrentOptionsFromConfig, type StepGrads, type StepViews } from "./recurrent.js";
import { registerLayer } from "./registry.js";

const sigmoid = (a: number): number => 1 / (1 + Math.exp(-a));

export class GRU extends Recurrent {
  protected readonly gates = 3;
  protected readonly stateCount = 1;
  /** q_t = h_{t−1} U_n + b_hn, kept for backward after the three gates. */
  protected override readonly cacheExtra = 1;
  /** b_h, [3·units]. */
  recurrentBias!: Param;
  private dbh: Tensor | null = null;

  constructor(units: number, options: RecurrentOptions = {}) {
    super(units, options, "GRU");
  }

  protected get className(): string {
    return "GRU";
  }

  protected override buildExtra(): void {
    this.recurrentBias = makeParam("recurrentBias", zeros([3 * this.units]), false);
    this.dbh = zeros([3 * this.units]);
  }

  protected override extraParams(): Param[] {
    return [this.recurrentBias];
  }

  protected override addRecurrentBias(ah: Float32Array, n: number): void {
    const bh = this.recurrentBias.value.data;
    for (let b = 0; b < n; b++) for (let k = 0; k < bh.length; k++) ah[b * bh.length + k] += bh[k];
  }

  protected override setBiases(biasIh: ArrayLike<number>, biasHh: ArrayLike<number>): void {
    this.bias.value.data.set(biasIh);
    this.recurrentBias.value.data.set(biasHh);
  }

  protected override separateRecurrentGrad(): boolean {
    return true;
  }

  protected override extraGrads(dah: Tensor): void {
    if (this.recurrentBias.trainable && this.dbh !== null) ops.add(this.recurrentBias.grad, ops.sum(dah, 0, this.dbh), this.recurrentBias.grad);
  }

  protected stepForward(v: StepViews): void {
    const { n, ax, ah, hPrev, h, cache } = v;
    const u = this.units;
    for (let b = 0; b < n; b++) {
      const a = b * 3 * u;
      const k = b * 4 * u; // cache: r, z, n, q
      for (let j = 0; j < u; j++) {
        const r_t = sigmoid(ax[a + j] + ah[a + j]);
        const z_t = sigmoid(ax[a + u + j] + ah[a + u + j]);
        const q_t = ah[a + 2 * u + j];
        const n_t = Math.tanh(ax[a + 2 * u + j] + r_t * q_t);
        h[b * u + j] = (1 - z_t) * n_t + z_t * hPrev[b * u + j];
        cache[k + j] = r_t;
        cache[k + u + j] = z_t;
        cache[k + 2 * u + j] = n_t;
        cache[k + 3 * u + j] = q_t;
      }
    }
  }

  protected stepBackward(v: StepViews, g: StepGrads): void {
    const { n, hPrev, cache } = v;
    const { dh, dax, dah, dhPrev } = g;
    const u = this.units;
    for (let b = 0; b < n; b++) {
      const a = b * 3 * u;
      const k = b * 4 * u;
      for (let j = 0; j < u; j++) {
        const r_t = cache[k + j];
        const z_t = cache[k + u + j];
        const n_t = cache[k + 2 * u + j];
        const q_t = cache[k + 3 * u + j];
        const dh_t = dh[b * u + j];
        const dn = dh_t * (1 - z_t) * (1 - n_t * n_t);
        const dz = dh_t * (hPrev[b * u + j] - n_t) * z_t * (1 - z_t);
        const dr = dn * q_t * r_t * (1 - r_t);
        dax[a + j] = dr;
        dah[a + j] = dr;
        dax[a + u + j] = dz;
        dah[a + u + j] = dz;
        dax[a + 2 * u + j] = dn;
        dah[a + 2 * u + j] = dn * r_t;
        dhPrev[b * u + j] = dh_t * z_t;
      }
    }
  }
}

registerLayer("GRU", (c: LayerConfig) => {
  const { units, ...options } = recurrentOptionsFromConfig(c);
  return new GRU(units, options);
});
