/**
 * Corruption for the denoising autoencoder (Vincent et al. 2008): the network sees a noisy
 * copy x̃ ~ q(x̃ | x) of each input, drawn afresh every batch, and is trained to output the
 * clean x. Three kinds, each with a level in [0, 1]:
 *   masking        x̃_i = 0 with probability ν, else x_i          (level ν)
 *   saltAndPepper  x̃_i = 0 or 1 (a fair coin) with probability ν   (level ν)
 *   gaussian       x̃_i = x_i + σ ε, ε ~ N(0, 1)                   (level σ)
 */
import type { BatchTransform } from "../../data/batch.js";
import type { Rng } from "../../tensor/random.js";
import { type Tensor, zerosLike } from "../../tensor/tensor.js";

export const NOISE_KINDS = ["masking", "saltAndPepper", "gaussian"] as const;
export type NoiseKind = (typeof NOISE_KINDS)[number];

export interface CorruptionOptions {
  /** Default "masking". */
  noise?: NoiseKind;
  /** ν (masking, salt-and-pepper) or σ (gaussian), in [0, 1]. */
  level: number;
}

export interface Corruption {
  noise: NoiseKind;
  level: number;
}

/** The options checked: an unknown kind or a level outside [0, 1] fails naming the option. */
export function assertCorruption(options: CorruptionOptions, where: string): Corruption {
  if (options === null || typeof options !== "object") throw new TypeError(`${where}: denoising must be { noise, level }; got ${JSON.stringify(options)}`);
  const noise = options.noise ?? "masking";
  if (!(NOISE_KINDS as readonly string[]).includes(noise))
    throw new RangeError(`${where}: denoising.noise must be one of ${NOISE_KINDS.join(", ")}; got ${JSON.stringify(noise)}`);
  const level = options.level;
  if (typeof level !== "number" || !(level >= 0 && level <= 1))
    throw new RangeError(`${where}: denoising.level (the corruption level) must be in [0, 1]; got ${JSON.stringify(level)}`);
  return { noise, level };
}

/** x̃ drawn from q(x̃ | x) into out (a new tensor when not given). */
export function corrupt(x: Tensor, corruption: Corruption, rng: Rng, out: Tensor = zerosLike(x)): Tensor {
  const { noise, level } = corruption;
  const xd = x.data;
  const od = out.data;
  for (let i = 0; i < xd.length; i++) {
    if (noise === "gaussian") od[i] = xd[i] + level * rng.normal();
    else if (rng.nextFloat() >= level) od[i] = xd[i];
    else od[i] = noise === "masking" ? 0 : rng.nextFloat() < 0.5 ? 0 : 1;
  }
  return out;
}

/** A fit transform that corrupts the input batch into the loop's scratch buffer; the target batch stays clean. */
export function corruptionTransform(corruption: Corruption): BatchTransform {
  return (xBatch, _yBatch, info) => corrupt(xBatch, corruption, info.rng, info.out);
}
