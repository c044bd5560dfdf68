/**
 * What the `layerwise` commands share: the command skeleton (parse the options, print the help
 * for --help, refuse stray arguments, check the output folder before the work), the options
 * that mean the same in every command, loading the digits they ask for, and the supervised
 * trainers' fit-test-save ending.
 */
import { chooseMnist, loadMnistChoice, type MnistChoice, type MnistData } from "../data/mnist.js";
import { argmax } from "../ops/reduce.js";
import { formatSeconds } from "../train/progress.js";
import type { FitOptions, Sequential } from "../train/sequential.js";
import { formatHelp, type OptionSpecs, type ParsedOptions, parseOptions, UsageError } from "./args.js";
import type { Command } from "./command.js";
import { prepareOutDir } from "./out-dir.js";
import { RunReport } from "./report.js";

export interface CommandDefinition<S extends OptionSpecs> {
  path: readonly string[];
  summary: string;
  /** The usage line printed at the top of --help and in errors. */
  usage: string;
  /** The command's options; --help is added. */
  specs: S;
  /**
   * The output folder a run writes into, if any: checked writable before run starts (so a bad
   * path fails before any data is loaded), and removed again when the run fails and leaves
   * empty a folder the check created.
   */
  outDir?: (options: ParsedOptions<S>) => string | undefined;
  /**
   * `help` is the --help text, for errors that show it; `given` names the options on the
   * command line (a resumed run keeps its recorded settings for the others); `report` gathers
   * what the run shows, written to OUT/report.html when the specs have --report (reportOption,
   * report.ts) and it was given. Resolves to the exit code.
   */
  run(options: ParsedOptions<S>, help: string, given: ReadonlySet<string>, report: RunReport): Promise<number>;
}

/**
 * A Command from its options and its work: --help prints the help, a stray argument is a usage
 * error; after a successful run with --report, OUT/report.html is written.
 */
export function defineCommand<S extends OptionSpecs>(def: CommandDefinition<S>): Command {
  const specs = { ...def.specs, help: { type: "boolean", description: "show this help" } } as const;
  return {
    path: def.path,
    summary: def.summary,
    async run(argv) {
      const { options, positional, given } = parseOptions(argv, specs);
      const help = formatHelp(def.usage, specs);
      if (options.help) {
        console.log(help);
        return 0;
      }
      if (positional.length > 0) throw new UsageError(`unexpected argument "${positional[0]}"; usage: ${def.usage}`);
      const parsed = options as ParsedOptions<S>;
      const out = def.outDir?.(parsed);
      const undo = out === undefined ? null : await prepareOutDir(out);
      try {
        const report = new RunReport(def.path, argv, parsed, given);
        const code = await def.run(parsed, help, given, report);
        if (code === 0 && parsed.report === true && out !== undefined) console.log(`report: ${await report.write(out)}`);
        return code;
      } catch (err) {
        await undo?.();
        throw err;
      }
    },
  };
}

// ---- options that mean the same in every command ---------------------------------------------

/** The one data rule (chooseMnist in src/data/mnist.ts, docs/data.md), said the same in every command's help. */
export const dataOption = {
  type: "string",
  description:
    'MNIST: a folder of IDX files, "full" ($LAYERWISE_MNIST, else ../shared/datasets/mnist beside the checkout) or "bundled"; default: $LAYERWISE_MNIST when set, else the bundled digits',
} as const;

export const seedOption = (description: string) => ({ type: "number", description, integer: true, default: 1 }) as const;

export const outOption = (description: string) => ({ type: "string", description }) as const;

/** --fresh of the commands that resume what their output folder holds. */
export const freshOption = {
  type: "boolean",
  description: "start over: ignore (and in time replace) what the output folder holds instead of resuming it",
} as const;

export const quietOption = (description: string) => ({ type: "boolean", description }) as const;

export const limitOption = (description: string) => ({ type: "number", description, integer: true, min: 1 }) as const;

/** --data, --limit-train and --limit-test (evaluate takes --limit-test alone). */
export const mnistOptions = {
  data: dataOption,
  "limit-train": limitOption("use only the first N training digits"),
  "limit-test": limitOption("use only the first N test digits"),
} as const;

/** The digits mnistOptions ask for (see loadDigits). */
export function loadMnistFor(o: { data?: string; "limit-train"?: number; "limit-test"?: number }): Promise<MnistData> {
  return loadDigits(o.data, { limitTrain: o["limit-train"], limitTest: o["limit-test"] });
}

/**
 * The digits the data rule picks for --data (chooseMnist), cut to the limits. Prints which set
 * was used, why, and its size (through print, console.log by default), so no run is silent about
 * what it trained or tested on.
 */
export async function loadDigits(
  data: string | undefined | MnistChoice,
  limits: { limitTrain?: number; limitTest?: number },
  print: (line: string) => void = console.log,
): Promise<MnistData & { choice: MnistChoice }> {
  const choice = typeof data === "object" ? data : chooseMnist(data);
  const digits = await loadMnistChoice(choice, limits);
  print(describeData(digits, choice));
  return { ...digits, choice };
}

/** The last options of `train mlp` and `train cnn`: the data, the seed, where to save, --quiet. */
export const supervisedTrainerOptions = (descriptions: { seed: string; out: string }) =>
  ({ ...mnistOptions, seed: seedOption(descriptions.seed), out: outOption(descriptions.out), quiet: quietOption("no progress output") }) as const;

/** --data and --limit of the trainers that take training digits only (RBM, DBN). */
export const trainingDigitsOptions = { data: dataOption, limit: limitOption("use at most this many training digits") } as const;

/** A learning rate: a number > 0. */
export const learningRateOption = (description: string, defaultValue?: number) => ({ type: "number", description, above: 0, default: defaultValue }) as const;

/** The learning-rate decay of the supervised trainers: in (0, 1]. */
export const lrDecayOption = { type: "number", description: "multiply the learning rate by this after every epoch", above: 0, max: 1, default: 1 } as const;

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

/** "data: bundled MNIST (no --data, $LAYERWISE_MNIST unset), 8000 training and 2000 test digits" */
export function describeData(data: MnistData, choice: MnistChoice): string {
  return `data: ${dataName(choice)} (${choice.from}), ${data.train.images.rows} training and ${data.test.images.rows} test digits`;
}

/** "bundled MNIST" or "full MNIST from DIR": what a run records as its data source. */
export function dataName(choice: MnistChoice): string {
  return choice.source === "full" ? `full MNIST from ${choice.dir}` : "bundled MNIST";
}

/** "loss 0.1234 - accuracy 96.10 % - error 3.90 %" */
export function formatScores(r: Record<string, number>): string {
  return `loss ${r.loss.toFixed(4)} - accuracy ${(100 * r.accuracy).toFixed(2)} % - error ${(100 * (1 - r.accuracy)).toFixed(2)} %`;
}

/**
 * The end of `train mlp` and `train cnn`: fits the compiled model on the training digits,
 * scores it on the test digits and saves it to out; the report gets the curves, the test
 * figures and the confusion matrix. Returns the line to print, e.g.
 * "test: loss … - accuracy … % - error … % (2000 digits; <trained> in 52.1s)".
 */
export async function fitTestAndSave(model: Sequential, data: MnistData, fit: FitOptions, out: string, trained: string, report: RunReport): Promise<string> {
  const t0 = Date.now();
  await model.fit(data.train.images, data.train.oneHot, { ...fit, callbacks: [...(fit.callbacks ?? []), report.epochs(model.name)] });
  const seconds = (Date.now() - t0) / 1000;
  const test = model.evaluate(data.test.images, data.test.oneHot);
  await model.save(out);
  report.results({
    testLoss: test.loss,
    testAccuracy: test.accuracy,
    testDigits: data.test.images.rows,
    trainDigits: data.train.images.rows,
    trainSeconds: seconds,
  });
  report.classified(() => argmax(model.predict(data.test.images)), data.test.labels);
  return `test: ${formatScores(test)} (${data.test.images.rows} digits; ${trained} in ${formatSeconds(seconds)})`;
}

/** The file names of paths, comma-separated. */
export function baseNames(paths: readonly string[]): string {
  return paths.map((p) => p.slice(p.lastIndexOf("/") + 1)).join(", ");
}
