/**
 * Hinton & Salakhutdinov (2006) / Hinton, Osindero & Teh (2006) on MNIST: a DBN 784-500-500-2000
 * pretrained greedily with CD-1, then fine-tuned by backpropagation as 784-500-500-2000-10.
 * Published: 1.2 % test error (1.6 % for the same net without pretraining). Full size takes
 * about an hour on two cores (docs/dbn.md); --pretrain-epochs, --finetune-epochs and
 * --limit-train shrink it.
 *
 *   node --import tsx examples/dbn-mnist.ts --out runs/dbn --baseline
 *
 * The defaults are the run that met the target: 50 CD-1 epochs per RBM (ε 0.1, Hinton's rbm.m),
 * then 80 epochs of SGD with light dropout and a cosine decay (dbn-common.ts, finetuneSpecs).
 */
import { DBN, pretrainAndFinetune } from "layerwise";
import {
  baselineLrSpec,
  classifierData,
  finetuneFrom,
  finetuneSpecs,
  noteUnusedFlags,
  report,
  savedOrNewDbn,
  scriptData,
  scriptOptions,
  seconds,
  trainingRows,
} from "./dbn-common.js";

const o = scriptOptions("dbn-mnist", "DBN 784-500-500-2000-10: greedy RBM pretraining + backprop fine-tuning (published 1.2 % test error)", {
  layers: { type: "string", description: "layer sizes", default: "784-500-500-2000" },
  "pretrain-epochs": { type: "number", description: "CD-1 epochs per RBM", default: 50, integer: true, min: 0 },
  "rbm-lr": { type: "number", description: "RBM learning rate (Hinton's rbm.m: 0.1)", default: 0.1, min: 0 },
  ...finetuneSpecs,
  baseline: { type: "boolean", description: "also train the net from random weights (published 1.6 %)" },
  ...baselineLrSpec,
  out: { type: "string", description: "save the stack and classifier here" },
});
const fine = finetuneFrom("dbn-mnist", o);
const layers = (o.layers ?? "784-500-500-2000").split("-").map(Number);
const data = await scriptData(o);
// with --validation the RBMs, like the classifier, never see the validation rows
const train = trainingRows(data, o.validation);
const seed = o.seed ?? 1;
const batch = o.batch ?? 100;
const t0 = performance.now();
// With --out, a stack saved by an earlier run is loaded and its pretraining resumed (finished layers are skipped).
const saved = o.out === undefined ? null : `${o.out}/stack`;
const dbn = await savedOrNewDbn(saved, layers, () => new DBN({ layers, seed, rbm: { learningRate: o["rbm-lr"] ?? 0.1 } }), ["rbm-lr"]);
console.log(
  `pretraining DBN ${layers.join("-")}: CD-1, ε ${dbn.rbms[0].options.learningRate}, momentum 0.5 → 0.9, weight decay 2e-4, batch ${batch}, ${o["pretrain-epochs"]} epochs per layer`,
);
await dbn.pretrain(train.images, {
  epochs: o["pretrain-epochs"] ?? 50,
  batchSize: batch,
  callbacks: {
    onEpochEnd: (l, logs) =>
      console.log(`  RBM ${l + 1} epoch ${logs.epoch}: reconstruction error ${logs.reconstructionError.toFixed(3)} (${logs.seconds.toFixed(1)} s)`),
  },
  checkpoint: saved ?? undefined,
});
console.log(`pretraining ${seconds(t0)}`);
if (o["finetune-epochs"] === 0) {
  console.log("no fine-tuning asked for");
  process.exit(0);
}
console.log(fine.summary);
// the random-init net gets the same fine-tuning (dropout included) at its own SGD rate
const sgd = fine.options.optimizer?.type === "sgd";
if (!sgd) noteUnusedFlags(["baseline-lr", "finetune-lr"], "conjugate gradients take no learning rate");
const run = await pretrainAndFinetune(dbn, classifierData(data, o.validation), {
  ...fine.options,
  baseline: o.baseline === true && (sgd ? { learningRate: o["baseline-lr"] ?? 0.05 } : true),
});
if (o.out !== undefined) await run.pretrained.model.save(`${o.out}/classifier`);
console.log(`fine-tuning ${run.pretrained.seconds.toFixed(0)} s${run.baseline === null ? "" : `, random-init net ${run.baseline.seconds.toFixed(0)} s`}`);
report(`DBN ${layers.join("-")}-10, pretrained + backprop`, run.pretrained.testError, 1.2, "Hinton & Salakhutdinov 2006");
if (run.baseline !== null) report("same net, no pretraining", run.baseline.testError, 1.6, "Hinton & Salakhutdinov 2006");
