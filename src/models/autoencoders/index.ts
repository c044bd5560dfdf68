// Autoencoders: the variational autoencoder; the basic (optionally tied) autoencoder, its denoising and sparse variants, corruption, pictures; the RBM-pretrained deep autoencoder and its 2-D code plots.

export type { AutoencoderFitOptions, AutoencoderLoss, AutoencoderOptions, SparsityOptions } from "./autoencoder.js";
export { AUTOENCODER_LOSSES, Autoencoder } from "./autoencoder.js";
export type { CodesPanel, CodesScatterOptions } from "./codes.js";
export { codesScatterImage, codesScatterSvg, knnAccuracy } from "./codes.js";
export type { ConvAutoencoderOptions } from "./conv.js";
export { CONV_ENCODER_LAYERS, convAutoencoder } from "./conv.js";
export type { Corruption, CorruptionOptions, NoiseKind } from "./corruption.js";
export { assertCorruption, corrupt, corruptionTransform, NOISE_KINDS } from "./corruption.js";
export type { DeepAutoencoderOptions } from "./deep.js";
export { DeepAutoencoder } from "./deep.js";
export { autoencoderFilters, autoencoderFiltersImage, denoisingImage, normalQuantile, vaeManifoldImage, vaeSamplesImage } from "./pictures.js";
export type { StackedAutoencoderOptions, StackedClassifierOptions, StackedPretrainOptions } from "./stacked.js";
export { StackedAutoencoder } from "./stacked.js";
export type { EstimateOptions, VAEFitOptions, VAEOptions } from "./vae.js";
export { binarizeTransform, VAE } from "./vae.js";
