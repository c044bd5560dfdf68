/**
 * `layerwise loglik`: the average test log-probability of a saved RBM, in nats: exact for a
 * small binary layer, otherwise by annealed importance sampling of log Z (Salakhutdinov &
 * Murray 2008) on the stochastically binarised MNIST test set.
 */
import { baseRateBiases, DEFAULT_BETAS, PAPER_BETAS } from "../../models/rbm/ais.js";
import { loadRbm } from "../../models/rbm/io.js";
import { Rng } from "../../tensor/random.js";
import type { Command } from "../command.js";
import { dataOption, defineCommand, limitOption, loadDigits, requireOptionShowingHelp, seedOption } from "../common.js";
import { binarizeImages } from "./train-rbm.js";

const specs = {
  model: { type: "string", description: "folder of a saved RBM" },
  "ais-runs": { type: "number", description: "parallel AIS runs", default: 100, integer: true, min: 1 },
  schedule: {
    type: "string",
    description: "β schedule: paper (14,500 steps), default (5,500) or quick (1,000)",
    default: "default",
    choices: ["paper", "default", "quick"],
  },
  method: { type: "string", description: "exact (≤ 25 binary units) or ais; default: exact when possible", choices: ["exact", "ais"] },
  data: dataOption,
  binarize: {
    type: "string",
    description: "test pixels: sampled (Salakhutdinov & Murray), thresholded, or as given",
    default: "sample",
    choices: ["sample", "threshold", "none"],
  },
  limit: limitOption("use at most this many test digits"),
  seed: seedOption("seed"),
} as const;

const USAGE = "layerwise loglik --model DIR [--ais-runs 100] [--schedule default] [--data DIR|full|bundled]";

export const loglikCommand: Command = defineCommand({
  path: ["loglik"],
  summary: "average test log-likelihood of a saved RBM (exact or AIS), in nats",
  usage: USAGE,
  specs,
  async run(o, help) {
    const rbm = await loadRbm(requireOptionShowingHelp(o.model, "--model DIR", help));
    const data = await loadDigits(o.data, { limitTest: o.limit });
    const rng = new Rng(o.seed ?? 1);
    const trainBits = binarizeImages(data.train.images, o.binarize === "threshold" ? "threshold" : "sample", rng);
    const test = binarizeImages(data.test.images, o.binarize ?? "sample", rng);
    const schedule =
      o.schedule === "paper"
        ? PAPER_BETAS
        : o.schedule === "quick"
          ? ([
              [0, 0.5, 1e-3],
              [0.5, 1, 1e-3],
            ] as const)
          : DEFAULT_BETAS;
    const t0 = performance.now();
    const r = rbm.logLikelihood(test, {
      method: o.method === "exact" || o.method === "ais" ? o.method : undefined,
      runs: o["ais-runs"],
      betas: schedule,
      baseBiases: baseRateBiases(trainBits), // the base rate comes from the training pixels, as in the paper
      seed: o.seed,
    });
    const secs = ((performance.now() - t0) / 1e3).toFixed(1);
    if (r.method === "exact") {
      console.log(`exact: log Z = ${r.logZ.toFixed(3)}; average test log-probability ${r.logLikelihood.toFixed(2)} nats (${test.rows} digits, ${secs} s)`);
    } else {
      const a = r.ais;
      console.log(`AIS: ${a?.runs} runs, ${a?.steps} β steps: log Z = ${r.logZ.toFixed(3)} (±3 s.e.: ${a?.logZLow.toFixed(3)} .. ${a?.logZHigh.toFixed(3)})`);
      console.log(
        `average test log-probability ${r.logLikelihood.toFixed(2)} nats (band ${r.lower?.toFixed(2)} .. ${r.upper?.toFixed(2)}; ${test.rows} digits, ${secs} s)`,
      );
    }
    return 0;
  },
});
