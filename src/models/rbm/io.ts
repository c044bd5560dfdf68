/**
 * The RBM's names for saving and loading, kept from before the one format (src/io/model.ts):
 * each is saveModel, loadModel, encodeModel or decodeModel for an RBM.
 */
import { decodeModelAs, encodeModel, loadSavedAs, MODEL_JSON, MODEL_WEIGHTS, type ModelJson, type SavedFiles, saveModel } from "../../io/model.js";
import { RBM } from "./rbm.js";

/** The format name of version-1 RBM files (today's files say "layerwise" and className "RBM"). */
export const RBM_FORMAT = "layerwise.rbm";
export const RBM_JSON = MODEL_JSON;
export const RBM_WEIGHTS = MODEL_WEIGHTS;
/** @deprecated An RBM's model.json is a ModelJson. */
export type RbmJson = ModelJson;

export function encodeRbm(rbm: RBM, training?: Record<string, unknown>): { json: ModelJson; weights: Uint8Array } {
  return encodeModel(rbm, training);
}

/** An RBM from model.json's value and model.safetensors' bytes, of this format or version 1. */
export function decodeRbm(jsonValue: unknown, weightBytes: Uint8Array, names: SavedFiles = { json: RBM_JSON, weights: RBM_WEIGHTS }): RBM {
  return decodeModelAs(jsonValue, weightBytes, RBM, names);
}

export function saveRbm(rbm: RBM, dir: string, training?: Record<string, unknown>): Promise<void> {
  return saveModel(rbm, dir, training);
}

export function loadRbm(dir: string): Promise<RBM> {
  return loadSavedAs(dir, RBM);
}
