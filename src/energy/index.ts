// Public surface of src/energy (filled in by its issue).
export {};
// RBM (issue 5)
export { RBM, resolveRbmOptions } from "./rbm.js";
export type { RBMOptions, ResolvedRBMOptions, RbmEpochLogs, RbmCallbacks, RbmFitOptions, RbmSampleOptions } from "./rbm.js";
export * as rbmMath from "./rbm-core.js";
export type { RbmParams, UnitType, RbmStats, ChainBuffers, GibbsOptions } from "./rbm-core.js";
export { exactLogZ, rbmLogLikelihood, enumerationLayer, MAX_EXACT_UNITS } from "./partition.js";
export type { LogLikelihoodOptions, LogLikelihoodResult } from "./partition.js";
export { aisLogZ, betaSchedule, baseRateBiases, logMeanExpWithError, PAPER_BETAS, DEFAULT_BETAS } from "./ais.js";
export type { AisOptions, AisResult, BetaSegment } from "./ais.js";
