/**
 * The convolutional autoencoder of the lectures on MNIST: two Conv2D + MaxPool2D stages squeeze a
 * 28×28 digit into a 7×7×c code, two Conv2DTranspose layers with stride 2 paint it back to
 * 28×28, and a sigmoid gives pixel intensities in (0, 1). A plain Sequential: it is trained x → x
 * by Sequential.fit (binary cross-entropy), saved and loaded as any Sequential.
 *   encoder  28×28×1 → Conv 3×3 (f, relu) → pool 2 → 14×14×f → Conv 3×3 (c, relu) → pool 2 → 7×7×c
 *   decoder  7×7×c → ConvT 3×3 stride 2 (f, relu) → 14×14×f → ConvT 3×3 stride 2 (1, sigmoid) → 28×28 → 784
 */
import { Conv2D } from "../../nn/conv.js";
import { Conv2DTranspose } from "../../nn/conv-transpose.js";
import { MaxPool2D } from "../../nn/pool.js";
import { Flatten } from "../../nn/reshape.js";
import { Sequential } from "../../train/sequential.js";

export interface ConvAutoencoderOptions {
  /** Feature maps of the first conv layer and of the first transposed one (f). Default 8. */
  filters?: number;
  /** Channels of the 7×7 code (c): the code has 49·c numbers. Default 4. */
  codeChannels?: number;
  /** Seeds the initialisation and the shuffling. Default 1. */
  seed?: number;
}

function assertChannels(value: unknown, option: string): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1 || value > 1024)
    throw new RangeError(`convAutoencoder: ${option} must be an integer in [1, 1024]; got ${JSON.stringify(value)}`);
  return value;
}

/** The uncompiled net 784 → 7×7×codeChannels → 784 (input rows of 784 pixels, read as 28×28×1). */
export function convAutoencoder(options: ConvAutoencoderOptions = {}): Sequential {
  const filters = assertChannels(options.filters ?? 8, "filters");
  const codeChannels = assertChannels(options.codeChannels ?? 4, "codeChannels");
  return new Sequential(
    [
      // encoder: 28×28×1 → 14×14×f → 7×7×c
      new Conv2D({ filters, kernelSize: 3, padding: "same", activation: "relu", inputShape: [28, 28, 1] }),
      new MaxPool2D({ poolSize: 2 }),
      new Conv2D({ filters: codeChannels, kernelSize: 3, padding: "same", activation: "relu" }),
      new MaxPool2D({ poolSize: 2 }),
      // decoder: 7×7×c → 14×14×f → 28×28×1
      new Conv2DTranspose({ filters, kernelSize: 3, strides: 2, padding: "same", activation: "relu" }),
      new Conv2DTranspose({ filters: 1, kernelSize: 3, strides: 2, padding: "same", activation: "sigmoid" }),
      new Flatten(),
    ],
    { seed: options.seed ?? 1, name: "conv_autoencoder" },
  );
}

/** Layers of convAutoencoder that make the encoder (up to the 7×7×c code). */
export const CONV_ENCODER_LAYERS = 4;
