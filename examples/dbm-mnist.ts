/**
 * Salakhutdinov & Hinton (2009): a deep Boltzmann machine 784-500-1000 on MNIST. Greedy
 * pretraining with the doubled-input trick, joint training (mean-field positive phase,
 * persistent Gibbs chains), then the discriminative net on [v, q(h2 | v)] fine-tuned by
 * backpropagation. Published: 0.95 % test error (and −84.62 nats test log-probability by AIS).
 *
 *   node --import tsx examples/dbm-mnist.ts --pretrain-epochs 100 --dbm-epochs 300 --finetune-epochs 100 --out runs/dbm
 *
 * With --out every stage is saved as it goes (out/stack after each pretraining epoch, out/dbm
 * after each joint epoch, out/classifier at the end), and running the same command again
 * resumes: counts are totals, so --dbm-epochs 300 after a run of 40 trains 260 more. A resumed
 * DBM keeps its saved joint-training options except those given as flags (--dbm-momentum 0.9
 * switches a saved run to momentum 0.9); pretraining flags have no effect once it is trained.
 * --finetune-epochs 0 stops after joint training. Fine-tuning is the DBN's SGD recipe by default;
 * --finetune-optimizer cg --warmup-epochs 5 --finetune-epochs 95 is the paper's (conjugate
 * gradients, 3 line searches per batch of 1,000, the output layer alone for 5 epochs).
 */

import { DBM, type DbmTrainingOptions, hasSavedModel, loadDbm, pretrainAndFinetune, Rng, sampleBinary, saveDbm } from "layerwise";
import {
  classifierData,
  finetuneFrom,
  finetuneSpecs,
  givenOptions,
  labelReadoutError,
  noteUnusedFlags,
  report,
  scriptData,
  scriptOptions,
  seconds,
  trainingRows,
  validationRows,
} from "./dbn-common.js";

const o = scriptOptions("dbm-mnist", "DBM 784-500-1000: pretraining, mean-field/PCD joint training, fine-tuning on [v, q(h2)] (published 0.95 %)", {
  layers: { type: "string", description: "layer sizes", default: "784-500-1000" },
  "pretrain-epochs": { type: "number", description: "epochs per pretraining RBM", default: 100, integer: true, min: 0 },
  "rbm-lr": { type: "number", description: "pretraining RBM learning rate", default: 0.05, min: 0 },
  "rbm-weight-decay": {
    type: "number",
    description: "pretraining RBM weight decay (Salakhutdinov's DBM code: 0.001)",
    default: 0.001,
    min: 0,
  },
  "top-pretrain-epochs": { type: "number", description: "epochs of the top pretraining RBM (default: --pretrain-epochs)", integer: true, min: 0 },
  "top-cd-grow-every": {
    type: "number",
    description: "top pretraining RBM: CD-k with k = ⌈epoch / N⌉ and ε / k (Salakhutdinov's rbm_l2.m: 20; 0: CD-1 throughout)",
    default: 0,
    integer: true,
    min: 0,
  },
  "pretrain-propagate": {
    type: "string",
    description: "what each pretraining RBM passes up: mean (p(h | v)) or sample (binary states, fresh each epoch; his rbm_l2.m)",
    choices: ["mean", "sample"],
    default: "mean",
  },
  "top-sample-visible": { type: "boolean", description: "the top pretraining RBM samples its reconstructions (his rbm_l2.m) instead of using p(v | h)" },
  "dbm-epochs": { type: "number", description: "joint-training epochs (in total, counting a resumed DBM's)", default: 300, integer: true, min: 0 },
  "dbm-lr": { type: "number", description: "joint-training learning rate", default: 0.001, min: 0 },
  "dbm-lr-decay": {
    type: "number",
    description: "multiply the joint-training ε by this every epoch (Salakhutdinov's code: 0.991)",
    default: 1,
    min: 0,
    max: 1,
  },
  "dbm-momentum": {
    type: "number",
    description: "joint-training momentum after the first 5 epochs at 0.5 (Salakhutdinov's code: 0.9)",
    default: 0.5,
    min: 0,
    max: 0.99,
  },
  "dbm-min-lr": { type: "number", description: "floor of the decayed ε (Salakhutdinov's code: 1e-4)", default: 0, min: 0 },
  "fixed-binarisation": {
    type: "boolean",
    description: "pretraining and joint training on one fixed binarisation of the images (default: each batch binarised afresh)",
  },
  "sparsity-cost": {
    type: "number",
    description: "joint-training sparsity penalty on the hidden layers' mean activities (Salakhutdinov's code: 0.001)",
    default: 0,
    min: 0,
  },
  "chain-mean-step": {
    type: "boolean",
    description: "end the chains' Gibbs sweeps with a mean-field step on h2, kept as the chain state (Salakhutdinov's dbm_mf.m)",
  },
  "sparsity-targets": { type: "string", description: "target mean activity of each hidden layer, comma-separated (his code: 0.2,0.1)", default: "0.2,0.1" },
  "watch-every": {
    type: "number",
    description: "with --labels and --validation: print the label read-out error on the validation rows every N joint epochs (0: never)",
    default: 5,
    integer: true,
    min: 0,
  },
  "gibbs-steps": { type: "number", description: "Gibbs sweeps of the persistent chains per update", default: 5, integer: true, min: 1 },
  "mean-field-steps": { type: "number", description: "most mean-field iterations per batch", default: 10, integer: true, min: 1 },
  ...finetuneSpecs,
  labels: {
    type: "boolean",
    description:
      "join 10 label units to the top layer (Salakhutdinov's MNIST DBM): pretraining and joint training see the labels, the classifier's inputs do not",
  },
  "ais-runs": { type: "number", description: "AIS runs for the log-likelihood bound (0: skip)", default: 0, integer: true, min: 0 },
  out: { type: "string", description: "save every stage here and resume from what is there" },
});
const fine = finetuneFrom("dbm-mnist", o);
const propagate = (o["pretrain-propagate"] ?? "mean") as "mean" | "sample";
const layers = (o.layers ?? "784-500-1000").split("-").map(Number);
const data = await scriptData(o);
const { test } = data;
// with --validation the DBM, like the classifier, never sees the validation rows
const train = trainingRows(data, o.validation);
const labels = o.labels ? train.oneHot : undefined;
const seed = o.seed ?? 1;
const batch = o.batch ?? 100;
// the DBM's units are binary: as in Salakhutdinov's code, every batch of grey levels is
// binarised afresh (pretraining and joint training); --fixed-binarisation uses one draw throughout
const fresh = o["fixed-binarisation"] !== true;
const x = fresh ? train.images : sampleBinary(train.images, new Rng(seed));
const xt = sampleBinary(test.images, new Rng(seed + 1));
const savedDbm = o.out === undefined ? null : `${o.out}/dbm`;
// the joint-training options by flag. A new DBM takes them all; a resumed one keeps its saved
// options except for the flags on the command line (a run can switch to momentum 0.9 half way)
const jointFlags: [string, keyof DbmTrainingOptions, DbmTrainingOptions[keyof DbmTrainingOptions]][] = [
  ["dbm-lr", "learningRate", o["dbm-lr"]],
  ["dbm-lr-decay", "learningRateDecay", o["dbm-lr-decay"]],
  ["dbm-min-lr", "minLearningRate", o["dbm-min-lr"]],
  ["dbm-momentum", "momentum", o["dbm-momentum"]],
  ["gibbs-steps", "gibbsSteps", o["gibbs-steps"]],
  ["mean-field-steps", "meanFieldSteps", o["mean-field-steps"]],
  ["sparsity-cost", "sparsityCost", o["sparsity-cost"]],
  ["sparsity-targets", "sparsityTarget", o["sparsity-targets"]?.split(",").map(Number)],
  ["chain-mean-step", "chainMeanStep", o["chain-mean-step"]],
];
const jointOptions = (which: (flag: string) => boolean): DbmTrainingOptions =>
  Object.fromEntries(jointFlags.filter(([flag]) => which(flag)).map(([, key, value]) => [key, value]));
const pretrainFlags = ["pretrain-epochs", "top-pretrain-epochs", "rbm-lr", "rbm-weight-decay", "top-cd-grow-every", "pretrain-propagate", "top-sample-visible"];

let t = performance.now();
let dbm: DBM;
if (savedDbm !== null && (await hasSavedModel(savedDbm))) {
  dbm = await loadDbm(savedDbm);
  const s = dbm.options;
  console.log(
    `loaded ${savedDbm}: ${dbm.epochsTrained} joint epochs done (its options: ε ${s.learningRate}, ${s.gibbsSteps} Gibbs sweeps, ${s.meanFieldSteps} mean-field steps)`,
  );
  for (const c of dbm.retune(jointOptions((flag) => givenOptions.has(flag))))
    console.log(`  going on with ${c.option} ${JSON.stringify(c.to)} (saved: ${JSON.stringify(c.from)})`);
  noteUnusedFlags(pretrainFlags, "this DBM is past pretraining");
} else {
  dbm = new DBM({ layers, seed, chains: 100, labels: o.labels ? 10 : 0, ...jointOptions(() => true) });
  const rbm = { learningRate: o["rbm-lr"] ?? 0.05, weightDecay: o["rbm-weight-decay"] ?? 0.001 };
  const topRbm = { ...rbm, cdGrowEvery: o["top-cd-grow-every"] ?? 0, sampleVisible: o["top-sample-visible"] === true };
  const each = o["pretrain-epochs"] ?? 100;
  const isTop = (l: number): boolean => l === layers.length - 2;
  const perRbm = layers.slice(1).map((_, l) => (isTop(l) ? topRbm : rbm));
  const epochs = layers.slice(1).map((_, l) => (isTop(l) ? (o["top-pretrain-epochs"] ?? each) : each));
  console.log(
    `pretraining ${layers.join("-")} with doubled RBMs: ε ${rbm.learningRate}, weight decay ${rbm.weightDecay}, ${epochs.join(" / ")} epochs, top RBM ${topRbm.cdGrowEvery > 0 ? `CD-⌈epoch/${topRbm.cdGrowEvery}⌉ at ε/k` : "CD-1"}${topRbm.sampleVisible ? " with sampled reconstructions" : ""}, ${propagate} passed up`,
  );
  await dbm.pretrain(x, {
    epochs,
    batchSize: batch,
    rbm: perRbm,
    propagate,
    sampleData: fresh,
    labels,
    checkpoint: o.out === undefined ? undefined : `${o.out}/stack`,
    callbacks: {
      onEpochEnd: (l, logs) =>
        console.log(`  RBM ${l + 1} epoch ${logs.epoch}: reconstruction error ${logs.reconstructionError.toFixed(3)} (${logs.seconds.toFixed(1)} s)`),
    },
  });
  console.log(`pretraining ${seconds(t)}`);
  if (savedDbm !== null) await saveDbm(dbm, savedDbm, { stage: "pretrained" });
}

t = performance.now();
const jointTodo = Math.max(0, (o["dbm-epochs"] ?? 300) - dbm.epochsTrained);
if (jointTodo > 0) {
  const s = dbm.options;
  console.log(
    `joint training: ${jointTodo} epochs, ε ${s.learningRate} (× ${s.learningRateDecay} an epoch, floor ${s.minLearningRate}), momentum ${s.initialMomentum} → ${s.momentum}, ${s.chains} persistent chains, ${s.gibbsSteps} Gibbs sweeps, sparsity cost ${s.sparsityCost} (targets ${s.sparsityTarget.join(", ")}), ${s.chainMeanStep ? "a mean-field step on the chains' h2, " : ""}${fresh ? "each batch binarised afresh" : "one fixed binarisation"}`,
  );
}
const held = validationRows(data, o.validation);
const watch = o.labels && held !== null ? (o["watch-every"] ?? 5) : 0;
if (dbm.labels > 0 !== (labels !== undefined)) {
  console.error(`dbm-mnist: the DBM in ${savedDbm} has ${dbm.labels} label units; run with${dbm.labels > 0 ? "" : "out"} --labels`);
  process.exit(2);
}
await dbm.fit(x, {
  epochs: jointTodo,
  batchSize: batch,
  sampleData: fresh,
  labels,
  callbacks: {
    onEpochEnd: async (l) => {
      console.log(
        `  DBM epoch ${l.epoch}: ε ${l.learningRate.toPrecision(3)}, reconstruction error ${l.reconstructionError.toFixed(3)}, mean-field iterations ${l.meanFieldIterations.toFixed(1)}, ${l.seconds.toFixed(0)} s`,
      );
      if (savedDbm !== null) await saveDbm(dbm, savedDbm, { stage: "joint training" });
      if (held !== null && watch > 0 && l.epoch % watch === 0)
        console.log(`    label read-out on the validation rows: ${labelReadoutError(dbm, held.images, held.labels).toFixed(2)} %`);
    },
  },
});
if (jointTodo > 0) console.log(`joint training ${seconds(t)}`);
if ((o["ais-runs"] ?? 0) > 0) {
  const b = dbm.logLikelihoodBound(xt.sliceRows(0, Math.min(1000, xt.rows)), { method: "ais", runs: o["ais-runs"], baseData: x, seed });
  console.log(
    `variational lower bound on test log p(v): ${b.bound.toFixed(2)} nats (AIS log Z ${b.logZ.toFixed(2)}); published −84.62 (AIS estimate, not the bound)`,
  );
}
if (dbm.labels > 0)
  console.log(`label units read out from q(h2 | v), no backprop: test error ${labelReadoutError(dbm, test.images, test.labels).toFixed(2)} %`);
if ((o["finetune-epochs"] ?? 80) === 0) process.exit(0);

console.log(fine.summary);
// the classifier reads [v, q(h2 | v)]: pretrainAndFinetune feeds it dbm.classifierInputs of every row
const run = await pretrainAndFinetune(dbm, classifierData(data, o.validation), fine.options);
console.log(`fine-tuning ${run.pretrained.seconds.toFixed(0)} s (after ${dbm.epochsTrained} joint epochs)`);
if (o.out !== undefined) await run.pretrained.model.save(`${o.out}/classifier`);
report(`DBM ${layers.join("-")}, fine-tuned on [v, q(h2)]`, run.pretrained.testError, 0.95, "Salakhutdinov & Hinton 2009");
