/** `layerwise sample`: long Gibbs chains from a saved RBM, or z ~ N(0, I) decoded by a saved VAE, written as a PNG grid. */

import { writePng } from "../../io/png.js";
import { VAE } from "../../models/autoencoders/vae.js";
import { loadModel } from "../../models/load.js";
import { imagesImage } from "../../models/rbm/pictures.js";
import { RBM } from "../../models/rbm/rbm.js";
import { UsageError } from "../args.js";
import type { Command } from "../command.js";
import { defineCommand, outOption, requireOptionShowingHelp, seedOption } from "../common.js";

const specs = {
  model: { type: "string", description: "folder of a saved RBM or VAE (model.json + model.safetensors)" },
  n: { type: "number", description: "number of chains (images)", default: 100, integer: true, min: 1 },
  steps: { type: "number", description: "Gibbs steps per chain (RBM)", default: 1000, integer: true, min: 1 },
  init: {
    type: "string",
    description: "chain start (RBM): uniform random bits or samples of the visible biases alone",
    default: "random",
    choices: ["random", "biases"],
  },
  height: { type: "number", description: "picture height in pixels (default: the side of a square visible layer)", integer: true, min: 1 },
  width: { type: "number", description: "picture width in pixels (default: the side of a square visible layer)", integer: true, min: 1 },
  seed: seedOption("seed"),
  out: outOption("PNG path (default MODEL/samples-<steps>.png; a VAE's MODEL/samples.png)"),
} as const;

/**
 * Each sample's picture size: --height and --width, else the side of a square visible layer.
 * A layer that is not square (or a size whose area is not the layer's) names the options.
 */
export function pictureSize(visible: number, height: number | undefined, width: number | undefined): { height: number; width: number } {
  if (height === undefined && width === undefined) {
    const side = Math.round(Math.sqrt(visible));
    if (side * side === visible) return { height: side, width: side };
    throw new UsageError(`the RBM has ${visible} visible units, not a square picture: give its size with --height H --width W (H × W = ${visible})`);
  }
  const h = height ?? visible / (width as number);
  const w = width ?? visible / (height as number);
  if (!Number.isInteger(h) || !Number.isInteger(w) || h * w !== visible)
    throw new UsageError(`--height ${height ?? "?"} --width ${width ?? "?"} do not fit the RBM's ${visible} visible units (height × width must be ${visible})`);
  return { height: h, width: w };
}

const USAGE = "layerwise sample --model DIR [--n 100] [--steps 1000] [--height H --width W] [--out FILE.png]";

/** A VAE draws z ~ N(0, I) and decodes it, the Bernoulli means p(x | z): one step, no chain. */
async function sampleVae(
  vae: VAE,
  dir: string,
  o: { n?: number; seed?: number; height?: number; width?: number; out?: string },
  given: ReadonlySet<string>,
): Promise<number> {
  for (const option of ["steps", "init"])
    if (given.has(option)) throw new UsageError(`option --${option} applies to an RBM's Gibbs chains; ${dir} holds a VAE`);
  const samples = vae.sample(o.n ?? 100, o.seed ?? 0);
  const out = o.out ?? `${dir}/samples.png`;
  await writePng(out, imagesImage(samples, { size: pictureSize(vae.inputSize, o.height, o.width) }));
  console.log(`${samples.rows} samples z ~ N(0, I) decoded by the VAE: ${out}`);
  return 0;
}

export const sampleCommand: Command = defineCommand({
  path: ["sample"],
  summary: "draw samples from a saved RBM (long Gibbs chains) or VAE (PNG grid)",
  usage: USAGE,
  specs,
  async run(o, help, given) {
    const model = requireOptionShowingHelp(o.model, "--model DIR", help);
    const loaded = await loadModel(model);
    if (loaded instanceof VAE) return sampleVae(loaded, model, o, given);
    if (!(loaded instanceof RBM)) throw new UsageError(`${model} holds a ${loaded.constructor.name}; sample draws from an RBM or a VAE`);
    const rbm = loaded;
    const size = pictureSize(rbm.visible, o.height, o.width);
    const steps = o.steps ?? 1000;
    const t0 = performance.now();
    const samples = rbm.sample({ n: o.n ?? 100, steps, seed: o.seed, init: o.init === "biases" ? "biases" : "random" });
    const out = o.out ?? `${model}/samples-${steps}.png`;
    await writePng(out, imagesImage(samples, { size }));
    console.log(`${samples.rows} samples after ${steps} Gibbs steps (${((performance.now() - t0) / 1e3).toFixed(1)} s): ${out}`);
    return 0;
  },
});
