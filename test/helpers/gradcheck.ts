/**
 * Finite-difference gradient checks for layers and losses.
 *
 * For a layer y = f(x; θ) we take the scalar L = Σ y ∘ r with a fixed random r, so dL/dy = r.
 * backward(r) must then return dL/dx, and leave dL/dθ in each param's grad. Each is compared
 * with the central difference (L(z + ε) − L(z − ε)) / 2ε, accumulated in float64. Float32
 * forward passes limit agreement to about 1e-3 relative, hence the tolerances below.
 */
import assert from "node:assert/strict";
import type { Layer } from "../../src/nn/layer.js";
import { Rng } from "../../src/tensor/random.js";
import { randNormal, type Tensor } from "../../src/tensor/tensor.js";

export interface GradCheckOptions {
  epsilon?: number;
  /** Allowed |analytic − numeric| / max(1, |analytic|, |numeric|). */
  tolerance?: number;
  /** Checks at most this many coordinates of each tensor (spread over the tensor). */
  maxChecks?: number;
  seed?: number;
  /** Forward in training mode (for layers whose masks are fixed per forward, like dropout with a seeded mask). */
  training?: boolean;
}

function weightedSum(y: Tensor, r: Tensor): number {
  let s = 0;
  for (let i = 0; i < y.size; i++) s += y.data[i] * r.data[i];
  return s;
}

function coordinates(size: number, maxChecks: number): number[] {
  if (size <= maxChecks) return Array.from({ length: size }, (_, i) => i);
  const step = size / maxChecks;
  return Array.from({ length: maxChecks }, (_, i) => Math.floor(i * step));
}

/** Compares numeric and analytic derivatives of f at the coordinates of z; f re-evaluates from scratch. */
export function assertGradientsClose(what: string, z: Float32Array, analytic: Float32Array, f: () => number, options: GradCheckOptions = {}): void {
  const { epsilon = 1e-2, tolerance = 2e-2, maxChecks = 40 } = options;
  for (const i of coordinates(z.length, maxChecks)) {
    const saved = z[i];
    z[i] = saved + epsilon;
    const plus = f();
    z[i] = saved - epsilon;
    const minus = f();
    z[i] = saved;
    const numeric = (plus - minus) / (2 * epsilon);
    const err = Math.abs(numeric - analytic[i]) / Math.max(1, Math.abs(numeric), Math.abs(analytic[i]));
    assert.ok(err <= tolerance, `${what}[${i}]: analytic ${analytic[i]} vs numeric ${numeric} (relative error ${err.toExponential(2)} > ${tolerance})`);
  }
}

/** Checks dL/dx and every dL/dθ of a built layer at input x. */
export function checkLayerGradients(layer: Layer, x: Tensor, options: GradCheckOptions = {}): void {
  const training = options.training ?? false;
  const rng = new Rng(options.seed ?? 7);
  const y0 = layer.forward(x, training);
  const r = randNormal(y0.shape, rng);
  for (const p of layer.params()) p.grad.data.fill(0);
  const dx = layer.backward(r).clone();
  const grads = layer.params().map((p) => ({ p, g: p.grad.clone() }));
  const loss = (): number => weightedSum(layer.forward(x, training), r);
  assertGradientsClose(`${layer.name} dL/dx`, x.data, dx.data, loss, options);
  for (const { p, g } of grads) assertGradientsClose(`${layer.name} dL/d${p.name}`, p.value.data, g.data, loss, options);
}
