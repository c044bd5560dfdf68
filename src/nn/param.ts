import type { Tensor } from "../tensor/tensor.js";
import { zerosLike } from "../tensor/tensor.js";
import type { Param } from "./layer.js";

/** A trainable param with a zero gradient of the same shape. */
export function makeParam(name: string, value: Tensor, regularize: boolean): Param {
  return { name, value, grad: zerosLike(value), trainable: true, regularize };
}
