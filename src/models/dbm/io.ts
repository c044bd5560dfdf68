/**
 * The DBM's names for saving and loading, kept from before the one format (src/io/model.ts):
 * a DBM now saves as model.json + model.safetensors; the older dbm.json + dbm.safetensors still load.
 */
import { decodeModelAs, encodeModel, loadSavedAs, type ModelJson, type SavedFiles, saveModel } from "../../io/model.js";
import { DBM } from "./dbm.js";

/** The format name of version-1 dbm.json files (today's files say "layerwise" and className "DBM"). */
export const DBM_FORMAT = "layerwise.dbm";
/** @deprecated A DBM's model.json is a ModelJson. */
export type DbmJson = ModelJson;

export function encodeDbm(dbm: DBM, training?: Record<string, unknown>): { json: ModelJson; weights: Uint8Array } {
  return encodeModel(dbm, training);
}

/** A DBM from model.json's value and model.safetensors' bytes (or a version-1 dbm.json and dbm.safetensors). */
export function decodeDbm(jsonValue: unknown, weightBytes: Uint8Array, names: SavedFiles = { json: "model.json", weights: "model.safetensors" }): DBM {
  return decodeModelAs(jsonValue, weightBytes, DBM, names);
}

/** Writes dir/model.safetensors, then dir/model.json. */
export function saveDbm(dbm: DBM, dir: string, training?: Record<string, unknown>): Promise<void> {
  return saveModel(dbm, dir, training);
}

export function loadDbm(dir: string): Promise<DBM> {
  return loadSavedAs(dir, DBM);
}
