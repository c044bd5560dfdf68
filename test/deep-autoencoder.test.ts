// The RBM-pretrained deep autoencoder (Hinton & Salakhutdinov 2006) at a small size on the
// bundled digits: pretraining, then fine-tuning, lower the reconstruction error; the 2-D codes
// separate the classes well above chance. knnAccuracy on a hand-made case; the scatter plots.
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { loadMnist } from "../src/data/mnist.js";
import { codesScatterImage, codesScatterSvg, knnAccuracy } from "../src/models/autoencoders/codes.js";
import { DeepAutoencoder } from "../src/models/autoencoders/deep.js";
import { loadModel } from "../src/models/load.js";
import { PCA } from "../src/models/pca/pca.js";
import type { Dense } from "../src/nn/dense.js";
import { Adam } from "../src/optim/adam.js";
import { fromArray } from "../src/tensor/tensor.js";

test("deep autoencoder 784-64-32-2: pretraining then fine-tuning lower the error; the 2-D codes separate classes", async () => {
  const { train, test: held } = await loadMnist({ limitTrain: 1500, limitTest: 400 });
  const ae = new DeepAutoencoder({ layers: [784, 64, 32, 2], seed: 1 });
  // the code layer is linear (Gaussian hidden units in the top RBM), the rest logistic
  assert.deepEqual(
    ae.model.layers.map((l) => (l as Dense).activation),
    ["sigmoid", "sigmoid", "linear", "sigmoid", "sigmoid", "sigmoid"],
  );
  const untrained = ae.reconstructionError(held.images);
  await ae.pretrain(train.images, { epochs: 2, batchSize: 50 });
  const unrolled = ae.reconstructionError(held.images);
  await ae.fit(train.images, { epochs: 3, batchSize: 250, seed: 1 });
  const fineTuned = ae.reconstructionError(held.images);
  const pca = new PCA({ components: 2 }).fit(train.images);
  console.log(
    `  ‖x − x̂‖² per test digit: untrained ${untrained.toFixed(1)}, unrolled ${unrolled.toFixed(1)}, fine-tuned ${fineTuned.toFixed(1)}, PCA-2 ${pca.reconstructionError(held.images).toFixed(1)}`,
  );
  assert.ok(unrolled < 0.5 * untrained, `pretraining: ${unrolled} should be under half the untrained ${untrained}`);
  assert.ok(fineTuned < 0.9 * unrolled, `fine-tuning: ${fineTuned} should be 10% under the unrolled ${unrolled}`);
  const codes = ae.encode(held.images);
  assert.deepEqual(codes.shape, [400, 2]);
  // decode(encode(x)) is the net's own output
  const again = ae.decode(codes);
  const direct = ae.reconstruct(held.images);
  assert.ok(again.data.every((v, i) => Math.abs(v - direct.data[i]) < 1e-5));
  const knn = knnAccuracy(ae.encode(train.images), train.labels, codes, held.labels, 5);
  const knnPca = knnAccuracy(pca.transform(train.images), train.labels, pca.transform(held.images), held.labels, 5);
  console.log(`  5-NN accuracy of the 2-D codes ${knn.toFixed(3)}, of PCA-2 ${knnPca.toFixed(3)}`);
  assert.ok(knn > 0.3, `kNN accuracy of the codes ${knn} should be far above chance (0.1)`);
});

test("knnAccuracy: majority of the k nearest, ties to the nearest's class; k checked", () => {
  const train = fromArray([0, 0, 0, 1, 10, 0, 10, 1, 5, 0], [5, 2]);
  const trainLabels = [0, 0, 1, 1, 2];
  const queries = fromArray([1, 0, 9, 0, 6, 0, 4, 0], [4, 2]);
  const labels = [0, 1, 2, 2];
  assert.equal(knnAccuracy(train, trainLabels, queries, labels, 1), 1);
  // k = 3: (6, 0) and (4, 0) see class 2 at distance 1, but the other side twice farther away: outvoted
  assert.equal(knnAccuracy(train, trainLabels, queries, labels, 3), 0.5);
  // k = 2: (4, 0) ties 2 (distance 1) against 0 (distance 16): the nearest wins
  assert.equal(knnAccuracy(train, trainLabels, queries.sliceRows(3, 4), [2], 2), 1);
  assert.throws(() => knnAccuracy(train, trainLabels, queries, labels, 6), /k must be an integer in \[1, 5\] \(the training rows\); got 6/);
  assert.throws(() => knnAccuracy(train, trainLabels, queries, labels, 0), /k must be an integer in \[1, 5\]/);
  assert.throws(() => knnAccuracy(train, [0, 1], queries, labels, 1), /one label per row/);
});

test("codes scatter: one point per row in each panel, a legend of the classes; the RGB picture the same size", () => {
  const codes = fromArray([0, 0, 1, 1, 2, 0, 3, 5, -1, 2, 4, 4], [6, 2]);
  const labels = [0, 1, 2, 3, 1, 9];
  const panels = [
    { title: "deep autoencoder", codes },
    {
      title: "PCA <2>",
      codes: fromArray(
        codes.data.map((v) => -v),
        [6, 2],
      ),
    },
  ];
  const svg = codesScatterSvg(panels, labels, { panelSize: 200 });
  assert.equal(svg.match(/<circle /g)?.length, 12);
  assert.match(svg, /PCA &lt;2&gt;/);
  const legend = svg.slice(svg.indexOf('class="legend"'));
  assert.deepEqual(
    [...legend.matchAll(/<text [^>]*>(\d)<\/text>/g)].map((m) => Number(m[1])),
    [0, 1, 2, 3, 9],
  );
  const image = codesScatterImage(panels, labels, { panelSize: 200 });
  assert.equal(image.pixels.length, image.width * image.height * 3);
  assert.equal(image.width, 2 * 200 + 60);
  // the colour of class 9 (#bab0ac) is painted
  let found = false;
  for (let i = 0; i < image.pixels.length; i += 3) if (image.pixels[i] === 0xba && image.pixels[i + 1] === 0xb0 && image.pixels[i + 2] === 0xac) found = true;
  assert.ok(found);
  assert.throws(() => codesScatterSvg({ title: "x", codes: fromArray([1, 2, 3], [1, 3]) }, [0]), /must be \[rows, 2\]/);
  assert.throws(() => codesScatterSvg(panels, [0, 1, 2, 3, 1, 10]), /labels must be integers in \[0, 9\]; got 10 at row 5/);
  assert.throws(() => codesScatterSvg(panels, labels, { panelSize: 50 }), /panelSize must be an integer in \[100, 4000\]; got 50/);
});

test("DeepAutoencoder save / loadModel: the same codes, the same net and stack; fine-tuning goes on as it would have", async () => {
  const { train } = await loadMnist({ limitTrain: 200, limitTest: 0 });
  const make = () => new DeepAutoencoder({ layers: [784, 32, 2], seed: 3, optimizer: new Adam({ learningRate: 0.003 }) });
  const ae = make();
  await ae.pretrain(train.images, { epochs: 1, batchSize: 50 });
  await ae.fit(train.images, { epochs: 1, batchSize: 50, seed: 2 });
  const dir = await mkdtemp(join(tmpdir(), "deep-ae-"));
  try {
    await ae.save(dir);
    const loaded = await loadModel(dir);
    assert.ok(loaded instanceof DeepAutoencoder);
    assert.deepEqual(loaded.layers, [784, 32, 2]);
    assert.equal(loaded.epochsTrained, 1);
    assert.deepEqual(loaded.encode(train.images).data, ae.encode(train.images).data);
    assert.deepEqual(
      loaded.dbn.getWeights().map((w) => w.data),
      ae.dbn.getWeights().map((w) => w.data),
    );
    // the optimiser's moments and the shuffling came along: one more epoch each gives the same net
    await ae.fit(train.images, { epochs: 1, initialEpoch: 1, batchSize: 50 });
    await loaded.fit(train.images, { epochs: 1, initialEpoch: 1, batchSize: 50 });
    assert.deepEqual(loaded.reconstruct(train.images).data, ae.reconstruct(train.images).data);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("DeepAutoencoder: bad options are refused by name", () => {
  assert.throws(() => new DeepAutoencoder({ layers: [784] }), /layers must list at least two sizes/);
  assert.throws(() => new DeepAutoencoder({ layers: [784, 0] }), /layers\[1\] must be an integer >= 1, got 0/);
  assert.throws(() => new DeepAutoencoder({ layers: [784, 30], codeUnits: "relu" as "gaussian" }), /codeUnits must be "gaussian" or "bernoulli"; got "relu"/);
  assert.throws(() => new DeepAutoencoder({ layers: [784, 30], rbm: [{}, {}] }), /one object or an array of 1/);
  const ae = new DeepAutoencoder({ layers: [16, 8, 2] });
  assert.throws(() => ae.encode(fromArray(new Float32Array(10), [2, 5])), /DeepAutoencoder.encode: expected \[rows, 16\]; got \[2,5\]/);
  assert.throws(() => ae.decode(fromArray(new Float32Array(6), [2, 3])), /DeepAutoencoder.decode: expected \[rows, 2\]/);
});
