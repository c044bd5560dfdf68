/**
 * What the fuzz suite feeds each loader, and what it accepts back. A case has four possible
 * outcomes (see classify): a load whose result an independent check confirms, a clean refusal
 * (an error of the reader's own type whose message names the file or option), a crash (any
 * other error: a TypeError, a RangeError from a typed-array constructor, an engine message
 * wrapped in ours), or a wrong load (the reader accepted something the reference refuses, or
 * returned other values than the bytes hold).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import fc from "fast-check";
import { parseOptions, UsageError } from "../../src/cli/args.js";
import { parseLayers } from "../../src/cli/commands/train-dbn.js";
import { parseLayerSizes } from "../../src/cli/commands/train-mlp.js";
import { parseAugmentSpec } from "../../src/data/augment.js";
import { IdxFormatError, parseIdx, parseIdxRaw } from "../../src/data/idx.js";
import {
  Adam,
  BAM,
  BoltzmannMachine,
  DBM,
  DBN,
  Dense,
  decodeModel,
  encodeModel,
  fromArray,
  Hopfield,
  Perceptron,
  RBM,
  Rng,
  type Saveable,
  SavedModelError,
  Sequential,
  type Tensor,
  upDown,
  zeros,
} from "../../src/index.js";
import { legacyModel } from "../../src/io/legacy.js";
import { decodeSafetensors, encodeSafetensors, SafetensorsError } from "../../src/io/safetensors.js";
import { idxBytes } from "../helpers/idx.js";
import { bytesFrom, concat, mutatedBytes, mutatedJson, mutatedJsonOutside, oddJson, stringsNear } from "./mutate.js";

export type Outcome = "load" | "clean" | "crash" | "wrong";

export interface FuzzTarget<T> {
  name: string;
  inputs: fc.Arbitrary<T>;
  /** Loads the input: throws to refuse it; on a load returns why the result is wrong, or undefined when it checks out. */
  load(input: T): Promise<string | undefined> | string | undefined;
  /** The error classes this reader refuses with (exact classes, not subclasses of Error at large). */
  errors: readonly (abstract new (
    ...args: never[]
  ) => Error)[];
  /** What a clean refusal's message must name (the file, the option). */
  names: RegExp;
}

/** Engine messages that mean our code did not check first (seen directly or as the cause of one of ours). */
const ENGINE_MESSAGE =
  /Invalid typed array length|Invalid array length|Array buffer allocation failed|Maximum call stack|outside the bounds|Invalid string length|Cannot read propert|is not a function|is not iterable|is not a constructor|Cannot convert|out of memory|should be a multiple of|Invalid time value|toFixed\(\) digits/;

/** Runs one case and says which of the four outcomes it had (detail: the message or the mismatch). */
export async function classify<T>(target: FuzzTarget<T>, input: T): Promise<{ outcome: Outcome; detail: string }> {
  let wrong: string | undefined;
  try {
    wrong = await target.load(input);
  } catch (err) {
    const problem = unclean(target, err);
    return problem === undefined ? { outcome: "clean", detail: (err as Error).message } : { outcome: "crash", detail: problem };
  }
  return wrong === undefined ? { outcome: "load", detail: "" } : { outcome: "wrong", detail: wrong };
}

/** Why err is not a clean refusal, or undefined when it is. */
function unclean<T>(target: FuzzTarget<T>, err: unknown): string | undefined {
  if (!(err instanceof Error)) return `threw a non-Error: ${String(err)}`;
  const text = `${err.constructor.name}: ${err.message}`;
  if (!target.errors.some((cls) => err.constructor === cls)) return `${text}\n${err.stack}`;
  if (!target.names.test(err.message)) return `message does not name the file or option: ${text}`;
  // our own checks throw TypeError and RangeError too (a config of the wrong type): the engine's messages give it away
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    if (ENGINE_MESSAGE.test(e.message) || e instanceof ReferenceError || e instanceof SyntaxError)
      return `an engine error got through: ${e.constructor.name}: ${e.message}\n${e.stack}`;
  }
  return undefined;
}

// ---- IDX ----------------------------------------------------------------------------------

/** The pixel values of the seed IDX files. */
const SEED_FILL = (i: number): number => (i * 37) % 256;

const IDX_SEEDS = [
  idxBytes([3, 28, 28], SEED_FILL),
  idxBytes([5], SEED_FILL),
  idxBytes([2, 3], SEED_FILL),
  idxBytes([0], SEED_FILL),
  idxBytes([1, 1, 1, 1], SEED_FILL),
  idxBytes([0, 7, 7], SEED_FILL),
];

/** gzip as the `gzip` tool writes it: with the original file name (flag FNAME), which puts 0x08 in byte 3. */
function gzipWithName(bytes: Uint8Array, name: string): Uint8Array {
  const plain = new Uint8Array(gzipSync(bytes));
  const header = plain.slice(0, 10);
  header[3] |= 0x08;
  return concat(header, new TextEncoder().encode(`${name}\0`), plain.subarray(10));
}

/** The IDX a test encodes back from dims and data: a load must give back exactly the input. */
function idxMismatch(bytes: Uint8Array, idx: { dims: number[]; data: Uint8Array }): string | undefined {
  const again = concat(idxBytes(idx.dims).subarray(0, 4 + 4 * idx.dims.length), idx.data);
  return Buffer.compare(again, bytes) === 0 ? undefined : `loaded dims [${idx.dims}] and ${idx.data.length} bytes that do not encode back to the input`;
}

export const idxRaw: FuzzTarget<Uint8Array> = {
  name: "idx (raw)",
  inputs: bytesFrom(IDX_SEEDS),
  load: (bytes) => idxMismatch(bytes, parseIdxRaw(bytes, "fuzz.idx")),
  errors: [IdxFormatError],
  names: /fuzz\.idx/,
};

export const idxGzip: FuzzTarget<Uint8Array> = {
  name: "idx (gzip)",
  inputs: bytesFrom(IDX_SEEDS.flatMap((s) => [new Uint8Array(gzipSync(s)), gzipWithName(s, "train-images-idx3-ubyte")])),
  async load(bytes) {
    const idx = await parseIdx(bytes, "fuzz.idx.gz");
    // zlib is the reference: what it refuses we must refuse, what it inflates we must read alike
    let reference: Uint8Array;
    try {
      reference = new Uint8Array(gunzipSync(bytes));
    } catch (err) {
      return `loaded a file zlib refuses (${(err as Error).message})`;
    }
    return idxMismatch(reference, idx);
  },
  errors: [IdxFormatError],
  names: /fuzz\.idx\.gz/,
};

// ---- safetensors --------------------------------------------------------------------------

const floats = (n: number, seed: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(seed + i) * 10 ** ((i % 7) - 3));

const SAFETENSORS_SEEDS = [
  encodeSafetensors([["W", { shape: [3, 2], data: floats(6, 1) }]]),
  encodeSafetensors(
    [
      ["a", { shape: [4], data: floats(4, 2) }],
      ["empty", { shape: [0, 5], data: new Float32Array(0) }],
      ["scalar", { shape: [], data: floats(1, 3) }],
    ],
    { format: "pt", producer: "layerwise" },
  ),
  encodeSafetensors([]),
];

/** The header JSON of a safetensors file, and the file with another header (and a length field that fits it). */
function splitSafetensors(bytes: Uint8Array): { header: unknown; data: Uint8Array } {
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  return { header: JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))), data: bytes.subarray(8 + n) };
}
function joinSafetensors(header: unknown, data: Uint8Array): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const length = new Uint8Array(8);
  new DataView(length.buffer).setBigUint64(0, BigInt(json.length), true);
  return concat(length, json, data);
}

/** Valid files, damaged bytes, and forged headers (shapes, offsets, dtypes replaced) with a consistent length field. */
function safetensorsInputs(seeds: readonly Uint8Array[]): fc.Arbitrary<Uint8Array> {
  const forged = fc.constantFrom(...seeds).chain((s) => {
    const { header, data } = splitSafetensors(s);
    return mutatedJson(header).map((h) => joinSafetensors(h, data));
  });
  return fc.oneof({ arbitrary: bytesFrom(seeds), weight: 2 }, { arbitrary: forged, weight: 2 });
}

/** A reference reading of a loaded file: each tensor's floats are the bytes its header entry points at. */
function safetensorsMismatch(bytes: Uint8Array, tensors: Map<string, { shape: number[]; data: Float32Array }>): string | undefined {
  const { header, data } = splitSafetensors(bytes);
  const entries = Object.entries(header as Record<string, { shape: number[]; data_offsets: [number, number] }>).filter(([k]) => k !== "__metadata__");
  if (entries.length !== tensors.size) return `loaded ${tensors.size} tensors from a header of ${entries.length}`;
  for (const [name, e] of entries) {
    const t = tensors.get(name);
    if (t === undefined) return `tensor "${name}" is missing from the load`;
    const expected = data.slice(e.data_offsets[0], e.data_offsets[1]);
    const got = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
    if (JSON.stringify(t.shape) !== JSON.stringify(e.shape) || Buffer.compare(expected, got) !== 0) return `tensor "${name}" loaded other values or shape`;
  }
  return undefined;
}

export const safetensors: FuzzTarget<Uint8Array> = {
  name: "safetensors",
  inputs: safetensorsInputs(SAFETENSORS_SEEDS),
  load: (bytes) => safetensorsMismatch(bytes, decodeSafetensors(bytes, "fuzz.safetensors").tensors),
  errors: [SafetensorsError],
  names: /fuzz\.safetensors/,
};

// ---- model.json + model.safetensors -------------------------------------------------------

function bits(rows: number, cols: number, seed: number): Tensor {
  const rng = new Rng(seed);
  const x = zeros([rows, cols]);
  for (let i = 0; i < x.size; i++) x.data[i] = rng.bernoulli(0.4);
  return x;
}

/** One small trained model of every class, as the pair of files saveModel writes. */
async function modelSeeds(): Promise<{ json: unknown; weights: Uint8Array }[]> {
  const x = bits(8, 6, 1);
  const y = zeros([8, 2]);
  for (let r = 0; r < 8; r++) y.data[r * 2 + (r % 2)] = 1;
  const mlp = new Sequential([new Dense(4, { activation: "tanh" }), new Dense(2, { activation: "softmax" })], { inputShape: [6], seed: 1 });
  mlp.compile({ loss: "categoricalCrossentropy", optimizer: new Adam() });
  await mlp.fit(x, y, { epochs: 1, batchSize: 4, verbose: false });
  const rbm = new RBM({ visible: 6, hidden: 3, persistent: 2, sparsityCost: 0.1, sparsityTarget: 0.2, seed: 2 });
  await rbm.fit(x, { epochs: 1, batchSize: 4 });
  const dbn = new DBN({ layers: [6, 4, 3], labels: 2, seed: 3 });
  await dbn.pretrain(x, { epochs: 1, batchSize: 4, labels: y });
  await upDown(dbn, x, y, { epochs: 1, batchSize: 4 });
  const dbm = new DBM({ layers: [6, 4, 3], chains: 2, gibbsSteps: 1, seed: 4 });
  await dbm.fit(x, { epochs: 1, batchSize: 4 });
  const bam = new BAM({ xSize: 3, ySize: 2 });
  bam.store(fromArray([1, -1, 1], [1, 3]), fromArray([-1, 1], [1, 2]));
  const perceptron = new Perceptron({ classes: 2, seed: 6 });
  perceptron.fit(x, [0, 1, 0, 1, 0, 1, 0, 1]);
  const models: Saveable[] = [
    mlp,
    rbm,
    dbn,
    dbm,
    new Hopfield({ size: 6, states: "binary" }).store(x.sliceRows(0, 2)),
    bam,
    new BoltzmannMachine({ visible: 3, hidden: 1, seed: 5 }),
    perceptron,
  ];
  return models.map((m) => encodeModel(m));
}

type ModelPair = { json: unknown; weights: Uint8Array };

/** The pair with its checksum made to fit: a forged tensor file gets past the CRC to the checks behind it. */
function refit(json: unknown, weights: Uint8Array): ModelPair {
  const j = structuredClone(json) as { weights?: Record<string, unknown> };
  if (j.weights !== null && typeof j.weights === "object") Object.assign(j.weights, { bytes: weights.length, crc32: crc32Of(weights) });
  return { json: j, weights };
}

let crcTable: Uint32Array | undefined;
function crc32Of(bytes: Uint8Array): number {
  crcTable ??= Uint32Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  let c = 0xffffffff;
  for (const b of bytes) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/**
 * The fields of model.json (and of the version-1 files) that only the model classes read:
 * constructor options and training state. The "options kept" targets leave them alone and so
 * test the format readers alone; the full targets fuzz them too (the classes' own checks).
 */
export const CONSTRUCTOR_FIELDS = ["config", "options", "layers", "inputShape", "compile", "labels", "state", "epochsTrained", "updates", "rng", "training"];

export type Scope = "all" | "files";

/** Seeds, JSON edits, damaged tensor files (checksum left alone or made to fit) and forged tensor headers; "files" leaves the constructor options alone. */
function modelInputs(seeds: readonly ModelPair[], fitChecksum: boolean, scope: Scope): fc.Arbitrary<ModelPair> {
  const seed = fc.constantFrom(...seeds);
  const edit = (json: unknown) => (scope === "all" ? mutatedJson(json) : mutatedJsonOutside(json, CONSTRUCTOR_FIELDS));
  const jsonEdited = seed.chain((s) => edit(s.json).map((json) => ({ json, weights: s.weights })));
  const bytesEdited = seed.chain((s) => mutatedBytes(fc.constant(s.weights)).map((w) => (fitChecksum ? refit(s.json, w) : { json: s.json, weights: w })));
  const headerForged = seed.chain((s) => {
    const { header, data } = splitSafetensors(s.weights);
    return mutatedJson(header).map((h) => refit(s.json, joinSafetensors(h, data)));
  });
  return fc.oneof(
    { arbitrary: seed, weight: 1 },
    { arbitrary: jsonEdited, weight: 5 },
    { arbitrary: bytesEdited, weight: 2 },
    { arbitrary: headerForged, weight: 2 },
    { arbitrary: fc.record({ json: oddJson, weights: fc.constantFrom(...seeds.map((s) => s.weights)) }), weight: 1 },
  );
}

const FILES = { json: "fuzz/model.json", weights: "fuzz/model.safetensors" };

/** A loaded model saves again to a pair that loads to the same bytes, holding every tensor of the input bit for bit. */
function modelMismatch(input: Uint8Array, model: Saveable): string | undefined {
  const once = encodeModel(model);
  const twice = encodeModel(decodeModel(once.json, once.weights, FILES));
  if (Buffer.compare(once.weights, twice.weights) !== 0 || JSON.stringify(once.json) !== JSON.stringify(twice.json))
    return "saving the loaded model again does not round-trip";
  const saved = decodeSafetensors(once.weights).tensors;
  for (const [name, t] of decodeSafetensors(input).tensors) {
    const s = saved.get(name);
    if (
      s === undefined ||
      JSON.stringify(s.shape) !== JSON.stringify(t.shape) ||
      Buffer.compare(new Uint8Array(s.data.buffer), new Uint8Array(t.data.buffer)) !== 0
    )
      return `tensor "${name}" of the input is not what the loaded model holds`;
  }
  return undefined;
}

const MODEL_ERRORS = [SavedModelError, SafetensorsError];

let seedsOnce: Promise<ModelPair[]> | undefined;

export async function modelTarget(scope: Scope = "all"): Promise<FuzzTarget<ModelPair>> {
  seedsOnce ??= modelSeeds();
  const seeds = await seedsOnce;
  return {
    name: `model.json (v2)${scope === "all" ? "" : ", options kept"}`,
    inputs: fc.oneof(modelInputs(seeds, true, scope), modelInputs(seeds, false, scope)),
    load: ({ json, weights }) => modelMismatch(weights, decodeModel(json, weights, FILES)),
    errors: MODEL_ERRORS,
    names: /fuzz\/model\.(json|safetensors)/,
  };
}

// ---- the layouts before format version 2 ---------------------------------------------------

const FIXTURES = join(import.meta.dirname, "..", "fixtures", "v1");
const fixture = (path: string) => new Uint8Array(readFileSync(join(FIXTURES, path)));
const fixtureJson = (path: string): unknown => JSON.parse(readFileSync(join(FIXTURES, path), "utf8"));

/** Version-1 Sequential, RBM and DBM pairs, read through decodeModel's legacy path. */
export const legacyPair = (scope: Scope = "all"): FuzzTarget<ModelPair> => ({
  name: `model.json (v1 pairs)${scope === "all" ? "" : ", options kept"}`,
  inputs: modelInputs(
    [
      { json: fixtureJson("mlp/model.json"), weights: fixture("mlp/model.safetensors") },
      { json: fixtureJson("rbm/model.json"), weights: fixture("rbm/model.safetensors") },
      { json: fixtureJson("dbm/dbm.json"), weights: fixture("dbm/dbm.safetensors") },
    ],
    false,
    scope,
  ),
  load: ({ json, weights }) => modelMismatch(weights, decodeModel(json, weights, FILES)),
  errors: MODEL_ERRORS,
  names: /fuzz\/model\.(json|safetensors)/,
});

const DBN_TENSOR_FILES = ["dbn/generative.safetensors", "dbn/rbm-1/model.safetensors", "dbn/rbm-2/model.safetensors"];

type DbnFolder = { dbn: unknown; rbm1: unknown; rbm2: unknown };

/** A version-1 DBN folder (dbn.json and one RBM folder per layer), its JSON files edited, read through legacyModel. */
export const legacyDbn = (scope: Scope = "all"): FuzzTarget<DbnFolder> => {
  const edit = (json: unknown) => (scope === "all" ? mutatedJson(json) : mutatedJsonOutside(json, CONSTRUCTOR_FIELDS));
  return {
    name: `dbn.json (v1 folder)${scope === "all" ? "" : ", options kept"}`,
    inputs: fc.oneof(
      fc.record({
        dbn: edit(fixtureJson("dbn/dbn.json")),
        rbm1: fc.constant(fixtureJson("dbn/rbm-1/model.json")),
        rbm2: fc.constant(fixtureJson("dbn/rbm-2/model.json")),
      }),
      fc.record({
        dbn: fc.constant(fixtureJson("dbn/dbn.json")),
        rbm1: edit(fixtureJson("dbn/rbm-1/model.json")),
        rbm2: fc.constant(fixtureJson("dbn/rbm-2/model.json")),
      }),
    ),
    async load(folder) {
      const files: Record<string, unknown> = { "fuzz/dbn.json": folder.dbn, "fuzz/rbm-1/model.json": folder.rbm1, "fuzz/rbm-2/model.json": folder.rbm2 };
      const upgraded = await legacyModel("fuzz", async (jsonPath, weightsPath) => {
        if (!(jsonPath in files)) return null;
        const fixturePath = weightsPath?.replace(/^fuzz\//, "dbn/");
        if (fixturePath !== undefined && !DBN_TENSOR_FILES.includes(fixturePath)) throw new SavedModelError(`${weightsPath}: file not found`);
        const weights = fixturePath === undefined ? null : decodeSafetensors(fixture(fixturePath), weightsPath as string).tensors;
        return { json: files[jsonPath], jsonPath, weights, weightsPath: weightsPath ?? "" };
      });
      if (upgraded === null) return "a DBN folder read as no model";
      // the upgraded model, written as version 2, goes through the DBN's own loader
      const { className, config, state, tensors } = upgraded.saved;
      const weights = encodeSafetensors([...tensors]);
      const json = {
        format: "layerwise",
        formatVersion: 2,
        className,
        config,
        state,
        weights: { file: "model.safetensors", bytes: weights.length, crc32: crc32Of(weights) },
      };
      decodeModel(json, weights, { json: "fuzz/dbn.json", weights: "fuzz/model.safetensors" });
      return undefined;
    },
    errors: MODEL_ERRORS,
    names: /fuzz\//,
  };
};

// ---- the command line -----------------------------------------------------------------------

/** Options of every kind the commands declare. */
const SPECS = {
  epochs: { type: "number", description: "passes", integer: true, min: 1, default: 10 },
  lr: { type: "number", description: "learning rate", above: 0 },
  dropout: { type: "number", description: "rate", min: 0, max: 0.99, default: 0 },
  seed: { type: "number", description: "seed", integer: true, default: 1 },
  optimizer: { type: "string", description: "update rule", choices: ["sgd", "adam"], default: "adam" },
  out: { type: "string", description: "folder" },
  quiet: { type: "boolean", description: "no progress output" },
} as const;

/** A decimal number as a person types it: the only number text an option accepts. */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** What a reference reader makes of argv: the last value given to each option. */
function lastValues(argv: readonly string[]): Map<string, string> {
  const values = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    if (!argv[i].startsWith("--")) continue;
    const eq = argv[i].indexOf("=");
    const name = argv[i].slice(2, eq >= 0 ? eq : undefined);
    const spec = SPECS[name as keyof typeof SPECS];
    if (spec?.type === "boolean") values.set(name, "true");
    else if (spec !== undefined) values.set(name, eq >= 0 ? argv[i].slice(eq + 1) : argv[++i]);
  }
  return values;
}

/** Every accepted value satisfies its spec, and numbers come from decimal text. */
function optionsMismatch(argv: readonly string[], options: Record<string, unknown>): string | undefined {
  for (const [name, raw] of lastValues(argv)) {
    const spec = SPECS[name as keyof typeof SPECS];
    const v = options[name];
    if (spec.type !== "number") continue;
    const n = v as number;
    const ok =
      DECIMAL.test(raw) &&
      n === Number(raw) &&
      Number.isFinite(n) &&
      (!("integer" in spec) || Number.isInteger(n)) &&
      (!("min" in spec) || n >= spec.min) &&
      (!("above" in spec) || n > spec.above) &&
      (!("max" in spec) || n <= spec.max);
    if (!ok) return `--${name} ${JSON.stringify(raw)} was accepted as ${n}`;
  }
  if (typeof options.optimizer === "string" && !["sgd", "adam"].includes(options.optimizer)) return `--optimizer ${options.optimizer} was accepted`;
  return undefined;
}

const optionToken = fc.oneof(
  fc.constantFrom(...Object.keys(SPECS).flatMap((k) => [`--${k}`, `--${k}=`]), "--", "--help", "-x", "=", "--=3"),
  fc.tuple(fc.constantFrom(...Object.keys(SPECS)), fc.string({ maxLength: 6 })).map(([k, v]) => `--${k}=${v}`),
);
const valueToken = stringsNear(["10", "0.5", "1e-3", "-1", "0", "adam", "sgd", "out/dir", ".5", "5."], "0123456789.-+eE xXbInfinityaN_");

export const cliOptions: FuzzTarget<string[]> = {
  name: "cli options",
  inputs: fc.array(fc.oneof(optionToken, valueToken), { maxLength: 8 }),
  load: (argv) => optionsMismatch(argv, parseOptions(argv, SPECS as never).options as Record<string, unknown>),
  errors: [UsageError],
  names: /--/,
};

/** A layer list loads only when it reads back as exactly the text given. */
function layersMismatch(text: string, sizes: number[]): string | undefined {
  return sizes.join("-") === text ? undefined : `"${text}" was read as ${sizes.join("-")}`;
}

const LAYER_ALPHABET = "0123456789- e.+x";

export const mlpLayers: FuzzTarget<string> = {
  name: "train mlp --layers",
  inputs: stringsNear(["784-500-500-10", "784-10", "784-32-10"], LAYER_ALPHABET),
  load: (text) => layersMismatch(text, parseLayerSizes(text)),
  errors: [UsageError],
  names: /--layers/,
};

export const dbnLayers: FuzzTarget<string> = {
  name: "train dbn --layers",
  inputs: stringsNear(["784-500-500-2000", "784-256-256", "6-4"], LAYER_ALPHABET),
  load: (text) => layersMismatch(text, parseLayers(text)),
  errors: [UsageError],
  names: /--layers/,
};

/** The grammar of --augment, written out independently: what it refuses the parser must refuse. */
const AUGMENT_PART =
  /^\s*((rotate|shift|scale)\s*=\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?|elastic\s*=\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?:[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?)\s*$/;

export const augmentSpec: FuzzTarget<string> = {
  name: "train cnn --augment",
  inputs: stringsNear(["rotate=15,shift=2,scale=0.1,elastic=34:4", "rotate=15", "elastic=34:4", ""], "rotaeshifcl=,:0123456789.-e x"),
  load(text) {
    const options = parseAugmentSpec(text, 7);
    if (options === null) return text.trim() === "" ? undefined : `"${text}" was read as no augmentation`;
    return text.split(",").every((part) => AUGMENT_PART.test(part)) ? undefined : `"${text}" was accepted as ${JSON.stringify(options)}`;
  },
  errors: [RangeError],
  names: /augment|Augmenter/,
};

/** The targets whose every input must load or be refused cleanly today. */
export async function cleanTargets(): Promise<FuzzTarget<never>[]> {
  return [
    idxRaw,
    idxGzip,
    safetensors,
    await modelTarget("files"),
    legacyPair("files"),
    legacyDbn("files"),
    cliOptions,
    mlpLayers,
    dbnLayers,
    augmentSpec,
  ] as FuzzTarget<never>[];
}

/** The saved-model targets with the constructor options fuzzed too (see CONSTRUCTOR_FIELDS). */
export async function optionTargets(): Promise<FuzzTarget<never>[]> {
  return [await modelTarget("all"), legacyPair("all"), legacyDbn("all")] as FuzzTarget<never>[];
}

/** Every target, in the order the runner reports them. */
export async function allTargets(): Promise<FuzzTarget<never>[]> {
  return [...(await cleanTargets()), ...(await optionTargets())];
}
