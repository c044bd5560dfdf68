/**
 * `layerwise hopfield`: stores bitmaps (a text file, or a few MNIST digits) in a Hopfield
 * network, corrupts them, recalls them, and writes recall.png (rows: original, noisy,
 * recalled), energy.svg (energy after every update) and summary.json to --out.
 */
import { readFileText, writeFileAtomic } from "../../io/files.js";
import { tileImages, writePng } from "../../io/png.js";
import { linePlotSvg } from "../../io/svg.js";
import { flipUnits, Hopfield, hammingDistance } from "../../models/hopfield/hopfield.js";
import { digitPatterns, type PatternSet, parsePatternText } from "../../models/hopfield/patterns.js";
import { Rng } from "../../tensor/random.js";
import { zeros } from "../../tensor/tensor.js";
import { UsageError } from "../args.js";
import type { Command } from "../command.js";
import { dataOption, defineCommand, loadDigits, outOption, requireOptionShowingHelp, seedOption } from "../common.js";

const specs = {
  patterns: { type: "string", description: 'a text file of # / . bitmaps separated by blank lines, or "mnist"' },
  data: dataOption,
  digits: { type: "number", description: "with --patterns mnist: store the digits 0..n−1", default: 5, integer: true, min: 1, max: 10 },
  noise: { type: "number", description: "fraction of units flipped in each probe", default: 0.2, min: 0, max: 1 },
  rule: { type: "string", description: "storage rule", default: "pseudo-inverse", choices: ["hebbian", "pseudo-inverse"] },
  update: { type: "string", description: "asynchronous (random order) or synchronous updates", default: "async", choices: ["async", "sync"] },
  "max-sweeps": { type: "number", description: "sweep limit", default: 100, integer: true, min: 1 },
  seed: seedOption("seed of the noise and the update order"),
  out: outOption("output folder (required)"),
} as const;

const USAGE = "layerwise hopfield --patterns FILE|mnist --out DIR [--noise 0.2] [--rule pseudo-inverse|hebbian] [--update async|sync]";

async function loadPatterns(source: string, digits: number, dataFlag: string | undefined): Promise<PatternSet> {
  if (source === "mnist") {
    const data = await loadDigits(dataFlag, { limitTest: 0 });
    return digitPatterns(data.train.images, data.train.labels, digits);
  }
  return parsePatternText(await readFileText(source));
}

export const hopfieldCommand: Command = defineCommand({
  path: ["hopfield"],
  summary: "store bitmaps or MNIST digits in a Hopfield net, recall them from noisy probes (PNG + energy SVG)",
  usage: USAGE,
  specs,
  outDir: (o) => o.out,
  async run(o, help) {
    const source = requireOptionShowingHelp(o.patterns, "--patterns FILE|mnist", help);
    const dir = requireOptionShowingHelp(o.out, "--out DIR", help);
    let set: PatternSet;
    try {
      set = await loadPatterns(source, o.digits ?? 5, o.data);
    } catch (e) {
      throw new UsageError(`--patterns ${source}: ${e instanceof Error ? e.message : String(e)}`);
    }
    const { patterns, height, width, names } = set;
    const [p, n] = patterns.shape;
    const rule = o.rule === "hebbian" ? "hebbian" : "pseudo-inverse";
    const update = o.update === "sync" ? "sync" : "async";
    const rng = new Rng(o.seed ?? 1);
    const net = new Hopfield({ size: n }).store(patterns, { rule });
    const noisy = flipUnits(patterns, o.noise ?? 0.2, rng);
    const recalled = zeros([p, n]);
    const series = [];
    const rows = [];
    for (let k = 0; k < p; k++) {
      const r = net.recall(noisy.row(k), { update, seed: rng.fork(), maxSweeps: o["max-sweeps"] });
      recalled.row(k).assign(r.state);
      const errors = hammingDistance(r.state.data, patterns.row(k).data);
      rows.push({
        name: names[k],
        flipped: hammingDistance(noisy.row(k).data, patterns.row(k).data),
        errors,
        recalled: errors === 0,
        status: r.status,
        sweeps: r.sweeps,
        energy: r.energy,
        storedEnergy: net.energy(patterns.row(k)),
      });
      series.push({ name: names[k], x: Array.from(r.energyTrace, (_, i) => i), y: Array.from(r.energyTrace) });
      console.log(
        `${names[k].padEnd(12)} ${r.status.padEnd(11)} sweeps ${String(r.sweeps).padStart(3)}  wrong units ${String(errors).padStart(4)} / ${n}${errors === 0 ? "  recalled" : ""}`,
      );
    }
    // strip: originals, noisy probes, recalled states; ±1 → [0, 1]
    const strip = zeros([3 * p, n]);
    for (const [block, t] of [patterns, noisy, recalled].entries()) for (let i = 0; i < p * n; i++) strip.data[block * p * n + i] = (t.data[i] + 1) / 2;
    const scale = Math.max(1, Math.min(8, Math.floor(112 / Math.max(height, width))));
    await writePng(`${dir}/recall.png`, tileImages(strip, { height, width, cols: p, pad: 2, scale, background: 0.5 }));
    await writeFileAtomic(
      `${dir}/energy.svg`,
      linePlotSvg({ title: `Energy during ${update} recall (${rule})`, xLabel: update === "async" ? "unit update" : "sweep", yLabel: "E(x)", series }),
    );
    const ok = rows.filter((r) => r.recalled).length;
    await writeFileAtomic(
      `${dir}/summary.json`,
      `${JSON.stringify({ patterns: o.patterns, units: n, stored: p, rule, update, noise: o.noise, seed: o.seed, recalled: ok, results: rows }, null, 2)}\n`,
    );
    console.log(
      `recalled ${ok} / ${p} exactly (${rule}, ${update}, ${Math.round((o.noise ?? 0.2) * 100)} % flipped); wrote ${dir}/recall.png (rows: original, noisy, recalled), ${dir}/energy.svg, ${dir}/summary.json`,
    );
    return 0;
  },
});
