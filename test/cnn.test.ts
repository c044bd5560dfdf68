import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { loadMnist } from "../src/data/mnist.js";
import { oneHot } from "../src/data/transforms.js";
import { lenet5, lenetRelu } from "../src/models/cnn/lenet.js";
import { padSequences, sentenceCnn } from "../src/models/cnn/sentence-cnn.js";
import { argmax } from "../src/ops/index.js";
import { Adam } from "../src/optim/adam.js";
import { Rng } from "../src/tensor/random.js";
import { zeros } from "../src/tensor/tensor.js";
import { loadSequential as loadModel } from "../src/train/load.js";

describe("LeNet", () => {
  it("LeNet-5 has the paper's maps and 61,706 weights (with a full C3 table)", () => {
    const model = lenet5().build();
    const shapes: string[] = [];
    let h = zeros([1, 28, 28, 1]);
    for (const layer of model.layers) {
      h = layer.forward(h, false);
      shapes.push(`${layer.name} ${h.shape.slice(1).join("x")}`);
    }
    assert.deepEqual(shapes, ["c1 28x28x6", "s2 14x14x6", "c3 10x10x16", "s4 5x5x16", "c5 1x1x120", "flatten 120", "f6 84", "output 10"]);
    assert.equal(
      model.params().reduce((s, p) => s + p.value.size, 0),
      61706,
    );
  });

  it("the ReLU variant reaches ≥ 95 % test accuracy on the bundled digits, and saves and loads", async () => {
    const { train, test } = await loadMnist();
    const model = lenetRelu({ seed: 1, dropout: 0.25 });
    model.compile({ loss: "categoricalCrossentropy", optimizer: new Adam({ learningRate: 0.002 }), metrics: ["accuracy"] });
    await model.fit(train.images, train.oneHot, { epochs: 4, batchSize: 32, seed: 2 });
    const { accuracy } = model.evaluate(test.images, test.oneHot);
    assert.ok(accuracy >= 0.95, `test accuracy ${accuracy} < 0.95`);

    const dir = await mkdtemp(join(tmpdir(), "layerwise-lenet-"));
    try {
      await model.save(dir);
      const loaded = await loadModel(dir);
      const a = model.predict(test.images.sliceRows(0, 50));
      const b = loaded.predict(test.images.sliceRows(0, 50));
      assert.deepEqual(Array.from(b.data), Array.from(a.data));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

/**
 * A phrase-detection task: sentences of 12 random tokens; the label is 1 exactly when the
 * two-token phrase (1, 2) occurs somewhere. Negative sentences may contain 1 and 2 apart, so
 * only a window over consecutive tokens can tell the classes apart, wherever the phrase sits.
 */
function phraseData(n: number, rng: Rng): { sentences: number[][]; labels: number[] } {
  const sentences: number[][] = [];
  const labels: number[] = [];
  for (let i = 0; i < n; i++) {
    const s = Array.from({ length: 12 }, () => 3 + rng.int(27));
    const positive = i % 2 === 0;
    if (positive) {
      const at = rng.int(11);
      s[at] = 1;
      s[at + 1] = 2;
    } else {
      // the same tokens, never adjacent in this order
      const a = rng.int(6);
      const b = 7 + rng.int(5);
      s[a] = rng.bernoulli(0.5) ? 2 : 1;
      s[b] = s[a] === 1 ? 2 : 1;
      if (rng.bernoulli(0.5)) s[b] = s[a] === 1 ? 1 : 2;
    }
    sentences.push(s);
    labels.push(positive ? 1 : 0);
  }
  return { sentences, labels };
}

describe("sentence CNN", () => {
  it("learns to detect a phrase anywhere in a sentence", async () => {
    const rng = new Rng(11);
    const trainSet = phraseData(800, rng);
    const testSet = phraseData(400, rng);
    const model = sentenceCnn({ vocabSize: 30, maxLength: 12, embeddingDim: 16, windowSizes: [2, 3], filters: 16, dropout: 0.5, seed: 3 });
    model.compile({ loss: "categoricalCrossentropy", optimizer: new Adam({ learningRate: 0.01 }), metrics: ["accuracy"] });
    await model.fit(padSequences(trainSet.sentences, 12), oneHot(trainSet.labels, 2), { epochs: 15, batchSize: 32, seed: 4 });
    const predicted = argmax(model.predict(padSequences(testSet.sentences, 12)));
    const accuracy = testSet.labels.filter((l, i) => predicted[i] === l).length / testSet.labels.length;
    assert.ok(accuracy >= 0.95, `phrase detection accuracy ${accuracy} < 0.95`);
  });

  it("pads and truncates a tokenised corpus", () => {
    const x = padSequences([[5, 6, 7, 8], [9]], 3);
    assert.deepEqual(x.toArray(), [
      [5, 6, 7],
      [9, 0, 0],
    ]);
    assert.throws(() => padSequences([[1, -2]], 3), /sentence 0, token 1 is -2/);
    assert.throws(() => sentenceCnn({ vocabSize: 10, maxLength: 4, windowSizes: [5] }), /window size 5 must be an integer in \[1, maxLength = 4\]/);
  });
});

describe("layerwise train cnn", () => {
  it("trains, saves the model and writes filter and feature-map PNGs; rejects a bad --augment", async () => {
    const { main } = await import("../src/cli/main.js");
    const { readdir } = await import("node:fs/promises");
    const dir = await mkdtemp(join(tmpdir(), "layerwise-cnn-cli-"));
    const log = console.log;
    const error = console.error;
    const lines: string[] = [];
    console.log = (s: string) => lines.push(String(s));
    console.error = (s: string) => lines.push(String(s));
    try {
      const args = [
        "train",
        "cnn",
        "--arch",
        "lenet-relu",
        "--augment",
        "rotate=15,shift=2",
        "--epochs",
        "1",
        "--limit-train",
        "300",
        "--limit-test",
        "100",
        "--out",
        dir,
        "--quiet",
      ];
      assert.equal(await main(args), 0);
      const files = await readdir(dir);
      for (const f of ["model.json", "model.safetensors", "filters-c1.png", "feature-maps-c1.png", "feature-maps-c3.png"])
        assert.ok(files.includes(f), `${f} missing from ${files.join(", ")}`);
      assert.ok((await loadModel(dir)).layers.some((l) => l.config().className === "Conv2D"));
      assert.equal(await main(["train", "cnn", "--augment", "spin=3", "--out", dir]), 2);
      assert.ok(
        lines.some((l) => /unknown key "spin"/.test(l)),
        lines.join("\n"),
      );
    } finally {
      console.log = log;
      console.error = error;
      await rm(dir, { recursive: true, force: true });
    }
  });
});
