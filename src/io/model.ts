/**
 * The one save format of every layerwise model (docs/format.md): a folder holding
 *   model.json         { format: "layerwise", formatVersion: 2, className, config, state,
 *                        weights: { file, bytes, crc32 }, training? }
 *   model.safetensors  the model's named float32 tensors (weights, and what resuming needs:
 *                      momentum, optimiser moments, persistent chains)
 * A model class takes part through a small contract: `toSaved()` says what to write, and a
 * loader registered under its className rebuilds it from a SavedModelReader. saveModel and
 * loadSaved are the only functions that touch the files; encodeModel and decodeModel are their
 * pure halves (the browser can use them on bytes it has).
 *
 * Versioning: formatVersion rises when a reader of the old version would misread a new file;
 * adding an optional state field or tensor does not raise it. This reader reads version 2 and
 * every older layout (io/legacy.ts turns those into version 2 in memory).
 */
import { fileExists, joinPath, readFileBytes, readFileText, writeFileAtomic } from "./files.js";
import { LEGACY_JSON_FILES, type LegacyFiles, legacyModel, SavedModelError, upgradePair } from "./legacy.js";
import { crc32 } from "./png.js";
import { type DecodedSafetensors, decodeSafetensors, encodeSafetensors, type SafetensorsEntry } from "./safetensors.js";

export const FORMAT = "layerwise";
export const FORMAT_VERSION = 2;
export const MODEL_JSON = "model.json";
export const MODEL_WEIGHTS = "model.safetensors";

/** A tensor as the format stores it: row-major float32 data of a shape. */
export interface NamedTensorData {
  readonly shape: readonly number[];
  readonly data: Float32Array;
}
export type NamedTensors = readonly (readonly [string, NamedTensorData])[];

/** What a model writes: plain JSON in config and state, float32 arrays in tensors. */
export interface SavedModel {
  /** The name its loader is registered under, e.g. "RBM". */
  className: string;
  /** Constructor options: enough to build the same untrained model again. */
  config: Record<string, unknown>;
  /** Training progress beyond the tensors: counters, generator states, the optimiser's step count. */
  state: Record<string, unknown>;
  tensors: NamedTensors;
}

/** A model that can be saved by saveModel. */
export interface Saveable {
  toSaved(): SavedModel;
}

/** The contents of model.json. */
export interface ModelJson {
  format: typeof FORMAT;
  formatVersion: number;
  className: string;
  config: Record<string, unknown>;
  state: Record<string, unknown>;
  /** Which tensor file belongs to this model.json, and a checksum that ties the two together. */
  weights: { file: string; bytes: number; crc32: number };
  /** Free-form facts about how the model was trained (data, epochs, errors), kept for the record. */
  training?: Record<string, unknown>;
}

/** Rebuilds a model of one class from what its toSaved wrote. */
export type ModelLoader = (saved: SavedModelReader) => Saveable;

const loaders = new Map<string, ModelLoader>();

/** Makes loadModel know a class. Each saveable class registers itself when its module loads. */
export function registerModel(className: string, loader: ModelLoader): void {
  loaders.set(className, loader);
}

export function registeredModels(): string[] {
  return [...loaders.keys()].sort();
}

/** Errors that already name the file and the problem; decodeModel passes them on unchanged. */
export { SavedModelError };

/** Where the two halves came from, for error messages. */
export interface SavedFiles {
  json: string;
  weights: string;
}

const DEFAULT_FILES: SavedFiles = { json: MODEL_JSON, weights: MODEL_WEIGHTS };

/** The two files' contents for a model (pure: nothing is written). */
export function encodeModel(model: Saveable, training?: Record<string, unknown>): { json: ModelJson; weights: Uint8Array } {
  const saved = model.toSaved();
  const weights = encodeSafetensors(saved.tensors, { format: "pt", producer: "layerwise", className: saved.className });
  const json: ModelJson = {
    format: FORMAT,
    formatVersion: FORMAT_VERSION,
    className: saved.className,
    config: saved.config,
    state: saved.state,
    weights: { file: MODEL_WEIGHTS, bytes: weights.length, crc32: crc32(weights) },
  };
  if (training !== undefined) json.training = training;
  return { json, weights };
}

/**
 * Writes dir/model.safetensors, then dir/model.json. Both are encoded before anything is
 * written, and each file is replaced atomically, so a failed save leaves the previous pair in
 * place; model.json carries the tensor file's checksum, so the one instant between the two
 * renames cannot go unnoticed either.
 */
export async function saveModel(model: Saveable, dir: string, training?: Record<string, unknown>): Promise<void> {
  const { json, weights } = encodeModel(model, training);
  await writeFileAtomic(joinPath(dir, MODEL_WEIGHTS), weights);
  await writeFileAtomic(joinPath(dir, MODEL_JSON), `${JSON.stringify(json, null, 2)}\n`);
}

/** Rebuilds a model from the two files' contents; errors name the file, the field or tensor, and the class. */
export function decodeModel(jsonValue: unknown, weightBytes: Uint8Array, files: SavedFiles = DEFAULT_FILES): Saveable {
  if (!isCurrent(jsonValue)) {
    // a Sequential, RBM or DBM pair an older layerwise wrote
    const old = upgradePair({
      json: jsonValue,
      jsonPath: files.json,
      weights: decodeSafetensors(weightBytes, files.weights).tensors,
      weightsPath: files.weights,
    });
    return rebuild(old.saved, old.files);
  }
  const json = checkModelJson(jsonValue, files.json);
  const { tensors } = decodeSafetensors(weightBytes, files.weights);
  if (json.weights.bytes !== weightBytes.length || json.weights.crc32 !== crc32(weightBytes)) {
    throw new SavedModelError(
      `${files.weights} does not match the checksum in ${files.json} (${weightBytes.length} bytes, crc32 ${crc32(weightBytes)}; expected ${json.weights.bytes} bytes, crc32 ${json.weights.crc32}): it is damaged or from another save`,
    );
  }
  return rebuild({ className: json.className, config: json.config, state: json.state, tensors }, files);
}

/** Loads whichever model dir holds: a model.json of this format, or a folder an older layerwise wrote. */
export async function loadSaved(dir: string): Promise<Saveable> {
  const jsonPath = joinPath(dir, MODEL_JSON);
  if (await fileExists(jsonPath)) {
    const json = parseJson(await readFileText(jsonPath), jsonPath);
    if (isCurrent(json)) {
      const weightsPath = joinPath(dir, weightsFile(json, jsonPath));
      return decodeModel(json, await readFileBytes(weightsPath), { json: jsonPath, weights: weightsPath });
    }
  }
  const old = await legacyModel(dir, readLegacyFiles);
  if (old === null) throw new SavedModelError(`${jsonPath}: no saved model in ${dir} (file not found)`);
  return rebuild(old.saved, old.files);
}

/** Whether dir holds a saved model (of this format or an older layout), e.g. a checkpoint to resume. */
export async function hasSavedModel(dir: string): Promise<boolean> {
  for (const file of [MODEL_JSON, ...LEGACY_JSON_FILES]) if (await fileExists(joinPath(dir, file))) return true;
  return false;
}

type Class<T> = abstract new (...args: never[]) => T;

function ofClass<T>(model: Saveable, cls: Class<T>, where: string): T {
  if (!(model instanceof cls)) throw new SavedModelError(`${where}: holds a ${model.constructor.name}, not a ${cls.name}`);
  return model;
}

/** Loads the model in dir, which must be of class cls (loadRbm, loadSequential, ... are this with their class). */
export async function loadSavedAs<T>(dir: string, cls: Class<T>): Promise<T> {
  return ofClass(await loadSaved(dir), cls, joinPath(dir, MODEL_JSON));
}

/** decodeModel for a model that must be of class cls. */
export function decodeModelAs<T>(jsonValue: unknown, weightBytes: Uint8Array, cls: Class<T>, files: SavedFiles = DEFAULT_FILES): T {
  return ofClass(decodeModel(jsonValue, weightBytes, files), cls, files.json);
}

/** Reads a JSON file and its tensor file, for the legacy layouts; null when the JSON file is absent. */
async function readLegacyFiles(jsonPath: string, weightsPath: string | null): Promise<LegacyFiles | null> {
  if (!(await fileExists(jsonPath))) return null;
  const json = parseJson(await readFileText(jsonPath), jsonPath);
  const weights = weightsPath === null ? null : decodeSafetensors(await readFileBytes(weightsPath), weightsPath).tensors;
  return { json, jsonPath, weights, weightsPath: weightsPath ?? "" };
}

function parseJson(text: string, path: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new SavedModelError(`${path}: not valid JSON (${err instanceof Error ? err.message : String(err)})`);
  }
}

function isCurrent(json: unknown): boolean {
  return json !== null && typeof json === "object" && (json as { format?: unknown }).format === FORMAT;
}

function weightsFile(json: unknown, jsonPath: string): string {
  const file = (json as { weights?: { file?: unknown } }).weights?.file;
  if (typeof file !== "string" || file.includes("/") || file === "")
    throw new SavedModelError(`${jsonPath}: "weights.file" must name the tensor file beside it; got ${JSON.stringify(file)}`);
  return file;
}

function checkModelJson(v: unknown, path: string): ModelJson {
  const fail = (problem: string): never => {
    throw new SavedModelError(`${path}: ${problem}`);
  };
  if (v === null || typeof v !== "object" || Array.isArray(v)) fail("must be a JSON object");
  const j = v as Record<string, unknown>;
  if (j.format !== FORMAT) fail(`"format" must be "${FORMAT}"; got ${JSON.stringify(j.format)}`);
  if (typeof j.formatVersion !== "number" || j.formatVersion > FORMAT_VERSION || j.formatVersion < FORMAT_VERSION)
    fail(
      `"formatVersion" ${JSON.stringify(j.formatVersion)} is not supported (this layerwise reads version ${FORMAT_VERSION}; a newer file needs a newer layerwise)`,
    );
  if (typeof j.className !== "string") fail(`"className" must be a string; got ${JSON.stringify(j.className)}`);
  for (const key of ["config", "state", "weights"]) {
    const x = j[key];
    if (x === null || typeof x !== "object" || Array.isArray(x)) fail(`"${key}" must be a JSON object; got ${JSON.stringify(x)}`);
  }
  const w = j.weights as Record<string, unknown>;
  if (typeof w.file !== "string" || !Number.isSafeInteger(w.bytes) || !Number.isSafeInteger(w.crc32))
    fail(`"weights" must be { file, bytes, crc32 }; got ${JSON.stringify(w)}`);
  return j as unknown as ModelJson;
}

/** Runs the class's loader; afterwards every saved tensor must have been read by it. */
function rebuild(
  saved: { className: string; config: Record<string, unknown>; state: Record<string, unknown>; tensors: Map<string, SafetensorsEntry> },
  files: SavedFiles,
): Saveable {
  const loader = loaders.get(saved.className);
  if (loader === undefined) {
    throw new SavedModelError(
      `${files.json}: "className" ${JSON.stringify(saved.className)} is not a model class this layerwise can load (known: ${registeredModels().join(", ")}; import its module first if it is your own class)`,
    );
  }
  const reader = new SavedModelReader(saved.className, saved.config, saved.state, saved.tensors, files);
  let model: Saveable;
  try {
    model = loader(reader);
  } catch (err) {
    if (err instanceof SavedModelError) throw err;
    throw new SavedModelError(`${files.json}: cannot rebuild the ${saved.className} from its "config": ${err instanceof Error ? err.message : String(err)}`, {
      cause: err,
    });
  }
  const unread = [...saved.tensors.keys()].filter((name) => !reader.read.has(name));
  if (unread.length > 0) throw new SavedModelError(`${files.weights}: tensor "${unread[0]}" belongs to nothing the ${saved.className} in ${files.json} has`);
  // a tensor the model read but would not save again would be lost without a word: the files disagree
  const kept = new Set(model.toSaved().tensors.map(([name]) => name));
  const dropped = [...reader.read].find((name) => !kept.has(name));
  if (dropped !== undefined)
    throw new SavedModelError(
      `${files.weights}: tensor "${dropped}" does not go with the "config" and "state" of the ${saved.className} in ${files.json} (e.g. a momentum buffer while "state.updates" is 0): it is damaged or from another save`,
    );
  return model;
}

const shapeText = (s: readonly number[]): string => `[${s.join(",")}]`;

/**
 * What a loader reads a saved model through: its config and state as JSON, and its tensors by
 * name, each checked against the shape the rebuilt model needs. Every error names the file,
 * the tensor or field, and the class.
 */
export class SavedModelReader {
  /** Names of the tensors read so far (shared with child readers). */
  readonly read: Set<string>;

  constructor(
    readonly className: string,
    readonly config: Record<string, unknown>,
    readonly state: Record<string, unknown>,
    private readonly tensors: Map<string, SafetensorsEntry>,
    readonly files: SavedFiles,
    private readonly prefix = "",
    read = new Set<string>(),
  ) {
    this.read = read;
  }

  /** Throws an error naming model.json, the class and the problem. */
  fail(problem: string): never {
    throw new SavedModelError(`${this.files.json}: ${this.className}: ${problem}`);
  }

  /**
   * The saved data of tensor `name` with the given shape, or undefined when absent (optional
   * state such as momentum that an older or untrained save lacks).
   */
  optionalTensor(name: string, shape: readonly number[]): Float32Array | undefined {
    const full = this.prefix + name;
    const t = this.tensors.get(full);
    if (t === undefined) return undefined;
    if (shapeText(t.shape) !== shapeText(shape))
      throw new SavedModelError(
        `${this.files.weights}: tensor "${full}" has shape ${shapeText(t.shape)} but the ${this.className} in ${this.files.json} needs ${shapeText(shape)}`,
      );
    this.read.add(full);
    this.checkFinite(full, t.data);
    return t.data;
  }

  /** A model with a NaN or an infinity in a tensor would only spread it: refuse it at load, naming the tensor and index. */
  private checkFinite(name: string, data: Float32Array): void {
    for (let i = 0; i < data.length; i++) {
      if (!Number.isFinite(data[i]))
        throw new SavedModelError(
          `${this.files.weights}: tensor "${name}" holds ${data[i]} at index ${i}; the ${this.className} in ${this.files.json} cannot be loaded with non-finite values (was it saved from a diverged training?)`,
        );
    }
  }

  /** The saved data of tensor `name`, which must be present with the given shape. */
  tensor(name: string, shape: readonly number[]): Float32Array {
    const data = this.optionalTensor(name, shape);
    if (data === undefined)
      throw new SavedModelError(`${this.files.weights}: tensor "${this.prefix + name}" is missing (the ${this.className} in ${this.files.json} needs it)`);
    return data;
  }

  /** Copies tensor `name` into target (which gives the shape). */
  into(name: string, target: { shape: readonly number[]; data: Float32Array }): void {
    target.data.set(this.tensor(name, target.shape));
  }

  /** A state field that counts something (epochs, updates): an integer >= 0, 0 when absent. */
  count(field: string): number {
    const v = this.state[field];
    if (v === undefined) return 0;
    if (!Number.isSafeInteger(v) || (v as number) < 0) this.fail(`"state.${field}" must be an integer >= 0; got ${JSON.stringify(v)}`);
    return v as number;
  }

  /** The options a wrapping model saves under `config[key]` beside its parts' config (`what` names them in the error). */
  options<O>(key: string, what: string): O {
    const o = this.config[key];
    if (o === null || typeof o !== "object") this.fail(`"config.${key}" must be ${what}; got ${JSON.stringify(o)}`);
    return o as O;
  }

  /** The model make() builds from what was read; its constructor's complaint becomes a load error naming model.json. */
  build<M>(make: () => M): M {
    try {
      return make();
    } catch (e) {
      return this.fail(e instanceof Error ? e.message : String(e));
    }
  }

  /** A generator's four xoshiro128** state words saved under `field`, or undefined when absent. */
  rngState(field: string): Uint32Array | undefined {
    const v = this.state[field];
    if (v === undefined || v === null) return undefined;
    if (!Array.isArray(v) || v.length !== 4 || !v.every((w) => Number.isInteger(w) && w >= 0 && w < 2 ** 32) || v.every((w) => w === 0))
      this.fail(`"state.${field}" must be four unsigned 32-bit integers, not all 0; got ${JSON.stringify(v)}`);
    return Uint32Array.from(v as number[]);
  }

  /** A reader for a part saved inside this model (a DBN's RBMs): its own config, state and tensor-name prefix. */
  part(className: string, config: unknown, state: unknown, prefix: string): SavedModelReader {
    const object = (x: unknown, what: string): Record<string, unknown> => {
      if (x === null || typeof x !== "object" || Array.isArray(x)) this.fail(`${what} must be a JSON object; got ${JSON.stringify(x)}`);
      return x as Record<string, unknown>;
    };
    return new SavedModelReader(
      className,
      object(config, `the config of ${prefix}`),
      object(state ?? {}, `the state of ${prefix}`),
      this.tensors,
      this.files,
      this.prefix + prefix,
      this.read,
    );
  }
}

/** The raw contents of a saved folder (see readModelFiles). */
export interface ModelFiles {
  json: unknown;
  jsonPath: string;
  weights: DecodedSafetensors;
  weightsPath: string;
}

/** Writes a model.json and the given tensors as they are, without a class (saveModel is the usual way). */
export async function saveModelFiles(dir: string, json: unknown, tensors: NamedTensors): Promise<void> {
  await writeFileAtomic(joinPath(dir, MODEL_WEIGHTS), encodeSafetensors(tensors, { format: "pt", producer: "layerwise" }));
  await writeFileAtomic(joinPath(dir, MODEL_JSON), `${JSON.stringify(json, null, 2)}\n`);
}

/** Reads dir/model.json and dir/model.safetensors without rebuilding a model (loadModel is the usual way). */
export async function readModelFiles(dir: string): Promise<ModelFiles> {
  const jsonPath = joinPath(dir, MODEL_JSON);
  const weightsPath = joinPath(dir, MODEL_WEIGHTS);
  const json = parseJson(await readFileText(jsonPath), jsonPath);
  return { json, jsonPath, weights: decodeSafetensors(await readFileBytes(weightsPath), weightsPath), weightsPath };
}
