/**
 * Defects the fuzzing of saved models' options and state found (test/fuzz.test.ts, "model.json
 * (v2)", "model.json (v1 pairs)", "dbn.json (v1 folder)"): each damaged file is refused with a
 * SavedModelError naming the file and the option, field or tensor, never an engine error.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  Adam,
  BAM,
  DBM,
  Dense,
  decodeModel,
  encodeModel,
  fromArray,
  Hopfield,
  Perceptron,
  RBM,
  type Saveable,
  SavedModelError,
  Sequential,
  zeros,
} from "../src/index.js";

type Json = Record<string, Record<string, unknown>>;

/** Saves model, lets edit change its model.json, and expects the load to be refused with a message matching problem. */
function assertRefused(model: Saveable, edit: (json: Json) => void, problem: RegExp): void {
  const { json, weights } = encodeModel(model);
  const damaged = structuredClone(json) as unknown as Json;
  edit(damaged);
  assert.throws(
    () => decodeModel(damaged, weights, { json: "m/model.json", weights: "m/model.safetensors" }),
    (err: Error) => {
      assert.ok(err instanceof SavedModelError, `${err.constructor.name}: ${err.message}`);
      assert.match(err.message, /^m\/model\.(json|safetensors): /);
      assert.match(err.message, problem);
      for (let e: unknown = err; e instanceof Error; e = e.cause)
        assert.doesNotMatch(e.message, /Invalid typed array length|is not iterable|Cannot read propert/);
      return true;
    },
  );
}

const HUGE = 2 ** 53;

describe("saved models with invalid options or state are refused by name", () => {
  it("sizes that could not be allocated name the options and the 2^28-float limit", () => {
    const limit = /at most 2\^28 = 268435456/;
    assertRefused(
      new RBM({ visible: 6, hidden: 3 }),
      (j) => Object.assign(j.config, { visible: HUGE }),
      /RBM: visible × hidden = 9007199254740992 × 3 floats .*at most 2\^28/,
    );
    assertRefused(new RBM({ visible: 6, hidden: 3 }), (j) => Object.assign(j.config, { persistent: 2 ** 27 }), /RBM: persistent × visible/);
    assertRefused(new Hopfield({ size: 6 }), (j) => Object.assign(j.config, { size: 1.7976931348623157e308 }), /Hopfield: size × size = .*floats/);
    assertRefused(new BAM({ xSize: 3, ySize: 2 }), (j) => Object.assign(j.config, { ySize: 1e308 }), /BAM: xSize × ySize/);
    assertRefused(new DBM({ layers: [6, 4, 3], chains: 2 }), (j) => Object.assign(j.config, { labels: HUGE }), /DBM: labels × layers\[2\]/);
    const perceptron = new Perceptron({ classes: 3 });
    perceptron.fit(zeros([2, 4]), [0, 2]);
    assertRefused(perceptron, (j) => Object.assign(j.config, { classes: 2 ** 32 }), limit);
    const mlp = new Sequential([new Dense(4), new Dense(2)], { inputShape: [6] }).build();
    assertRefused(mlp, (j) => Object.assign((j.config.layers as Json[string][])[1], { units: 2 ** 31 }), /Dense dense_2: inputs × units = 4 × 2147483648/);
    assertRefused(mlp, (j) => Object.assign(j.config, { inputShape: [1e308] }), /Dense dense_1: inputs × units/);
  });

  it("a refused size leaves the backend's memory sound: later tensors do not share storage", () => {
    assertRefused(new Hopfield({ size: 6 }), (j) => Object.assign(j.config, { size: 1.7976931348623157e308 }), /Hopfield: size × size/);
    // the constructors check first now; the backend itself must also survive a size of Infinity (a NaN size class poisoned its allocator)
    assert.throws(() => zeros([1e308, 1e308]), RangeError);
    const a = zeros([3]);
    const b = zeros([3]);
    a.data[0] = 1;
    assert.equal(b.data[0], 0, "two tensors share storage");
  });

  it("options and state of the wrong type name the field", () => {
    assertRefused(
      new DBM({ layers: [6, 4, 3], chains: 2 }),
      (j) => Object.assign(j.config, { sparsityTarget: { a: 1 } }),
      /DBM: sparsityTarget must be a number or a list/,
    );
    const mlp = new Sequential([new Dense(4), new Dense(2, { activation: "softmax" })], { inputShape: [6] }).build();
    mlp.compile({ loss: "categoricalCrossentropy", optimizer: new Adam(), metrics: ["accuracy"] });
    assertRefused(mlp, (j) => Object.assign(j.config, { inputShape: 2.5e-7 }), /"config\.inputShape" must be a list of integers >= 0; got 2\.5e-7/);
    assertRefused(
      mlp,
      (j) => Object.assign(j.config.compile as object, { metrics: { a: 1 } }),
      /"config\.compile" must be null or \{ loss, optimizer, metrics: \[\.\.\.\] \}/,
    );
    assertRefused(mlp, (j) => Object.assign(j.state, { optimizer: null }), /"state\.optimizer" must be \{ iterations \}; got null/);
    assertRefused(new Perceptron(), (j) => Object.assign(j.config, { shuffle: "yes" }), /Perceptron: shuffle must be true or false, got "yes"/);
  });

  it("a saved momentum buffer beside 'updates: 0' is refused, not dropped", async () => {
    const rbm = new RBM({ visible: 3, hidden: 2, seed: 1 });
    await rbm.fit(fromArray([1, 0, 1, 0, 1, 1], [2, 3]), { epochs: 1, batchSize: 2 });
    assertRefused(
      rbm,
      (j) => Object.assign(j.state, { epochsTrained: 0, updates: 0 }),
      /tensor "velocity\.W" does not go with the "config" and "state" of the RBM/,
    );
    const dbm = new DBM({ layers: [3, 2, 2], chains: 2, seed: 1 });
    await dbm.fit(fromArray([1, 0, 1, 0, 1, 1], [2, 3]), { epochs: 1, batchSize: 2 });
    assertRefused(dbm, (j) => delete j.state.updates, /tensor "velocity\.W1" does not go with/);
  });

  it("constructors check sizes before allocating, outside a load too", () => {
    assert.throws(
      () => new RBM({ visible: 2 ** 20, hidden: 2 ** 10 }),
      /^RangeError: RBM: visible × hidden = 1048576 × 1024 floats is more than one tensor may hold/,
    );
    assert.throws(() => new DBM({ layers: [2 ** 20, 2 ** 10, 2] }), /^RangeError: DBM: layers\[0\] × layers\[1\]/);
  });
});
