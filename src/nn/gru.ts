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

import { backend } from "../backend/index.js";
import * as ops from "../ops/index.js";
import type { Tensor } from "../tensor/tensor.js";
import { zeros } from "../tensor/tensor.js";
import type { LayerConfig, Param } from "./layer.js";
import { makeParam } from "./param.js";
import { Recurrent, type RecurrentOptions, recurrentOptionsFromConfig, type StepGrads, type StepViews } from "./recurrent.js";
import { registerLayer } from "./registry.js";

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

  /** The elementwise step is one backend kernel (fused into one SIMD pass on the WebAssembly backend). */
  protected stepForward(v: StepViews): void {
    backend().gruCell(v.ax, v.ah, v.hPrev, v.h, v.cache, v.n, this.units);
  }

  protected stepBackward(v: StepViews, g: StepGrads): void {
    backend().gruCellGrad(v.cache, v.hPrev, g.dh, g.dax, g.dah, g.dhPrev, v.n, this.units);
  }
}

registerLayer("GRU", (c: LayerConfig) => {
  const { units, ...options } = recurrentOptionsFromConfig(c);
  return new GRU(units, options);
});
