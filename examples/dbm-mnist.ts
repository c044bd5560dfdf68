/**
 * Salakhutdinov & Hinton (2009): a deep Boltzmann machine 784-500-1000 on MNIST. Greedy
 * pretraining with the doubled-input trick, joint training (mean-field positive phase,
 * persistent Gibbs chains), then the discriminative net on [v, q(h2 | v)] fine-tuned by
 * backpropagation. Published: 0.95 % test error (and −84.62 nats test log-probability by AIS).
 *
 *   node --import tsx examples/dbm-mnist.ts --pretrain-epochs 100 --dbm-epochs 300 --finetune-epochs 100
 */

import { sampleBinary } from "../src/data/transforms.js";
import { DBM } from "../src/energy/dbm.js";
import { Rng } from "../src/tensor/random.js";
import { finetune, report, scriptData, scriptOptions, seconds } from "./dbn-common.js";

const o = scriptOptions("dbm-mnist", "DBM 784-500-1000: pretraining, mean-field/PCD joint training, fine-tuning on [v, q(h2)] (published 0.95 %)", {
  layers: { type: "string", description: "layer sizes", default: "784-500-1000" },
  "pretrain-epochs": { type: "number", description: "epochs per pretraining RBM", default: 100, integer: true, min: 0 },
  "dbm-epochs": { type: "number", description: "joint-training epochs", default: 300, integer: true, min: 0 },
  "finetune-epochs": { type: "number", description: "backprop epochs", default: 100, integer: true, min: 1 },
  "dbm-lr": { type: "number", description: "joint-training learning rate", default: 0.001, min: 0 },
  "finetune-lr": { type: "number", description: "SGD learning rate", default: 0.05, min: 0 },
  "ais-runs": { type: "number", description: "AIS runs for the log-likelihood bound (0: skip)", default: 0, integer: true, min: 0 },
});
const layers = (o.layers ?? "784-500-1000").split("-").map(Number);
const { train, test } = await scriptData(o);
const seed = o.seed ?? 1;
const batch = o.batch ?? 100;
// the DBM's units are binary: one stochastic binarisation of the grey levels (Salakhutdinov & Murray 2008)
const x = sampleBinary(train.images, new Rng(seed));
const xt = sampleBinary(test.images, new Rng(seed + 1));
let t = performance.now();
const dbm = new DBM({ layers, seed, learningRate: o["dbm-lr"] ?? 0.001, chains: 100, gibbsSteps: 5, meanFieldSteps: 10 });
await dbm.pretrain(x, {
  epochs: o["pretrain-epochs"] ?? 100,
  batchSize: batch,
  rbm: { learningRate: 0.05 },
  callbacks: { onEpochEnd: (l, logs) => console.log(`  RBM ${l + 1} epoch ${logs.epoch}: reconstruction error ${logs.reconstructionError.toFixed(3)}`) },
});
console.log(`pretraining ${seconds(t)}`);
t = performance.now();
await dbm.fit(x, {
  epochs: o["dbm-epochs"] ?? 300,
  batchSize: batch,
  callbacks: {
    onEpochEnd: (l) =>
      console.log(
        `  DBM epoch ${l.epoch}: reconstruction error ${l.reconstructionError.toFixed(3)}, mean-field iterations ${l.meanFieldIterations.toFixed(1)}, ${l.seconds.toFixed(0)} s`,
      ),
  },
});
console.log(`joint training ${seconds(t)}`);
if ((o["ais-runs"] ?? 0) > 0) {
  const b = dbm.logLikelihoodBound(xt.sliceRows(0, Math.min(1000, xt.rows)), { method: "ais", runs: o["ais-runs"], baseData: x, seed });
  console.log(
    `variational lower bound on test log p(v): ${b.bound.toFixed(2)} nats (AIS log Z ${b.logZ.toFixed(2)}); published −84.62 (AIS estimate, not the bound)`,
  );
}
t = performance.now();
const inputs = dbm.classifierInputs(train.images);
const testInputs = dbm.classifierInputs(test.images);
const clf = dbm.toClassifier({ classes: 10, seed });
const err = await finetune(clf, inputs, train.oneHot, testInputs, test.oneHot, {
  epochs: o["finetune-epochs"] ?? 100,
  learningRate: o["finetune-lr"] ?? 0.05,
  batchSize: batch,
  seed,
  label: "DBM classifier",
});
console.log(`fine-tuning ${seconds(t)}`);
report(`DBM ${layers.join("-")}, fine-tuned on [v, q(h2)]`, err, 0.95, "Salakhutdinov & Hinton 2009");
