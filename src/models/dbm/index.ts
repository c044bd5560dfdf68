// Deep Boltzmann machines: the formulas (core), the options, the class (pretraining, mean-field
// and persistent chains, bounds), save/load.

export type { DbmParams, MeanFieldResult } from "./core.js";
export * as dbmMath from "./core.js";
export { chainAsRbm } from "./core.js";
export type { BoundResult, DbmEpochLogs, DbmFitOptions, DbmPretrainOptions, DbmStepLogs, MeanFieldOptions } from "./dbm.js";
export { DBM } from "./dbm.js";
export type { DbmJson } from "./io.js";
export { DBM_FORMAT, decodeDbm, encodeDbm, loadDbm, saveDbm } from "./io.js";
export type { DBMOptions, DbmOptionChange, DbmTrainingOptions, ResolvedDBMOptions } from "./options.js";
export { DBM_TRAINING_OPTIONS, resolveDbmOptions } from "./options.js";
