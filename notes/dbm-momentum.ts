/**
 * Why momentum 0.9 breaks our DBM's joint training: a testbed. It loads a doubled stack that
 * examples/dbm-mnist.ts --labels saved (out/stack; copy it first, this script resumes it as a
 * checkpoint and so may write there), jointly trains the labelled 784-500-1000 DBM on the first
 * --rows training images, and prints after every epoch the reconstruction error, the label
 * read-out on 5,000 held-out training images (rows 50,000-54,999), the largest weights and the
 * biases' range, the chains' and the data's mean activities. Momentum is 0.5 for the first 5
 * epochs, then --momentum. On the full-data runs the blow-up starts in the first epoch at 0.9;
 * here it shows within a few hundred updates, in about 15 s an epoch at 1 thread.
 *
 *   cp -r runs/dbmL2/stack /tmp/stack && node --import tsx examples/dbm-momentum.ts --stack /tmp/stack --momentum 0.9
 */
import { DBM } from "../src/models/dbm/dbm.js";
import { meanAll } from "../src/ops/reduce.js";
import type { Tensor } from "../src/tensor/tensor.js";
import { labelReadoutError, scriptData, scriptOptions } from "./dbn-common.js";

const o = scriptOptions("dbm-momentum", "DBM joint training from a saved doubled stack: where momentum 0.9 diverges", {
  stack: { type: "string", description: "the doubled stack folder (out/stack of dbm-mnist.ts --labels, 50 epochs a layer)" },
  rows: { type: "number", description: "training rows for joint training", default: 10000, integer: true, min: 100, max: 50000 },
  epochs: { type: "number", description: "joint-training epochs", default: 9, integer: true, min: 1 },
  lr: { type: "number", description: "joint-training ε", default: 0.001, min: 0 },
  momentum: { type: "number", description: "momentum from epoch 6 (0.5 before)", default: 0.9, min: 0, max: 0.99 },
  chains: { type: "number", description: "persistent chains", default: 100, integer: true, min: 1 },
  "gibbs-steps": { type: "number", description: "Gibbs sweeps per update", default: 5, integer: true, min: 1 },
  "chain-mean-step": { type: "boolean", description: "Salakhutdinov's mean-field step on the chains' h2" },
});
if (o.stack === undefined) {
  console.error("dbm-momentum: --stack DIR is required (a copy of dbm-mnist.ts --labels --out DIR's DIR/stack)");
  process.exit(2);
}
const { train } = await scriptData(o);
if (train.images.rows < 55000) {
  console.error("dbm-momentum: needs the full MNIST training set (the read-out rows are 50,000-54,999)");
  process.exit(2);
}
const rows = o.rows ?? 10000;
const x = train.images.sliceRows(0, rows);
const y = train.oneHot.sliceRows(0, rows);
const held = train.images.sliceRows(50000, 55000);
const heldLabels = train.labels.subarray(50000, 55000);
const dbm = new DBM({
  layers: [784, 500, 1000],
  labels: 10,
  seed: o.seed ?? 1,
  learningRate: o.lr ?? 0.001,
  momentum: o.momentum ?? 0.9,
  chains: o.chains ?? 100,
  gibbsSteps: o["gibbs-steps"] ?? 5,
  chainMeanStep: o["chain-mean-step"] ?? false,
});
// the stack is complete, so this only loads and joins it
await dbm.pretrain(train.images.sliceRows(0, 50000), {
  epochs: 50,
  batchSize: 100,
  rbm: { learningRate: 0.05, weightDecay: 0.001 },
  sampleData: true,
  labels: train.oneHot.sliceRows(0, 50000),
  checkpoint: o.stack,
});

const readout = (): string => labelReadoutError(dbm, held, heldLabels).toFixed(2);
const range = (t: Tensor): string =>
  `${t.data.reduce((a, b) => Math.min(a, b), Infinity).toFixed(2)}..${t.data.reduce((a, b) => Math.max(a, b), -Infinity).toFixed(2)}`;
const state = (): string => {
  const maxW = dbm.W.map((w) => w.data.reduce((a, b) => Math.max(a, Math.abs(b)), 0).toFixed(2)).join(" / ");
  const chains = dbm
    .namedTensors()
    .filter(([n]) => n.startsWith("chains.h"))
    .map(([, t]) => meanAll(t).toFixed(3));
  const data = dbm.meanField(held.sliceRows(0, 500)).mu.map((m) => meanAll(m).toFixed(3));
  return `max |W| ${maxW}, biases ${dbm.biases.map(range).join(" / ")}, mean activity: chains ${chains.join(" / ") || "-"}, data μ ${data.join(" / ")}`;
};
console.log(`pretrained: read-out ${readout()} %, ${state()}`);
await dbm.fit(x, {
  epochs: o.epochs ?? 9,
  batchSize: 100,
  sampleData: true,
  labels: y,
  callbacks: {
    onEpochEnd: (l) =>
      console.log(
        `  epoch ${l.epoch} (momentum ${l.momentum}): reconstruction error ${l.reconstructionError.toFixed(3)}, read-out ${readout()} %, ${state()}, ${l.seconds.toFixed(0)} s`,
      ),
  },
});
