import type { Tensor } from "../tensor/tensor.js";
import { zerosLike } from "../tensor/tensor.js";
import type { Param } from "./layer.js";

/** A trainable param with a zero gradient of the same shape. */
export function makeParam(name: string, value: Tensor, regularize: boolean): Param {
  return { name, value, grad: zerosLike(value), trainable: true, regularize };
}

/** A sub-layer's param under the name "<prefix>.<param>"; value, grad and trainable stay shared (Parallel, Bidirectional). */
export function prefixedParam(prefix: string, p: Param): Param {
  return {
    name: `${prefix}.${p.name}`,
    value: p.value,
    grad: p.grad,
    regularize: p.regularize,
    get trainable() {
      return p.trainable;
    },
    set trainable(v: boolean) {
      p.trainable = v;
    },
  };
}
