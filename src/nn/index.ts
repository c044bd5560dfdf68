// Public surface of src/nn (filled in by its issue).

export type { ActivationOptions } from "./activation.js";
export { Activation } from "./activation.js";
export type { ActivationName } from "./activations.js";
export { ACTIVATION_NAMES, activate, activationBackward } from "./activations.js";
export { BatchBuffers } from "./buffers.js";
export type { Conv1DOptions, Conv2DOptions } from "./conv.js";
export { Conv1D, Conv2D } from "./conv.js";
export type { DenseOptions } from "./dense.js";
export { Dense } from "./dense.js";
export type { DropoutOptions } from "./dropout.js";
export { Dropout } from "./dropout.js";
export type { EmbeddingOptions } from "./embedding.js";
export { Embedding } from "./embedding.js";
export type { InitializerName } from "./initializers.js";
export { INITIALIZER_NAMES, initialize } from "./initializers.js";
export type { Layer, LayerConfig, OutputActivation, Param } from "./layer.js";
export { hasOutputActivation } from "./layer.js";
export type { LossName } from "./losses.js";
export { LOSS_NAMES, Loss } from "./losses.js";
export type { ParallelOptions } from "./parallel.js";
export { Parallel } from "./parallel.js";
export { makeParam } from "./param.js";
export type { GlobalPoolOptions, Pool2DOptions, PoolMode } from "./pool.js";
export { AvgPool2D, GlobalAvgPool, GlobalMaxPool, MaxPool2D } from "./pool.js";
export { layerFromConfig, registeredLayers, registerLayer } from "./registry.js";
export type { ReshapeOptions } from "./reshape.js";
export { Flatten, Reshape } from "./reshape.js";
