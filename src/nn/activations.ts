/**
 * The unit nonlinearities y = f(z) and their backward passes dL/dz = dL/dy ∘ f'(z), written
 * through y as in the lectures (σ' = y(1 − y), tanh' = 1 − y², relu' = [y > 0]). Used by
 * Dense (fused activation) and Activation, and by other layers that end in a nonlinearity.
 */
import * as ops from "../ops/index.js";
import type { Tensor } from "../tensor/tensor.js";

export const ACTIVATION_NAMES = ["sigmoid", "tanh", "relu", "leakyRelu", "linear", "softmax"] as const;
export type ActivationName = (typeof ACTIVATION_NAMES)[number];

/** Default slope of leaky ReLU for z < 0. */
export const DEFAULT_LEAKY_ALPHA = 0.01;

export function assertActivation(name: unknown, where: string): ActivationName {
  if (typeof name !== "string" || !(ACTIVATION_NAMES as readonly string[]).includes(name)) {
    throw new RangeError(`${where}: activation must be one of ${ACTIVATION_NAMES.join(", ")}; got ${JSON.stringify(name)}`);
  }
  return name as ActivationName;
}

export function assertLeakyAlpha(alpha: number, where: string): number {
  if (!(alpha >= 0 && alpha < 1)) throw new RangeError(`${where}: alpha must be in [0, 1); got ${alpha}`);
  return alpha;
}

/** y = f(z) into out. "linear" copies (callers that can, skip it and use z itself). */
export function activate(name: ActivationName, z: Tensor, out: Tensor, alpha = DEFAULT_LEAKY_ALPHA): Tensor {
  switch (name) {
    case "sigmoid":
      return ops.sigmoid(z, out);
    case "tanh":
      return ops.tanh(z, out);
    case "relu":
      return ops.relu(z, out);
    case "leakyRelu":
      // max(z, αz) is leaky ReLU for 0 ≤ α < 1
      ops.scale(z, alpha, out);
      return ops.maximum(z, out, out);
    case "linear":
      return out === z ? out : out.assign(z);
    case "softmax":
      return ops.softmax(z, out);
  }
}

/**
 * dL/dz from dL/dy and y = f(z), into out. For "linear" this returns dy itself (no copy), so
 * callers must not write into the result when the activation is linear.
 */
export function activationBackward(name: ActivationName, y: Tensor, dy: Tensor, out: Tensor, alpha = DEFAULT_LEAKY_ALPHA): Tensor {
  switch (name) {
    case "sigmoid":
    case "tanh":
    case "relu":
      return ops.activationGrad(name, y, dy, out);
    case "leakyRelu":
      // f'(z) = α + (1 − α)[y > 0]; y > 0 exactly when z > 0 (α ≥ 0)
      ops.unary("step", y, out);
      ops.scale(out, 1 - alpha, out);
      ops.addScalar(out, alpha, out);
      return ops.mul(dy, out, out);
    case "linear":
      return dy;
    case "softmax":
      return ops.softmaxGrad(y, dy, out);
  }
}

/**
 * GELU (Hendrycks & Gimpel 2016), the transformer MLP's nonlinearity, in its tanh form (as in
 * BERT, GPT-2 and PyTorch's approximate="tanh"): gelu(z) = ½ z (1 + tanh u), u = √(2/π)(z + 0.044715 z³),
 * computed as z σ(2u) (the same function: ½(1 + tanh u) = σ(2u)) with the backend's sigmoid.
 * It is not an ActivationName: its derivative is not a function of y alone, so the GELU layer
 * (gelu.ts) keeps s = σ(2u) from forward for geluBackward.
 */
const GELU_C = Math.sqrt(2 / Math.PI);
const GELU_A = 0.044715;

/** y = gelu(z) into out, and s = σ(2u) into s (for the backward pass). */
export function gelu(z: Tensor, s: Tensor, out: Tensor): Tensor {
  const [zd, sd] = [z.data, s.data];
  for (let i = 0; i < zd.length; i++) {
    const x = zd[i];
    sd[i] = 2 * GELU_C * (x + GELU_A * x * x * x);
  }
  ops.sigmoid(s, s);
  return ops.mul(z, s, out);
}

/** dL/dz = dL/dy ∘ gelu'(z), gelu'(z) = s + 2 z s (1 − s) √(2/π)(1 + 3·0.044715 z²), s = σ(2u) from gelu. */
export function geluBackward(z: Tensor, s: Tensor, dy: Tensor, out: Tensor): Tensor {
  const [zd, sd, g, dz] = [z.data, s.data, dy.data, out.data];
  for (let i = 0; i < zd.length; i++) {
    const x = zd[i];
    const si = sd[i];
    dz[i] = g[i] * (si + 2 * x * si * (1 - si) * GELU_C * (1 + 3 * GELU_A * x * x));
  }
  return out;
}
