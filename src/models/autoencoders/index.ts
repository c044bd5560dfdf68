// Autoencoders: the basic (optionally tied) autoencoder, its denoising and sparse variants, corruption, pictures.

export type { AutoencoderFitOptions, AutoencoderLoss, AutoencoderOptions, SparsityOptions } from "./autoencoder.js";
export { AUTOENCODER_LOSSES, Autoencoder } from "./autoencoder.js";
export type { ConvAutoencoderOptions } from "./conv.js";
export { CONV_ENCODER_LAYERS, convAutoencoder } from "./conv.js";
export type { Corruption, CorruptionOptions, NoiseKind } from "./corruption.js";
export { assertCorruption, corrupt, corruptionTransform, NOISE_KINDS } from "./corruption.js";
export { autoencoderFilters, autoencoderFiltersImage, denoisingImage } from "./pictures.js";
