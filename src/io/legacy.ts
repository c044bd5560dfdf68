/**
 * Reading the folders that layerwise wrote before the one format (format version 1, one
 * layout per class), by turning each into what a version-2 file holds: className, config,
 * state and named tensors. The class loaders then read old and new files alike.
 *   Sequential  model.json { format: "layerwise.sequential", version: 1, name, seed, inputShape,
 *               layers, compile, training: { epochs } } + model.safetensors ("<layer>.<param>")
 *   RBM         model.json { format: "layerwise.rbm", version: 1, options, epochsTrained,
 *               updates, training? } + model.safetensors (W, a, b)
 *   DBM         dbm.json { format: "layerwise.dbm", version: 1, options, epochsTrained, updates,
 *               rng, training? } + dbm.safetensors (the tensor names of today's DBM)
 *   DBN         dbn.json { format: "layerwise.dbn", version: 1, layers, labels, seed, rbms,
 *               generative? } + one v1 RBM folder per layer (rbm-1, ...) + generative.safetensors (G1, ...)
 */
import { joinPath } from "./files.js";
import type { SafetensorsEntry } from "./safetensors.js";

/**
 * Errors that name the file and what is wrong with a saved model, of this format or an older
 * layout (defined here, below model.ts, so that both readers refuse with the one class).
 */
export class SavedModelError extends Error {
  override name = "SavedModelError";
}

export const SEQUENTIAL_V1 = "layerwise.sequential";
export const RBM_V1 = "layerwise.rbm";
export const DBN_V1 = "layerwise.dbn";
export const DBM_V1 = "layerwise.dbm";

/** The JSON files that only older layouts have (a version-1 Sequential or RBM also has model.json). */
export const LEGACY_JSON_FILES = ["dbm.json", "dbn.json"];

/** A JSON file and the tensor file beside it, as read from disk. */
export interface LegacyFiles {
  json: unknown;
  jsonPath: string;
  weights: Map<string, SafetensorsEntry> | null;
  weightsPath: string;
}

/** Reads jsonPath and weightsPath (null: none); resolves to null when jsonPath does not exist. */
export type ReadLegacyFiles = (jsonPath: string, weightsPath: string | null) => Promise<LegacyFiles | null>;

export interface UpgradedModel {
  saved: { className: string; config: Record<string, unknown>; state: Record<string, unknown>; tensors: Map<string, SafetensorsEntry> };
  files: { json: string; weights: string };
}

/** The model in dir in a version-1 layout, as version 2; null when dir holds none. */
export async function legacyModel(dir: string, read: ReadLegacyFiles): Promise<UpgradedModel | null> {
  const model = await read(joinPath(dir, "model.json"), joinPath(dir, "model.safetensors"));
  if (model !== null) return upgradePair(model);
  const dbm = await read(joinPath(dir, "dbm.json"), joinPath(dir, "dbm.safetensors"));
  if (dbm !== null) return upgradeDbm(dbm);
  const dbn = await read(joinPath(dir, "dbn.json"), null);
  if (dbn !== null) return upgradeDbn(dir, dbn, read);
  return null;
}

type Json = Record<string, unknown>;

function header(f: LegacyFiles, format: string): Json {
  const j = f.json as Json;
  if (j === null || typeof j !== "object" || Array.isArray(j)) throw new SavedModelError(`${f.jsonPath}: must be a JSON object`);
  if (j.format !== format) throw new SavedModelError(`${f.jsonPath}: "format" must be "${format}"; got ${JSON.stringify(j.format)}`);
  if (j.version !== 1) throw new SavedModelError(`${f.jsonPath}: "version" ${JSON.stringify(j.version)} is not supported (this layerwise reads version 1)`);
  return j;
}

function object(j: Json, key: string, path: string): Json {
  const v = j[key];
  if (v === null || typeof v !== "object" || Array.isArray(v)) throw new SavedModelError(`${path}: "${key}" must be a JSON object; got ${JSON.stringify(v)}`);
  return v as Json;
}

function upgraded(className: string, config: Json, state: Json, f: LegacyFiles): UpgradedModel {
  return { saved: { className, config, state, tensors: f.weights ?? new Map() }, files: { json: f.jsonPath, weights: f.weightsPath } };
}

/** A version-1 Sequential, RBM or DBM: one JSON file and one tensor file. */
export function upgradePair(f: LegacyFiles): UpgradedModel {
  const format = (f.json as Json | null)?.format;
  if (format === RBM_V1) return upgradeRbm(f);
  if (format === DBM_V1) return upgradeDbm(f);
  if (format !== SEQUENTIAL_V1)
    throw new SavedModelError(
      `${f.jsonPath}: "format" must be "layerwise" (or an older "${SEQUENTIAL_V1}", "${RBM_V1}" or "${DBM_V1}"); got ${JSON.stringify(format)}`,
    );
  const j = header(f, SEQUENTIAL_V1);
  if (!Array.isArray(j.layers)) throw new SavedModelError(`${f.jsonPath}: "layers" must be an array of layer configs`);
  const epochs = (j.training as { epochs?: unknown } | undefined)?.epochs;
  return upgraded(
    "Sequential",
    { name: j.name ?? "sequential", seed: j.seed ?? 0, inputShape: j.inputShape, layers: j.layers, compile: j.compile ?? null },
    { epochsTrained: typeof epochs === "number" ? epochs : 0 },
    f,
  );
}

function upgradeRbm(f: LegacyFiles): UpgradedModel {
  const j = header(f, RBM_V1);
  return upgraded("RBM", object(j, "options", f.jsonPath), { epochsTrained: j.epochsTrained, updates: j.updates }, f);
}

function upgradeDbm(f: LegacyFiles): UpgradedModel {
  const j = header(f, DBM_V1);
  return upgraded("DBM", object(j, "options", f.jsonPath), { epochsTrained: j.epochsTrained, updates: j.updates, rng: j.rng }, f);
}

/** A DBN's RBM folders and generative weights, gathered into one set of tensors named as version 2 names them. */
async function upgradeDbn(dir: string, f: LegacyFiles, read: ReadLegacyFiles): Promise<UpgradedModel> {
  const j = header(f, DBN_V1);
  if (!Array.isArray(j.rbms) || j.rbms.length === 0 || !j.rbms.every((r) => typeof r === "string"))
    throw new SavedModelError(`${f.jsonPath}: "rbms" must list the RBM folders`);
  const tensors = new Map<string, SafetensorsEntry>();
  const configs: Json[] = [];
  const states: Json[] = [];
  for (const [i, name] of (j.rbms as string[]).entries()) {
    const files = await read(joinPath(joinPath(dir, name), "model.json"), joinPath(joinPath(dir, name), "model.safetensors"));
    if (files === null) throw new SavedModelError(`${f.jsonPath}: RBM folder "${name}" has no model.json`);
    const rbm = upgradeRbm(files).saved;
    configs.push(rbm.config);
    states.push(rbm.state);
    for (const [t, entry] of rbm.tensors) tensors.set(`rbm${i + 1}.${t}`, entry);
  }
  if (j.generative !== undefined) {
    if (typeof j.generative !== "string") throw new SavedModelError(`${f.jsonPath}: "generative" must name the file with the generative weights`);
    const generative = await read(f.jsonPath, joinPath(dir, j.generative));
    for (const [t, entry] of generative?.weights ?? []) tensors.set(t, entry);
  }
  const files = { json: f.jsonPath, weights: `the tensor files of ${dir} (rbm-*/model.safetensors, ${j.generative ?? "no generative weights"})` };
  const seed = typeof j.seed === "number" ? j.seed : 0;
  return {
    saved: { className: "DBN", config: { layers: j.layers, labels: j.labels ?? 0, seed, rbms: configs }, state: { rbms: states }, tensors },
    files,
  };
}
