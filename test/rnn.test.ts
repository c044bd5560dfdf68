/**
 * Recurrent layers (issue 22): finite-difference gradients through time for every cell and
 * option, masking equal to each sequence alone, stateful chunks equal to the whole sequence,
 * the adding problem learnt, save/load, and bad input refused. PyTorch: rnn-torch.test.ts.
 */
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { addingProblem, padSequenceBatch } from "../src/data/sequences.js";
import { loadModel } from "../src/models/load.js";
import { Bidirectional } from "../src/nn/bidirectional.js";
import { Dense } from "../src/nn/dense.js";
import { GRU } from "../src/nn/gru.js";
import { orthogonal } from "../src/nn/initializers.js";
import type { Layer } from "../src/nn/layer.js";
import { LSTM } from "../src/nn/lstm.js";
import { Masking } from "../src/nn/masking.js";
import type { Recurrent, RecurrentOptions } from "../src/nn/recurrent.js";
import { SimpleRNN } from "../src/nn/simple-rnn.js";
import { TimeDistributed } from "../src/nn/time-distributed.js";
import { Adam } from "../src/optim/adam.js";
import { Rng } from "../src/tensor/random.js";
import { fromArray, randNormal, type Tensor, tensor, zeros } from "../src/tensor/tensor.js";
import { Sequential } from "../src/train/sequential.js";
import { assertGradientsClose, checkLayerGradients } from "./helpers/gradcheck.js";

const STEPS = 6;
const FEATURES = 3;
const UNITS = 4;

/** Finite differences of ±1e-2, agreement to 1e-2 relative (float32 forward passes). */
const TOL = { epsilon: 1e-2, tolerance: 1e-2, maxChecks: 30 };

/** Each cell with the finite-difference options that suit it. */
const CELLS: [string, (o: RecurrentOptions) => Recurrent, typeof TOL][] = [
  ["SimpleRNN tanh", (o) => new SimpleRNN(UNITS, o), TOL],
  // relu has kinks, which a difference of ±1e-2 over 6 steps of 3 rows often straddles: a smaller step keeps off them
  ["SimpleRNN relu (IRNN)", (o) => new SimpleRNN(UNITS, { ...o, activation: "relu", recurrentInitializer: "identity" }), { ...TOL, epsilon: 1e-3 }],
  ["LSTM", (o) => new LSTM(UNITS, o), TOL],
  ["GRU", (o) => new GRU(UNITS, o), TOL],
];

/** A built layer whose biases and weights are nudged off their initial values, so every term of the backward counts. */
function built<L extends Layer>(layer: L, inputShape = [STEPS, FEATURES], seed = 1): L {
  layer.name = "rnn";
  layer.build(inputShape, new Rng(seed));
  for (const p of layer.params()) for (let i = 0; i < p.value.size; i++) p.value.data[i] += 0.2 * Math.sin(3 * i + 1);
  return layer;
}

const input = (n = 3, steps = STEPS, seed = 2): Tensor => randNormal([n, steps, FEATURES], new Rng(seed));

/** Rows 0 and 2 padded at the end (lengths 4, 6, 2). */
const MASK = fromArray([1, 1, 1, 1, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0], [3, STEPS]);

describe("recurrent layers: finite-difference gradients through 6 steps", () => {
  for (const [name, make, tol] of CELLS) {
    for (const returnSequences of [false, true]) {
      it(`${name}, returnSequences ${returnSequences}`, () => {
        checkLayerGradients(built(make({ returnSequences })), input(), tol);
      });
    }
    it(`${name}, goBackwards and a mask of padded steps`, () => {
      const layer = built(make({ returnSequences: true, goBackwards: true }));
      layer.setMask(MASK);
      checkLayerGradients(layer, input(), tol);
    });
    it(`${name}, masked, last step only`, () => {
      const layer = built(make({}));
      layer.setMask(MASK);
      checkLayerGradients(layer, input(), tol);
    });
  }

  for (const returnSequences of [false, true]) {
    it(`Bidirectional LSTM and GRU with a mask, returnSequences ${returnSequences}`, () => {
      for (const inner of [new LSTM(UNITS, { returnSequences }), new GRU(UNITS, { returnSequences })]) {
        const layer = built(new Bidirectional(inner));
        layer.setMask(MASK);
        checkLayerGradients(layer, input(), TOL);
      }
    });
  }

  it("TimeDistributed(Dense) on every step", () => {
    checkLayerGradients(built(new TimeDistributed(new Dense(2, { activation: "tanh" }))), input(), TOL);
  });

  for (const [name, make] of CELLS.slice(2)) {
    it(`${name}: dL/dh_0 (and dL/dc_0) from initialStateGrads, with a gradient set on the final state`, () => {
      const layer = built(make({ returnSequences: true }));
      const x = input();
      const count = name === "LSTM" ? 2 : 1;
      const h0 = Array.from({ length: count }, (_, k) => randNormal([3, UNITS], new Rng(10 + k)));
      const gT = Array.from({ length: count }, (_, k) => randNormal([3, UNITS], new Rng(20 + k)));
      const r = randNormal([3, STEPS, UNITS], new Rng(5));
      layer.setInitialState(h0);
      layer.setFinalStateGrads(gT);
      const loss = (): number => {
        let s = dot(layer.forward(x, false), r);
        for (const [k, state] of layer.finalStates().entries()) s += dot(state, gT[k]);
        return s;
      };
      loss();
      layer.backward(r);
      const grads = layer.initialStateGrads().map((g) => g.clone());
      for (const [k, state] of h0.entries()) assertGradientsClose(`dL/d${k === 0 ? "h" : "c"}_0`, state.data, grads[k].data, loss, TOL);
    });
  }

  for (const [name, make, tol] of CELLS) {
    it(`${name}, stateful: the second chunk's gradient with the carried state held (truncated BPTT)`, () => {
      const layer = built(make({ returnSequences: true, stateful: true }));
      const x = input(3, 2 * STEPS);
      const chunk1 = sliceSteps(x, 0, STEPS);
      const chunk2 = sliceSteps(x, STEPS, 2 * STEPS);
      layer.forward(chunk1, true);
      const carried = layer.finalStates().map((s) => s.clone());
      const r = randNormal([3, STEPS, UNITS], new Rng(6));
      const loss = (): number => {
        layer.resetStates(carried);
        return dot(layer.forward(chunk2, true), r);
      };
      loss();
      for (const p of layer.params()) p.grad.data.fill(0);
      const dx = layer.backward(r).clone();
      const grads = layer.params().map((p) => p.grad.clone());
      assertGradientsClose("dL/dx", chunk2.data, dx.data, loss, tol);
      for (const [k, p] of layer.params().entries()) assertGradientsClose(`dL/d${p.name}`, p.value.data, grads[k].data, loss, tol);
    });
  }
});

describe("stateful layers and masks reproduce the whole sequence", () => {
  for (const [name, make] of CELLS) {
    it(`${name}: chunks of 3 steps through a stateful layer give the outputs of the whole sequence`, () => {
      const whole = built(make({ returnSequences: true }));
      const chunked = built(make({ returnSequences: true, stateful: true }));
      const x = input(2, 4 * 3);
      const full = whole.forward(x, false).clone();
      for (let k = 0; k < 4; k++) {
        const y = chunked.forward(sliceSteps(x, 3 * k, 3 * k + 3), false);
        assertClose(y, sliceSteps(full, 3 * k, 3 * k + 3), 1e-6, `chunk ${k}`);
      }
      chunked.resetStates();
      assertClose(chunked.forward(sliceSteps(x, 0, 3), false), sliceSteps(full, 0, 3), 1e-6, "after resetStates");
    });

    it(`${name}: a padded batch through Masking gives each sequence's result alone`, () => {
      const lengths = [3, 7, 5];
      const rng = new Rng(9);
      const seqs = lengths.map((len) => Array.from({ length: len }, () => Array.from({ length: FEATURES }, () => rng.normal())));
      const { x, mask } = padSequenceBatch(seqs);
      for (const goBackwards of [false, true]) {
        const layer = make({ goBackwards });
        const model = new Sequential([new Masking(), layer], { inputShape: [7, FEATURES], seed: 3 }).build();
        const batch = model.predict(x);
        const masking = model.layers[0] as Masking;
        assert.deepEqual([...(masking.outputMask() as Tensor).data], [...mask.data]);
        for (const [b, seq] of seqs.entries()) {
          const alone = built(make({ goBackwards }), [seq.length, FEATURES]);
          for (const [k, p] of alone.params().entries()) p.value.assign(layer.params()[k].value);
          const y = alone.forward(fromArray(seq.flat(), [1, seq.length, FEATURES]), false);
          assertClose(batch.sliceRows(b, b + 1), y, 1e-6, `sequence ${b} (goBackwards ${goBackwards})`);
        }
      }
    });
  }

  it("Bidirectional LSTM with returnSequences: the valid steps of a padded batch equal each sequence alone, padded steps are zero", () => {
    const lengths = [2, 5];
    const rng = new Rng(4);
    const seqs = lengths.map((len) => Array.from({ length: len }, () => Array.from({ length: FEATURES }, () => rng.normal())));
    const { x } = padSequenceBatch(seqs);
    const bi = new Bidirectional(new LSTM(UNITS, { returnSequences: true }));
    const model = new Sequential([new Masking(), bi], { inputShape: [5, FEATURES], seed: 1 }).build();
    const batch = model.predict(x); // [2, 5, 2·UNITS]
    for (const [b, seq] of seqs.entries()) {
      const alone = new Sequential([new Bidirectional(new LSTM(UNITS, { returnSequences: true }))], { inputShape: [seq.length, FEATURES] }).build();
      alone.setWeights(model.getWeights());
      const y = alone.predict(fromArray(seq.flat(), [1, seq.length, FEATURES]));
      const w = 2 * UNITS;
      for (let t = 0; t < 5; t++) {
        const got = batch.data.subarray((b * 5 + t) * w, (b * 5 + t + 1) * w);
        const want = t < seq.length ? y.data.subarray(t * w, (t + 1) * w) : new Float32Array(w);
        for (let j = 0; j < w; j++) assert.ok(Math.abs(got[j] - want[j]) < 1e-6, `sequence ${b}, step ${t}, unit ${j}: ${got[j]} vs ${want[j]}`);
      }
    }
  });
});

describe("stateGrads: dL/dh_k at every step", () => {
  for (const [name, make] of CELLS) {
    it(`${name}: dL/dh_k equals dL/dh_0 of the same layer run from h_k over the remaining steps`, () => {
      const layer = built(make({}));
      const x = input(2);
      const dy = randNormal([2, UNITS], new Rng(7));
      layer.keepStateGrads = true;
      layer.forward(x, false);
      layer.backward(dy, false);
      const grads = layer.stateGrads().clone();
      assert.deepEqual(grads.shape, [STEPS + 1, 2, UNITS]);
      const at = (k: number): Tensor => fromArray(grads.data.slice(k * 2 * UNITS, (k + 1) * 2 * UNITS), [2, UNITS]);
      assertClose(at(STEPS), dy, 1e-6, "dL/dh_T is dy");
      for (const k of [1, 3, STEPS - 1]) {
        layer.forward(sliceSteps(x, 0, k), false);
        layer.setInitialState(layer.finalStates().map((s) => s.clone()));
        layer.forward(sliceSteps(x, k, STEPS), false);
        layer.backward(dy, false);
        assertClose(at(k), layer.initialStateGrads()[0], 1e-5, `dL/dh_${k}`);
        layer.setInitialState(null);
      }
      layer.keepStateGrads = false;
      layer.forward(x, false);
      layer.backward(dy, false);
      assert.throws(() => layer.stateGrads(), /stateGrads needs keepStateGrads = true before backward/);
    });
  }
});

describe("initialisation", () => {
  it("orthogonal U has orthonormal rows; LSTM's forget bias is 1; the IRNN's U is the identity", () => {
    const u = orthogonal(5, 20, new Rng(1));
    for (let i = 0; i < 5; i++) {
      for (let j = 0; j < 5; j++) {
        let d = 0;
        for (let k = 0; k < 20; k++) d += u.data[i * 20 + k] * u.data[j * 20 + k];
        assert.ok(Math.abs(d - (i === j ? 1 : 0)) < 1e-5, `row ${i} · row ${j} = ${d}`);
      }
    }
    const lstm = new LSTM(3);
    lstm.build([2, 2], new Rng(0));
    assert.deepEqual([...lstm.bias.value.data], [0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0]);
    const irnn = new SimpleRNN(3, { activation: "relu", recurrentInitializer: "identity" });
    irnn.build([2, 2], new Rng(0));
    assert.deepEqual([...irnn.recurrentKernel.value.data], [1, 0, 0, 0, 1, 0, 0, 0, 1]);
  });
});

// ---- data ---------------------------------------------------------------------------------------

describe("sequence data", () => {
  it("the adding problem: one marker in each half, the target their numbers' sum, seeded", () => {
    const { x, y } = addingProblem({ count: 50, steps: 9, seed: 3 });
    assert.deepEqual(x.shape, [50, 9, 2]);
    for (let s = 0; s < 50; s++) {
      const marked = [];
      for (let t = 0; t < 9; t++) if (x.data[(s * 9 + t) * 2 + 1] === 1) marked.push(t);
      assert.equal(marked.length, 2);
      assert.ok(marked[0] < 4 && marked[1] >= 4, `markers at ${marked}`);
      assert.equal(y.data[s], Math.fround(x.data[(s * 9 + marked[0]) * 2] + x.data[(s * 9 + marked[1]) * 2]));
    }
    assert.deepEqual([...addingProblem({ count: 50, steps: 9, seed: 3 }).x.data], [...x.data]);
  });

  it("padSequenceBatch pads at the end and marks the real steps", () => {
    const { x, mask } = padSequenceBatch(
      [
        [[1, 2]],
        [
          [3, 4],
          [5, 6],
        ],
      ],
      { value: -1 },
    );
    assert.deepEqual([...x.data], [1, 2, -1, -1, 3, 4, 5, 6]);
    assert.deepEqual([...mask.data], [1, 0, 1, 1]);
  });
});

// ---- learning ---------------------------------------------------------------------------------

describe("an LSTM learns the adding problem", () => {
  it("T = 20: test MSE far below the 0.167 of always predicting 1", async () => {
    const steps = 20;
    const train = addingProblem({ count: 2000, steps, seed: 1 });
    const test = addingProblem({ count: 500, steps, seed: 2 });
    let baseline = 0;
    for (let i = 0; i < test.y.size; i++) baseline += (test.y.data[i] - 1) ** 2 / test.y.size;
    assert.ok(Math.abs(baseline - 1 / 6) < 0.03, `the baseline MSE ${baseline} is near 1/6`);
    const model = new Sequential([new LSTM(16), new Dense(1)], { inputShape: [steps, 2], seed: 1 });
    model.compile({ loss: "meanSquaredError", optimizer: new Adam({ learningRate: 0.01, clipNorm: 1 }) });
    await model.fit(train.x, train.y, { epochs: 12, batchSize: 50, seed: 1 });
    // the MSE itself (the loss "meanSquaredError" is half of it, as in the lectures)
    const p = model.predict(test.x);
    let mse = 0;
    for (let i = 0; i < p.size; i++) mse += (p.data[i] - test.y.data[i]) ** 2 / p.size;
    assert.ok(mse < 0.02, `test MSE ${mse} vs baseline ${baseline}`);
  });
});

describe("truncated BPTT through Sequential.fit", () => {
  /**
   * Sequences of 12 steps whose first input (±1) is the target at every step, fed in chunks of
   * 4 steps: only the state carried across chunks can tell the later chunks the answer.
   */
  async function lastChunkMse(stateful: boolean): Promise<number> {
    const [n, steps, k] = [64, 12, 4];
    const rng = new Rng(1);
    const x = zeros([n, steps, 1]);
    const y = zeros([n, steps, 1]);
    for (let b = 0; b < n; b++) {
      const v = rng.nextFloat() < 0.5 ? -1 : 1;
      x.data[b * steps] = v;
      y.data.fill(v, b * steps, (b + 1) * steps);
    }
    const lstm = new LSTM(8, { returnSequences: true, stateful });
    const model = new Sequential([lstm, new TimeDistributed(new Dense(1))], { inputShape: [k, 1], seed: 1 });
    model.compile({ loss: "meanSquaredError", optimizer: new Adam({ learningRate: 0.03 }) });
    for (let epoch = 0; epoch < 60; epoch++) {
      lstm.resetStates(); // a new pass starts the sequences afresh
      for (let c = 0; c < steps; c += k) await model.fit(sliceSteps(x, c, c + k), sliceSteps(y, c, c + k), { batchSize: n, shuffle: false });
    }
    lstm.resetStates();
    let p = model.predict(sliceSteps(x, 0, k), { batchSize: n });
    for (let c = k; c < steps; c += k) p = model.predict(sliceSteps(x, c, c + k), { batchSize: n });
    const t = sliceSteps(y, steps - k, steps);
    let mse = 0;
    for (let i = 0; i < p.size; i++) mse += (p.data[i] - t.data[i]) ** 2 / p.size;
    return mse;
  }

  it("a stateful LSTM fed chunks of 4 steps answers in the last chunk from the first; without the state it cannot", async () => {
    const carried = await lastChunkMse(true);
    const forgotten = await lastChunkMse(false);
    assert.ok(carried < 0.05, `stateful: MSE ${carried} on steps 9-12`);
    assert.ok(forgotten > 0.5, `not stateful: MSE ${forgotten} on steps 9-12 (the answer is not in the chunk)`);
  });
});

// ---- save / load ------------------------------------------------------------------------------

describe("save / load", () => {
  it("a Sequential of Masking, Bidirectional LSTM, GRU, SimpleRNN and TimeDistributed(Dense) round-trips", async () => {
    const model = new Sequential(
      [
        new Masking(),
        new Bidirectional(new LSTM(4, { returnSequences: true })),
        new GRU(3, { returnSequences: true, goBackwards: true }),
        new SimpleRNN(3, { returnSequences: true, activation: "relu", recurrentInitializer: "identity" }),
        new TimeDistributed(new Dense(2)),
      ],
      { inputShape: [5, FEATURES], seed: 4 },
    );
    model.compile({ loss: "meanSquaredError", optimizer: new Adam() });
    const x = input(4, 5);
    await model.fit(x, randNormal([4, 5, 2], new Rng(1)), { epochs: 1, batchSize: 2 });
    const dir = await mkdtemp(join(tmpdir(), "layerwise-rnn-"));
    try {
      await model.save(dir);
      const loaded = await loadModel(dir);
      assert.ok(loaded instanceof Sequential);
      assert.deepEqual(
        loaded.namedParams().map(([name]) => name),
        model.namedParams().map(([name]) => name),
      );
      assert.deepEqual([...loaded.predict(x).data], [...model.predict(x).data]);
      assert.deepEqual(
        loaded.layers.map((l) => l.config()),
        model.layers.map((l) => l.config()),
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

// ---- bad input ----------------------------------------------------------------------------------

describe("bad input fails with a message", () => {
  it("a rank-2 input, a mask of the wrong shape, a changed batch of a stateful layer", () => {
    const lstm = built(new LSTM(UNITS));
    assert.throws(() => lstm.forward(randNormal([3, FEATURES], new Rng(0)), false), /LSTM rnn: expected input \[batch, time, 3\]; got \[3,3\].*reshape/);
    lstm.setMask(fromArray([1, 1, 0], [1, 3]));
    assert.throws(() => lstm.forward(input(), false), /the mask must be \[batch, time\] = \[3, 6\] for this input; got \[1,3\]/);
    const stateful = built(new GRU(UNITS, { stateful: true }));
    stateful.forward(input(3), false);
    assert.throws(() => stateful.forward(input(2), false), /carried state of a stateful layer has 3 rows but the batch has 2.*resetStates/);
    assert.throws(
      () => new Sequential([new SimpleRNN(2)], { inputShape: [10] }).build(),
      /SimpleRNN simple_rnn_1: input shape must be \[time, features\]; got \[10\]/,
    );
  });

  it("sequences of different lengths without padding and a mask", () => {
    // as one nested array they are ragged: the message points to padSequenceBatch and its mask
    assert.throws(
      () =>
        tensor([
          [[1, 2]],
          [
            [1, 2],
            [3, 4],
          ],
        ]),
      /tensor: ragged nested array: \[1\] has length 2, expected length 1 like the first at depth 1; .*padSequenceBatch, with a mask/,
    );
    // a batch longer than the steps the model was built for is refused with both shapes
    const model = new Sequential([new LSTM(3), new Dense(1)], { inputShape: [4, 2] }).build();
    assert.throws(() => model.predict(zeros([2, 5, 2])), /predict: x has shape \[2,5,2\] but the model takes \[rows, 4, 2\]/);
  });

  it("options out of range", () => {
    assert.throws(() => new LSTM(0), /LSTM: units must be an integer >= 1; got 0/);
    assert.throws(() => new SimpleRNN(2, { activation: "sigmoid" as never }), /SimpleRNN: activation must be one of tanh, relu; got "sigmoid"/);
    assert.throws(() => new GRU(2, { recurrentInitializer: "eye" as never }), /GRU: recurrentInitializer must be one of orthogonal, identity, /);
    assert.throws(() => new Bidirectional(new LSTM(2, { stateful: true })), /Bidirectional: the wrapped layer must not be stateful/);
    assert.throws(() => padSequenceBatch([[[1, 2]], [[1]]]), /step 0 of sequence 1 has 1 features but the first step of the batch has 2/);
    assert.throws(() => addingProblem({ count: 10, steps: 1 }), /addingProblem: steps must be an integer >= 2; got 1/);
    const lstm = built(new LSTM(UNITS));
    assert.throws(() => lstm.setInitialState([randNormal([3, UNITS], new Rng(0))]), /needs \[h, c\]; got 1 tensors/);
  });
});

// ---- helpers ----------------------------------------------------------------------------------

function dot(a: Tensor, b: Tensor): number {
  let s = 0;
  for (let i = 0; i < a.size; i++) s += a.data[i] * b.data[i];
  return s;
}

/** Steps [from, to) of a [batch, time, f] tensor, as a new tensor. */
function sliceSteps(x: Tensor, from: number, to: number): Tensor {
  const [n, steps, f] = x.shape;
  const out = new Float32Array(n * (to - from) * f);
  for (let b = 0; b < n; b++) out.set(x.data.subarray((b * steps + from) * f, (b * steps + to) * f), b * (to - from) * f);
  return fromArray(out, [n, to - from, f]);
}

/** |a − b| ≤ tol · max(1, |b|) everywhere. */
function assertClose(a: Tensor, b: Tensor, tol: number, what: string): void {
  assert.equal(a.size, b.size, `${what}: sizes`);
  for (let i = 0; i < a.size; i++) {
    assert.ok(Math.abs(a.data[i] - b.data[i]) <= tol * Math.max(1, Math.abs(b.data[i])), `${what}[${i}]: ${a.data[i]} vs ${b.data[i]}`);
  }
}
