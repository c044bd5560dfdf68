// Recipes shared by the model families: pretrain -> classifier -> fine-tune -> random-init baseline.

export type {
  ClassifierData,
  ClassifierRun,
  ClassifierTrainingOptions,
  DropoutRates,
  FinetuneOptimizer,
  FinetuneOptions,
  FinetuneStage,
  LabelledRows,
  PretrainedStack,
  PretrainFinetuneResult,
} from "./pretrain-finetune.js";
export { pretrainAndFinetune, resolveFinetuneOptions, trainClassifier } from "./pretrain-finetune.js";
