// Public surface of src/optim.
export { BaseOptimizer } from "./optimizer.js";
export type { Optimizer, OptimizerOptions, OptimizerConfig } from "./optimizer.js";
export { SGD } from "./sgd.js";
export type { SGDOptions } from "./sgd.js";
export { Adagrad } from "./adagrad.js";
export type { AdagradOptions } from "./adagrad.js";
export { Adam } from "./adam.js";
export type { AdamOptions } from "./adam.js";
export { scheduledRate } from "./schedules.js";
export type { Schedule, ScheduleSpec, ScheduleFn } from "./schedules.js";
export { optimizerFromConfig } from "./config.js";
