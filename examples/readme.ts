/**
 * The README's library example, runnable (small sizes so it finishes in seconds):
 *   node --import tsx examples/readme.ts
 */
import { binarize, DBN, Dense, Dropout, flipUnits, Hopfield, mnist, RBM, Rng, randomPatterns, Sequential, SGD } from "layerwise";

const { train, test } = await mnist.load({ limitTrain: 2000, limitTest: 500 }); // bundled digits; { dir } for the full IDX files

// A multilayer perceptron, Keras style
const mlp = new Sequential([new Dense(500, { activation: "relu" }), new Dropout(0.2), new Dense(10, { activation: "softmax" })], {
  inputShape: [784],
  seed: 1,
});
mlp.compile({ loss: "categoricalCrossentropy", optimizer: new SGD({ learningRate: 0.05, momentum: 0.9 }), metrics: ["accuracy"] });
await mlp.fit(train.images, train.oneHot, { epochs: 3, batchSize: 100, validationSplit: 0.1 });
console.log("MLP", mlp.evaluate(test.images, test.oneHot));

// A restricted Boltzmann machine: fit / transform / reconstruct / sample / score
const v = binarize(train.images);
const rbm = new RBM({ visible: 784, hidden: 100, cdSteps: 1, learningRate: 0.05, seed: 1 });
await rbm.fit(v, { epochs: 2, batchSize: 100 });
const features = rbm.transform(binarize(test.images)); // p(h = 1 | v)
console.log("RBM features", features.shape, "AIS log-likelihood", rbm.logLikelihood(binarize(test.images).sliceRows(0, 100), { method: "ais", runs: 16 }));

// A deep belief net: greedy pretraining, then a Sequential classifier initialised from the RBMs
const dbn = new DBN({ layers: [784, 100, 100], seed: 1 });
await dbn.pretrain(train.images, { epochs: 1, batchSize: 100 });
const clf = dbn.toClassifier({ classes: 10 });
console.log("DBN classifier", clf.summary().split("\n").length, "summary lines");

// A Hopfield network: energy descent to stored patterns
const rng = new Rng(1);
const patterns = randomPatterns(10, 200, rng);
const net = new Hopfield({ size: 200, states: "bipolar" });
net.store(patterns, { rule: "pseudo-inverse" });
const noisy = flipUnits(patterns, 0.1, rng).row(0);
const { converged, energyTrace } = net.recall(noisy, { update: "async", seed: 3 });
console.log("Hopfield converged", converged, "energy", energyTrace[0].toFixed(1), "→", energyTrace[energyTrace.length - 1].toFixed(1));
