/**
 * A saved model is a folder with two files:
 *   model.json         the architecture (layer configs), input shape, compile and training config
 *   model.safetensors  the weights, one F32 tensor per param, named "<layer>.<param>"
 * Each is written atomically (temporary file + rename), so an interrupted save leaves the
 * previous files in place.
 */
import { joinPath as join, readFileBytes, writeFileAtomic } from "./files.js";
import { type DecodedSafetensors, decodeSafetensors, encodeSafetensors } from "./safetensors.js";

export const MODEL_JSON = "model.json";
export const MODEL_WEIGHTS = "model.safetensors";

export interface ModelJson {
  format: "layerwise.sequential";
  version: 1;
  name: string;
  seed: number;
  inputShape: number[];
  layers: { className: string; [option: string]: unknown }[];
  compile: { loss: string; optimizer: { className: string; [option: string]: unknown }; metrics: string[] } | null;
  training: { epochs: number };
}

export async function saveModelFiles(
  dir: string,
  json: ModelJson,
  weights: readonly (readonly [string, { shape: readonly number[]; data: Float32Array }])[],
): Promise<void> {
  const bytes = encodeSafetensors(weights, { format: "pt", producer: "layerwise", architecture: MODEL_JSON });
  // Weights first: a model.json is only ever written next to weights that match it.
  await writeFileAtomic(join(dir, MODEL_WEIGHTS), bytes);
  await writeFileAtomic(join(dir, MODEL_JSON), `${JSON.stringify(json, null, 2)}\n`);
}

export interface ModelFiles {
  json: ModelJson;
  jsonPath: string;
  weights: DecodedSafetensors;
  weightsPath: string;
}

/** Reads both files and checks their structure (not yet that the weights fit the architecture). */
export async function readModelFiles(dir: string): Promise<ModelFiles> {
  const jsonPath = join(dir, MODEL_JSON);
  const weightsPath = join(dir, MODEL_WEIGHTS);
  const text = new TextDecoder().decode(await readFileBytes(jsonPath));
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new Error(`${jsonPath}: not valid JSON (${err instanceof Error ? err.message : String(err)})`);
  }
  const json = checkModelJson(parsed, jsonPath);
  const weights = decodeSafetensors(await readFileBytes(weightsPath), weightsPath);
  return { json, jsonPath, weights, weightsPath };
}

function checkModelJson(v: unknown, path: string): ModelJson {
  const fail = (problem: string): never => {
    throw new Error(`${path}: ${problem}`);
  };
  if (v === null || typeof v !== "object" || Array.isArray(v)) fail("must be a JSON object");
  const j = v as Record<string, unknown>;
  if (j.format !== "layerwise.sequential") fail(`"format" must be "layerwise.sequential"; got ${JSON.stringify(j.format)}`);
  if (j.version !== 1) fail(`"version" ${JSON.stringify(j.version)} is not supported (this layerwise reads version 1)`);
  if (!Array.isArray(j.inputShape) || !j.inputShape.every((d) => Number.isInteger(d) && d > 0))
    fail(`"inputShape" must be an array of integers > 0; got ${JSON.stringify(j.inputShape)}`);
  if (!Array.isArray(j.layers) || j.layers.length === 0) fail(`"layers" must be a non-empty array of layer configs`);
  (j.layers as unknown[]).forEach((l, i) => {
    if (l === null || typeof l !== "object" || typeof (l as { className?: unknown }).className !== "string")
      fail(`layers[${i}] must be an object with a string "className"`);
  });
  if (j.compile !== null && j.compile !== undefined) {
    const c = j.compile as Record<string, unknown>;
    if (typeof c.loss !== "string" || c.optimizer === null || typeof c.optimizer !== "object" || !Array.isArray(c.metrics)) {
      fail(`"compile" must be null or { loss, optimizer, metrics }`);
    }
  }
  return {
    ...(j as unknown as ModelJson),
    name: typeof j.name === "string" ? j.name : "sequential",
    seed: typeof j.seed === "number" ? j.seed : 0,
    compile: (j.compile as ModelJson["compile"]) ?? null,
    training: { epochs: typeof (j.training as { epochs?: unknown })?.epochs === "number" ? (j.training as { epochs: number }).epochs : 0 },
  };
}
