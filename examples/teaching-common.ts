/**
 * What the lecture's teaching experiments share: the command-line options, loading the data
 * (the bundled digits, or the full MNIST with --data DIR), building a plain MLP, and training
 * several "arms" of one experiment side by side, each printed with its test accuracy next to
 * the figure in the course notes (../shared/REFERENCES.md).
 *
 * The notes ran these in Keras on the full MNIST; with the bundled digits (8,000 training,
 * 2,000 test images) there are fewer updates per epoch, so absolute figures differ while the
 * direction and rough size of each effect is what a reproduction should show.
 */
import { type ActivationName, Dense, Dropout, type FitOptions, type Layer, type LossName, loadMnist, type MnistData, Sequential, SGD } from "layerwise";
import { formatHelp, parseOptions, UsageError } from "layerwise/cli";

export const teachingSpecs = {
  data: { type: "string", description: "folder with the four MNIST IDX files (default: the 10,000 bundled digits)" },
  epochs: { type: "number", description: "training epochs per arm (the notes: 20)", default: 20, integer: true, min: 1, max: 1000 },
  "limit-train": { type: "number", description: "use only the first N training images (quick runs)", integer: true, min: 1 },
  "limit-test": { type: "number", description: "use only the first N test images", integer: true, min: 1 },
  seed: { type: "number", description: "seed for weights, dropout masks and shuffling", default: 1, integer: true },
  verbose: { type: "boolean", description: "print a progress bar per epoch" },
  help: { type: "boolean", description: "show this help" },
} as const;

export interface TeachingOptions {
  data: string | undefined;
  epochs: number;
  limitTrain: number | undefined;
  limitTest: number | undefined;
  seed: number;
  verbose: boolean;
}

/** Parses argv; prints help and exits on --help, and a usage error naming the option on bad input. */
export function teachingOptions(script: string, about: string, argv = process.argv.slice(2)): TeachingOptions {
  const usage = `node --import tsx examples/${script}.ts [options]\n\n${about}`;
  try {
    const { options, positional } = parseOptions(argv, teachingSpecs);
    if (options.help) {
      console.log(formatHelp(usage, teachingSpecs));
      process.exit(0);
    }
    if (positional.length > 0) throw new UsageError(`unexpected argument "${positional[0]}"`);
    return {
      data: options.data,
      epochs: options.epochs ?? 20,
      limitTrain: options["limit-train"],
      limitTest: options["limit-test"],
      seed: options.seed ?? 1,
      verbose: options.verbose,
    };
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    console.error(`${script}: ${e.message}\n\n${formatHelp(usage, teachingSpecs)}`);
    process.exit(2);
  }
}

export async function teachingData(o: TeachingOptions): Promise<MnistData> {
  const data = await loadMnist({ dir: o.data, limitTrain: o.limitTrain, limitTest: o.limitTest });
  console.log(
    `data: ${data.source === "full" ? `MNIST from ${o.data}` : "bundled digits"}, ${data.train.labels.length} training / ${data.test.labels.length} test images`,
  );
  return data;
}

export interface MlpSpec {
  /** Units per layer, input first, e.g. [784, 500, 500, 10]. */
  layers: readonly number[];
  /** Hidden units' nonlinearity. */
  hidden: ActivationName;
  /** The output unit (default softmax). */
  output?: ActivationName;
  /** Dropout rate on the input (0: none). */
  inputDropout?: number;
  /** Dropout rate after each hidden layer (0: none). */
  hiddenDropout?: number;
  seed: number;
}

/** A plain MLP as a Sequential (Dense layers, optional dropout), not yet compiled. */
export function mlp(spec: MlpSpec): Sequential {
  const layers: Layer[] = [];
  const [inputs, ...units] = spec.layers;
  if (spec.inputDropout) layers.push(new Dropout(spec.inputDropout, { inputShape: [inputs] }));
  units.forEach((u, i) => {
    const last = i === units.length - 1;
    layers.push(new Dense(u, { activation: last ? (spec.output ?? "softmax") : spec.hidden, ...(layers.length === 0 ? { inputShape: [inputs] } : {}) }));
    if (!last && spec.hiddenDropout) layers.push(new Dropout(spec.hiddenDropout));
  });
  return new Sequential(layers, { seed: spec.seed });
}

/** One side of an experiment. */
export interface Arm {
  name: string;
  model: MlpSpec;
  loss: LossName;
  learningRate: number;
  /** Mini-batch size, or "full" for full-batch gradient descent (one step per epoch). */
  batchSize: number | "full";
  /** The test accuracy in the course notes, printed next to ours. */
  notes?: number;
}

export interface ArmResult {
  arm: Arm;
  testAccuracy: number;
  trainAccuracy: number;
  finalLoss: number;
  seconds: number;
}

/** Trains every arm on the same data with the same seed and prints a table. */
export async function runArms(title: string, arms: Arm[], data: MnistData, o: TeachingOptions): Promise<ArmResult[]> {
  console.log(`\n${title}: ${o.epochs} epochs per arm, seed ${o.seed}`);
  const results: ArmResult[] = [];
  for (const arm of arms) {
    const model = mlp(arm.model);
    model.compile({ loss: arm.loss, optimizer: new SGD({ learningRate: arm.learningRate }), metrics: ["accuracy"] });
    const n = data.train.labels.length;
    const fit: FitOptions = { epochs: o.epochs, batchSize: arm.batchSize === "full" ? n : arm.batchSize, seed: o.seed, verbose: o.verbose };
    const t0 = performance.now();
    const history = await model.fit(data.train.images, data.train.oneHot, fit);
    const seconds = (performance.now() - t0) / 1e3;
    const test = model.evaluate(data.test.images, data.test.oneHot);
    const losses = history.history.loss;
    const r: ArmResult = {
      arm,
      testAccuracy: test.accuracy,
      trainAccuracy: history.history.accuracy[history.history.accuracy.length - 1],
      finalLoss: losses[losses.length - 1],
      seconds,
    };
    results.push(r);
    console.log(
      `  ${arm.name.padEnd(34)} test accuracy ${r.testAccuracy.toFixed(4)}  (notes: ${arm.notes === undefined ? "-" : arm.notes.toFixed(2)})` +
        `  train accuracy ${r.trainAccuracy.toFixed(4)}  final loss ${r.finalLoss.toFixed(4)}  ${seconds.toFixed(1)} s`,
    );
  }
  return results;
}
