/** loadModel: rebuilds a Sequential from a folder written by Sequential.save. */
import type { ModelFiles } from "../io/model.js";
// Through the nn barrel, not nn/registry.js: the barrel loads every layer module, and each
// registers its class on load, so Conv2D, pooling, Embedding, Parallel... are known here
// whatever the caller imported. A new layer class must be exported from src/nn/index.ts.
import { layerFromConfig } from "../nn/index.js";
import type { LossName } from "../nn/losses.js";
import { optimizerFromConfig } from "../optim/config.js";
import type { OptimizerConfig } from "../optim/optimizer.js";
import { formatShape, shapesEqual } from "../tensor/shape.js";
import type { MetricName } from "./metrics.js";
import { Sequential } from "./sequential.js";

/**
 * Loads model.json and model.safetensors from dir. Every tensor the architecture needs must be
 * present with its exact shape, and no other tensor may be; errors name the file and the tensor.
 */
export async function loadModel(dir: string): Promise<Sequential> {
  const { readModelFiles } = await import("../io/model.js");
  return modelFromFiles(await readModelFiles(dir));
}

export function modelFromFiles({ json, jsonPath, weights, weightsPath }: ModelFiles): Sequential {
  let model: Sequential;
  try {
    model = new Sequential(
      json.layers.map((c) => layerFromConfig(c)),
      { inputShape: json.inputShape, seed: json.seed, name: json.name },
    );
    model.build();
  } catch (err) {
    throw new Error(`${jsonPath}: cannot rebuild the architecture: ${err instanceof Error ? err.message : String(err)}`);
  }
  const expected = model.namedParams();
  for (const [name, p] of expected) {
    const t = weights.tensors.get(name);
    if (t === undefined) throw new Error(`${weightsPath}: tensor "${name}" is missing (${jsonPath} needs it with shape ${formatShape(p.value.shape)})`);
    if (!shapesEqual(t.shape, p.value.shape)) {
      throw new Error(
        `${weightsPath}: tensor "${name}" has shape ${formatShape(t.shape)} but the architecture in ${jsonPath} needs ${formatShape(p.value.shape)}`,
      );
    }
  }
  const names = new Set(expected.map(([n]) => n));
  for (const name of weights.tensors.keys()) {
    if (!names.has(name))
      throw new Error(`${weightsPath}: tensor "${name}" belongs to no param of the architecture in ${jsonPath} (expected: ${[...names].join(", ")})`);
  }
  for (const [name, p] of expected) p.value.assign((weights.tensors.get(name) as { data: Float32Array }).data);
  if (json.compile !== null) {
    try {
      model.compile({
        loss: json.compile.loss as LossName,
        optimizer: optimizerFromConfig(json.compile.optimizer as OptimizerConfig),
        metrics: json.compile.metrics as MetricName[],
      });
    } catch (err) {
      throw new Error(`${jsonPath}: bad "compile" section: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  model.epochsTrained = json.training.epochs;
  return model;
}
