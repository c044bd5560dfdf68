/**
 * The LSTM encoder-decoder (issue 22, item 7): finite-difference gradients through the state
 * hand-off (the encoder learns only through the decoder's dJ/d(h_0, c_0)), variable lengths
 * under a mask, copy and reverse learnt far above chance, save/load, and bad input refused.
 */
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { symbolSequences } from "../src/data/sequences.js";
import { SeqAutoencoder } from "../src/models/autoencoders/seq-autoencoder.js";
import { loadModel } from "../src/models/load.js";
import { Adam } from "../src/optim/adam.js";
import { fromArray } from "../src/tensor/tensor.js";
import { assertGradientsClose } from "./helpers/gradcheck.js";

describe("SeqAutoencoder", () => {
  for (const task of ["copy", "reverse"] as const) {
    it(`${task}: dJ/dθ of encoder, decoder and output match finite differences through the state hand-off (lengths 3…6 under a mask)`, () => {
      const model = new SeqAutoencoder({ symbols: 4, units: 5, task, seed: 3 });
      const { ids, mask } = symbolSequences({ count: 3, symbols: 4, minLength: 3, maxLength: 6, seed: 3 }); // lengths 6, 4, 3
      assert.ok(mask.data.includes(0) && mask.data.filter((m) => m === 1).length > 12, "the batch mixes lengths");
      model.gradients(ids, mask);
      const grads = new Map(model.namedParams().map(([name, p]) => [name, p.grad.clone()]));
      const loss = (): number => model.sequenceLoss(ids, mask);
      for (const [name, p] of model.namedParams()) {
        assertGradientsClose(`${task} ${name}`, p.value.data, grads.get(name)?.data ?? new Float32Array(0), loss, {
          epsilon: 1e-2,
          tolerance: 1e-2,
          maxChecks: 25,
        });
      }
      // the encoder's W reaches J only through the hand-off: a zero gradient would pass the check above vacuously
      assert.ok(
        grads.get("encoder.kernel")?.data.some((g) => Math.abs(g) > 1e-4),
        "the encoder's W has a gradient",
      );
    });
  }

  it("learns to copy strings of length 3…5 over 4 symbols far above chance (greedy decoding)", async () => {
    const train = symbolSequences({ count: 1000, symbols: 4, minLength: 3, maxLength: 5, seed: 1 });
    const test = symbolSequences({ count: 200, symbols: 4, minLength: 3, maxLength: 5, seed: 2 });
    const model = new SeqAutoencoder({ symbols: 4, units: 32, seed: 1, optimizer: new Adam({ learningRate: 0.01, clipNorm: 1 }) });
    const before = model.accuracy(test.ids, test.mask);
    const history = await model.fit(train.ids, train.mask, { epochs: 12, batchSize: 32 });
    const after = model.accuracy(test.ids, test.mask);
    const losses = history.history.loss;
    assert.ok(losses[losses.length - 1] < losses[0] / 3, `loss fell: ${losses.map((l) => l.toFixed(3)).join(", ")}`);
    // chance: 1/4 per symbol, (1/4)^4 ≈ 0.4 % per whole sequence
    assert.ok(after.symbols > 0.9, `per-symbol accuracy ${after.symbols} (chance 0.25; before training ${before.symbols})`);
    assert.ok(after.sequences > 0.7, `whole-sequence accuracy ${after.sequences} (chance about 0.004)`);
  });

  it("reverse targets are each real part reversed, padding untouched", () => {
    const model = new SeqAutoencoder({ symbols: 5, task: "reverse", units: 2 });
    const ids = fromArray([0, 1, 2, 3, 4, 1, 2, 0], [2, 4]);
    const mask = fromArray([1, 1, 1, 1, 1, 1, 0, 0], [2, 4]);
    assert.deepEqual([...model.targets(ids, mask).data], [3, 2, 1, 0, 1, 4, 0, 0]);
  });

  it("saves and loads (loadModel): same weights, options, optimiser state and reconstructions", async () => {
    const { ids, mask } = symbolSequences({ count: 40, symbols: 3, minLength: 2, maxLength: 4, seed: 5 });
    const model = new SeqAutoencoder({ symbols: 3, units: 6, task: "reverse", seed: 4 });
    await model.fit(ids, mask, { epochs: 1, batchSize: 10 });
    const dir = await mkdtemp(join(tmpdir(), "seqae-"));
    try {
      await model.save(dir);
      const back = await loadModel(dir);
      assert.ok(back instanceof SeqAutoencoder);
      assert.deepEqual(back.options, model.options);
      assert.equal(back.epochsTrained, 1);
      assert.equal(back.optimizer.iterations, model.optimizer.iterations);
      for (const [i, w] of model.getWeights().entries()) assert.deepEqual([...back.getWeights()[i].data], [...w.data]);
      assert.deepEqual([...back.reconstruct(ids, mask).data], [...model.reconstruct(ids, mask).data]);
      assert.equal(back.sequenceLoss(ids, mask), model.sequenceLoss(ids, mask));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("refuses bad input with a message naming the problem", () => {
    assert.throws(() => new SeqAutoencoder({ symbols: 4, units: 16, decoderUnits: 8 }), /decoderUnits \(8\) must equal units \(16\).*encoder's final state/);
    assert.throws(() => new SeqAutoencoder({ symbols: 1 }), /symbols must be an integer in \[2, 65536\]; got 1/);
    assert.throws(() => new SeqAutoencoder({ symbols: 4, task: "sort" as "copy" }), /task must be one of copy, reverse; got "sort"/);
    const model = new SeqAutoencoder({ symbols: 4, units: 3 });
    assert.throws(() => model.sequenceLoss(fromArray([0, 1, 2], [3])), /ids must be \[sequences, steps\] of symbol ids; got \[3\]/);
    assert.throws(() => model.sequenceLoss(fromArray([0, 1, 4, 2], [2, 2])), /symbol ids must be integers in \[0, 3\] \(symbols = 4\); got 4 at \[1, 0\]/);
    assert.throws(
      () => model.sequenceLoss(fromArray([0, 1, 2, 3], [2, 2]), fromArray([1, 1, 1], [1, 3])),
      /the mask must be \[sequences, steps\] = \[2,2\] like ids; got \[1,3\]/,
    );
    assert.throws(
      () => model.sequenceLoss(fromArray([0, 1, 2, 3], [2, 2]), fromArray([1, 1, 0, 1], [2, 2])),
      /sequence 1 is empty|real step at 1 after padding/,
    );
    assert.throws(
      () => model.sequenceLoss(fromArray([0, 1, 2, 3], [2, 2]), fromArray([1, 0, 1, 0.5], [2, 2])),
      /must hold 0 \(padding\) or 1 \(real step\); got 0.5/,
    );
  });

  it("symbolSequences refuses bad lengths", () => {
    assert.throws(() => symbolSequences({ count: 2, symbols: 3, minLength: 5, maxLength: 4 }), /minLength must be an integer in \[1, maxLength = 4\]; got 5/);
    assert.throws(() => symbolSequences({ count: 2, symbols: 1, maxLength: 4 }), /symbols must be an integer >= 2; got 1/);
  });
});
