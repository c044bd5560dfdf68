// Public surface of src/train.

export type { Callback, EarlyStoppingOptions, Logs, ModelCheckpointOptions, MonitorMode, TrainableModel, TrainBeginInfo } from "./callbacks.js";
export { EarlyStopping, LambdaCallback, ModelCheckpoint } from "./callbacks.js";
export { loadSequential } from "./load.js";
export type { FileLoggerOptions } from "./loggers.js";
export { CSVLogger, JsonLinesLogger } from "./loggers.js";
export type { DivergenceOptions, History, LoopOptions, TrainingStep } from "./loop.js";
export { DIVERGENCE, epochLogs, fitLoop, fitLoopSync } from "./loop.js";
export type { MetricName } from "./metrics.js";
export { confusionMatrix, countCorrect, METRIC_NAMES } from "./metrics.js";
export type { ProgressBarOptions, ProgressSink } from "./progress.js";
export { formatLogs, formatSeconds, ProgressBar } from "./progress.js";
export type { BatchInfo, BatchTransform, CompileOptions, FitOptions, PredictOptions, SaveOptions, SequentialOptions } from "./sequential.js";
export { Sequential } from "./sequential.js";
