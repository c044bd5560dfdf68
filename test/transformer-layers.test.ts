import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { MultiHeadSelfAttention } from "../src/nn/attention.js";
import { GELU } from "../src/nn/gelu.js";
import { LayerNorm } from "../src/nn/layer-norm.js";
import { PatchEmbedding, PositionalEmbedding, patchGrid, patchify, unpatchify } from "../src/nn/patches.js";
import { layerFromConfig } from "../src/nn/registry.js";
import { TransformerBlock } from "../src/nn/transformer.js";
import { Rng } from "../src/tensor/random.js";
import { randNormal, tensor, zeros } from "../src/tensor/tensor.js";
import { checkLayerGradients } from "./helpers/gradcheck.js";

describe("GELU", () => {
  it("backward matches finite differences", () => {
    const layer = new GELU({ name: "gelu" });
    layer.build([7], new Rng(0));
    checkLayerGradients(layer, randNormal([3, 7], new Rng(1), 0, 2), { epsilon: 1e-3 });
  });

  it("computes the textbook values (gelu(0) = 0, gelu(z) ≈ z for large z, ≈ 0 for very negative z, gelu(1) ≈ 0.8412)", () => {
    const layer = new GELU();
    layer.build([4], new Rng(0));
    const y = layer.forward(tensor([[0, 8, -8, 1]]), false).data;
    assert.equal(y[0], 0);
    assert.ok(Math.abs(y[1] - 8) < 1e-5 && Math.abs(y[2]) < 1e-5);
    assert.ok(Math.abs(y[3] - 0.8412) < 1e-3, `gelu(1) = ${y[3]}`);
  });
});

describe("LayerNorm", () => {
  it("backward matches finite differences (x, γ, β) on rank-3 tokens", () => {
    const layer = new LayerNorm({ name: "ln" });
    layer.build([3, 6], new Rng(0));
    for (let j = 0; j < 6; j++) {
      layer.gamma.value.data[j] = 0.5 + 0.2 * j;
      layer.beta.value.data[j] = 0.1 * j - 0.2;
    }
    checkLayerGradients(layer, randNormal([2, 3, 6], new Rng(2), 0.5, 1.5), { epsilon: 1e-2, tolerance: 5e-3 });
  });

  it("gives each row mean 0 and variance 1 before γ, β; bad options and inputs fail by name", () => {
    const layer = new LayerNorm();
    layer.build([5], new Rng(0));
    const y = layer.forward(randNormal([4, 5], new Rng(3), 3, 2), false);
    for (let r = 0; r < 4; r++) {
      const row = [...y.data.subarray(r * 5, r * 5 + 5)];
      const mu = row.reduce((a, b) => a + b) / 5;
      const v = row.reduce((a, b) => a + (b - mu) ** 2, 0) / 5;
      assert.ok(Math.abs(mu) < 1e-5 && Math.abs(v - 1) < 1e-3, `row ${r}: mean ${mu}, variance ${v}`);
    }
    assert.throws(() => new LayerNorm({ epsilon: 0 }), /LayerNorm: epsilon must be a number > 0; got 0/);
    assert.throws(() => layer.forward(zeros([2, 4]), false), /expected input \[\.\.\., 5\]; got \[2,4\]/);
  });
});

describe("MultiHeadSelfAttention", () => {
  it("backward matches finite differences (x and the four projections), two heads", () => {
    const layer = new MultiHeadSelfAttention({ heads: 2, name: "mhsa" });
    layer.build([5, 4], new Rng(1));
    checkLayerGradients(layer, randNormal([3, 5, 4], new Rng(4)), { epsilon: 1e-2, tolerance: 5e-3, maxChecks: 30 });
  });

  it("mixes tokens within an example only, and is permutation-equivariant over tokens", () => {
    const layer = new MultiHeadSelfAttention({ heads: 2 });
    layer.build([3, 4], new Rng(2));
    const x = randNormal([2, 3, 4], new Rng(5));
    const y = layer.forward(x, false).clone();
    // swap tokens 0 and 2 of example 0, change example 1 entirely
    const x2 = x.clone();
    for (let j = 0; j < 4; j++) {
      x2.data[j] = x.data[8 + j];
      x2.data[8 + j] = x.data[j];
    }
    for (let i = 12; i < 24; i++) x2.data[i] += 1;
    const y2 = layer.forward(x2, false);
    for (let j = 0; j < 4; j++) {
      assert.ok(Math.abs(y2.data[j] - y.data[8 + j]) < 1e-5 && Math.abs(y2.data[8 + j] - y.data[j]) < 1e-5);
      assert.ok(Math.abs(y2.data[4 + j] - y.data[4 + j]) < 1e-5);
    }
  });

  it("rejects heads that do not divide the width and bad inputs, naming the option", () => {
    assert.throws(() => new MultiHeadSelfAttention({ heads: 0 }), /heads must be an integer >= 1; got 0/);
    assert.throws(() => new MultiHeadSelfAttention({ heads: 3 }).build([4, 8], new Rng(0)), /heads \(3\) must divide the width 8/);
    assert.throws(() => new MultiHeadSelfAttention({ heads: 2 }).build([8], new Rng(0)), /input shape must be \[tokens, width\]/);
    const layer = new MultiHeadSelfAttention({ heads: 2 });
    layer.build([4, 8], new Rng(0));
    assert.throws(() => layer.forward(zeros([2, 5, 7]), false), /expected input \[batch, tokens, 8\]; got \[2,5,7\]/);
  });
});

describe("PatchEmbedding and PositionalEmbedding", () => {
  it("patchify cuts row-major p×p tiles and unpatchify puts them back", () => {
    const g = patchGrid([4, 4, 1], 2, "test");
    const img = tensor([[...Array.from({ length: 16 }, (_, i) => i)]]);
    const p = patchify(g, img);
    assert.deepEqual(p.shape, [1, 4, 4]);
    assert.deepEqual([...p.data.subarray(0, 4)], [0, 1, 4, 5]);
    assert.deepEqual([...p.data.subarray(4, 8)], [2, 3, 6, 7]);
    assert.deepEqual([...p.data.subarray(12, 16)], [10, 11, 14, 15]);
    assert.deepEqual([...unpatchify(g, p).data], [...img.data]);
  });

  it("PatchEmbedding backward matches finite differences, on [b, 784]-style flat and on [b, H, W, C] images", () => {
    const flat = new PatchEmbedding({ patchSize: 2, dim: 3, name: "patches" });
    assert.deepEqual(flat.build([16], new Rng(0)), [4, 3]);
    checkLayerGradients(flat, randNormal([2, 16], new Rng(6)), { epsilon: 1e-2 });
    const nhwc = new PatchEmbedding({ patchSize: 2, dim: 3, name: "patches_rgb" });
    assert.deepEqual(nhwc.build([4, 6, 2], new Rng(0)), [6, 3]);
    checkLayerGradients(nhwc, randNormal([2, 4, 6, 2], new Rng(7)), { epsilon: 1e-2 });
  });

  it("PositionalEmbedding backward matches finite differences", () => {
    const layer = new PositionalEmbedding({ name: "pos" });
    layer.build([4, 3], new Rng(0));
    checkLayerGradients(layer, randNormal([3, 4, 3], new Rng(8)), { epsilon: 1e-2 });
  });

  it("a patch size that does not tile the image fails with a message naming patchSize", () => {
    assert.throws(() => new PatchEmbedding({ patchSize: 5, dim: 8 }).build([784], new Rng(0)), /patchSize 5 does not tile the 28×28 image.*1, 2, 4, 7, 14, 28/);
    assert.throws(() => new PatchEmbedding({ patchSize: 0, dim: 8 }), /patchSize must be an integer >= 1; got 0/);
    assert.throws(() => new PatchEmbedding({ patchSize: 4, dim: 0 }), /dim must be an integer >= 1; got 0/);
    assert.throws(() => new PatchEmbedding({ patchSize: 2, dim: 8 }).build([10], new Rng(0)), /square images \[pixels\]; got \[10\]/);
    assert.throws(() => new PositionalEmbedding().build([5], new Rng(0)), /input shape must be \[tokens, dim\]/);
  });
});

describe("TransformerBlock", () => {
  it("backward matches finite differences (x and every param of LN, attention, MLP)", () => {
    const layer = new TransformerBlock({ heads: 2, mlpRatio: 2, name: "block" });
    layer.build([3, 4], new Rng(3));
    checkLayerGradients(layer, randNormal([2, 3, 4], new Rng(9)), { epsilon: 1e-2, tolerance: 5e-3, maxChecks: 20 });
    assert.deepEqual(
      layer.params().map((p) => p.name),
      [
        "ln1.gamma",
        "ln1.beta",
        "attention.query.kernel",
        "attention.query.bias",
        "attention.key.kernel",
        "attention.key.bias",
        "attention.value.kernel",
        "attention.value.bias",
        "attention.output.kernel",
        "attention.output.bias",
        "ln2.gamma",
        "ln2.beta",
        "fc1.kernel",
        "fc1.bias",
        "fc2.kernel",
        "fc2.bias",
      ],
    );
  });

  it("rebuilds from its config (every new layer is registered)", () => {
    for (const layer of [
      new TransformerBlock({ heads: 2, mlpRatio: 3, name: "b" }),
      new MultiHeadSelfAttention({ heads: 4, name: "a" }),
      new LayerNorm({ epsilon: 1e-6 }),
      new GELU(),
      new PatchEmbedding({ patchSize: 7, dim: 16 }),
      new PositionalEmbedding(),
    ])
      assert.deepEqual(layerFromConfig(layer.config()).config(), layer.config());
    assert.throws(() => new TransformerBlock({ heads: 2, mlpRatio: 0 }), /mlpRatio must be a number > 0; got 0/);
  });
});
