import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { loadMnist } from "../src/data/mnist.js";
import { MaskedAutoencoder, poolTokens } from "../src/models/autoencoders/mae.js";
import { maskedAutoencoderImage } from "../src/models/autoencoders/pictures.js";
import { linearProbe } from "../src/models/autoencoders/probe.js";
import { loadModel } from "../src/models/load.js";
import { patchify, unpatchify } from "../src/nn/patches.js";
import * as ops from "../src/ops/index.js";
import { Adam } from "../src/optim/adam.js";
import { Rng } from "../src/tensor/random.js";
import { fromArray, randUniform, type Tensor } from "../src/tensor/tensor.js";
import { assertGradientsClose } from "./helpers/gradcheck.js";

/** A small MAE on 8×8 images in 2×2 patches: 16 patches, 4 visible. */
const tiny = (options = {}) =>
  new MaskedAutoencoder({
    imageShape: [8, 8, 1],
    patchSize: 2,
    dim: 8,
    depth: 1,
    heads: 2,
    decoderDim: 4,
    decoderDepth: 1,
    decoderHeads: 2,
    seed: 3,
    ...options,
  });

describe("MaskedAutoencoder", () => {
  it("masks a fresh 75 % of each example's patches, and the encoder sees only the rest", () => {
    const mae = tiny();
    assert.equal(mae.tokens, 16);
    assert.equal(mae.visibleTokens, 4);
    const mask = mae.sampleMask(3);
    for (let b = 0; b < 3; b++) {
      const seen = [...mask.visible.subarray(4 * b, 4 * b + 4), ...mask.hidden.subarray(12 * b, 12 * b + 12)].sort((p, q) => p - q);
      assert.deepEqual(seen, [...Array(16).keys()], `example ${b}: visible and hidden patches partition the image`);
    }
    assert.notDeepEqual([...mask.visible.subarray(0, 4)], [...mask.visible.subarray(4, 8)], "examples get different masks");
  });

  it("computes the loss on masked patches only: changing visible-patch targets leaves it unchanged, a hidden one changes it", () => {
    const mae = tiny();
    const x = randUniform([2, 64], new Rng(1));
    const mask = mae.sampleMask(2, new Rng(2));
    const loss = mae.maskedLoss(x, mask);
    // a target whose visible patches are all 5 (edited in the patch layout, then put back as images)
    const p = patchify(mae.grid, x);
    for (let i = 0; i < mask.visible.length; i++) {
      const at = (Math.floor(i / mae.visibleTokens) * mae.tokens + mask.visible[i]) * 4;
      p.data.fill(5, at, at + 4);
    }
    const target = unpatchify(mae.grid, p);
    assert.notDeepEqual([...target.data], [...x.data], "the target did change");
    assert.equal(mae.maskedLoss(x, mask, target), loss);
    const q = patchify(mae.grid, x);
    q.data[mask.hidden[0] * 4] += 1;
    const hiddenChanged = unpatchify(mae.grid, q);
    assert.notEqual(mae.maskedLoss(x, mask, hiddenChanged), loss);
  });

  it("backward matches finite differences of the masked loss (patch embedding, positions, blocks, mask token, head)", () => {
    const mae = tiny({ patchSize: 4, dim: 8, decoderDim: 8 });
    // embeddings and the mask token of unit scale: at their N(0, 0.02²) start, a decoder token of
    // mask token + position has a tiny spread, where LayerNorm curves too much for finite differences
    const rng = new Rng(6);
    for (const p of [mae.maskToken, mae.encoderPosition.embedding, mae.decoderPosition.embedding])
      for (let i = 0; i < p.value.size; i++) p.value.data[i] = rng.normal();
    const x = randUniform([2, 64], new Rng(4));
    const mask = mae.sampleMask(2, new Rng(5));
    mae.gradients(x, mask);
    const loss = () => mae.maskedLoss(x, mask);
    for (const [name, p] of mae.params().map((q) => [q.name, q] as const)) {
      if (!/kernel|mask_token|embedding|gamma/.test(name)) continue;
      assertGradientsClose(`MAE ${name}`, p.value.data, p.grad.clone().data, loss, { epsilon: 1e-2, tolerance: 5e-3, maxChecks: 6 });
    }
    const token = mae.maskToken;
    assert.ok(
      token.grad.data.some((g) => g !== 0),
      "the mask token gets a gradient",
    );
  });

  it("bad options fail with a message naming the option", () => {
    for (const maskRatio of [0, 1, 1.5, -0.2, Number.NaN])
      assert.throws(() => new MaskedAutoencoder({ maskRatio }), /MaskedAutoencoder: maskRatio must be in \(0, 1\)/);
    assert.throws(() => new MaskedAutoencoder({ patchSize: 5 }), /MaskedAutoencoder: patchSize 5 does not tile the 28×28 image.*1, 2, 4, 7, 14, 28/);
    assert.throws(() => new MaskedAutoencoder({ patchSize: 28 }), /patchSize 28 leaves one patch per image/);
    assert.throws(() => new MaskedAutoencoder({ dim: 30, heads: 4 }), /MaskedAutoencoder: heads \(4\) must divide dim \(30\)/);
    assert.throws(() => new MaskedAutoencoder({ depth: 0 }), /depth must be an integer in \[1, 65536\]; got 0/);
    assert.throws(() => tiny().maskedLoss(randUniform([2, 10], new Rng(0)), tiny().sampleMask(2)), /expected images \[rows, 64\]/);
    assert.throws(() => poolTokens(randUniform([1, 2, 3], new Rng(0)), "max" as "mean"), /pool must be one of mean, concat/);
  });

  it("learns on the bundled digits: the test masked-patch loss falls well below its initial value and below the best constant guess", async () => {
    const { train, test } = await loadMnist({ limitTrain: 600, limitTest: 200 });
    const mae = new MaskedAutoencoder({
      patchSize: 7,
      dim: 32,
      depth: 1,
      heads: 4,
      decoderDim: 32,
      decoderDepth: 1,
      optimizer: new Adam({ learningRate: 3e-3 }),
      seed: 1,
    });
    const initial = mae.evaluate(test.images);
    const history = await mae.fit(train.images, { epochs: 8, batchSize: 32, validationData: test.images });
    const final = history.history.val_loss.at(-1) ?? Number.NaN;
    // the guess that ignores the visible patches and the position: every hidden pixel = the training digits' mean pixel
    const meanPixel = train.images.data.reduce((a, b) => a + b, 0) / train.images.size;
    const constantGuess = test.images.data.reduce((a, b) => a + (b - meanPixel) ** 2, 0) / test.images.size;
    assert.ok(final < initial / 5, `masked-patch loss ${final} vs initial ${initial}`);
    assert.ok(final < 0.85 * constantGuess, `masked-patch loss ${final} vs the constant guess's ${constantGuess}`);
  });

  it("saves and loads (loadModel): same weights, options, optimiser state and features; triptych and probe run", async () => {
    const { train, test } = await loadMnist({ limitTrain: 64, limitTest: 32 });
    const mae = new MaskedAutoencoder({ patchSize: 7, dim: 16, depth: 1, heads: 2, decoderDim: 8, decoderDepth: 1, decoderHeads: 2, seed: 2 });
    await mae.fit(train.images, { epochs: 1, batchSize: 32 });
    const dir = await mkdtemp(join(tmpdir(), "mae-"));
    try {
      await mae.save(dir);
      const back = await loadModel(dir);
      assert.ok(back instanceof MaskedAutoencoder);
      assert.deepEqual(back.options, mae.options);
      assert.equal(back.epochsTrained, 1);
      assert.equal(back.optimizer.iterations, mae.optimizer.iterations);
      assert.deepEqual([...back.features(test.images).data], [...mae.features(test.images).data]);
      // resumed training continues bit for bit
      await Promise.all([mae.fit(train.images, { epochs: 1, batchSize: 32 }), back.fit(train.images, { epochs: 1, batchSize: 32 })]);
      assert.deepEqual([...back.getWeights()[0].data], [...mae.getWeights()[0].data]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    assert.deepEqual(mae.features(test.images).shape, [32, 16]);
    assert.deepEqual(mae.features(test.images, "concat").shape, [32, 16 * 16]);
    const img = maskedAutoencoderImage(mae, test.images.sliceRows(0, 4), { cols: 4 });
    assert.equal(img.height, 3 * 28 + 2, "three rows of digits");
    const { masked, guess, truth } = mae.reconstruct(test.images.sliceRows(0, 2), mae.sampleMask(2, new Rng(1)));
    const hiddenPixels = [...masked.data].filter((v) => v === 0.5).length;
    assert.ok(hiddenPixels >= 2 * 12 * 49, "hidden patches are grey in the masked input");
    let same = 0;
    for (let i = 0; i < truth.size; i++) if (guess.data[i] === truth.data[i]) same++;
    assert.ok(same >= 2 * 4 * 49, "the guess keeps the visible patches");
    const probe = await linearProbe(
      { features: mae.features(train.images), oneHot: train.oneHot },
      { features: mae.features(test.images), oneHot: test.oneHot },
      { epochs: 2 },
    );
    assert.ok(probe.testAccuracy >= 0 && probe.testAccuracy <= 1);
  });

  it("linearProbe: standardised softmax regression learns digits from pixels, is blind to the features' scale and offset, and ends at a cosine-decayed rate", async () => {
    const { train, test } = await loadMnist({ limitTrain: 1000, limitTest: 500 });
    // each column j of the features rescaled by 10^((j mod 5) − 2), from 0.01 to 100, and shifted
    const columnScales = fromArray(Array.from({ length: 784 }, (_, j) => 10 ** ((j % 5) - 2)));
    const probe = (rescale: boolean) => {
      const features = (x: Tensor) => (rescale ? ops.addScalar(ops.mul(x, columnScales), 5) : x);
      return linearProbe(
        { features: features(train.images), oneHot: train.oneHot },
        { features: features(test.images), oneHot: test.oneHot },
        { epochs: 10, seed: 1 },
      );
    };
    const pixels = await probe(false);
    assert.ok(pixels.testAccuracy > 0.7, `held-out accuracy ${pixels.testAccuracy} (chance 0.1)`);
    // the standardisation sees the same columns, so the probe trains the same up to rounding (amplified in near-constant pixel columns)
    const rescaled = await probe(true);
    assert.ok(Math.abs(rescaled.testAccuracy - pixels.testAccuracy) <= 0.03, `rescaled ${rescaled.testAccuracy} vs ${pixels.testAccuracy}`);
    // cosine over 10 epochs: the last epoch ran at ½(1 + cos(0.9π)) ≈ 2.4 % of the initial 1e-3
    assert.ok(Math.abs((pixels.model.optimizer?.learningRate ?? 0) - 1e-3 * 0.5 * (1 + Math.cos(0.9 * Math.PI))) < 1e-9);
  });
});
