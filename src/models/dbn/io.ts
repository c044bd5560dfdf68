/**
 * The DBN's names for saving and loading, kept from before the one format (src/io/model.ts):
 * a DBN now saves as one model.json + model.safetensors; folders of the older layout (dbn.json
 * and one RBM folder per layer) still load.
 */
import { loadSavedAs, type ModelJson, saveModel } from "../../io/model.js";
import { DBN } from "./dbn.js";

/** The format name of version-1 dbn.json files. */
export const DBN_FORMAT = "layerwise.dbn";
/** The version-1 file of an untied DBN's generative weights (today they are tensors G1, G2, ... of model.safetensors). */
export const GENERATIVE_WEIGHTS = "generative.safetensors";
/** @deprecated A DBN's model.json is a ModelJson. */
export type DbnJson = ModelJson;

export function saveDbn(dbn: DBN, dir: string, training?: Record<string, unknown>): Promise<void> {
  return saveModel(dbn, dir, training);
}

export function loadDbn(dir: string): Promise<DBN> {
  return loadSavedAs(dir, DBN);
}
