/**
 * Saving and loading a DBN: a folder with dbn.json (layer sizes, label units, seed, training
 * record) and one RBM folder per layer, rbm-1/, rbm-2/, ... in the RBM's own format
 * (model.json + model.safetensors). The RBMs are written first and dbn.json last, so a
 * dbn.json only ever sits next to the RBMs it describes. Each RBM keeps its epoch count, so
 * a loaded stack resumes pretraining where it stopped.
 */
import { DBN } from "./dbn.js";
import { loadRbm, saveRbm } from "./rbm-io.js";

export const DBN_FORMAT = "layerwise.dbn";
export const DBN_JSON = "dbn.json";

export interface DbnJson {
  format: typeof DBN_FORMAT;
  version: 1;
  layers: number[];
  labels: number;
  seed: number;
  /** Folder of each RBM, relative to the DBN's folder, lowest first. */
  rbms: string[];
  training?: Record<string, unknown>;
}

const joinPath = (dir: string, file: string): string => (dir.endsWith("/") ? dir + file : `${dir}/${file}`);

export async function saveDbn(dbn: DBN, dir: string, training?: Record<string, unknown>): Promise<void> {
  const { writeFileAtomic } = await import("../io/files.js");
  const names = dbn.rbms.map((_, i) => `rbm-${i + 1}`);
  for (let i = 0; i < dbn.rbms.length; i++) await saveRbm(dbn.rbms[i], joinPath(dir, names[i]));
  const json: DbnJson = { format: DBN_FORMAT, version: 1, layers: [...dbn.layers], labels: dbn.labels, seed: dbn.seed, rbms: names };
  if (training !== undefined) json.training = training;
  await writeFileAtomic(joinPath(dir, DBN_JSON), `${JSON.stringify(json, null, 2)}\n`);
}

export async function loadDbn(dir: string): Promise<DBN> {
  const { readFileText } = await import("../io/files.js");
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
  return dbn;
}
