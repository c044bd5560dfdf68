import { Adagrad } from "./adagrad.js";
import { Adam } from "./adam.js";
import { ConjugateGradient } from "./cg.js";
import type { Optimizer, OptimizerConfig, OptimizerOptions } from "./optimizer.js";
import type { ScheduleSpec } from "./schedules.js";
import { SGD } from "./sgd.js";

/** Rebuilds an optimiser from its saved config (fresh state: moments and velocities restart at zero). */
export function optimizerFromConfig(config: OptimizerConfig): Optimizer {
  const base: OptimizerOptions = {
    learningRate: config.learningRate,
    weightDecay: config.weightDecay,
    l1: config.l1,
    clipNorm: config.clipNorm ?? undefined,
    clipValue: config.clipValue ?? undefined,
    schedule: (config.schedule as ScheduleSpec | null) ?? undefined,
  };
  const num = (k: string): number | undefined => (typeof config[k] === "number" ? (config[k] as number) : undefined);
  switch (config.className) {
    case "SGD":
      return new SGD({ ...base, momentum: num("momentum"), nesterov: config.nesterov === true });
    case "Adagrad":
      return new Adagrad({ ...base, epsilon: num("epsilon"), initialAccumulator: num("initialAccumulator") });
    case "Adam":
      return new Adam({ ...base, beta1: num("beta1"), beta2: num("beta2"), epsilon: num("epsilon") });
    case "ConjugateGradient":
      return new ConjugateGradient({ weightDecay: config.weightDecay, lineSearches: num("lineSearches"), maxEvaluations: num("maxEvaluations") });
    default:
      throw new RangeError(`optimizerFromConfig: unknown optimizer "${String(config.className)}"; known: SGD, Adagrad, Adam, ConjugateGradient`);
  }
}
