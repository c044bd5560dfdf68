/**
 * `layerwise train rnn --cell lstm|gru|rnn --task mnist-rows|adding|chars`: trains one recurrent layer
 * and the task's output layer through the one loop (Sequential.fit, Adam with gradient clipping
 * by global norm), prints the test figure after every epoch beside the task's baseline, saves
 * the model, the curve (curve.svg, curve.png) and summary.json. The tasks are one table
 * (RNN_TASKS): each builds its data, the layers around the cell and its figure; a new task of
 * that shape is one entry there. The character model (`--task chars`) is a model of its own
 * (CharLM: stateful stacked LSTMs over a text, scored in bits per character), trained by
 * trainCharTask; this command hands it its options.
 */
import { addingProblem } from "../../data/sequences.js";
import { joinPath, writeFileAtomic } from "../../io/files.js";
import { linePlotImage } from "../../io/plot-image.js";
import { writePng } from "../../io/png.js";
import { type LinePlotOptions, linePlotSvg } from "../../io/svg.js";
import { Dense } from "../../nn/dense.js";
import { GRU } from "../../nn/gru.js";
import type { Layer } from "../../nn/layer.js";
import type { LossName } from "../../nn/losses.js";
import { LSTM } from "../../nn/lstm.js";
import type { Recurrent, RecurrentOptions } from "../../nn/recurrent.js";
import { Reshape } from "../../nn/reshape.js";
import { SimpleRNN } from "../../nn/simple-rnn.js";
import { argmax, squaredErrorPerRow } from "../../ops/reduce.js";
import { Adam } from "../../optim/adam.js";
import type { Shape } from "../../tensor/shape.js";
import { full, type Tensor } from "../../tensor/tensor.js";
import { LambdaCallback } from "../../train/callbacks.js";
import type { MetricName } from "../../train/metrics.js";
import { formatSeconds } from "../../train/progress.js";
import { Sequential } from "../../train/sequential.js";
import { UsageError } from "../args.js";
import type { Command } from "../command.js";
import { defineCommand, learningRateOption, loadDigits, logUnless, requireOption, supervisedTrainerOptions } from "../common.js";
import { reportOption } from "../report.js";
import { type CharTaskOptions, charTaskSpecs, trainCharTask } from "./train-rnn-chars.js";

const USAGE = "layerwise train rnn --cell lstm|gru|rnn --task mnist-rows|adding|chars --out DIR [options]";

/** The options one task reads only: given with another task they are an error, not ignored. */
const TASK_OPTIONS: Record<string, readonly string[]> = {
  length: ["adding"],
  data: ["mnist-rows"],
  "limit-test": ["mnist-rows"],
  "limit-train": ["mnist-rows", "adding"],
  ...Object.fromEntries(Object.keys(charTaskSpecs).map((option) => [option, ["chars"]])),
};

/** The options that only some cells read. */
const CELL_OPTIONS: Record<string, readonly string[]> = { irnn: ["rnn"] };

/** The cells, each from its options (the IRNN is the rnn cell with --irnn). */
const CELLS: Record<string, (units: number, o: RecurrentOptions & { irnn: boolean }) => Recurrent> = {
  lstm: (units, o) => new LSTM(units, o),
  gru: (units, o) => new GRU(units, o),
  // Le, Jaitly & Hinton (2015): relu units with U = I, which copy h forward until trained otherwise
  rnn: (units, { irnn, ...o }) => new SimpleRNN(units, irnn ? { ...o, activation: "relu", recurrentInitializer: "identity" } : o),
};

interface TaskOptions {
  length: number;
  seed: number;
  data?: string;
  "limit-train"?: number;
  "limit-test"?: number;
  quiet: boolean;
}

/** Sequences as the net reads them: x [rows, …] and the targets y [rows, …]. */
interface Split {
  x: Tensor;
  y: Tensor;
}

/** One task of `train rnn`: its data, the layers around the cell, and the figure it is judged by. */
export interface RnnTask {
  /** Defaults of the options the task sets: units, Adam's rate, batch size. */
  defaults: { units: number; lr: number; batch: number };
  /** Training and test data and a line saying what they are (printed, and recorded as the data source). */
  data(o: TaskOptions): Promise<{ train: Split; test: Split; source: string }>;
  /** The net's input shape (without the batch dimension) and its layers, with `cell` (built by the command) among them. */
  model(cell: (options: RecurrentOptions) => Recurrent, train: Split): { inputShape: Shape; layers: Layer[]; loss: LossName; metrics?: MetricName[] };
  /** The test figure: its name, which way is better, how to compute it, and a baseline that knows nothing of the sequences. */
  metric: {
    name: string;
    better: "lower" | "higher";
    /** The figure as printed, e.g. "98.52 %" or "0.0031". */
    format(v: number): string;
    value(model: Sequential, test: Split): number;
    baseline(train: Split, test: Split): { name: string; value: number };
  };
}

/** Accuracy in % of a softmax net: the argmax of each row against the one-hot target. */
function accuracyPercent(model: Sequential, test: Split): number {
  return 100 * model.evaluate(test.x, test.y, { batchSize: 500 }).accuracy;
}

/** The accuracy of always answering the commonest training class (in %). */
function commonestClassPercent(train: Split, test: Split): number {
  const classes = train.y.cols;
  const counts = new Float64Array(classes);
  for (let i = 0; i < train.y.size; i++) counts[i % classes] += train.y.data[i];
  const commonest = counts.indexOf(Math.max(...counts));
  let hits = 0;
  for (let r = 0; r < test.y.rows; r++) hits += test.y.data[r * classes + commonest];
  return (100 * hits) / test.y.rows;
}

/** Every task `train rnn` knows. */
export const RNN_TASKS: Record<string, RnnTask> = {
  "mnist-rows": {
    defaults: { units: 128, lr: 0.001, batch: 100 },
    async data(o) {
      const lines: string[] = [];
      const digits = await loadDigits(o.data, { limitTrain: o["limit-train"], limitTest: o["limit-test"] }, (line) => lines.push(line));
      return {
        train: { x: digits.train.images, y: digits.train.oneHot },
        test: { x: digits.test.images, y: digits.test.oneHot },
        source: `${lines.join("; ")}; each digit read as 28 steps of 28 pixels`,
      };
    },
    model: (cell) => ({
      inputShape: [784],
      // [batch, 784] → [batch, 28, 28] is a view: step t is image row t
      layers: [new Reshape([28, 28]), cell({}), new Dense(10, { activation: "softmax" })],
      loss: "categoricalCrossentropy",
      metrics: ["accuracy"],
    }),
    metric: {
      name: "test accuracy",
      better: "higher",
      format: (v) => `${v.toFixed(2)} %`,
      value: accuracyPercent,
      baseline: (train, test) => ({ name: "the commonest training class", value: commonestClassPercent(train, test) }),
    },
  },
  adding: {
    defaults: { units: 100, lr: 0.005, batch: 32 },
    async data(o) {
      const count = o["limit-train"] ?? 10000;
      const train = addingProblem({ count, steps: o.length, seed: o.seed });
      const test = addingProblem({ count: 1000, steps: o.length, seed: o.seed + 1 });
      return { train, test, source: `adding problem, T = ${o.length}: ${count} training and 1000 test sequences (seed ${o.seed})` };
    },
    model: (cell, train) => ({ inputShape: [train.x.shape[1], 2], layers: [cell({}), new Dense(1)], loss: "meanSquaredError" }),
    metric: {
      name: "test MSE",
      better: "lower",
      format: (v) => v.toFixed(4),
      // the mean of (ŷ − y)² (the loss "meanSquaredError" is half of it)
      value: (model, test) => squaredErrorPerRow(model.predict(test.x), test.y),
      baseline: (_train, test) => ({ name: "always predicting 1", value: squaredErrorPerRow(full(test.y.shape, 1), test.y) }),
    },
  },
};

/** The tasks of --task: the table's, and the character model. */
const TASKS = [...Object.keys(RNN_TASKS), "chars"];

const specs = {
  cell: { type: "string", description: "the recurrent layer: lstm, gru or rnn (tanh; relu with --irnn)", choices: Object.keys(CELLS), default: "lstm" },
  task: {
    type: "string",
    description: "mnist-rows (each digit as 28 steps of 28 pixels), adding (Hochreiter & Schmidhuber 1997) or chars (a character-level language model)",
    choices: TASKS,
  },
  units: { type: "number", description: "units of the recurrent layer (default 128 for mnist-rows and chars, 100 for adding)", integer: true, min: 1 },
  epochs: {
    type: "number",
    description: "passes over the training set (default 10; chars 1: an epoch of the Bible is about 4 million characters)",
    integer: true,
    min: 1,
  },
  length: { type: "number", description: "adding: T, the steps of each sequence", integer: true, min: 2, default: 100 },
  lr: learningRateOption("Adam's learning rate (default 0.001 for mnist-rows, 0.005 for adding, 0.002 for chars; 0.0001 with --irnn)"),
  batch: {
    type: "number",
    description: "sequences per update (default 100 for mnist-rows, 32 for adding; chars: parallel streams, 32)",
    integer: true,
    min: 1,
  },
  irnn: { type: "boolean", description: "--cell rnn only: relu units and the identity as initial recurrent matrix (the IRNN)" },
  "clip-norm": { type: "number", description: "rescale each update's gradient to at most this global norm (default 1; chars 5)", above: 0 },
  ...supervisedTrainerOptions({ seed: "seed of data, initialisation and shuffling", out: "folder for the model, curve.svg, curve.png and summary.json" }),
  "limit-train": {
    type: "number",
    description: "use only the first N training digits (mnist-rows), or N training sequences (adding; default 10000)",
    integer: true,
    min: 1,
  },
  ...charTaskSpecs,
  ...reportOption,
} as const;

function checkTaskOptions(task: string, cell: string, given: ReadonlySet<string>): void {
  for (const [option, tasks] of Object.entries(TASK_OPTIONS)) {
    if (given.has(option) && !tasks.includes(task)) throw new UsageError(`option --${option} applies to --task ${tasks.join("|")}; got --task ${task}`);
  }
  for (const [option, cells] of Object.entries(CELL_OPTIONS)) {
    if (given.has(option) && !cells.includes(cell)) throw new UsageError(`option --${option} applies to --cell ${cells.join("|")}; got --cell ${cell}`);
  }
  if (task === "chars" && cell !== "lstm") throw new UsageError(`--task chars is a stacked LSTM (CharLM): it takes --cell lstm; got --cell ${cell}`);
}

/** train rnn's options as trainCharTask reads them. */
function charTaskOptions(o: {
  text?: string;
  "held-out"?: number;
  units?: number;
  layers?: number;
  embedding?: number;
  steps?: number;
  batch?: number;
  epochs?: number;
  lr?: number;
  "clip-norm"?: number;
  "train-chars"?: number;
  seed?: number;
  quiet?: boolean;
}): CharTaskOptions {
  return {
    text: o.text,
    heldOut: o["held-out"],
    units: o.units,
    layers: o.layers,
    embedding: o.embedding,
    steps: o.steps,
    batchSize: o.batch,
    epochs: o.epochs,
    learningRate: o.lr,
    clipNorm: o["clip-norm"],
    trainChars: o["train-chars"],
    seed: o.seed,
    quiet: o.quiet,
  };
}

/** The test figure per epoch (0: untrained) beside the baseline, as one plot (a log axis: the figures fall by orders of magnitude). */
function curvePlot(title: string, metric: RnnTask["metric"], curve: number[], baseline: { name: string; value: number }): LinePlotOptions {
  // accuracy climbs towards 100 %: its error is what falls by orders of magnitude
  const asError = metric.better === "higher";
  const y = (v: number): number => (asError ? 100 - v : v);
  const epochs = curve.map((_, i) => i);
  return {
    title,
    xLabel: "epoch",
    yLabel: asError ? "test error %" : metric.name,
    series: [
      { name: asError ? "test error %" : metric.name, x: epochs, y: curve.map(y) },
      { name: baseline.name, x: [0, epochs.length - 1], y: [y(baseline.value), y(baseline.value)] },
    ],
    yScale: "log",
    integerX: true,
  };
}

export const trainRnnCommand: Command = defineCommand({
  path: ["train", "rnn"],
  summary: "train a recurrent net (LSTM, GRU, tanh RNN or IRNN) on row-by-row MNIST, the adding problem or a text (a character model) and save it",
  usage: USAGE,
  specs,
  outDir: (o) => o.out,
  async run(o, _help, given, report) {
    const taskName = requireOption(o.task, "task", `one of ${TASKS.join(", ")}`);
    const cellName = o.cell ?? "lstm";
    checkTaskOptions(taskName, cellName, given);
    report.leaveOutOptionsOf(TASK_OPTIONS, taskName);
    report.leaveOutOptionsOf(CELL_OPTIONS, cellName);
    const out = requireOption(o.out, "out", "the folder to save the model and the curve into");
    if (taskName === "chars") {
      await trainCharTask(charTaskOptions(o), out, report);
      return 0;
    }
    const task = RNN_TASKS[taskName];
    const seed = o.seed ?? 1;
    const irnn = o.irnn;
    const units = o.units ?? task.defaults.units;
    const lr = o.lr ?? (irnn ? 0.0001 : task.defaults.lr);
    const batchSize = o.batch ?? task.defaults.batch;
    const log = logUnless(o.quiet);

    const { train, test, source } = await task.data({ ...o, length: o.length ?? 100, seed });
    log(source);
    const { inputShape, layers, loss, metrics } = task.model((options) => CELLS[cellName](units, { ...options, irnn }), train);
    const model = new Sequential(layers, { inputShape, seed, name: `${cellName}_${taskName}` });
    const clipNorm = o["clip-norm"] ?? 1;
    const optimizer = new Adam({ learningRate: lr, clipNorm });
    model.compile({ loss, optimizer, metrics }).build();
    const describe = `${irnn ? "IRNN" : cellName.toUpperCase()}(${units}) on ${taskName}, Adam ${lr} with clip-norm ${clipNorm}, batch ${batchSize}`;
    log(model.summary());
    log(describe);

    const { metric } = task;
    const baseline = metric.baseline(train, test);
    const curve = [metric.value(model, test)];
    const trainLoss: number[] = [];
    const versus = `${baseline.name}: ${metric.format(baseline.value)}`;
    log(`untrained: ${metric.name} ${metric.format(curve[0])} (${versus})`);
    const t0 = Date.now();
    const progress = new LambdaCallback({
      onEpochEnd: (epoch, logs) => {
        curve.push(metric.value(model, test));
        trainLoss.push(logs.loss);
        const seconds = formatSeconds((Date.now() - t0) / 1000);
        log(`epoch ${epoch + 1}: train loss ${logs.loss.toFixed(4)}, ${metric.name} ${metric.format(curve[curve.length - 1])} (${versus}), ${seconds}`);
      },
    });
    await model.fit(train.x, train.y, { epochs: o.epochs ?? 10, batchSize, seed, verbose: !o.quiet, callbacks: [progress, report.epochs(describe)] });
    const seconds = (Date.now() - t0) / 1000;
    await model.save(out);

    const plot = curvePlot(describe, metric, curve, baseline);
    await writeFileAtomic(joinPath(out, "curve.svg"), linePlotSvg(plot));
    await writePng(joinPath(out, "curve.png"), linePlotImage(plot), 3);
    const figure = curve[curve.length - 1];
    const summary = {
      task: taskName,
      cell: cellName,
      irnn,
      units,
      model: describe,
      epochs: model.epochsTrained,
      data: source,
      trainSequences: train.x.rows,
      testSequences: test.x.rows,
      metric: metric.name,
      better: metric.better,
      test: figure,
      untrained: curve[0],
      baseline,
      curve,
      trainLoss,
      seconds,
    };
    await writeFileAtomic(joinPath(out, "summary.json"), `${JSON.stringify(summary, null, 2)}\n`);
    report.results(summary);
    report.plot(plot);
    // a softmax over classes (mnist-rows): which digits it confuses
    if (loss === "categoricalCrossentropy") report.classified(() => argmax(model.predict(test.x)), argmax(test.y), test.y.cols);
    console.log(
      `${metric.name}: ${metric.format(figure)} (${versus}; untrained ${metric.format(curve[0])}; ${test.x.rows} sequences; trained in ${formatSeconds(seconds)})`,
    );
    console.log(`saved the model, curve.svg, curve.png and summary.json to ${out}`);
    return 0;
  },
});
