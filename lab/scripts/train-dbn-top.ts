/**
 * Retrains the top RBM of a label DBN (from `layerwise train dbn --labels`) with persistent
 * contrastive divergence (Tieleman 2008), so that its Gibbs chains, started from noise with a
 * label clamped, dream digits of that class. CD-1 alone fits the top RBM well enough to classify
 * (free-energy accuracy above 90 %) but leaves the model's own distribution with broad spurious
 * modes that every chain falls into; PCD's persistent fantasy particles push those down. With
 * --hidden H other than the top RBM's, a new top RBM of H hidden units is trained from scratch
 * (--chains 0: plain CD-1) on the same penultimate features.
 *   node --import tsx lab/scripts/train-dbn-top.ts STACK OUT [--epochs 15] [--lr 0.01] [--chains 100] [--hidden H]
 */
import { DBN, joinColumns, loadDbn, loadMnist, RBM } from "layerwise";

const [stack, out, ...rest] = process.argv.slice(2);
const option = (name: string, fallback: number): number => {
  const i = rest.indexOf(`--${name}`);
  return i < 0 ? fallback : Number(rest[i + 1]);
};
if (stack === undefined || out === undefined) {
  console.error("usage: node --import tsx lab/scripts/train-dbn-top.ts STACK OUT [--epochs 15] [--lr 0.01] [--chains 100] [--hidden H]");
  process.exit(2);
}
const dbn = await loadDbn(stack);
if (dbn.labels === 0) throw new Error(`${stack}: the DBN has no label units (train it with --labels)`);
const data = await loadMnist({ source: "bundled" });
const top = dbn.top;
// the top RBM's data: the penultimate features p(pen | v) of each digit beside its one-hot label
const visible = joinColumns(dbn.transform(data.train.images), data.train.oneHot);
const hidden = option("hidden", top.hidden);
const pcd = new RBM({ ...top.options, hidden, learningRate: option("lr", 0.01), persistent: option("chains", 100), seed: 2006 });
if (hidden === top.hidden) {
  // go on from the CD-1 weights
  pcd.W.data.set(top.W.data);
  pcd.a.data.set(top.a.data);
  pcd.b.data.set(top.b.data);
  pcd.updates = 1; // keep the trained visible biases (fit sets them from the data on a fresh RBM)
}
const t0 = performance.now();
const logs = await pcd.fit(visible, { epochs: option("epochs", 15), batchSize: 50 });
const retrained = DBN.fromRbms([...dbn.rbms.slice(0, -1), pcd], { labels: dbn.labels, seed: dbn.seed });
await retrained.save(out, {
  topRetrained: { hidden, epochs: option("epochs", 15), lr: option("lr", 0.01), chains: option("chains", 100), data: "bundled training digits (8,000)" },
});
const test = await loadMnist({ source: "bundled", limitTrain: 0 });
const predicted = retrained.classify(test.test.images);
let hits = 0;
for (let i = 0; i < predicted.length; i++) if (predicted[i] === test.test.labels[i]) hits++;
console.log(
  `top RBM (${hidden} hidden) retrained with ${option("chains", 100) > 0 ? "PCD" : "CD-1"}: ${logs.length} epochs, reconstruction error ${logs[logs.length - 1].reconstructionError.toFixed(3)}, ` +
    `free-energy accuracy on the 2,000 bundled test digits ${((100 * hits) / predicted.length).toFixed(1)} %, ${((performance.now() - t0) / 1000).toFixed(0)} s; saved to ${out}`,
);
