// Public surface of src/train.

export type { Callback, EarlyStoppingOptions, Logs, ModelCheckpointOptions, MonitorMode, TrainableModel, TrainBeginInfo } from "./callbacks.js";
export { EarlyStopping, LambdaCallback, ModelCheckpoint } from "./callbacks.js";
export { loadSequential } from "./load.js";
export type { MetricName } from "./metrics.js";
export { countCorrect, METRIC_NAMES } from "./metrics.js";
export type { ProgressBarOptions, ProgressSink } from "./progress.js";
export { formatLogs, formatSeconds, ProgressBar } from "./progress.js";
export type { BatchInfo, BatchTransform, CompileOptions, FitOptions, History, PredictOptions, SaveOptions, SequentialOptions } from "./sequential.js";
export { Sequential } from "./sequential.js";
