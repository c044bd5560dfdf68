/**
 * LeNet-5 (LeCun, Bottou, Bengio & Haffner 1998) and a modern variant, as ready-made
 * Sequential models on NHWC digits ([28, 28, 1]; [n, 784] rows are read the same way).
 *
 * LeNet-5, layer by layer (paper names):
 *   C1  6 feature maps, 5×5 filters. The paper pads 28×28 digits to 32×32; "same" padding is
 *       the same thing, giving 28×28×6.
 *   S2  2×2 subsampling → 14×14×6 (average pooling; the paper's trainable scale per map is
 *       folded into the next layer's weights).
 *   C3  16 maps, 5×5 → 10×10×16 (all 6 input maps per filter; the paper's sparse connection
 *       table was a 1998 compute saving).
 *   S4  2×2 subsampling → 5×5×16.
 *   C5  120 maps, 5×5 → 1×1×120 (a convolution that covers its whole input).
 *   F6  84 units; output 10 units (softmax here, in place of the paper's RBF units).
 * Squashing function tanh, as in the paper (which scales it to 1.7159 tanh(2x/3)).
 *
 * The modern variant keeps the shape but uses ReLU, max pooling, He initialisation and
 * dropout before the dense layers.
 */
import { Conv2D } from "../../nn/conv.js";
import { Dense } from "../../nn/dense.js";
import { Dropout } from "../../nn/dropout.js";
import type { Layer } from "../../nn/layer.js";
import { AvgPool2D, MaxPool2D } from "../../nn/pool.js";
import { Flatten } from "../../nn/reshape.js";
import type { Shape } from "../../tensor/shape.js";
import { Sequential } from "../../train/sequential.js";

export interface LeNetOptions {
  /** Default [28, 28, 1] (NHWC). */
  inputShape?: Shape;
  /** Default 10. */
  classes?: number;
  /** Seeds the weights (and dropout masks). Default 0. */
  seed?: number;
}

export interface LeNetReluOptions extends LeNetOptions {
  /** Dropout rate before each dense layer, in [0, 1). Default 0.25. */
  dropout?: number;
  /** Filters of the two conv layers and units of the two dense layers; default [6, 16, 120, 84] as LeNet-5. */
  widths?: readonly [number, number, number, number];
}

const DIGIT_SHAPE: Shape = [28, 28, 1];

export const LENET_ARCHS = ["lenet5", "lenet-relu"] as const;
export type LeNetArch = (typeof LENET_ARCHS)[number];

/** LeNet-5 as in LeCun et al. (1998): tanh units and average-pooling subsampling. */
export function lenet5(options: LeNetOptions = {}): Sequential {
  const { inputShape = DIGIT_SHAPE, classes = 10, seed = 0 } = options;
  const layers: Layer[] = [
    new Conv2D({ filters: 6, kernelSize: 5, padding: "same", activation: "tanh", inputShape, name: "c1" }),
    new AvgPool2D({ poolSize: 2, name: "s2" }),
    new Conv2D({ filters: 16, kernelSize: 5, activation: "tanh", name: "c3" }),
    new AvgPool2D({ poolSize: 2, name: "s4" }),
    new Conv2D({ filters: 120, kernelSize: 5, activation: "tanh", name: "c5" }),
    new Flatten({ name: "flatten" }),
    new Dense(84, { activation: "tanh", name: "f6" }),
    new Dense(classes, { activation: "softmax", name: "output" }),
  ];
  return new Sequential(layers, { inputShape, seed, name: "lenet5" });
}

/** LeNet-5's shape with ReLU, max pooling and dropout (the form it takes in today's courses). */
export function lenetRelu(options: LeNetReluOptions = {}): Sequential {
  const { inputShape = DIGIT_SHAPE, classes = 10, seed = 0, dropout = 0.25, widths = [6, 16, 120, 84] } = options;
  if (!(dropout >= 0 && dropout < 1)) throw new RangeError(`lenetRelu: dropout must be in [0, 1); got ${dropout}`);
  const [c1, c3, f5, f6] = widths;
  const layers: Layer[] = [
    new Conv2D({ filters: c1, kernelSize: 5, padding: "same", activation: "relu", kernelInitializer: "heNormal", inputShape, name: "c1" }),
    new MaxPool2D({ poolSize: 2, name: "s2" }),
    new Conv2D({ filters: c3, kernelSize: 5, activation: "relu", kernelInitializer: "heNormal", name: "c3" }),
    new MaxPool2D({ poolSize: 2, name: "s4" }),
    new Flatten({ name: "flatten" }),
  ];
  if (dropout > 0) layers.push(new Dropout(dropout, { name: "drop5" }));
  layers.push(new Dense(f5, { activation: "relu", kernelInitializer: "heNormal", name: "f5" }));
  if (dropout > 0) layers.push(new Dropout(dropout, { name: "drop6" }));
  layers.push(new Dense(f6, { activation: "relu", kernelInitializer: "heNormal", name: "f6" }));
  layers.push(new Dense(classes, { activation: "softmax", name: "output" }));
  return new Sequential(layers, { inputShape, seed, name: "lenet-relu" });
}

/** The builder for an architecture name (the CLI's --arch). */
export function lenet(arch: LeNetArch, options: LeNetReluOptions = {}): Sequential {
  if (arch === "lenet5") return lenet5(options);
  if (arch === "lenet-relu") return lenetRelu(options);
  throw new RangeError(`lenet: arch must be one of ${LENET_ARCHS.join(", ")}; got ${JSON.stringify(arch)}`);
}
