// Deep Boltzmann machines: pretraining, mean-field and persistent chains, bounds, save/load.

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
export type { DbmJson } from "./io.js";
export { DBM_FORMAT, decodeDbm, encodeDbm, loadDbm, saveDbm } from "./io.js";
