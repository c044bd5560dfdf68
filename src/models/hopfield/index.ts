// Hopfield networks (binary/bipolar, Hebbian and pseudo-inverse), BAM, annealing, the Hopfield–Tank TSP.

export type { AnnealingSchedule, AnnealOptions, AnnealResult, ScheduleOptions } from "./anneal.js";
export { anneal, constantSchedule, geometricSchedule, linearSchedule } from "./anneal.js";
export type { BamOptions, BamRecallResult } from "./bam.js";
export { BAM } from "./bam.js";
export type { EnergyRecorder, StateLevels, UnitStates } from "./core.js";
export { checkEnergyParameters, FieldState, localFields, quadraticEnergy, STATE_LEVELS, shuffleOrder, unitIndices } from "./core.js";
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
export { flipUnits, Hopfield, hammingDistance, randomPatterns, toBinary, toBipolar } from "./hopfield.js";
export type { PatternSet } from "./patterns.js";
export { digitPatterns, parsePatternText } from "./patterns.js";
export type { PseudoInverseOptions } from "./rules.js";
export { binaryForm, hebbianWeights, invertSymmetricPositiveDefinite, pseudoInverseWeights, solveSymmetricPositiveDefinite } from "./rules.js";
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
