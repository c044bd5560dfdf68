/**
 * Saving and loading an RBM: a folder with model.json (the options and training counters)
 * and model.safetensors (W [visible, hidden], a [visible], b [hidden]), each written
 * atomically. The encode/decode halves are pure, so the browser lab can use them too; only
 * saveRbm and loadRbm touch files, through a lazy import of the io file helpers.
 */
import { joinPath } from "../../io/files.js";
import { decodeSafetensors, encodeSafetensors } from "../../io/safetensors.js";
import { fromArray } from "../../tensor/tensor.js";
import { RBM, type ResolvedRBMOptions } from "./rbm.js";

export const RBM_FORMAT = "layerwise.rbm";
export const RBM_JSON = "model.json";
export const RBM_WEIGHTS = "model.safetensors";

export interface RbmJson {
  format: typeof RBM_FORMAT;
  version: 1;
  options: ResolvedRBMOptions;
  epochsTrained: number;
  updates: number;
  /** Free-form facts about how it was trained (data, epochs, errors), kept for the record. */
  training?: Record<string, unknown>;
}

export function encodeRbm(rbm: RBM, training?: Record<string, unknown>): { json: RbmJson; weights: Uint8Array } {
  const json: RbmJson = { format: RBM_FORMAT, version: 1, options: rbm.options, epochsTrained: rbm.epochsTrained, updates: rbm.updates };
  if (training !== undefined) json.training = training;
  const weights = encodeSafetensors(
    [
      ["W", rbm.W],
      ["a", rbm.a],
      ["b", rbm.b],
    ],
    { format: "pt", producer: "layerwise", architecture: RBM_FORMAT },
  );
  return { json, weights };
}

export function decodeRbm(jsonValue: unknown, weightBytes: Uint8Array, names = { json: RBM_JSON, weights: RBM_WEIGHTS }): RBM {
  const fail = (problem: string): never => {
    throw new Error(`${names.json}: ${problem}`);
  };
  if (jsonValue === null || typeof jsonValue !== "object") fail("must be a JSON object");
  const j = jsonValue as Partial<RbmJson>;
  if (j.format !== RBM_FORMAT) fail(`"format" must be "${RBM_FORMAT}"; got ${JSON.stringify(j.format)}`);
  if (j.version !== 1) fail(`"version" ${JSON.stringify(j.version)} is not supported (this layerwise reads version 1)`);
  if (j.options === undefined || typeof j.options !== "object") fail(`"options" must be the RBM's options`);
  const rbm = new RBM(j.options as ResolvedRBMOptions); // validates every option again
  const { tensors } = decodeSafetensors(weightBytes, names.weights);
  for (const [name, target] of [
    ["W", rbm.W],
    ["a", rbm.a],
    ["b", rbm.b],
  ] as const) {
    const t = tensors.get(name);
    if (t === undefined) throw new Error(`${names.weights}: tensor "${name}" is missing`);
    if (t.shape.join(",") !== target.shape.join(",")) {
      throw new Error(`${names.weights}: tensor "${name}" has shape [${t.shape.join(",")}] but the options in ${names.json} need [${target.shape.join(",")}]`);
    }
    target.assign(fromArray(t.data, t.shape));
  }
  rbm.epochsTrained = typeof j.epochsTrained === "number" ? j.epochsTrained : 0;
  rbm.updates = typeof j.updates === "number" ? j.updates : 0;
  return rbm;
}

/** Writes dir/model.safetensors, then dir/model.json (a json only ever sits next to matching weights). */
export async function saveRbm(rbm: RBM, dir: string, training?: Record<string, unknown>): Promise<void> {
  const { writeFileAtomic } = await import("../../io/files.js");
  const { json, weights } = encodeRbm(rbm, training);
  await writeFileAtomic(joinPath(dir, RBM_WEIGHTS), weights);
  await writeFileAtomic(joinPath(dir, RBM_JSON), `${JSON.stringify(json, null, 2)}\n`);
}

export async function loadRbm(dir: string): Promise<RBM> {
  const { readFileBytes, readFileText } = await import("../../io/files.js");
  const jsonPath = joinPath(dir, RBM_JSON);
  const weightsPath = joinPath(dir, RBM_WEIGHTS);
  const text = await readFileText(jsonPath);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new Error(`${jsonPath}: not valid JSON (${err instanceof Error ? err.message : String(err)})`);
  }
  return decodeRbm(parsed, await readFileBytes(weightsPath), { json: jsonPath, weights: weightsPath });
}
