/**
 * `layerwise train lvq`: learning vector quantisation on MNIST. Trains k labelled prototypes per
 * class by LVQ1, LVQ2.1 or GLVQ through the one loop, saves the model, draws the prototypes
 * (prototypes.png, one row per class) and writes summary.json: the test accuracy beside the
 * nearest class mean's (LVQ's starting point with one prototype per class), and the training
 * error of every epoch.
 */
import { writeFileAtomic } from "../../io/files.js";
import { tileImages, writePng } from "../../io/png.js";
import { LVQ, LVQ_INITS, LVQ_VARIANTS, type LvqInit, type LvqVariant } from "../../models/competitive/lvq.js";
import { formatSeconds, ProgressBar } from "../../train/progress.js";
import type { Command } from "../command.js";
import {
  baseNames,
  dataName,
  defineCommand,
  learningRateOption,
  loadDigits,
  logUnless,
  requireOptionShowingHelp,
  supervisedTrainerOptions,
} from "../common.js";
import { reportOption } from "../report.js";

const USAGE = "layerwise train lvq --out DIR [--prototypes-per-class 10] [--epochs 10] [--variant lvq1|lvq21|glvq] [--data DIR|full|bundled]";

const specs = {
  "prototypes-per-class": { type: "number", description: "k, labelled prototypes per class", integer: true, min: 1, default: 10 },
  epochs: { type: "number", description: "passes over the training digits", integer: true, min: 0, default: 10 },
  variant: { type: "string", description: "the rule: LVQ1, LVQ2.1 (with a window) or GLVQ", choices: [...LVQ_VARIANTS], default: "lvq1" },
  lr: learningRateOption("α₀, falling linearly to 0 over the run (default 0.05 lvq1, 0.03 lvq21, 1 glvq)"),
  window: { type: "number", description: "LVQ2.1's relative window width w, in (0, 1)", above: 0, default: 0.3 },
  init: {
    type: "string",
    description: "prototypes start as means of a random k-way split of each class, or as k random digits",
    choices: [...LVQ_INITS],
    default: "means",
  },
  ...supervisedTrainerOptions({ seed: "seed of the initialisation and the sample order", out: "folder for the model, prototypes.png and summary.json" }),
  ...reportOption,
} as const;

export const trainLvqCommand: Command = defineCommand({
  path: ["train", "lvq"],
  summary: "learning vector quantisation (LVQ1, LVQ2.1, GLVQ) on MNIST; writes the model, prototypes.png, summary.json",
  usage: USAGE,
  specs,
  outDir: (o) => o.out,
  async run(o, help, _given, report) {
    const out = requireOptionShowingHelp(o.out, "--out DIR", help);
    const log = logUnless(o.quiet);
    const t0 = performance.now();
    const data = await loadDigits(o.data, { limitTrain: o["limit-train"], limitTest: o["limit-test"] }, log);
    const train = data.train;
    const test = data.test;
    const k = o["prototypes-per-class"] ?? 10;
    const lvq = new LVQ({
      classes: 10,
      prototypesPerClass: k,
      variant: o.variant as LvqVariant,
      learningRate: o.lr,
      window: o.window,
      init: o.init as LvqInit,
      seed: o.seed,
    });
    const nearestClassMean = new LVQ({ classes: 10 }).initialize(train.images, train.labels).score(test.images, test.labels);
    const epochs = o.epochs ?? 10;
    log(
      `${lvq.options.variant}, ${k} prototypes per class, α₀ ${lvq.options.learningRate}, ${epochs} epochs on ${train.images.rows} ${dataName(data.choice)} digits`,
    );
    const history = lvq.fit(train.images, train.labels, {
      epochs,
      callbacks: [...(o.quiet ? [] : [new ProgressBar()]), report.epochs(`LVQ ${lvq.options.variant}`)],
    });
    const accuracy = lvq.score(test.images, test.labels);
    const seconds = (performance.now() - t0) / 1000;
    const summary = {
      model: `LVQ ${lvq.options.variant}, ${lvq.prototypeCount} prototypes (${k} per class)`,
      options: lvq.options,
      epochs,
      source: data.source,
      trainDigits: train.images.rows,
      testDigits: test.images.rows,
      testAccuracy: accuracy,
      nearestClassMeanTestAccuracy: nearestClassMean,
      trainErrorPerEpoch: history.history.errorRate ?? [],
      seconds,
    };
    await lvq.save(out, summary);
    const picture = `${out}/prototypes.png`;
    await writePng(picture, tileImages(lvq.prototypes, { height: 28, width: 28, cols: k, pad: 1, scale: 2 }));
    await writeFileAtomic(`${out}/summary.json`, `${JSON.stringify(summary, null, 2)}\n`);
    report.results(summary);
    report.pictures([picture]);
    report.classified(() => lvq.predict(test.images), test.labels);
    console.log(
      `test accuracy ${(100 * accuracy).toFixed(2)} % (nearest class mean ${(100 * nearestClassMean).toFixed(2)} %; ${test.images.rows} digits; ${formatSeconds(seconds)})`,
    );
    console.log(`wrote ${out}/model.json, model.safetensors, ${baseNames([picture])}, summary.json`);
    return 0;
  },
});
