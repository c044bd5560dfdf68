/** `layerwise sample`: long Gibbs chains from a saved RBM, written as a PNG grid. */
import { loadRbm } from "../../energy/rbm-io.js";
import { imagesImage, squareSide } from "../../energy/rbm-pictures.js";
import { writePng } from "../../io/png.js";
import { UsageError, formatHelp, parseOptions } from "../args.js";
import type { Command } from "../command.js";

const specs = {
  model: { type: "string", description: "folder of a saved RBM (model.json + model.safetensors)" },
  n: { type: "number", description: "number of chains (images)", default: 100, integer: true, min: 1 },
  steps: { type: "number", description: "Gibbs steps per chain", default: 1000, integer: true, min: 1 },
  init: { type: "string", description: "chain start: uniform random bits or samples of the visible biases alone", default: "random", choices: ["random", "biases"] },
  seed: { type: "number", description: "seed", default: 1, integer: true },
  out: { type: "string", description: "PNG path (default MODEL/samples-<steps>.png)" },
  help: { type: "boolean", description: "this help" },
} as const;

const USAGE = "layerwise sample --model DIR [--n 100] [--steps 1000] [--out FILE.png]";

export const sampleCommand: Command = {
  path: ["sample"],
  summary: "draw samples from a saved RBM by long Gibbs chains (PNG grid)",
  async run(argv) {
    const { options: o } = parseOptions(argv, specs);
    if (o.help) {
      console.log(formatHelp(USAGE, specs));
      return 0;
    }
    if (o.model === undefined) throw new UsageError(`--model DIR is required\n${formatHelp(USAGE, specs)}`);
    const rbm = await loadRbm(o.model);
    const steps = o.steps ?? 1000;
    const t0 = performance.now();
    const samples = rbm.sample({ n: o.n ?? 100, steps, seed: o.seed, init: o.init === "biases" ? "biases" : "random" });
    const out = o.out ?? `${o.model}/samples-${steps}.png`;
    await writePng(out, imagesImage(samples, { size: squareSide(rbm.visible) }));
    console.log(`${samples.rows} samples after ${steps} Gibbs steps (${((performance.now() - t0) / 1e3).toFixed(1)} s): ${out}`);
    return 0;
  },
};
