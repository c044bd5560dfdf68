/** `layerwise sample`: long Gibbs chains from a saved RBM, written as a PNG grid. */

import { writePng } from "../../io/png.js";
import { loadRbm } from "../../models/rbm/io.js";
import { imagesImage, squareSide } from "../../models/rbm/pictures.js";
import type { Command } from "../command.js";
import { defineCommand, outOption, requireOptionShowingHelp, seedOption } from "../common.js";

const specs = {
  model: { type: "string", description: "folder of a saved RBM (model.json + model.safetensors)" },
  n: { type: "number", description: "number of chains (images)", default: 100, integer: true, min: 1 },
  steps: { type: "number", description: "Gibbs steps per chain", default: 1000, integer: true, min: 1 },
  init: {
    type: "string",
    description: "chain start: uniform random bits or samples of the visible biases alone",
    default: "random",
    choices: ["random", "biases"],
  },
  seed: seedOption("seed"),
  out: outOption("PNG path (default MODEL/samples-<steps>.png)"),
} as const;

const USAGE = "layerwise sample --model DIR [--n 100] [--steps 1000] [--out FILE.png]";

export const sampleCommand: Command = defineCommand({
  path: ["sample"],
  summary: "draw samples from a saved RBM by long Gibbs chains (PNG grid)",
  usage: USAGE,
  specs,
  async run(o, help) {
    const model = requireOptionShowingHelp(o.model, "--model DIR", help);
    const rbm = await loadRbm(model);
    const steps = o.steps ?? 1000;
    const t0 = performance.now();
    const samples = rbm.sample({ n: o.n ?? 100, steps, seed: o.seed, init: o.init === "biases" ? "biases" : "random" });
    const out = o.out ?? `${model}/samples-${steps}.png`;
    await writePng(out, imagesImage(samples, { size: squareSide(rbm.visible) }));
    console.log(`${samples.rows} samples after ${steps} Gibbs steps (${((performance.now() - t0) / 1e3).toFixed(1)} s): ${out}`);
    return 0;
  },
});
