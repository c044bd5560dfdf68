// Autoencoders: the basic (optionally tied) autoencoder, its denoising and sparse variants, corruption, pictures; the stacked and the RBM-pretrained deep autoencoder and their 2-D code plots; the bimodal (multimodal) deep autoencoder; the masked autoencoder and the linear probe; the variational autoencoder; the LSTM sequence autoencoder.

export type { AutoencoderFitOptions, AutoencoderLoss, AutoencoderOptions, SparsityOptions } from "./autoencoder.js";
export { AUTOENCODER_LOSSES, Autoencoder } from "./autoencoder.js";
export type { BimodalAutoencoderOptions, BimodalFitOptions, GivenModality, Modalities } from "./bimodal.js";
export { BimodalAutoencoder, splitModalities, zeroModalities } from "./bimodal.js";
export type { CodesPanel, CodesScatterOptions } from "./codes.js";
export { codesScatterImage, codesScatterSvg, knnAccuracy } from "./codes.js";
export type { ConvAutoencoderOptions } from "./conv.js";
export { CONV_ENCODER_LAYERS, convAutoencoder } from "./conv.js";
export type { Corruption, CorruptionOptions, NoiseKind } from "./corruption.js";
export { assertCorruption, corrupt, corruptionTransform, NOISE_KINDS } from "./corruption.js";
export type { DeepAutoencoderOptions } from "./deep.js";
export { DeepAutoencoder } from "./deep.js";
export { EncoderDecoder, forwardRows, UnrolledAutoencoder } from "./encoder-decoder.js";
export type { FeaturePool, MaskedAutoencoderFitOptions, MaskedAutoencoderOptions, PatchMask } from "./mae.js";
export { FEATURE_POOLS, MaskedAutoencoder, poolTokens } from "./mae.js";
export {
  autoencoderFilters,
  autoencoderFiltersImage,
  crossModalImage,
  denoisingImage,
  maskedAutoencoderImage,
  normalQuantile,
  vaeManifoldImage,
  vaeSamplesImage,
} from "./pictures.js";
export type { LinearProbeOptions, LinearProbeResult } from "./probe.js";
export { linearProbe } from "./probe.js";
export type { SeqAutoencoderFitOptions, SeqAutoencoderOptions, SequenceAccuracy, SequenceTask } from "./seq-autoencoder.js";
export { SEQUENCE_TASKS, SeqAutoencoder } from "./seq-autoencoder.js";
export type { StackedAutoencoderOptions, StackedClassifierOptions, StackedPretrainOptions } from "./stacked.js";
export { StackedAutoencoder } from "./stacked.js";
export type { EstimateOptions, VAEFitOptions, VAEOptions } from "./vae.js";
export { binarizeTransform, VAE } from "./vae.js";
