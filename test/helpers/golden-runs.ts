/**
 * One small seeded training run of each model family, reduced to the SHA-256 of its learned
 * parameters. The hashes in golden.test.ts were recorded on the tree before the "one house"
 * restructuring (issue 18); a refactor that changes any float of any run changes its hash.
 * Only the public package API is used, so the runs survive moves inside src/.
 */
import { createHash } from "node:crypto";
import {
  Adam,
  BoltzmannMachine,
  binarize,
  DBM,
  DBN,
  Dense,
  flipUnits,
  Hopfield,
  lenetRelu,
  mnist,
  Perceptron,
  RBM,
  Rng,
  randomPatterns,
  Sequential,
  SGD,
  type Tensor,
  toBinary,
  upDown,
} from "layerwise";

export function sha256(tensors: readonly Tensor[]): string {
  const h = createHash("sha256");
  for (const t of tensors) {
    h.update(JSON.stringify(t.shape));
    h.update(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
  }
  return h.digest("hex");
}

async function digits(limitTrain: number) {
  const { train } = await mnist.load({ limitTrain, limitTest: 10 });
  return train;
}

export const goldenRuns: Record<string, () => Promise<string>> = {
  async mlpAdam() {
    const train = await digits(500);
    const mlp = new Sequential([new Dense(32, { activation: "relu" }), new Dense(10, { activation: "softmax" })], { inputShape: [784], seed: 3 });
    mlp.compile({ loss: "categoricalCrossentropy", optimizer: new Adam({ learningRate: 0.01 }) });
    await mlp.fit(train.images, train.oneHot, { epochs: 2, batchSize: 50, verbose: false });
    return sha256(mlp.getWeights());
  },
  async lenet() {
    const train = await digits(200);
    const net = lenetRelu({ seed: 2, widths: [4, 8, 32, 16] });
    net.compile({ loss: "categoricalCrossentropy", optimizer: new SGD({ learningRate: 0.05, momentum: 0.9 }) });
    await net.fit(train.images.reshape([200, 28, 28, 1]), train.oneHot, { epochs: 1, batchSize: 50, verbose: false });
    return sha256(net.getWeights());
  },
  async rbmCd1() {
    const v = binarize((await digits(500)).images);
    const rbm = new RBM({ visible: 784, hidden: 40, cdSteps: 1, learningRate: 0.05, seed: 4 });
    await rbm.fit(v, { epochs: 2, batchSize: 50 });
    return sha256([rbm.W, rbm.a, rbm.b]);
  },
  async rbmPcd() {
    const v = binarize((await digits(500)).images);
    const rbm = new RBM({ visible: 784, hidden: 40, cdSteps: 1, persistent: 20, learningRate: 0.02, seed: 5 });
    await rbm.fit(v, { epochs: 2, batchSize: 50 });
    return sha256([rbm.W, rbm.a, rbm.b]);
  },
  async dbnFinetune() {
    const train = await digits(500);
    const dbn = new DBN({ layers: [784, 40, 30], seed: 6 });
    await dbn.pretrain(train.images, { epochs: 2, batchSize: 50 });
    const clf = dbn.toClassifier({ classes: 10 });
    clf.compile({ loss: "categoricalCrossentropy", optimizer: new SGD({ learningRate: 0.1 }) });
    await clf.fit(train.images, train.oneHot, { epochs: 1, batchSize: 50, verbose: false });
    return sha256(clf.getWeights());
  },
  async dbnUpDown() {
    const train = await digits(300);
    const v = binarize(train.images);
    const dbn = new DBN({ layers: [784, 30, 20], labels: 10, seed: 7 });
    await dbn.pretrain(v, { epochs: 1, batchSize: 50, labels: train.oneHot });
    await upDown(dbn, v, train.oneHot, { epochs: 1, batchSize: 50 });
    return sha256([...dbn.rbms.flatMap((r) => [r.W, r.a, r.b]), ...(dbn.generativeW ?? [])]);
  },
  async dbnSampled() {
    const train = await digits(300);
    const dbn = new DBN({ layers: [784, 30, 20], labels: 10, seed: 15 });
    await dbn.pretrain(train.images, { epochs: [1, 2], batchSize: 50, propagate: "sample", sampleData: true, labels: train.oneHot });
    return sha256(dbn.rbms.flatMap((r) => [r.W, r.a, r.b]));
  },
  async dbm() {
    const train = await digits(300);
    const v = binarize(train.images);
    const dbm = new DBM({ layers: [784, 30, 20], seed: 8 });
    await dbm.pretrain(v, { epochs: 1, batchSize: 50 });
    await dbm.fit(v, { epochs: 2, batchSize: 50 });
    return sha256([...dbm.W, ...dbm.biases]);
  },
  async hopfield() {
    const rng = new Rng(9);
    const patterns = randomPatterns(6, 100, rng);
    const net = new Hopfield({ size: 100, states: "bipolar" });
    net.store(patterns, { rule: "hebbian" });
    const { state } = net.recall(flipUnits(patterns, 0.15, rng).row(0), { update: "async", seed: 10 });
    return sha256([net.weights, state]);
  },
  async boltzmann() {
    const rng = new Rng(11);
    const data = toBinary(randomPatterns(8, 6, rng));
    const bm = new BoltzmannMachine({ visible: 6, hidden: 2, seed: 12 });
    bm.fit(data, { epochs: 5, method: "gibbs", learningRate: 0.1, gibbs: { chains: 4, burnIn: 10, samples: 10, seed: 13 } });
    bm.fit(data, { epochs: 5, method: "exact", learningRate: 0.1 });
    return sha256([bm.weights, bm.thresholds]);
  },
  async perceptron() {
    const train = await digits(500);
    const p = new Perceptron({ classes: 10, maxEpochs: 3, seed: 14 });
    const labels = Array.from(train.labels);
    p.fit(binarize(train.images), labels);
    return sha256([p.weights as Tensor, p.bias as Tensor]);
  },
};
