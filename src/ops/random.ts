import { backend } from "../backend/index.js";
import type { Rng } from "../tensor/random.js";
import { fillNormal, Tensor } from "../tensor/tensor.js";
import { outputFor } from "./util.js";

/** Samples x_i ~ Bernoulli(p_i): the stochastic binary unit of every energy model. */
export function bernoulli(p: Tensor, rng: Rng, out?: Tensor): Tensor {
  const y = outputFor("bernoulli", p.shape, out);
  backend().bernoulli(p.data, y.data, rng);
  return y;
}

/** Samples x_i ~ N(mean_i, std²) where mean is a tensor (Gaussian units) or a number. */
export function gaussian(mean: Tensor | number, std: number, rng: Rng, shapeOrOut?: Tensor | readonly number[]): Tensor {
  const shape = mean instanceof Tensor ? mean.shape : shapeOrOut instanceof Tensor ? shapeOrOut.shape : (shapeOrOut ?? [1]);
  const y = outputFor("gaussian", shape, shapeOrOut instanceof Tensor ? shapeOrOut : undefined);
  fillNormal(y.data, rng, 0, std);
  if (mean instanceof Tensor) for (let i = 0; i < y.size; i++) y.data[i] += mean.data[i];
  else if (mean !== 0) for (let i = 0; i < y.size; i++) y.data[i] += mean;
  return y;
}
