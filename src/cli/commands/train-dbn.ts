/**
 * `layerwise train dbn`: the 2006 pipeline on MNIST. Greedy layer-wise pretraining of a stack
 * of RBMs (saved as it goes, so a run resumes), then backpropagation fine-tuning of the
 * classifier the stack initialises, optionally next to the same net trained from random
 * weights with the same budget. Writes the stack, the classifier, filters, samples and a
 * summary. With --checkpoint-every N the fine-tuning of each net is checkpointed too
 * (OUT/checkpoint/pretrained, OUT/checkpoint/baseline), and --resume continues it bit for bit.
 * `layerwise demo` runs the same pipeline with small settings (demo.ts).
 */
import { rm } from "node:fs/promises";
import { chooseMnist, type MnistChoice, type MnistData } from "../../data/mnist.js";
import { ensureDir, joinPath as join, readFileText, writeFileAtomic } from "../../io/files.js";
import { hasSavedModel, MODEL_JSON } from "../../io/model.js";
import { DBN, type PretrainCallback } from "../../models/dbn/dbn.js";
import { loadDbn } from "../../models/dbn/io.js";
import { writeDbnPictures } from "../../models/dbn/pictures.js";
import { type FinetuneStage, pretrainAndFinetune } from "../../models/recipes/pretrain-finetune.js";
import { argmax } from "../../ops/reduce.js";
import { type Callback, LambdaCallback } from "../../train/callbacks.js";
import { loadSequential } from "../../train/load.js";
import { ProgressBar } from "../../train/progress.js";
import type { Sequential } from "../../train/sequential.js";
import { parseSizeList, UsageError } from "../args.js";
import { checkpointOptions, describeTrainingData, RunCheckpoint } from "../checkpoint.js";
import type { Command } from "../command.js";
import {
  defineCommand,
  freshOption,
  learningRateOption,
  loadDigits,
  outOption,
  quietOption,
  requireOptionShowingHelp,
  seedOption,
  trainingDigitsOptions,
} from "../common.js";
import { type RunReport, reportOption } from "../report.js";
import { interruptible, noteCheckpoint } from "../signals.js";

export interface DbnPipelineOptions {
  layers: number[];
  pretrainEpochs: number;
  finetuneEpochs: number;
  batchSize: number;
  rbmLearningRate: number;
  finetuneLearningRate: number;
  /** Join label units to the top RBM (for samples per class). */
  labels: boolean;
  /** Also train the same net from random weights with the same fine-tuning budget. */
  baseline: boolean;
  /** Keep the pretrained layers fixed and train only the output layer (protocol b). */
  freeze: boolean;
  sampleSteps: number;
  seed: number;
  out: string;
  quiet: boolean;
  /** The stack to pretrain further (from resumeStack); null or absent: a new one. */
  stack?: DBN | null;
  /** Where the digits came from ("bundled" or a folder, as --data takes it), for the record. */
  data?: string;
  /** The fine-tuning checkpoints (train dbn's --checkpoint-every, --resume); absent: none, only the stop on a signal. */
  checkpoints?: FinetuneCheckpoints;
  /** Gathers the curves, pictures, figures and confusion matrix for --report (train dbn's). */
  report?: RunReport;
}

/** What the fine-tuning of a run takes from its checkpoints. */
export interface FinetuneCheckpoints {
  /** The nets a stopped run left, trained on in place of new ones (pretrainAndFinetune's `resume`). */
  resume: { pretrained?: Sequential; baseline?: Sequential };
  /** The callbacks of one net's fit ("pretrained" or "random init"): its saver and the stop on SIGINT/SIGTERM. */
  callbacks(arm: string): Callback[];
}

export interface DbnPipelineResult {
  pretrainedAccuracy: number;
  baselineAccuracy: number | null;
  pretrainSeconds: number;
  finetuneSeconds: number;
  baselineSeconds: number | null;
  files: string[];
}

// ---- resuming: a stack goes on only with the settings it was pretrained with -----------------

/**
 * What a stack's pretraining depends on. Saved as `training.pretraining` in stack/model.json
 * with every checkpoint, and checked when a later run resumes the stack.
 */
export interface PretrainSettings {
  layers: number[];
  labels: boolean;
  seed: number;
  rbmLearningRate: number;
  batchSize: number;
  /** Epochs per layer asked for (the stack may have done fewer so far). */
  pretrainEpochs: number;
  /** "bundled" or the folder of the IDX files: what --data takes to load the same digits. */
  data: string;
  trainDigits: number;
}

/** The settings checked on resume: the option that sets each, and what it is. */
const RESUMED: readonly { key: keyof PretrainSettings; flag: string; what: string }[] = [
  { key: "layers", flag: "layers", what: "layer sizes" },
  { key: "labels", flag: "labels", what: "label units on the top RBM" },
  { key: "seed", flag: "seed", what: "seed" },
  { key: "rbmLearningRate", flag: "rbm-lr", what: "RBM learning rate" },
  { key: "batchSize", flag: "batch", what: "mini-batch size" },
  { key: "data", flag: "data", what: "data" },
  { key: "trainDigits", flag: "limit", what: "training digits" },
  { key: "pretrainEpochs", flag: "pretrain-epochs", what: "RBM epochs per layer" },
];

/** A stack found in out/stack: the DBN and the settings it records (those a stack without a record leaves out are absent). */
export interface SavedStack {
  dir: string;
  dbn: DBN;
  recorded: Partial<PretrainSettings>;
  /** The most epochs any of its RBMs has trained. */
  epochsDone: number;
}

/** The stack in stackDir with its recorded settings, or null when there is none. */
export async function readStack(stackDir: string): Promise<SavedStack | null> {
  if (!(await hasSavedModel(stackDir))) return null;
  const dbn = await loadDbn(stackDir);
  // the settings the DBN holds itself, then the record the CLI saved with it (absent in older folders)
  const json = (await readFileText(join(stackDir, MODEL_JSON)).then(JSON.parse, () => ({}))) as { training?: { pretraining?: Partial<PretrainSettings> } };
  const recorded: Partial<PretrainSettings> = {
    ...(json.training?.pretraining ?? {}),
    layers: [...dbn.layers],
    labels: dbn.labels > 0,
    seed: dbn.seed,
    rbmLearningRate: dbn.rbms[0].options.learningRate,
  };
  return { dir: stackDir, dbn, recorded, epochsDone: Math.max(...dbn.rbms.map((r) => r.epochsTrained)) };
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function show(v: unknown): string {
  return Array.isArray(v) ? v.join("-") : String(v);
}

/**
 * The settings a run uses on a saved stack: each setting not given on the command line (isGiven)
 * takes the recorded value; a given one must equal it, except --pretrain-epochs, which may only
 * not fall below the epochs done. Returns the settings and one line per mismatch.
 */
export function resumeSettings(
  saved: SavedStack,
  requested: PretrainSettings,
  isGiven: (flag: string) => boolean,
): { settings: PretrainSettings; mismatches: string[] } {
  const settings = { ...requested };
  const mismatches: string[] = [];
  const put = <K extends keyof PretrainSettings>(key: K, value: PretrainSettings[K]): void => {
    settings[key] = value;
  };
  for (const { key, flag, what } of RESUMED) {
    const had = saved.recorded[key];
    if (had === undefined) continue;
    if (!isGiven(flag)) {
      put(key, had);
    } else if (key === "pretrainEpochs" ? requested.pretrainEpochs < saved.epochsDone : !same(had, requested[key])) {
      const was = key === "pretrainEpochs" ? `has trained ${saved.epochsDone} epoch(s) per layer` : `was pretrained with ${show(had)}`;
      mismatches.push(`--${flag} (${what}): the stack ${was}; this run asks for ${show(requested[key])}`);
    }
  }
  // never fewer than the stack has done: summary.json says what the stack holds
  settings.pretrainEpochs = Math.max(settings.pretrainEpochs, saved.epochsDone);
  return { settings, mismatches };
}

/** The error for a resume that does not match: every mismatch, and the two ways out. */
export function resumeMismatchError(stackDir: string, mismatches: readonly string[]): UsageError {
  return new UsageError(
    `${stackDir} holds a stack pretrained with other settings:\n${mismatches.map((m) => `  ${m}`).join("\n")}\n` +
      `Either add --fresh to start over (the stack is pretrained anew), or drop these options to resume with the stack's own settings.`,
  );
}

/**
 * The digits and settings of a run into out: a stack already in out/stack (unless fresh) is
 * resumed with the settings it records (resumeSettings), checked again against the digits once
 * they are loaded; any mismatch stops the run before training (resumeMismatchError).
 */
export async function resumeOrStart(
  out: string,
  requested: PretrainSettings,
  o: { fresh: boolean; data: string | undefined; limit: number | undefined; isGiven: (flag: string) => boolean },
): Promise<{ data: MnistData; settings: PretrainSettings; stack: DBN | null }> {
  const saved = o.fresh ? null : await readStack(join(out, "stack"));
  const { settings, mismatches } = saved === null ? { settings: requested, mismatches: [] } : resumeSettings(saved, requested, o.isGiven);
  const limit = saved !== null && !o.isGiven("limit") && saved.recorded.trainDigits !== undefined ? settings.trainDigits : o.limit;
  const fromRecord = saved !== null && !o.isGiven("data") && saved.recorded.data !== undefined;
  const choice = fromRecord ? { ...chooseMnist(settings.data), from: `as recorded in ${saved.dir}` } : chooseMnist(o.data);
  const data = await loadDigits(choice, { limitTrain: limit });
  const trainDigits = data.train.images.rows;
  if (saved?.recorded.trainDigits !== undefined && trainDigits !== saved.recorded.trainDigits && !mismatches.some((m) => m.startsWith("--limit"))) {
    mismatches.push(`--limit (training digits): the stack was pretrained on ${saved.recorded.trainDigits}; this run has ${trainDigits}`);
  }
  if (saved !== null && mismatches.length > 0) throw resumeMismatchError(saved.dir, mismatches);
  if (saved !== null) {
    const unchecked = RESUMED.filter((r) => saved.recorded[r.key] === undefined).map((r) => `--${r.flag}`);
    if (unchecked.length > 0) console.log(`note: ${saved.dir} records no ${unchecked.join(", ")} (an older layerwise wrote it); those are not checked`);
  }
  return { data, settings: { ...settings, data: dataFlag(data.choice), trainDigits }, stack: saved?.dbn ?? null };
}

/** What --data takes to load these digits again: "bundled" or the folder. */
export function dataFlag(choice: MnistChoice): string {
  return choice.source === "full" ? choice.dir : "bundled";
}

/** The stack given (resumed) or a new one, pretrained to o.pretrainEpochs per layer; every save records its settings. */
async function pretrainedStack(data: MnistData, o: DbnPipelineOptions, stackDir: string): Promise<DBN> {
  const { train } = data;
  let dbn: DBN;
  if (o.stack) {
    dbn = o.stack;
    console.log(`resuming the stack in ${stackDir} (epochs so far: ${dbn.rbms.map((r) => r.epochsTrained).join(", ")})`);
  } else {
    dbn = new DBN({ layers: o.layers, labels: o.labels ? train.oneHot.cols : 0, seed: o.seed, rbm: { learningRate: o.rbmLearningRate } });
  }
  const record = { pretraining: pretrainSettingsOf(o, train.images.rows) };
  // a header before each layer, then Keras-style progress lines
  const layerHeader: PretrainCallback = {
    onLayerBegin: (i) =>
      console.log(
        `RBM ${i.layer + 1}: ${i.visible}-${i.hidden}${i.layer === dbn.rbms.length - 1 && dbn.labels > 0 ? ` (incl. ${dbn.labels} label units)` : ""}, ${i.epochs} epoch(s) to train`,
      ),
  };
  // the whole stack after every epoch, with its settings, so a later run resumes it (and checks them)
  const checkpoint = new LambdaCallback({
    onEpochEnd: async () => {
      await dbn.save(stackDir, record);
      noteCheckpoint(`${stackDir} (the stack; run the same command again to continue its pretraining)`);
    },
  });
  // after the save: a signal stops pretraining between batches, never mid-save
  const stop = interruptible();
  const curves = o.report === undefined ? [] : [o.report.rbmLayers()];
  await dbn.pretrain(train.images, {
    epochs: o.pretrainEpochs,
    batchSize: o.batchSize,
    labels: dbn.labels > 0 ? train.oneHot : undefined,
    callbacks: [...(o.quiet ? [] : [layerHeader, new ProgressBar()]), checkpoint, stop, ...curves],
  });
  await dbn.save(stackDir, record);
  return dbn;
}

/** The pretraining settings of a pipeline run on trainDigits digits. */
function pretrainSettingsOf(o: DbnPipelineOptions, trainDigits: number): PretrainSettings {
  return {
    layers: o.layers,
    labels: o.labels,
    seed: o.seed,
    rbmLearningRate: o.rbmLearningRate,
    batchSize: o.batchSize,
    pretrainEpochs: o.pretrainEpochs,
    data: o.data ?? "bundled",
    trainDigits,
  };
}

/** Pretrain (resuming from out/stack), fine-tune, compare, save and draw. */
export async function runDbnPipeline(data: MnistData, o: DbnPipelineOptions): Promise<DbnPipelineResult> {
  const { train, test } = data;
  if (o.layers[0] !== train.images.cols)
    throw new UsageError(`--layers must start with the ${train.images.cols} pixels of an image; got ${o.layers.join("-")}`);
  const classes = train.oneHot.cols;
  const stackDir = join(o.out, "stack");
  await ensureDir(o.out);
  // a header before each fine-tuning fit, then Keras-style progress lines
  const progress = (stage: FinetuneStage): Callback[] => {
    if (stage.arm === "pretrained")
      console.log(
        `fine-tuning ${[...o.layers, classes].join("-")} by backpropagation${o.freeze ? " (pretrained layers frozen)" : ""}, ${o.finetuneEpochs} epochs, SGD ε ${o.finetuneLearningRate} momentum 0.9`,
      );
    else console.log("the same net from random weights (no pretraining), same budget");
    return [new ProgressBar()];
  };
  // each net's checkpoint saver (if any), then the stop on SIGINT/SIGTERM, after the progress line
  const curves = (stage: FinetuneStage): Callback[] => (o.report === undefined ? [] : [o.report.epochs(`fine-tuning, ${stage.arm} (${stage.phase})`)]);
  const callbacks = (stage: FinetuneStage): Callback[] => [
    ...(o.quiet ? [] : progress(stage)),
    ...(o.checkpoints?.callbacks(stage.arm) ?? [interruptible()]),
    ...curves(stage),
  ];
  const run = await pretrainAndFinetune(
    () => pretrainedStack(data, o, stackDir),
    { train: { x: train.images, y: train.oneHot }, test: { x: test.images, y: test.oneHot } },
    {
      epochs: o.finetuneEpochs,
      batchSize: o.batchSize,
      optimizer: { type: "sgd", learningRate: o.finetuneLearningRate, momentum: 0.9 },
      outputLayerOnly: o.freeze,
      seed: o.seed,
      baseline: o.baseline,
      callbacks,
      resume: o.checkpoints?.resume,
    },
  );
  const dbn = run.stack;
  await run.pretrained.model.save(join(o.out, "classifier"));
  const pictures = await writeDbnPictures(dbn, o.out, { gibbsSteps: o.sampleSteps, seed: o.seed });
  const result: DbnPipelineResult = {
    pretrainedAccuracy: run.pretrained.test.accuracy,
    baselineAccuracy: run.baseline?.test.accuracy ?? null,
    pretrainSeconds: run.pretrainSeconds,
    finetuneSeconds: run.pretrained.seconds,
    baselineSeconds: run.baseline?.seconds ?? null,
    files: [join(o.out, "stack/"), join(o.out, "classifier/"), ...pictures, join(o.out, "summary.json")],
  };
  const summary = {
    model: `DBN ${o.layers.join("-")}${dbn.labels > 0 ? ` (+${dbn.labels} labels on the top RBM)` : ""}, classifier ${[...o.layers, classes].join("-")}`,
    source: data.source,
    data: o.data ?? "bundled",
    trainDigits: train.images.rows,
    testDigits: test.images.rows,
    pretrainEpochs: o.pretrainEpochs,
    finetuneEpochs: o.finetuneEpochs,
    batchSize: o.batchSize,
    rbmLearningRate: o.rbmLearningRate,
    finetuneLearningRate: o.finetuneLearningRate,
    frozen: o.freeze,
    seed: o.seed,
    testAccuracyPretrained: result.pretrainedAccuracy,
    testAccuracyRandomInit: result.baselineAccuracy,
    pretrainSeconds: result.pretrainSeconds,
    finetuneSeconds: result.finetuneSeconds,
    baselineSeconds: result.baselineSeconds,
  };
  await writeFileAtomic(join(o.out, "summary.json"), `${JSON.stringify(summary, null, 2)}\n`);
  o.report?.results(summary);
  o.report?.pictures(pictures);
  const model = run.baseline === undefined ? undefined : "the pretrained net (not the random-init baseline)";
  o.report?.classified(() => argmax(run.pretrained.model.predict(test.images)), test.labels, classes, model);
  return result;
}

// ---- fine-tuning checkpoints: one per net, each laid out as train mlp's ----------------------

/** The options a fine-tuning resume may change: the epoch total, the pictures, and --fresh (which a resume never takes). */
const FINETUNE_FREE = ["finetune-epochs", "sample-steps", "fresh"];

/**
 * The fine-tuning checkpoints of a run into out: OUT/checkpoint/pretrained for the classifier
 * and OUT/checkpoint/baseline for the random-init net. With --resume the classifier's must be
 * there; the baseline's is loaded if the stopped run had reached it, and either way the
 * baseline saves as often as the classifier. Both check the options and digits first.
 */
async function finetuneCheckpoints(
  out: string,
  o: { "checkpoint-every"?: number; resume: boolean; baseline: boolean } & Record<string, unknown>,
  data: MnistData,
): Promise<FinetuneCheckpoints> {
  const digits = describeTrainingData(data.source, [data.train.images, data.train.oneHot]);
  const checkpoint = (folder: string) => new RunCheckpoint("train dbn", out, o, digits, { folder, free: FINETUNE_FREE });
  const pretrained = checkpoint("checkpoint/pretrained");
  const baseline = checkpoint("checkpoint/baseline");
  const classifier = await pretrained.resume(loadSequential);
  const scratch = o.baseline ? await baseline.resume(loadSequential, true) : null;
  if (scratch === null) baseline.every = pretrained.every;
  return {
    resume: { pretrained: classifier?.model, baseline: scratch?.model },
    callbacks: (arm) => (arm === "pretrained" ? pretrained : baseline).callbacks(),
  };
}

export function parseLayers(text: string): number[] {
  return parseSizeList(text, "--layers", "784-500-500-2000");
}

const specs = {
  layers: { type: "string", description: "layer sizes, data first", default: "784-500-500-2000" },
  "pretrain-epochs": { type: "number", description: "RBM epochs per layer", default: 10, integer: true, min: 0 },
  "finetune-epochs": { type: "number", description: "backpropagation epochs", default: 10, integer: true, min: 0 },
  batch: { type: "number", description: "mini-batch size (pretraining and fine-tuning)", default: 100, integer: true, min: 1 },
  "rbm-lr": learningRateOption("RBM learning rate ε", 0.05),
  "finetune-lr": learningRateOption("SGD learning rate for fine-tuning", 0.1),
  labels: { type: "boolean", description: "join 10 label units to the top RBM (samples per class)" },
  baseline: { type: "boolean", description: "also train the same net from random weights, same budget" },
  freeze: { type: "boolean", description: "keep the pretrained layers fixed (train only the output layer)" },
  ...trainingDigitsOptions,
  "sample-steps": { type: "number", description: "Gibbs steps in the top RBM for samples.png", default: 1000, integer: true, min: 1 },
  seed: seedOption("seed of every random choice"),
  out: outOption("output folder (required; a stack there is resumed with the settings it records, unless --fresh)"),
  fresh: freshOption,
  quiet: quietOption("only the summary"),
  "checkpoint-every": { ...checkpointOptions["checkpoint-every"], description: "save each fine-tuned net into OUT/checkpoint/ every N epochs" },
  resume: { ...checkpointOptions.resume, description: "continue the fine-tuning in OUT/checkpoint (same options; --finetune-epochs is the total)" },
  ...reportOption,
} as const;

const USAGE =
  "layerwise train dbn --out DIR [--layers 784-500-500-2000] [--pretrain-epochs N] [--finetune-epochs M] [--data DIR|full|bundled] [--checkpoint-every N] [--resume]";

export function printResult(r: DbnPipelineResult): void {
  console.log(
    `test accuracy: pretrained DBN ${(r.pretrainedAccuracy * 100).toFixed(2)} %${r.baselineAccuracy === null ? "" : `, same net from random weights ${(r.baselineAccuracy * 100).toFixed(2)} %`}`,
  );
  console.log(
    `time: pretraining ${r.pretrainSeconds.toFixed(1)} s, fine-tuning ${r.finetuneSeconds.toFixed(1)} s${r.baselineSeconds === null ? "" : `, random-init net ${r.baselineSeconds.toFixed(1)} s`}`,
  );
  console.log(`wrote ${r.files.join(", ")}`);
}

export const trainDbnCommand: Command = defineCommand({
  path: ["train", "dbn"],
  summary: "pretrain a deep belief net layer by layer on MNIST, fine-tune it as a classifier; writes stack, classifier, filters, samples",
  usage: USAGE,
  specs,
  outDir: (o) => o.out,
  async run(o, help, given, report) {
    const out = requireOptionShowingHelp(o.out, "--out DIR", help);
    if (o.fresh && o.resume) throw new UsageError("--fresh starts over and --resume continues the fine-tuning checkpoints: give one of them");
    // a new stack makes the fine-tuning checkpoints of the old one stale
    if (o.fresh) await rm(join(out, "checkpoint"), { recursive: true, force: true });
    const requested: PretrainSettings = {
      layers: parseLayers(o.layers ?? "784-500-500-2000"),
      labels: o.labels,
      seed: o.seed ?? 1,
      rbmLearningRate: o["rbm-lr"] ?? 0.05,
      batchSize: o.batch ?? 100,
      pretrainEpochs: o["pretrain-epochs"] ?? 10,
      data: dataFlag(chooseMnist(o.data)),
      trainDigits: o.limit ?? Number.POSITIVE_INFINITY,
    };
    const run = await resumeOrStart(out, requested, { fresh: o.fresh, data: o.data, limit: o.limit, isGiven: (flag) => given.has(flag) });
    const checkpoints = await finetuneCheckpoints(out, o, run.data);
    const result = await runDbnPipeline(run.data, {
      ...run.settings,
      finetuneEpochs: o["finetune-epochs"] ?? 10,
      finetuneLearningRate: o["finetune-lr"] ?? 0.1,
      baseline: o.baseline,
      freeze: o.freeze,
      sampleSteps: o["sample-steps"] ?? 1000,
      out,
      quiet: o.quiet,
      stack: run.stack,
      checkpoints,
      report,
    });
    printResult(result);
    return 0;
  },
});
