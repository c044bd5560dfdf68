/**
 * `--report` of the train commands. Every run gets a RunReport (defineCommand in common.ts makes
 * it and hands it to the command), which gathers what the run shows while the command works:
 * the per-epoch logs of its fits (a callback), plots it drew, the pictures it wrote, its final
 * figures, a classifier's confusion matrix. When --report was given and the run succeeded,
 * defineCommand writes them with the run's settings, wall time, version and seed into
 * OUT/report.html (reportHtml, src/io/report.ts). A command adds a line per thing it shows.
 */
import { readFileSync } from "node:fs";
import { baseName, joinPath, readFileBytes, readFileText, writeFileAtomic } from "../io/files.js";
import { type ConfusionMatrix, epochPlots, type ReportPicture, type ReportText, reportHtml } from "../io/report.js";
import type { LinePlotOptions } from "../io/svg.js";
import type { PretrainCallback } from "../models/dbn/dbn.js";
import { type Callback, LambdaCallback } from "../train/callbacks.js";
import { confusionMatrix } from "../train/metrics.js";

export const reportOption = {
  report: {
    type: "boolean",
    description: "also write OUT/report.html: the curves, pictures, figures, settings, wall time, version and seed in one page that opens offline",
  },
} as const;

/** One fit's per-epoch logs, recorded by the callback of RunReport.epochs. */
interface EpochLogs {
  title: string;
  keys?: readonly string[];
  epochs: number[];
  logs: Record<string, number[]>;
}

type Figure = string | number | boolean;

export class RunReport {
  private readonly t0 = performance.now();
  private readonly started = new Date().toISOString();
  private readonly curves: (EpochLogs | LinePlotOptions)[] = [];
  private readonly picturePaths: string[] = [];
  private readonly texts: ReportText[] = [];
  private readonly figures: Record<string, Figure> = {};
  private classifier?: { predict: () => ArrayLike<number>; labels: ArrayLike<number>; classes: number; model?: string };
  private readonly leftOut = new Set<string>();

  /** `path`: the command's words; `argv`: its arguments; `options`: as parsed; `given`: those on the command line. */
  constructor(
    private readonly path: readonly string[],
    private readonly argv: readonly string[],
    private readonly options: Record<string, unknown>,
    private readonly given: ReadonlySet<string>,
  ) {}

  /** Whether the report will be written (--report given): for figures a command computes for the report alone. */
  get wanted(): boolean {
    return this.options.report === true;
  }

  /** A callback for a fit: its logs after every epoch become the report's curves, one per figure, under `title` (`keys`: only these figures). */
  epochs(title: string, keys?: readonly string[]): Callback {
    const record: EpochLogs = { title, keys, epochs: [], logs: {} };
    this.curves.push(record);
    return new LambdaCallback({
      onEpochEnd: (epoch, logs) => {
        record.epochs.push(epoch + 1);
        for (const [key, value] of Object.entries(logs)) {
          // a figure missing from earlier epochs is a gap there, so every series lines up with the epochs
          const series = (record.logs[key] ??= new Array<number>(record.epochs.length - 1).fill(Number.NaN));
          series.push(value);
        }
      },
    });
  }

  /** For a greedy RBM stack's pretraining (DBN, deep autoencoder): each RBM's reconstruction error per epoch, a curve of its own. */
  rbmLayers(): PretrainCallback {
    let layer: Callback | undefined;
    return {
      onLayerBegin: (i) => void (layer = this.epochs(`RBM ${i.layer + 1}: ${i.visible}-${i.hidden}`, ["reconstructionError"])),
      onEpochEnd: (epoch, logs) => layer?.onEpochEnd?.(epoch, logs),
    };
  }

  /** A plot the command drew itself (test error per epoch beside a baseline, say). */
  plot(options: LinePlotOptions): void {
    this.curves.push(options);
  }

  /** Pictures the command wrote (PNG, or SVG shown inline); other files are left out. */
  pictures(paths: readonly string[]): void {
    this.picturePaths.push(...paths.filter((p) => /\.(png|svg)$/i.test(p)));
  }

  /**
   * The run's figures (its summary.json): numbers, strings and booleans as they are, nested
   * objects as "outer.inner"; arrays (per-epoch figures, which are curves) and nulls left out.
   */
  results(figures: Record<string, unknown>, prefix = ""): void {
    for (const [key, value] of Object.entries(figures)) {
      if (typeof value === "number" || typeof value === "string" || typeof value === "boolean") this.figures[prefix + key] = value;
      else if (value !== null && typeof value === "object" && !Array.isArray(value)) this.results(value as Record<string, unknown>, `${prefix}${key}.`);
    }
  }

  /**
   * A classifier's confusion matrix: its test predictions (classes 0 … classes − 1) against the
   * labels. `predict` runs only when the report is written, so a run without --report pays nothing.
   * `model` names the classifier where a run trains more than one (train dbn --baseline).
   */
  classified(predict: () => ArrayLike<number>, labels: ArrayLike<number>, classes = 10, model?: string): void {
    this.classifier = { predict, labels, classes, model };
  }

  /**
   * Leaves out of the settings the options of other choices than this run's (another --kind's,
   * another --task's), whose defaults would read as if they had been used. `appliesTo` maps an
   * option to the choices it applies to (train ae's KIND_OPTIONS, say); `chosen` is the run's.
   */
  leaveOutOptionsOf(appliesTo: Record<string, readonly string[]>, chosen: string): void {
    for (const [name, choices] of Object.entries(appliesTo)) if (!choices.includes(chosen)) this.leftOut.add(name);
  }

  /** Text the run produced (samples), shown as it is. */
  text(caption: string, text: string): void {
    this.texts.push({ caption, text });
  }

  /** Writes OUT/report.html; returns its path. */
  async write(out: string): Promise<string> {
    const shown = Object.keys(this.options).filter((name) => name !== "help" && name !== "report" && !this.leftOut.has(name));
    const settings: Record<string, Figure> = {};
    for (const name of shown) if (this.options[name] !== undefined) settings[`--${name}`] = this.options[name] as Figure;
    const seed = this.options.seed;
    const c = this.classifier;
    const confusion: ConfusionMatrix | undefined =
      c === undefined
        ? undefined
        : { labels: Array.from({ length: c.classes }, (_, k) => String(k)), counts: confusionMatrix(c.predict(), c.labels, c.classes), model: c.model };
    const html = reportHtml({
      title: `layerwise ${this.path.join(" ")}`,
      commandLine: ["layerwise", ...this.path, ...this.argv].map(shellWord).join(" "),
      version: libraryVersion(),
      seed: typeof seed === "number" ? seed : undefined,
      seconds: (performance.now() - this.t0) / 1e3,
      started: this.started,
      settings,
      defaults: shown.filter((name) => !this.given.has(name)).map((name) => `--${name}`),
      results: this.figures,
      plots: this.curves.flatMap((c) => ("logs" in c ? epochPlots(c.title, c.epochs, c.logs, c.keys) : [c])),
      pictures: await Promise.all(this.picturePaths.map(readPicture)),
      confusion,
      texts: this.texts,
    });
    const path = joinPath(out, "report.html");
    await writeFileAtomic(path, html);
    return path;
  }
}

async function readPicture(path: string): Promise<ReportPicture> {
  const caption = baseName(path);
  return /\.svg$/i.test(path) ? { caption, svg: await readFileText(path) } : { caption, png: await readFileBytes(path) };
}

/** An argument as a shell would need it typed: bare when safe, else in single quotes. */
function shellWord(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** The version in package.json (src/cli and dist/cli both sit two folders below it). */
export function libraryVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version?: string };
  return pkg.version ?? "unknown";
}
