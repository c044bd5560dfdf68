/**
 * Saving and loading a DBN: a folder with dbn.json (layer sizes, label units, seed, training
 * record) and one RBM folder per layer, rbm-1/, rbm-2/, ... in the RBM's own format
 * (model.json + model.safetensors). The RBMs are written first and dbn.json last, so a
 * dbn.json only ever sits next to the RBMs it describes. An untied DBN (after up-down) also
 * writes generative.safetensors, the generative weights of its directed layers. Each RBM
 * keeps its epoch count, so a loaded stack resumes pretraining where it stopped.
 */
import { joinPath } from "../../io/files.js";
import { decodeSafetensors, encodeSafetensors } from "../../io/safetensors.js";
import type { Tensor } from "../../tensor/tensor.js";
import { loadRbm, saveRbm } from "../rbm/io.js";
import { DBN } from "./dbn.js";

export const DBN_FORMAT = "layerwise.dbn";
export const DBN_JSON = "dbn.json";
export const GENERATIVE_WEIGHTS = "generative.safetensors";

export interface DbnJson {
  format: typeof DBN_FORMAT;
  version: 1;
  layers: number[];
  labels: number;
  seed: number;
  /** Folder of each RBM, relative to the DBN's folder, lowest first. */
  rbms: string[];
  /** Once untied (up-down): the file with the generative weights G1, G2, ... of the directed layers. */
  generative?: string;
  training?: Record<string, unknown>;
}

export async function saveDbn(dbn: DBN, dir: string, training?: Record<string, unknown>): Promise<void> {
  const { writeFileAtomic } = await import("../../io/files.js");
  const names = dbn.rbms.map((_, i) => `rbm-${i + 1}`);
  for (let i = 0; i < dbn.rbms.length; i++) await saveRbm(dbn.rbms[i], joinPath(dir, names[i]));
  const json: DbnJson = { format: DBN_FORMAT, version: 1, layers: [...dbn.layers], labels: dbn.labels, seed: dbn.seed, rbms: names };
  if (dbn.generativeW !== null) {
    const tensors = dbn.generativeW.map((g, i) => [`G${i + 1}`, g] as const);
    await writeFileAtomic(joinPath(dir, GENERATIVE_WEIGHTS), encodeSafetensors(tensors, { format: "pt", producer: "layerwise", architecture: DBN_FORMAT }));
    json.generative = GENERATIVE_WEIGHTS;
  }
  if (training !== undefined) json.training = training;
  await writeFileAtomic(joinPath(dir, DBN_JSON), `${JSON.stringify(json, null, 2)}\n`);
}

export async function loadDbn(dir: string): Promise<DBN> {
  const { readFileBytes, readFileText } = await import("../../io/files.js");
  const path = joinPath(dir, DBN_JSON);
  let j: Partial<DbnJson>;
  try {
    j = JSON.parse(await readFileText(path)) as Partial<DbnJson>;
  } catch (err) {
    throw new Error(`${path}: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (j === null || typeof j !== "object" || j.format !== DBN_FORMAT) throw new Error(`${path}: "format" must be "${DBN_FORMAT}"`);
  if (j.version !== 1) throw new Error(`${path}: "version" ${JSON.stringify(j.version)} is not supported (this layerwise reads version 1)`);
  if (!Array.isArray(j.rbms) || j.rbms.length === 0 || !j.rbms.every((r) => typeof r === "string"))
    throw new Error(`${path}: "rbms" must list the RBM folders`);
  const rbms = [];
  for (const name of j.rbms) rbms.push(await loadRbm(joinPath(dir, name)));
  const dbn = DBN.fromRbms(rbms, { labels: typeof j.labels === "number" ? j.labels : 0, seed: typeof j.seed === "number" ? j.seed : 0 });
  if (Array.isArray(j.layers) && j.layers.join("-") !== dbn.layers.join("-")) {
    throw new Error(`${path}: "layers" ${j.layers.join("-")} does not match the saved RBMs (${dbn.layers.join("-")})`);
  }
  if (j.generative !== undefined) {
    if (typeof j.generative !== "string") throw new Error(`${path}: "generative" must name the file with the generative weights`);
    const file = joinPath(dir, j.generative);
    const { tensors } = decodeSafetensors(await readFileBytes(file), file);
    dbn.untie();
    (dbn.generativeW as Tensor[]).forEach((g, i) => {
      const t = tensors.get(`G${i + 1}`);
      if (t === undefined) throw new Error(`${file}: tensor "G${i + 1}" is missing`);
      if (t.shape.join(",") !== g.shape.join(","))
        throw new Error(`${file}: tensor "G${i + 1}" has shape [${t.shape.join(",")}]; RBM ${i + 1} needs [${g.shape.join(",")}]`);
      g.data.set(t.data);
    });
  }
  return dbn;
}
