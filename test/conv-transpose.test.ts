import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { loadMnist } from "../src/data/mnist.js";
import { Conv2D } from "../src/nn/conv.js";
import { Conv2DTranspose } from "../src/nn/conv-transpose.js";
import { MaxPool2D } from "../src/nn/pool.js";
import { layerFromConfig } from "../src/nn/registry.js";
import { Flatten } from "../src/nn/reshape.js";
import { UpSampling2D } from "../src/nn/upsampling.js";
import { squaredErrorPerRow } from "../src/ops/reduce.js";
import { Adam } from "../src/optim/index.js";
import { Rng } from "../src/tensor/random.js";
import { fromArray, randNormal, type Tensor } from "../src/tensor/tensor.js";
import { loadSequential } from "../src/train/load.js";
import { Sequential } from "../src/train/sequential.js";
import { checkLayerGradients } from "./helpers/gradcheck.js";

const rng = (seed = 1): Rng => new Rng(seed);

function dot(a: Tensor, b: Tensor): number {
  assert.equal(a.size, b.size);
  let s = 0;
  for (let i = 0; i < a.size; i++) s += a.data[i] * b.data[i];
  return s;
}

describe("Conv2DTranspose", () => {
  it("paints a kernel stamp per input pixel, S apart, overlaps added: 2×2 ones, 3×3 ones, S = 2 → 5×5", () => {
    const up = new Conv2DTranspose({ filters: 1, kernelSize: 3, strides: 2, useBias: false });
    assert.deepEqual(up.build([2, 2, 1], rng()), [5, 5, 1]);
    up.kernel.value.data.fill(1);
    const y = up.forward(fromArray([1, 1, 1, 1], [1, 2, 2, 1]), false);
    // the middle row and column are covered by two stamps, the centre by all four
    assert.deepEqual(Array.from(y.data), [1, 1, 2, 1, 1, 1, 1, 2, 1, 1, 2, 2, 4, 2, 2, 1, 1, 2, 1, 1, 1, 1, 2, 1, 1]);
  });

  it('has output (H − 1)·S + F for "valid" and H·S for "same"', () => {
    for (const [H, F, S] of [
      [7, 3, 2],
      [5, 3, 1],
      [4, 2, 3],
      [3, 5, 2],
      [6, 1, 2],
    ]) {
      const valid = new Conv2DTranspose({ filters: 2, kernelSize: F, strides: S, padding: "valid" });
      assert.deepEqual(valid.build([H, H + 1, 3], rng()), [(H - 1) * S + F, H * S + F, 2]);
      const same = new Conv2DTranspose({ filters: 2, kernelSize: F, strides: S, padding: "same" });
      assert.deepEqual(same.build([H, H + 1, 3], rng()), [H * S, (H + 1) * S, 2]);
    }
  });

  it("is the adjoint of Conv2D with the same kernel: ⟨conv(u), x⟩ = ⟨u, convT(x)⟩", () => {
    for (const padding of ["valid", "same"] as const)
      for (const [H, F, S] of [
        [5, 3, 1],
        [4, 3, 2],
        [4, 2, 2],
        [3, 2, 3],
        [3, 4, 2],
      ]) {
        const [C, filters, n] = [3, 2, 2];
        const convT = new Conv2DTranspose({ filters, kernelSize: F, strides: S, padding, useBias: false });
        const out = convT.build([H, H, C], rng(F * 10 + S));
        const conv = new Conv2D({ filters: C, kernelSize: F, strides: S, padding, useBias: false });
        assert.deepEqual(conv.build(out, rng(99)), [H, H, C], `conv maps convT's output back to its input shape (${padding}, F ${F}, S ${S})`);
        conv.kernel.value.assign(Array.from(convT.kernel.value.data));
        const u = randNormal([n, ...out], rng(3));
        const x = randNormal([n, H, H, C], rng(4));
        const lhs = dot(conv.forward(u, false), x);
        const rhs = dot(u, convT.forward(x, false));
        assert.ok(Math.abs(lhs - rhs) <= 1e-4 * Math.max(1, Math.abs(lhs)), `${padding}, F ${F}, S ${S}: ⟨conv(u), x⟩ ${lhs} vs ⟨u, convT(x)⟩ ${rhs}`);
      }
  });

  it("passes finite-difference checks of dL/dx, dL/dK and dL/db (S 1 and 2, valid and same)", () => {
    for (const padding of ["valid", "same"] as const)
      for (const [S, F, activation] of [
        [1, 3, "tanh"],
        [2, 3, "sigmoid"],
        [2, 2, "linear"],
      ] as const) {
        const layer = new Conv2DTranspose({ filters: 3, kernelSize: F, strides: S, padding, activation, name: `convT_${padding}_${S}_${F}` });
        layer.build([3, 4, 2], rng(S + F));
        layer.bias?.value.assign([0.1, -0.2, 0.3]);
        checkLayerGradients(layer, randNormal([2, 3, 4, 2], rng(5)), { maxChecks: 30 });
      }
    const rect = new Conv2DTranspose({ filters: 2, kernelSize: [2, 3], strides: [2, 1], padding: "same", name: "rect" });
    rect.build([3, 3, 2], rng(8));
    checkLayerGradients(rect, randNormal([2, 3, 3, 2], rng(6)), { maxChecks: 30 });
  });

  it("accumulates gradients over batches and skips dL/dx when not needed", () => {
    const layer = new Conv2DTranspose({ filters: 2, kernelSize: 3, strides: 2, padding: "same" });
    layer.build([3, 3, 2], rng(2));
    const x = randNormal([2, 3, 3, 2], rng(3));
    const dy = randNormal([2, 6, 6, 2], rng(4));
    layer.forward(x, true);
    layer.backward(dy);
    const once = Array.from(layer.kernel.grad.data);
    layer.forward(x, true);
    layer.backward(dy, false);
    for (const [i, g] of layer.kernel.grad.data.entries()) assert.ok(Math.abs(g - 2 * once[i]) <= 1e-5 * Math.max(1, Math.abs(g)), `dL/dK[${i}]`);
  });

  it("names the option and its range for bad options", () => {
    assert.throws(() => new Conv2DTranspose({ filters: 0, kernelSize: 3 }), /Conv2DTranspose: filters must be an integer >= 1; got 0/);
    assert.throws(() => new Conv2DTranspose({ filters: 2.5, kernelSize: 3 }), /filters must be an integer >= 1/);
    assert.throws(() => new Conv2DTranspose({ filters: 2, kernelSize: 0 }), /Conv2DTranspose: kernelSize must be an integer >= 1 or a pair of them, got 0/);
    assert.throws(() => new Conv2DTranspose({ filters: 2, kernelSize: [3, -1] }), /kernelSize must be an integer >= 1/);
    assert.throws(
      () => new Conv2DTranspose({ filters: 2, kernelSize: 3, strides: 1.5 }),
      /Conv2DTranspose: strides must be an integer >= 1 or a pair of them, got 1.5/,
    );
    assert.throws(() => new Conv2DTranspose({ filters: 2, kernelSize: 3, strides: 0 }), /strides must be an integer >= 1/);
    // @ts-expect-error a padding the layer does not have
    assert.throws(() => new Conv2DTranspose({ filters: 2, kernelSize: 3, padding: 1 }), /Conv2DTranspose: padding must be "valid" or "same"; got 1/);
    // @ts-expect-error an activation that does not exist
    assert.throws(() => new Conv2DTranspose({ filters: 2, kernelSize: 3, activation: "swish" }), /Conv2DTranspose.*activation/);
    assert.throws(() => new Conv2DTranspose({ filters: 2, kernelSize: 3 }).build([784], rng()), /input shape must be \[height, width, channels\]/);
    assert.throws(() => layerFromConfig({ className: "Conv2DTranspose", kernelSize: 3 }), /"filters" is required/);
  });
});

describe("UpSampling2D", () => {
  it("copies each pixel into an sH×sW block, channel by channel", () => {
    const up = new UpSampling2D({ size: [2, 3] });
    assert.deepEqual(up.build([2, 1, 2], rng()), [4, 3, 2]);
    const y = up.forward(fromArray([1, 10, 2, 20], [1, 2, 1, 2]), false);
    assert.deepEqual(Array.from(y.data), [1, 10, 1, 10, 1, 10, 1, 10, 1, 10, 1, 10, 2, 20, 2, 20, 2, 20, 2, 20, 2, 20, 2, 20]);
  });

  it("sums dL/dy over each block and passes finite-difference checks", () => {
    const up = new UpSampling2D({ size: 2 });
    up.build([1, 2, 1], rng());
    up.forward(fromArray([5, 6], [1, 1, 2, 1]), true);
    assert.deepEqual(Array.from(up.backward(fromArray([1, 2, 3, 4, 5, 6, 7, 8], [1, 2, 4, 1])).data), [1 + 2 + 5 + 6, 3 + 4 + 7 + 8]);
    for (const size of [2, [3, 2]] as const) {
      const layer = new UpSampling2D({ size, name: `up${String(size)}` });
      layer.build([3, 2, 3], rng());
      checkLayerGradients(layer, randNormal([2, 3, 2, 3], rng(9)));
    }
  });

  it("names the option and its range for bad sizes", () => {
    assert.throws(() => new UpSampling2D({ size: 0 }), /UpSampling2D: size must be an integer >= 1 or a pair of them, got 0/);
    assert.throws(() => new UpSampling2D({ size: [2, 1.5] }), /UpSampling2D: size must be an integer >= 1/);
    assert.throws(() => new UpSampling2D().build([4, 4], rng()), /UpSampling2D.*\[height, width, channels\]/);
  });
});

function columnMeans(x: Tensor): Float32Array {
  const mean = new Float32Array(x.cols);
  for (let i = 0; i < x.size; i++) mean[i % x.cols] += x.data[i] / x.rows;
  return mean;
}

function repeatRow(row: Float32Array, rows: number): Tensor {
  const out = new Float32Array(rows * row.length);
  for (let r = 0; r < rows; r++) out.set(row, r * row.length);
  return fromArray(out, [rows, row.length]);
}

/** The first convolutional autoencoder: 28×28×1 → 7×7×4 code → 28×28×1. */
function convAutoencoder(seed: number): Sequential {
  return new Sequential(
    [
      new Conv2D({ filters: 8, kernelSize: 3, padding: "same", activation: "relu", inputShape: [28, 28, 1] }),
      new MaxPool2D({ poolSize: 2 }),
      new Conv2D({ filters: 4, kernelSize: 3, padding: "same", activation: "relu" }),
      new MaxPool2D({ poolSize: 2 }),
      new Conv2DTranspose({ filters: 8, kernelSize: 3, strides: 2, padding: "same", activation: "relu" }),
      new Conv2DTranspose({ filters: 1, kernelSize: 3, strides: 2, padding: "same", activation: "sigmoid" }),
      new Flatten(),
    ],
    { seed },
  );
}

describe("a convolutional autoencoder", () => {
  it("saves and loads Conv2DTranspose and UpSampling2D through the layer registry", async () => {
    const model = new Sequential(
      [
        new Conv2D({ filters: 2, kernelSize: 3, strides: 2, padding: "same", activation: "relu", inputShape: [6, 6, 1] }),
        new UpSampling2D({ size: 2 }),
        new Conv2DTranspose({ filters: 1, kernelSize: [3, 2], strides: 1, padding: "same", activation: "sigmoid" }),
        new Flatten(),
      ],
      { seed: 3 },
    );
    model.compile({ loss: "binaryCrossentropy", optimizer: new Adam({ learningRate: 0.01 }) });
    const x = randNormal([4, 36], rng(1));
    await model.fit(x, x, { epochs: 1, batchSize: 2 });
    const dir = await mkdtemp(join(tmpdir(), "lw-convt-"));
    try {
      await model.save(join(dir, "m"));
      const loaded = await loadSequential(join(dir, "m"));
      assert.deepEqual(Array.from(loaded.predict(x).data), Array.from(model.predict(x).data));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("reconstructs bundled digits far better after two epochs than untrained", async () => {
    const { train, test } = await loadMnist({ limitTrain: 2000, limitTest: 300 });
    const model = convAutoencoder(1);
    model.compile({ loss: "binaryCrossentropy", optimizer: new Adam({ learningRate: 0.01 }) });
    const before = squaredErrorPerRow(test.images, model.predict(test.images));
    const meanDigit = squaredErrorPerRow(test.images, repeatRow(columnMeans(train.images), test.images.rows));
    await model.fit(train.images, train.images, { epochs: 2, batchSize: 16, seed: 1 });
    const after = squaredErrorPerRow(test.images, model.predict(test.images));
    console.log(
      `conv autoencoder, test ‖x − x̂‖² per image: untrained ${before.toFixed(2)}, the mean digit ${meanDigit.toFixed(2)}, after 2 epochs ${after.toFixed(2)}`,
    );
    assert.ok(after < 0.1 * before, `reconstruction error ${after} is not well below the untrained net's ${before}`);
    assert.ok(after < 0.35 * meanDigit, `reconstruction error ${after} is not well below the mean digit's ${meanDigit}`);
  });
});
