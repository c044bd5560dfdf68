/** layerwise: the classic canon of neural networks, in TypeScript, on a fast WebAssembly core. */

export type { Backend, BackendInfo, BackendName, BackendOptions } from "./backend/index.js";
export { backend, createBackend, setBackend } from "./backend/index.js";
export * from "./data/index.js";
export * from "./io/index.js";
export * from "./models/index.js";
export * from "./nn/index.js";
export * as ops from "./ops/index.js";
export * from "./optim/index.js";
export { Rng, rngFrom } from "./tensor/random.js";
export type { Shape } from "./tensor/shape.js";
export { formatShape, ShapeError, shapeSize, shapesEqual } from "./tensor/shape.js";
export type { NestedArray } from "./tensor/tensor.js";
export { eye, fillNormal, fromArray, full, ones, randNormal, randUniform, Tensor, tensor, zeros, zerosLike } from "./tensor/tensor.js";
export * from "./train/index.js";
