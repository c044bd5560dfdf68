/**
 * Reproduction: the test log-likelihood of RBMs with 500 hidden units on binarised MNIST,
 * estimated by annealed importance sampling, next to Salakhutdinov & Murray (ICML 2008):
 * CD-1 about −125.5 nats, CD-25 about −86.3 nats (their models trained far longer).
 *
 *   node --import tsx examples/rbm-mnist-loglik.ts [--epochs 10] [--models cd1,pcd,cd25]
 *        [--ais-runs 100] [--schedule default|paper|quick] [--limit 60000] [--data DIR]
 *
 * Data: the full MNIST IDX files (../shared/datasets/mnist by default), pixels binarised by
 * sampling once with their intensity as the probability (seeded). The AIS base rate comes from
 * the training pixels.
 */

import {
  type BetaSegment,
  backend,
  baseRateBiases,
  DEFAULT_BETAS,
  defaultMnistDir,
  loadMnist,
  PAPER_BETAS,
  RBM,
  type RBMOptions,
  Rng,
  sampleBinary,
  saveRbm,
  writeRbmPictures,
} from "layerwise";
import { parseOptions } from "layerwise/cli";

const { options: o } = parseOptions(process.argv.slice(2), {
  epochs: { type: "number", description: "epochs per model", default: 10, integer: true, min: 1 },
  "cd25-epochs": { type: "number", description: "epochs for the CD-25 model (default: --epochs)", integer: true, min: 1 },
  models: { type: "string", description: "models to train and score, comma-separated: cd1, pcd, cd25", default: "cd1,pcd" },
  "ais-runs": { type: "number", description: "parallel AIS runs per model", default: 100, integer: true, min: 1 },
  schedule: {
    type: "string",
    description: "AIS β schedule: default (5,500 steps), paper (14,500) or quick (1,000)",
    default: "default",
    choices: ["default", "paper", "quick"],
  },
  limit: { type: "number", description: "use only the first N training digits (default: all 60,000)", integer: true, min: 100 },
  data: { type: "string", description: "folder with the MNIST IDX files (default: LAYERWISE_MNIST or ../shared/datasets/mnist)" },
  out: { type: "string", description: "folder for models and pictures (optional)" },
  seed: { type: "number", description: "seed of every random choice", default: 1, integer: true },
});

const dir = o.data ?? defaultMnistDir();
if (dir === null) {
  console.log("full MNIST not found (pass --data DIR or set LAYERWISE_MNIST); this script needs the 60,000 training digits");
  process.exit(0);
}
const t0 = performance.now();
const mnist = await loadMnist({ source: "full", dir, limitTrain: o.limit });
const rng = new Rng(o.seed ?? 1);
const train = sampleBinary(mnist.train.images, rng);
const test = sampleBinary(mnist.test.images, rng);
const baseBiases = baseRateBiases(train);
const info = backend().info();
console.log(`MNIST binarised by sampling: ${train.rows} training, ${test.rows} test digits; backend ${info.name}, ${info.threads} threads`);

const schedule: readonly BetaSegment[] =
  o.schedule === "paper"
    ? PAPER_BETAS
    : o.schedule === "quick"
      ? [
          [0, 0.5, 1e-3],
          [0.5, 1, 1e-3],
        ]
      : DEFAULT_BETAS;
const published: Record<string, string> = { cd1: "−125.5 (CD-1)", cd25: "−86.3 (CD-25)", pcd: "−86.3 (CD-25; PCD aims at the same)" };

const configs: Record<string, { options: Partial<RBMOptions>; epochs: number; label: string }> = {
  cd1: { options: { cdSteps: 1, learningRate: 0.05 }, epochs: o.epochs ?? 10, label: "CD-1" },
  pcd: { options: { cdSteps: 1, persistent: 100, learningRate: 0.01 }, epochs: o.epochs ?? 10, label: "PCD-1, 100 chains" },
  cd25: { options: { cdSteps: 25, learningRate: 0.05 }, epochs: o["cd25-epochs"] ?? o.epochs ?? 10, label: "CD-25" },
};

const rows: string[] = [];
for (const name of (o.models ?? "cd1,pcd").split(",")) {
  const c = configs[name];
  if (c === undefined) throw new Error(`unknown model "${name}"; choose from ${Object.keys(configs).join(", ")}`);
  const rbm = new RBM({ visible: 784, hidden: 500, seed: o.seed, ...c.options });
  const tTrain = performance.now();
  await rbm.fit(train, {
    epochs: c.epochs,
    batchSize: 100,
    callbacks: {
      onEpochEnd: (l) => console.log(`  ${c.label} epoch ${l.epoch}: reconstruction error ${l.reconstructionError.toFixed(2)}, ${l.seconds.toFixed(1)} s`),
    },
  });
  const trainSeconds = (performance.now() - tTrain) / 1e3;
  const r = rbm.logLikelihood(test, { method: "ais", runs: o["ais-runs"], betas: schedule, baseBiases, seed: o.seed });
  const trainLL = rbm.meanFreeEnergy(train.sliceRows(0, Math.min(10000, train.rows)));
  const line = `${c.label}: ε ${rbm.options.learningRate}, momentum 0.5→0.9, weight decay ${rbm.options.weightDecay}, ${c.epochs} epochs (${trainSeconds.toFixed(0)} s); AIS ${r.ais?.runs} runs × ${r.ais?.steps} β (${r.ais?.seconds.toFixed(0)} s): log Z ${r.logZ.toFixed(2)} [${r.ais?.logZLow.toFixed(2)}, ${r.ais?.logZHigh.toFixed(2)}]; test log-likelihood ${r.logLikelihood.toFixed(2)} nats (band ${r.lower?.toFixed(2)} .. ${r.upper?.toFixed(2)}; train −F − log Z ${(-trainLL - r.logZ).toFixed(2)}); Salakhutdinov & Murray: ${published[name]}`;
  console.log(line);
  rows.push(line);
  if (o.out !== undefined) {
    await saveRbm(rbm, `${o.out}/${name}`, { line });
    await writeRbmPictures(rbm, `${o.out}/${name}`, { data: test.sliceRows(0, 50), samples: { n: 100, steps: 1000, init: test.sliceRows(0, 100) } });
  }
}
console.log(`\nsummary (${((performance.now() - t0) / 1e3).toFixed(0)} s in all)`);
for (const r of rows) console.log(`  ${r}`);
