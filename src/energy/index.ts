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
export { saveRbm, loadRbm, encodeRbm, decodeRbm, RBM_FORMAT } from "./rbm-io.js";
export type { RbmJson } from "./rbm-io.js";
export { filters as rbmFilters, filtersImage, reconstructionsImage, imagesImage, writeRbmPictures } from "./rbm-pictures.js";
export type { RbmPictureOptions, ImageSize } from "./rbm-pictures.js";
// Hopfield networks, BAM, Boltzmann machines, annealing, Hopfield–Tank TSP (issue 4)
export { Hopfield, randomPatterns, flipUnits, hammingDistance, toBipolar, toBinary } from "./hopfield.js";
export type { HopfieldOptions, StoreOptions, RecallOptions, RecallResult, BatchRecallResult, StorageRule, UpdateMode, EnergyRecord, RecallStatus } from "./hopfield.js";
export { FieldState, STATE_LEVELS, quadraticEnergy, localFields, checkEnergyParameters } from "./hopfield-core.js";
export type { UnitStates, StateLevels, EnergyRecorder } from "./hopfield-core.js";
export { hebbianWeights, pseudoInverseWeights, binaryForm, solveSymmetricPositiveDefinite, invertSymmetricPositiveDefinite } from "./hopfield-rules.js";
export type { PseudoInverseOptions } from "./hopfield-rules.js";
export { BoltzmannMachine } from "./boltzmann.js";
export type { BoltzmannMachineOptions, GibbsSamplingOptions, SampledGradientOptions, BoltzmannGradient, BoltzmannFitOptions, BoltzmannFitResult } from "./boltzmann.js";
export { boltzmannDistribution, marginalizeHidden, pairStatistics, enumerateEnergies, empiricalDistribution, totalVariation, klDivergence, MAX_ENUMERATED_UNITS } from "./boltzmann-exact.js";
export { anneal, geometricSchedule, linearSchedule, constantSchedule } from "./anneal.js";
export type { AnnealingSchedule, ScheduleOptions, AnnealOptions, AnnealResult } from "./anneal.js";
export { BAM } from "./bam.js";
export type { BamOptions, BamRecallResult } from "./bam.js";
export { randomCities, distanceMatrix, tourLength, isPermutation, heldKarp, hopfieldTankNetwork, tspEnergyTerms, decodeTour, solveTspHopfield, DEFAULT_TSP_PENALTIES, MAX_HELD_KARP_CITIES } from "./tsp.js";
export type { TspPenalties, TspEnergyTerms, TspSolveOptions, TspSolution } from "./tsp.js";
export { runTspExperiment } from "./tsp.js";
export type { TspExperimentOptions, TspExperimentResult } from "./tsp.js";
export { parsePatternText, digitPatterns } from "./hopfield-patterns.js";
export type { PatternSet } from "./hopfield-patterns.js";
// Deep belief nets and deep Boltzmann machines (issue 7)
export { DBN, joinColumns } from "./dbn.js";
export type { DBNOptions, LayerRbmOptions, DbnPretrainOptions, DbnCallbacks, DbnLayerInfo, DbnSampleOptions, ClassifierOptions } from "./dbn.js";
export { saveDbn, loadDbn, DBN_FORMAT } from "./dbn-io.js";
export type { DbnJson } from "./dbn-io.js";
export { DBM, chainAsRbm, resolveDbmOptions } from "./dbm.js";
export type { DBMOptions, ResolvedDBMOptions, MeanFieldOptions, MeanFieldResult, DbmEpochLogs, DbmFitOptions, DbmPretrainOptions, BoundResult } from "./dbm.js";
export { dbnSamples, dbnSamplesImage, writeDbnPictures } from "./dbn-pictures.js";
export type { DbnSampleGridOptions } from "./dbn-pictures.js";
