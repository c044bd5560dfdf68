/**
 * An optimiser's part of a saved model (the one format, docs/format.md): its config beside the
 * model's, its step count in `state.optimizer.iterations` (Adam's bias correction depends on it),
 * and its per-param slots (velocity, moments) as tensors `optimizer.<param>.<slot>`. Saved and
 * restored here for every model that owns an optimiser, so a resumed run steps exactly as an
 * uninterrupted one.
 */
import type { SavedModelReader } from "../io/model.js";
import type { Param } from "../nn/layer.js";
import type { Tensor } from "../tensor/tensor.js";
import { optimizerFromConfig } from "./config.js";
import type { Optimizer, OptimizerConfig } from "./optimizer.js";

type NamedParams = readonly (readonly [string, Param])[];

/** The params' values under their names, then the optimiser's slots under `optimizer.` names. */
export function paramAndSlotTensors(named: NamedParams, optimizer: Optimizer | null): [string, Tensor][] {
  const slots = optimizer?.slotTensors?.(named) ?? [];
  return [...named.map(([name, p]): [string, Tensor] => [name, p.value]), ...slots.map(([name, t]): [string, Tensor] => [`optimizer.${name}`, t])];
}

/** `{ optimizer: { iterations } }` for the saved state, or nothing for an optimiser that does not count its steps. */
export function optimizerState(optimizer: Optimizer | null): { optimizer?: { iterations: number } } {
  return optimizer?.iterations === undefined ? {} : { optimizer: { iterations: optimizer.iterations } };
}

/** The optimiser a saved config names; a config that is not an object fails naming `field`. */
export function optimizerOfSaved(saved: SavedModelReader, config: unknown, field: string): Optimizer {
  if (config === null || typeof config !== "object") saved.fail(`"${field}" must be an optimiser config; got ${JSON.stringify(config)}`);
  return optimizerFromConfig(config as OptimizerConfig);
}

/** Puts the saved step count and slots back into the optimiser of the params `named`. */
export function restoreOptimizer(saved: SavedModelReader, optimizer: Optimizer, named: NamedParams): void {
  const progress = saved.state.optimizer as { iterations?: unknown } | undefined;
  if (progress === undefined) return;
  if (progress === null || typeof progress !== "object") saved.fail(`"state.optimizer" must be { iterations }; got ${JSON.stringify(progress)}`);
  if (optimizer.iterations === undefined) return;
  if (!Number.isSafeInteger(progress.iterations) || (progress.iterations as number) < 0)
    saved.fail(`"state.optimizer.iterations" must be an integer >= 0; got ${JSON.stringify(progress.iterations)}`);
  optimizer.iterations = progress.iterations as number;
  optimizer.restoreSlots?.(named, (name, shape) => saved.optionalTensor(`optimizer.${name}`, shape));
}
