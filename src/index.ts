/** layerwise: the classic canon of neural networks, in TypeScript, on a fast WebAssembly core. */
export { Tensor, zeros, ones, full, zerosLike, fromArray, tensor, eye, randUniform, randNormal, fillNormal } from "./tensor/tensor.js";
export type { NestedArray } from "./tensor/tensor.js";
export { Rng, rngFrom } from "./tensor/random.js";
export { ShapeError, shapeSize, formatShape, shapesEqual } from "./tensor/shape.js";
export type { Shape } from "./tensor/shape.js";
export { backend, setBackend, createBackend } from "./backend/index.js";
export type { Backend, BackendInfo, BackendName, BackendOptions } from "./backend/index.js";
export * as ops from "./ops/index.js";
export * from "./nn/index.js";
export * from "./optim/index.js";
export * from "./train/index.js";
export * from "./energy/index.js";
export * from "./data/index.js";
export * from "./io/index.js";
export * from "./autoencoders/index.js";
export * from "./models/index.js";
