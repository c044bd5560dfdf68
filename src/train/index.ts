// Public surface of src/train.
export { Sequential } from "./sequential.js";
export type { SequentialOptions, CompileOptions, FitOptions, History, PredictOptions } from "./sequential.js";
export { loadModel } from "./load.js";
export { EarlyStopping, ModelCheckpoint, LambdaCallback } from "./callbacks.js";
export type { Callback, Logs, TrainableModel, TrainBeginInfo, EarlyStoppingOptions, ModelCheckpointOptions, MonitorMode } from "./callbacks.js";
export { ProgressBar, formatLogs, formatSeconds } from "./progress.js";
export type { ProgressBarOptions, ProgressSink } from "./progress.js";
export { METRIC_NAMES, countCorrect } from "./metrics.js";
export type { MetricName } from "./metrics.js";
