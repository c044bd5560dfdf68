/**
 * The contract every layer keeps (ConvNetJS style: forward and backward side by side).
 *
 * Shapes exclude the batch dimension: a Dense layer on 784 inputs has inputShape [784]; a
 * Conv2D on MNIST has inputShape [28, 28, 1] (NHWC). Tensors passed to forward/backward carry
 * the batch as their first dimension.
 */
import type { Rng } from "../tensor/random.js";
import type { Shape } from "../tensor/shape.js";
import type { Tensor } from "../tensor/tensor.js";
import type { ActivationName } from "./activations.js";

/** A trainable tensor and the gradient of the loss with respect to it. */
export interface Param {
  /** Stable name within the layer, e.g. "kernel" or "bias"; saved files use "<layer>.<name>". */
  readonly name: string;
  readonly value: Tensor;
  readonly grad: Tensor;
  /** Frozen params keep their value during fit (optimisers skip them). */
  trainable: boolean;
  /** Whether L1/L2 weight penalties apply (weights yes, biases no). */
  readonly regularize: boolean;
}

/** A JSON-serialisable description from which `layerFromConfig` rebuilds the layer. */
export interface LayerConfig {
  className: string;
  name?: string;
  [option: string]: unknown;
}

export interface Layer {
  /** Unique within a model; set by the model if not given. */
  name: string;
  /** The input shape the layer was declared with (without batch), if any: lets a model build itself. */
  readonly inputShape?: Shape;
  /** Fixes the input shape, creates the parameters (drawn from rng) and returns the output shape. */
  build(inputShape: Shape, rng: Rng): Shape;
  /** Output for a batch. `training` switches dropout and similar train-only behaviour. */
  forward(x: Tensor, training: boolean): Tensor;
  /**
   * Given dL/dy for the last forward batch, accumulates dL/dθ into each param's grad and
   * returns dL/dx. Layers cache what they need from forward (x or y) and reuse buffers
   * across batches of the same size.
   *
   * needInputGrad = false (the model's first layer, or one above a frozen stack) lets a layer
   * skip computing dL/dx; the returned tensor is then unspecified and must not be used.
   */
  backward(dy: Tensor, needInputGrad?: boolean): Tensor;
  params(): Param[];
  config(): LayerConfig;
  /**
   * The state words of the generator the layer draws from while training (dropout masks), if
   * it has one; a saved model keeps them, so a resumed fit draws what an uninterrupted one would.
   */
  randomState?(): Uint32Array | null;
  /**
   * A term this layer adds to the training loss for its last forward batch (an activity
   * penalty such as KL sparsity); its backward adds the term's derivative to dL/dx.
   */
  penalty?(): number;
  /**
   * Masks of padded steps, passed up a Sequential as Keras does: before each forward the model
   * gives a layer the [batch, time] mask (1 real step, 0 padding) that came with its input, or
   * null. Layers without setMask ignore masks.
   */
  setMask?(mask: Tensor | null): void;
  /** The mask that goes with the last forward's output, for the layer above; absent or null: none (the mask stops here). */
  outputMask?(): Tensor | null;
  /** A layer that uses another layer's params (tied weights) finds it among the layers below; called before build. */
  tie?(below: readonly Layer[]): void;
}

/**
 * A layer whose output is y = f(z) for a named activation f. Losses fuse with it: softmax
 * with categorical cross-entropy and sigmoid with binary cross-entropy compute the loss from
 * z (log-sum-exp, stable) and start backpropagation at δ = dL/dz = (y − t)/n.
 */
export interface OutputActivation {
  readonly activation: ActivationName;
  /** z of the last forward. */
  preActivation(): Tensor;
  /** backward given dL/dz instead of dL/dy. */
  backwardFromPreActivation(dz: Tensor, needInputGrad?: boolean): Tensor;
}

export function hasOutputActivation(layer: Layer): layer is Layer & OutputActivation {
  const l = layer as Partial<OutputActivation>;
  return typeof l.activation === "string" && typeof l.preActivation === "function" && typeof l.backwardFromPreActivation === "function";
}
