// Restricted Boltzmann machines: the formulas (core), the class, AIS and exact partition functions, save/load, pictures.

export type { AisOptions, AisResult, BetaSegment } from "./ais.js";
export { aisLogZ, baseRateBiases, betaSchedule, DEFAULT_BETAS, logMeanExpWithError, PAPER_BETAS } from "./ais.js";
export type { ChainBuffers, GibbsOptions, RbmParams, RbmStats, UnitType } from "./core.js";
export * as rbmMath from "./core.js";
export type { RbmJson } from "./io.js";
export { decodeRbm, encodeRbm, loadRbm, RBM_FORMAT, saveRbm } from "./io.js";
export type { LogLikelihoodOptions, LogLikelihoodResult } from "./partition.js";
export { enumerationLayer, exactLogZ, MAX_EXACT_UNITS, rbmLogLikelihood } from "./partition.js";
export type { ImageSize, RbmPictureOptions } from "./pictures.js";
export { filters as rbmFilters, filtersImage, imagesImage, reconstructionsImage, writeRbmPictures } from "./pictures.js";
export type { RBMOptions, RbmCallbacks, RbmEpochLogs, RbmFitOptions, RbmSampleOptions, ResolvedRBMOptions } from "./rbm.js";
export { RBM, resolveRbmOptions } from "./rbm.js";
