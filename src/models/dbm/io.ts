/**
 * Saving and loading a DBM: a folder with dbm.json (the options and training counters) and
 * dbm.safetensors (W1.., b0.., and once joint training has started the momentum buffers and
 * the persistent chains, so that a loaded DBM resumes `fit` where it stopped). The weights
 * are written first and dbm.json last, each atomically, so a dbm.json only ever sits next to
 * the weights it describes and a failed save leaves the previous pair in place.
 */
import { joinPath } from "../../io/files.js";
import { decodeSafetensors, encodeSafetensors } from "../../io/safetensors.js";
import { DBM, type ResolvedDBMOptions } from "./dbm.js";

export const DBM_FORMAT = "layerwise.dbm";
export const DBM_JSON = "dbm.json";
export const DBM_WEIGHTS = "dbm.safetensors";

export interface DbmJson {
  format: typeof DBM_FORMAT;
  version: 1;
  options: ResolvedDBMOptions;
  epochsTrained: number;
  updates: number;
  /** xoshiro128** state words of the DBM's generator when saved. */
  rng: number[];
  /** Free-form facts about how it was trained, kept for the record. */
  training?: Record<string, unknown>;
}

export function encodeDbm(dbm: DBM, training?: Record<string, unknown>): { json: DbmJson; weights: Uint8Array } {
  const json: DbmJson = {
    format: DBM_FORMAT,
    version: 1,
    options: dbm.options,
    epochsTrained: dbm.epochsTrained,
    updates: dbm.updates,
    rng: [...dbm.rngState],
  };
  if (training !== undefined) json.training = training;
  const weights = encodeSafetensors(dbm.namedTensors(), { format: "pt", producer: "layerwise", architecture: DBM_FORMAT });
  return { json, weights };
}

export function decodeDbm(jsonValue: unknown, weightBytes: Uint8Array, names = { json: DBM_JSON, weights: DBM_WEIGHTS }): DBM {
  const fail = (problem: string): never => {
    throw new Error(`${names.json}: ${problem}`);
  };
  if (jsonValue === null || typeof jsonValue !== "object") fail("must be a JSON object");
  const j = jsonValue as Partial<DbmJson>;
  if (j.format !== DBM_FORMAT) fail(`"format" must be "${DBM_FORMAT}"; got ${JSON.stringify(j.format)}`);
  if (j.version !== 1) fail(`"version" ${JSON.stringify(j.version)} is not supported (this layerwise reads version 1)`);
  if (j.options === undefined || j.options === null || typeof j.options !== "object") fail(`"options" must be the DBM's options`);
  const dbm = new DBM(j.options as ResolvedDBMOptions); // validates every option again
  const { tensors } = decodeSafetensors(weightBytes, names.weights);
  dbm.restoreTensors((name, shape) => {
    const t = tensors.get(name);
    if (t === undefined) return undefined;
    if (t.shape.join(",") !== shape.join(","))
      throw new Error(`${names.weights}: tensor "${name}" has shape [${t.shape.join(",")}] but the options in ${names.json} need [${shape.join(",")}]`);
    return t.data;
  }, names.weights);
  dbm.epochsTrained = typeof j.epochsTrained === "number" ? j.epochsTrained : 0;
  dbm.updates = typeof j.updates === "number" ? j.updates : 0;
  if (j.rng !== undefined) {
    if (!Array.isArray(j.rng) || j.rng.length !== 4 || !j.rng.every((w) => Number.isInteger(w) && w >= 0 && w < 2 ** 32))
      fail(`"rng" must be four unsigned 32-bit integers; got ${JSON.stringify(j.rng)}`);
    dbm.rngState.set(j.rng as number[]);
  }
  return dbm;
}

/** Writes dir/dbm.safetensors, then dir/dbm.json. */
export async function saveDbm(dbm: DBM, dir: string, training?: Record<string, unknown>): Promise<void> {
  const { writeFileAtomic } = await import("../../io/files.js");
  const { json, weights } = encodeDbm(dbm, training);
  await writeFileAtomic(joinPath(dir, DBM_WEIGHTS), weights);
  await writeFileAtomic(joinPath(dir, DBM_JSON), `${JSON.stringify(json, null, 2)}\n`);
}

export async function loadDbm(dir: string): Promise<DBM> {
  const { readFileBytes, readFileText } = await import("../../io/files.js");
  const jsonPath = joinPath(dir, DBM_JSON);
  const weightsPath = joinPath(dir, DBM_WEIGHTS);
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFileText(jsonPath));
  } catch (err) {
    throw new Error(`${jsonPath}: ${err instanceof Error ? err.message : String(err)}`);
  }
  return decodeDbm(parsed, await readFileBytes(weightsPath), { json: jsonPath, weights: weightsPath });
}
