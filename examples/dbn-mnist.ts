/**
 * Hinton & Salakhutdinov (2006) / Hinton, Osindero & Teh (2006) on MNIST: a DBN 784-500-500-2000
 * pretrained greedily with CD-1, then fine-tuned by backpropagation as 784-500-500-2000-10.
 * Published: 1.2 % test error (1.6 % for the same net without pretraining). Full size takes
 * hours on two cores; --pretrain-epochs, --finetune-epochs and --limit-train shrink it.
 *
 *   node --import tsx examples/dbn-mnist.ts --pretrain-epochs 50 --finetune-epochs 50 --baseline
 */
import { existsSync } from "node:fs";
import { DBN } from "../src/energy/dbn.js";
import { loadDbn } from "../src/energy/dbn-io.js";
import { Dense } from "../src/nn/dense.js";
import { Sequential } from "../src/train/sequential.js";
import { finetune, finetuneSets, report, scriptData, scriptOptions, seconds } from "./dbn-common.js";

const o = scriptOptions("dbn-mnist", "DBN 784-500-500-2000-10: greedy RBM pretraining + backprop fine-tuning (published 1.2 % test error)", {
  layers: { type: "string", description: "layer sizes", default: "784-500-500-2000" },
  "pretrain-epochs": { type: "number", description: "CD-1 epochs per RBM", default: 50, integer: true, min: 0 },
  "finetune-epochs": { type: "number", description: "backprop epochs (0: pretrain only)", default: 50, integer: true, min: 0 },
  "warmup-epochs": {
    type: "number",
    description: "first train only the new output layer for this many epochs (Hinton's backprop.m: 6)",
    default: 0,
    integer: true,
    min: 0,
  },
  "weight-decay": { type: "number", description: "L2 weight decay while fine-tuning", default: 0, min: 0 },
  "rbm-lr": { type: "number", description: "RBM learning rate", default: 0.05, min: 0 },
  "finetune-lr": { type: "number", description: "SGD learning rate", default: 0.1, min: 0 },
  "dropout-input": { type: "number", description: "dropout rate on the input while fine-tuning (Srivastava et al. 2014: 0.2)", default: 0, min: 0, max: 0.9 },
  "dropout-hidden": { type: "number", description: "dropout rate after each pretrained layer while fine-tuning (0.5)", default: 0, min: 0, max: 0.9 },
  cosine: { type: "boolean", description: "decay the fine-tuning learning rate to zero (cosine)" },
  baseline: { type: "boolean", description: "also train the net from random weights (published 1.6 %)" },
  out: { type: "string", description: "save the stack and classifier here" },
});
const layers = (o.layers ?? "784-500-500-2000").split("-").map(Number);
const data = await scriptData(o);
const { train } = data;
const seed = o.seed ?? 1;
const batch = o.batch ?? 100;
const t0 = performance.now();
// With --out, a stack saved by an earlier run is loaded and its pretraining resumed (finished layers are skipped).
const saved = o.out === undefined ? null : `${o.out}/stack`;
const dbn = saved !== null && existsSync(`${saved}/dbn.json`) ? await loadDbn(saved) : new DBN({ layers, seed, rbm: { learningRate: o["rbm-lr"] ?? 0.05 } });
console.log(
  `pretraining DBN ${layers.join("-")}: CD-1, ε ${o["rbm-lr"] ?? 0.05}, momentum 0.5 → 0.9, weight decay 2e-4, batch ${batch}, ${o["pretrain-epochs"]} epochs per layer`,
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
const pretrainTime = seconds(t0);
if (o["finetune-epochs"] === 0) {
  console.log(`pretraining ${pretrainTime}; no fine-tuning asked for`);
  process.exit(0);
}
const ft = {
  epochs: o["finetune-epochs"] ?? 50,
  learningRate: o["finetune-lr"] ?? 0.1,
  batchSize: batch,
  seed,
  cosine: o.cosine,
  weightDecay: o["weight-decay"],
  warmupEpochs: o["warmup-epochs"],
};
const dropout = { input: o["dropout-input"] ?? 0, hidden: o["dropout-hidden"] ?? 0 };
if (dropout.input > 0 || dropout.hidden > 0) console.log(`fine-tuning with dropout: input ${dropout.input}, hidden ${dropout.hidden}`);
let t = performance.now();
const clf = dbn.toClassifier({ classes: 10, seed, dropout });
const sets = finetuneSets(data, o.validation);
const err = await finetune(clf, sets, { ...ft, label: "pretrained" });
const finetuneTime = seconds(t);
if (o.out !== undefined) await clf.save(`${o.out}/classifier`);
console.log(`pretraining ${pretrainTime}, fine-tuning ${finetuneTime}`);
report(`DBN ${layers.join("-")}-10, pretrained + backprop`, err, 1.2, "Hinton & Salakhutdinov 2006");
if (o.baseline) {
  t = performance.now();
  const net = new Sequential([...layers.slice(1).map((u) => new Dense(u, { activation: "sigmoid" })), new Dense(10, { activation: "softmax" })], {
    inputShape: [layers[0]],
    seed,
  });
  const base = await finetune(net, sets, { ...ft, warmupEpochs: 0, label: "random init" });
  console.log(`random-init net ${seconds(t)}`);
  report("same net, no pretraining", base, 1.6, "Hinton & Salakhutdinov 2006");
}
