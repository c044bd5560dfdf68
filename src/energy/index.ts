// Public surface of src/energy (filled in by its issue).

export type { AisOptions, AisResult, BetaSegment } from "./ais.js";
export { aisLogZ, baseRateBiases, betaSchedule, DEFAULT_BETAS, logMeanExpWithError, PAPER_BETAS } from "./ais.js";
export type { AnnealingSchedule, AnnealOptions, AnnealResult, ScheduleOptions } from "./anneal.js";
export { anneal, constantSchedule, geometricSchedule, linearSchedule } from "./anneal.js";
export type { BamOptions, BamRecallResult } from "./bam.js";
export { BAM } from "./bam.js";
export type {
  BoltzmannFitOptions,
  BoltzmannFitResult,
  BoltzmannGradient,
  BoltzmannMachineOptions,
  GibbsSamplingOptions,
  SampledGradientOptions,
} from "./boltzmann.js";
export { BoltzmannMachine } from "./boltzmann.js";
export {
  boltzmannDistribution,
  empiricalDistribution,
  enumerateEnergies,
  klDivergence,
  MAX_ENUMERATED_UNITS,
  marginalizeHidden,
  pairStatistics,
  totalVariation,
} from "./boltzmann-exact.js";
export type {
  BoundResult,
  DBMOptions,
  DbmEpochLogs,
  DbmFitOptions,
  DbmPretrainOptions,
  DbmTrainingOptions,
  MeanFieldOptions,
  MeanFieldResult,
  ResolvedDBMOptions,
} from "./dbm.js";
export { chainAsRbm, DBM, DBM_TRAINING_OPTIONS, resolveDbmOptions } from "./dbm.js";
export type { DbmJson } from "./dbm-io.js";
export { DBM_FORMAT, decodeDbm, encodeDbm, loadDbm, saveDbm } from "./dbm-io.js";
export type { ClassifierOptions, DBNOptions, DbnCallbacks, DbnLayerInfo, DbnPretrainOptions, DbnSampleOptions, LayerRbmOptions } from "./dbn.js";
// Deep belief nets and deep Boltzmann machines (issue 7)
export { DBN, joinColumns } from "./dbn.js";
export type { DbnJson } from "./dbn-io.js";
export { DBN_FORMAT, GENERATIVE_WEIGHTS, loadDbn, saveDbn } from "./dbn-io.js";
export type { DbnSampleGridOptions } from "./dbn-pictures.js";
export { dbnSamples, dbnSamplesImage, writeDbnPictures } from "./dbn-pictures.js";
export type {
  BatchRecallResult,
  EnergyRecord,
  HopfieldOptions,
  RecallOptions,
  RecallResult,
  RecallStatus,
  StorageRule,
  StoreOptions,
  UpdateMode,
} from "./hopfield.js";
// Hopfield networks, BAM, Boltzmann machines, annealing, Hopfield–Tank TSP (issue 4)
export { flipUnits, Hopfield, hammingDistance, randomPatterns, toBinary, toBipolar } from "./hopfield.js";
export type { EnergyRecorder, StateLevels, UnitStates } from "./hopfield-core.js";
export { checkEnergyParameters, FieldState, localFields, quadraticEnergy, STATE_LEVELS } from "./hopfield-core.js";
export type { PatternSet } from "./hopfield-patterns.js";
export { digitPatterns, parsePatternText } from "./hopfield-patterns.js";
export type { PseudoInverseOptions } from "./hopfield-rules.js";
export { binaryForm, hebbianWeights, invertSymmetricPositiveDefinite, pseudoInverseWeights, solveSymmetricPositiveDefinite } from "./hopfield-rules.js";
export type { LogLikelihoodOptions, LogLikelihoodResult } from "./partition.js";
export { enumerationLayer, exactLogZ, MAX_EXACT_UNITS, rbmLogLikelihood } from "./partition.js";
export type { RBMOptions, RbmCallbacks, RbmEpochLogs, RbmFitOptions, RbmSampleOptions, ResolvedRBMOptions } from "./rbm.js";
// RBM (issue 5)
export { RBM, resolveRbmOptions } from "./rbm.js";
export type { ChainBuffers, GibbsOptions, RbmParams, RbmStats, UnitType } from "./rbm-core.js";
export * as rbmMath from "./rbm-core.js";
export type { RbmJson } from "./rbm-io.js";
export { decodeRbm, encodeRbm, loadRbm, RBM_FORMAT, saveRbm } from "./rbm-io.js";
export type { ImageSize, RbmPictureOptions } from "./rbm-pictures.js";
export { filters as rbmFilters, filtersImage, imagesImage, reconstructionsImage, writeRbmPictures } from "./rbm-pictures.js";
export type { TspEnergyTerms, TspExperimentOptions, TspExperimentResult, TspPenalties, TspSolution, TspSolveOptions } from "./tsp.js";
export {
  DEFAULT_TSP_PENALTIES,
  decodeTour,
  distanceMatrix,
  heldKarp,
  hopfieldTankNetwork,
  isPermutation,
  MAX_HELD_KARP_CITIES,
  randomCities,
  runTspExperiment,
  solveTspHopfield,
  tourLength,
  tspEnergyTerms,
} from "./tsp.js";
export type { UpDownEpochLogs, UpDownOptions } from "./updown.js";
export { upDown } from "./updown.js";
