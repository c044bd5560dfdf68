// Public surface of src/optim.

export type { AdagradOptions } from "./adagrad.js";
export { Adagrad } from "./adagrad.js";
export type { AdamOptions } from "./adam.js";
export { Adam } from "./adam.js";
export type { BatchMinimizer, ConjugateGradientOptions } from "./cg.js";
export { ConjugateGradient, isBatchMinimizer } from "./cg.js";
export { optimizerFromConfig } from "./config.js";
export type { Optimizer, OptimizerConfig, OptimizerOptions } from "./optimizer.js";
export { BaseOptimizer } from "./optimizer.js";
export type { Schedule, ScheduleFn, ScheduleSpec } from "./schedules.js";
export { scheduledRate } from "./schedules.js";
export type { SGDOptions } from "./sgd.js";
export { SGD } from "./sgd.js";
