/**
 * What the `layerwise` commands share: the command skeleton (parse the options, print the help
 * for --help, refuse stray arguments), the options that mean the same in every command,
 * loading the digits they ask for, and the supervised trainers' fit-test-save ending.
 */
import { loadMnist, type MnistData } from "../data/mnist.js";
import { formatSeconds } from "../train/progress.js";
import type { FitOptions, Sequential } from "../train/sequential.js";
import { formatHelp, type OptionSpecs, type ParsedOptions, parseOptions, UsageError } from "./args.js";
import type { Command } from "./command.js";

export interface CommandDefinition<S extends OptionSpecs> {
  path: readonly string[];
  summary: string;
  /** The usage line printed at the top of --help and in errors. */
  usage: string;
  /** The command's options; --help is added. */
  specs: S;
  /** `help` is the --help text, for errors that show it. Resolves to the exit code. */
  run(options: ParsedOptions<S>, help: string): Promise<number>;
}

/** A Command from its options and its work: --help prints the help, a stray argument is a usage error. */
export function defineCommand<S extends OptionSpecs>(def: CommandDefinition<S>): Command {
  const specs = { ...def.specs, help: { type: "boolean", description: "show this help" } } as const;
  return {
    path: def.path,
    summary: def.summary,
    async run(argv) {
      const { options, positional } = parseOptions(argv, specs);
      const help = formatHelp(def.usage, specs);
      if (options.help) {
        console.log(help);
        return 0;
      }
      if (positional.length > 0) throw new UsageError(`unexpected argument "${positional[0]}"; usage: ${def.usage}`);
      return def.run(options as ParsedOptions<S>, help);
    },
  };
}

// ---- options that mean the same in every command ---------------------------------------------

export const dataOption = { type: "string", description: "folder with the MNIST IDX files (default: the bundled digits)" } as const;

export const seedOption = (description: string) => ({ type: "number", description, integer: true, default: 1 }) as const;

export const outOption = (description: string) => ({ type: "string", description }) as const;

export const quietOption = (description: string) => ({ type: "boolean", description }) as const;

export const limitOption = (description: string) => ({ type: "number", description, integer: true, min: 1 }) as const;

/** --data, --limit-train and --limit-test (evaluate takes --limit-test alone). */
export const mnistOptions = {
  data: dataOption,
  "limit-train": limitOption("use only the first N training digits"),
  "limit-test": limitOption("use only the first N test digits"),
} as const;

/** The digits mnistOptions ask for: the IDX files in --data (else the bundled digits), cut to the limits. */
export function loadMnistFor(o: { data?: string; "limit-train"?: number; "limit-test"?: number }): Promise<MnistData> {
  return loadMnist({ dir: o.data, limitTrain: o["limit-train"], limitTest: o["limit-test"] });
}

/** The last options of `train mlp` and `train cnn`: the data, the seed, where to save, --quiet. */
export const supervisedTrainerOptions = (descriptions: { seed: string; out: string }) =>
  ({ ...mnistOptions, seed: seedOption(descriptions.seed), out: outOption(descriptions.out), quiet: quietOption("no progress output") }) as const;

/** --data and --limit of the trainers that take training digits only (RBM, DBN). */
export const trainingDigitsOptions = { data: dataOption, limit: limitOption("use at most this many training digits") } as const;

/** The learning-rate decay of the supervised trainers (checked by checkLearningRate). */
export const lrDecayOption = { type: "number", description: "multiply the learning rate by this after every epoch", min: 0, max: 1, default: 1 } as const;

/** --lr must be > 0 and --lr-decay in (0, 1]; the specs can only say >= 0. */
export function checkLearningRate(o: { lr?: number; "lr-decay"?: number }): void {
  if (o.lr !== undefined && o.lr <= 0) throw new UsageError(`option --lr must be a number > 0; got "${o.lr}"`);
  if (o["lr-decay"] === 0) throw new UsageError(`option --lr-decay must be a number in (0, 1]; got "0"`);
}

/** Throws "option --NAME is required (WHAT)" when a required option is missing. */
export function requireOption<T>(value: T | undefined, name: string, what: string): T {
  if (value === undefined) throw new UsageError(`option --${name} is required (${what})`);
  return value;
}

/** The same check in the form "--out DIR is required" followed by the command's help. */
export function requireOptionShowingHelp<T>(value: T | undefined, flag: string, help: string): T {
  if (value === undefined) throw new UsageError(`${flag} is required\n${help}`);
  return value;
}

// ---- printing ------------------------------------------------------------------------------

/** console.log unless quiet. */
export function logUnless(quiet: boolean): (line: string) => void {
  return (line) => {
    if (!quiet) console.log(line);
  };
}

/** "data: bundled MNIST, 8000 training and 2000 test digits" */
export function describeData(data: MnistData): string {
  return `data: ${data.source} MNIST, ${data.train.images.rows} training and ${data.test.images.rows} test digits`;
}

/** "loss 0.1234 - accuracy 96.10 % - error 3.90 %" */
export function formatScores(r: Record<string, number>): string {
  return `loss ${r.loss.toFixed(4)} - accuracy ${(100 * r.accuracy).toFixed(2)} % - error ${(100 * (1 - r.accuracy)).toFixed(2)} %`;
}

/**
 * The end of `train mlp` and `train cnn`: fits the compiled model on the training digits,
 * scores it on the test digits and saves it to out. Returns the line to print, e.g.
 * "test: loss … - accuracy … % - error … % (2000 digits; <trained> in 52.1s)".
 */
export async function fitTestAndSave(model: Sequential, data: MnistData, fit: FitOptions, out: string, trained: string): Promise<string> {
  const t0 = Date.now();
  await model.fit(data.train.images, data.train.oneHot, fit);
  const seconds = (Date.now() - t0) / 1000;
  const test = model.evaluate(data.test.images, data.test.oneHot);
  await model.save(out);
  return `test: ${formatScores(test)} (${data.test.images.rows} digits; ${trained} in ${formatSeconds(seconds)})`;
}

/** The file names of paths, comma-separated. */
export function baseNames(paths: readonly string[]): string {
  return paths.map((p) => p.slice(p.lastIndexOf("/") + 1)).join(", ");
}
