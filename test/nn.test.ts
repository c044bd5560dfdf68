import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Activation } from "../src/nn/activation.js";
import { ACTIVATION_NAMES, type ActivationName, activate } from "../src/nn/activations.js";
import { Dense } from "../src/nn/dense.js";
import { Dropout } from "../src/nn/dropout.js";
import { INITIALIZER_NAMES, initialize } from "../src/nn/initializers.js";
import { LOSS_NAMES, Loss } from "../src/nn/losses.js";
import { layerFromConfig } from "../src/nn/registry.js";
import { Flatten, Reshape } from "../src/nn/reshape.js";
import { Rng } from "../src/tensor/random.js";
import { randNormal, randUniform, type Tensor, tensor, zeros } from "../src/tensor/tensor.js";
import { assertGradientsClose, checkLayerGradients } from "./helpers/gradcheck.js";

/** Inputs away from ReLU's kink at 0, so central differences do not straddle it. */
function awayFromZero(x: Tensor): Tensor {
  for (let i = 0; i < x.size; i++) if (Math.abs(x.data[i]) < 0.05) x.data[i] = 0.05 * Math.sign(x.data[i] || 1);
  return x;
}

describe("Dense", () => {
  for (const activation of ACTIVATION_NAMES) {
    it(`backward matches finite differences (${activation})`, () => {
      const layer = new Dense(5, { activation, name: `dense_${activation}` });
      layer.build([4], new Rng(1));
      // Bias away from zero so relu units are not at their kink.
      if (layer.bias) for (let i = 0; i < 5; i++) layer.bias.value.data[i] = 0.3 * (i - 2) + 0.1;
      checkLayerGradients(layer, awayFromZero(randNormal([3, 4], new Rng(2))), { epsilon: 1e-3 });
    });
  }

  it("reuses its buffers across batches of the same size (no allocation per batch)", () => {
    const layer = new Dense(4, { activation: "tanh" });
    layer.build([3], new Rng(0));
    const x = randNormal([5, 3], new Rng(1));
    const y1 = layer.forward(x, true);
    const dx1 = layer.backward(y1);
    const y2 = layer.forward(x, true);
    assert.equal(y2, y1);
    assert.equal(layer.backward(y2), dx1);
    assert.notEqual(layer.forward(x.sliceRows(0, 2), true), y1, "a smaller last batch has its own buffers");
    assert.equal(layer.forward(x, true), y1, "and the full-size ones are still there");
  });

  it("without bias has only a kernel, shaped [inputs, units]", () => {
    const layer = new Dense(3, { useBias: false });
    layer.build([7], new Rng(0));
    assert.deepEqual(
      layer.params().map((p) => [p.name, [...p.value.shape]]),
      [["kernel", [7, 3]]],
    );
    checkLayerGradients(layer, randNormal([2, 7], new Rng(3)));
  });

  it("computes x W + b", () => {
    const layer = new Dense(2, { kernelInitializer: "zeros" });
    layer.build([2], new Rng(0));
    layer.kernel.value.assign([1, 2, 3, 4]);
    layer.bias?.value.assign([10, 20]);
    assert.deepEqual(
      layer
        .forward(
          tensor([
            [1, 1],
            [2, 0],
          ]),
          false,
        )
        .toArray(),
      [
        [14, 26],
        [12, 24],
      ],
    );
  });

  it("accumulates param grads across backward calls and skips frozen ones", () => {
    const layer = new Dense(2);
    layer.build([3], new Rng(0));
    const x = randNormal([4, 3], new Rng(1));
    const dy = randNormal([4, 2], new Rng(2));
    layer.forward(x, true);
    layer.backward(dy);
    const once = layer.kernel.grad.clone();
    layer.backward(dy);
    for (let i = 0; i < once.size; i++) assert.ok(Math.abs(layer.kernel.grad.data[i] - 2 * once.data[i]) < 1e-5);
    layer.kernel.grad.data.fill(0);
    layer.kernel.trainable = false;
    layer.backward(dy);
    assert.ok(layer.kernel.grad.data.every((v) => v === 0));
  });

  it("rejects bad options and shapes with the option named", () => {
    assert.throws(() => new Dense(0), /units must be an integer >= 1/);
    assert.throws(() => new Dense(3, { activation: "swish" as ActivationName }), /activation must be one of sigmoid, tanh/);
    assert.throws(() => new Dense(3, { kernelInitializer: "xavier" as "zeros" }), /kernelInitializer must be one of/);
    const layer = new Dense(3);
    assert.throws(() => layer.build([2, 2], new Rng(0)), /Flatten/);
    layer.build([4], new Rng(0));
    assert.throws(() => layer.forward(zeros([2, 5]), false), /expected input \[batch, 4\]; got \[2,5\]/);
  });
});

describe("Activation", () => {
  for (const name of ACTIVATION_NAMES) {
    it(`backward matches finite differences (${name})`, () => {
      const layer = new Activation(name, { name: `act_${name}` });
      layer.build([6], new Rng(0));
      checkLayerGradients(layer, awayFromZero(randNormal([3, 6], new Rng(5))), { epsilon: 1e-3 });
    });
  }

  it("computes the textbook values", () => {
    const z = tensor([[-2, 0, 3]]);
    const f = (name: ActivationName): number[] => [...activate(name, z, zeros([1, 3])).data];
    assert.deepEqual(f("relu"), [0, 0, 3]);
    assert.deepEqual(f("linear"), [-2, 0, 3]);
    assert.ok(Math.abs(f("leakyRelu")[0] + 0.02) < 1e-7);
    assert.ok(Math.abs(f("sigmoid")[1] - 0.5) < 1e-7);
    const s = f("softmax");
    assert.ok(Math.abs(s[0] + s[1] + s[2] - 1) < 1e-6 && s[2] > s[1] && s[1] > s[0]);
  });
});

describe("Dropout", () => {
  it("is the identity at inference and keeps the expected value in training", () => {
    const layer = new Dropout(0.5, { seed: 3 });
    layer.build([1000], new Rng(0));
    const x = randUniform([4, 1000], new Rng(1), 0.5, 1.5);
    assert.equal(layer.forward(x, false), x);
    const y = layer.forward(x, true);
    let zerosCount = 0;
    let sx = 0;
    let sy = 0;
    for (let i = 0; i < x.size; i++) {
      if (y.data[i] === 0) zerosCount++;
      else assert.ok(Math.abs(y.data[i] - 2 * x.data[i]) < 1e-5, "kept units are scaled by 1/(1 - rate)");
      sx += x.data[i];
      sy += y.data[i];
    }
    assert.ok(Math.abs(zerosCount / x.size - 0.5) < 0.03, `dropped fraction ${zerosCount / x.size}`);
    assert.ok(Math.abs(sy / sx - 1) < 0.05, `mean ratio ${sy / sx}`);
  });

  it("backward matches finite differences with the mask fixed", () => {
    const layer = new Dropout(0.3, { seed: 11, name: "dropout" });
    layer.build([8], new Rng(0));
    layer.fixedMask = true;
    checkLayerGradients(layer, randNormal([5, 8], new Rng(4)), { training: true });
  });

  it("is reproducible from its seed", () => {
    const run = (): number[] => {
      const layer = new Dropout(0.5, { seed: 42 });
      layer.build([20], new Rng(0));
      return [...layer.forward(randNormal([2, 20], new Rng(1)), true).data];
    };
    assert.deepEqual(run(), run());
    assert.throws(() => new Dropout(1), /rate must be in \[0, 1\)/);
  });
});

describe("Flatten and Reshape", () => {
  it("Flatten views [b, 2, 3, 2] as [b, 12] and back", () => {
    const layer = new Flatten();
    assert.deepEqual(layer.build([2, 3, 2], new Rng(0)), [12]);
    const x = randNormal([3, 2, 3, 2], new Rng(1));
    const y = layer.forward(x, false);
    assert.deepEqual(y.shape, [3, 12]);
    assert.equal(y.data, x.data, "a view, not a copy");
    assert.deepEqual(layer.backward(y).shape, [3, 2, 3, 2]);
    checkLayerGradients(layer, x);
  });

  it("Reshape resolves -1 and checks sizes", () => {
    const layer = new Reshape([-1, 4]);
    assert.deepEqual(layer.build([8], new Rng(0)), [2, 4]);
    checkLayerGradients(layer, randNormal([3, 8], new Rng(2)));
    assert.throws(() => new Reshape([3, 3]).build([8], new Rng(0)), /cannot reshape/);
  });
});

describe("initializers", () => {
  it("draw with the documented spread", () => {
    const rng = new Rng(9);
    const std = (t: Tensor): number => Math.sqrt(t.data.reduce((s, v) => s + v * v, 0) / t.size);
    const fanIn = 400;
    const fanOut = 200;
    const expected: Record<string, number> = {
      glorotUniform: Math.sqrt(2 / (fanIn + fanOut)),
      glorotNormal: Math.sqrt(2 / (fanIn + fanOut)),
      heNormal: Math.sqrt(2 / fanIn),
      heUniform: Math.sqrt(2 / fanIn),
      uniform: 0.05 / Math.sqrt(3),
      normal: 0.05,
      zeros: 0,
    };
    for (const name of INITIALIZER_NAMES) {
      const s = std(initialize(name, [fanIn, fanOut], fanIn, fanOut, rng));
      assert.ok(Math.abs(s - expected[name]) <= 0.03 * expected[name] + 1e-9, `${name}: std ${s} vs ${expected[name]}`);
    }
  });
});

describe("losses", () => {
  const t = tensor([
    [0, 1, 0],
    [1, 0, 0],
    [0, 0, 1],
    [0, 1, 0],
  ]);

  it("meanSquaredError is ½‖t − y‖² averaged over the batch", () => {
    const y = tensor([
      [0, 0, 0],
      [1, 0, 0],
      [0, 0, 1],
      [0, 1, 2],
    ]);
    assert.equal(new Loss("meanSquaredError").value(y, t), (0.5 * 1 + 0.5 * 4) / 4);
  });

  for (const [name, activation] of [
    ["categoricalCrossentropy", "softmax"],
    ["binaryCrossentropy", "sigmoid"],
    ["meanSquaredError", "linear"],
  ] as const) {
    it(`${name} fused with ${activation}: dL/dz = (y − t)/n matches finite differences`, () => {
      const loss = new Loss(name);
      assert.ok(loss.fusesWith(activation));
      const z = randNormal([4, 3], new Rng(3), 0, 2);
      const y = zeros([4, 3]);
      const f = (): number => loss.value(activate(activation, z, y), t, z);
      f();
      const g = loss.gradient(y, t, zeros([4, 3]), true).clone();
      assertGradientsClose(`${name} dL/dz`, z.data, g.data, f, { epsilon: 1e-3, tolerance: 5e-3 });
    });
  }

  for (const name of LOSS_NAMES) {
    it(`${name} unfused: dL/dy matches finite differences`, () => {
      const loss = new Loss(name);
      const y = randUniform([4, 3], new Rng(8), 0.1, 0.9);
      const g = loss.gradient(y, t, zeros([4, 3]), false).clone();
      assertGradientsClose(`${name} dL/dy`, y.data, g.data, () => loss.value(y, t), { epsilon: 1e-3, tolerance: 5e-3 });
    });
  }

  it("fused cross-entropy stays finite where the probabilities underflow", () => {
    const z = tensor([
      [1000, -1000, 0],
      [-500, 500, 0],
    ]);
    const tt = tensor([
      [0, 1, 0],
      [1, 0, 0],
    ]);
    const y = activate("softmax", z, zeros([2, 3]));
    const v = new Loss("categoricalCrossentropy").value(y, tt, z);
    // rows: lse 1000 − (−1000) = 2000 and lse 500 − (−500) = 1000; mean 1500
    assert.ok(Math.abs(v - 1500) < 1e-3, `loss ${v}`);
    const b = new Loss("binaryCrossentropy").value(activate("sigmoid", z, zeros([2, 3])), tt, z);
    assert.ok(Number.isFinite(b) && b > 0);
    assert.throws(() => new Loss("hinge" as "meanSquaredError"), /loss must be one of meanSquaredError, categoricalCrossentropy, binaryCrossentropy/);
  });
});

describe("layer registry", () => {
  it("rebuilds every layer from its config", () => {
    const layers = [
      new Dense(4, { activation: "leakyRelu", alpha: 0.2, kernelInitializer: "heNormal", name: "d", inputShape: [3] }),
      new Activation("softmax"),
      new Dropout(0.25, { seed: 5 }),
      new Flatten(),
      new Reshape([2, 2]),
    ];
    for (const l of layers) {
      const copy = layerFromConfig(JSON.parse(JSON.stringify(l.config())));
      assert.deepEqual(copy.config(), l.config());
    }
    assert.throws(() => layerFromConfig({ className: "Nope" }), /unknown layer class "Nope"; registered: .*Dense/);
    assert.throws(() => layerFromConfig({ className: "Dense", units: "4" }), /"units" must be an integer/);
  });
});
