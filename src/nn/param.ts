import type { Tensor } from "../tensor/tensor.js";
import { zerosLike } from "../tensor/tensor.js";
import type { Param } from "./layer.js";

/** A trainable param with a zero gradient of the same shape. */
export function makeParam(name: string, value: Tensor, regularize: boolean): Param {
  return { name, value, grad: zerosLike(value), trainable: true, regularize };
}

/** The sub-layer's param under the name "<sub-layer>.<param>"; value, grad and trainable stay shared (composite layers). */
export function prefixed(layerName: string, p: Param): Param {
  return {
    name: `${layerName}.${p.name}`,
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
