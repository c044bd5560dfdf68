import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Conv1D, Conv2D } from "../src/nn/conv.js";
import { Embedding } from "../src/nn/embedding.js";
import { AvgPool2D, GlobalAvgPool, GlobalMaxPool, MaxPool2D } from "../src/nn/pool.js";
import { layerFromConfig } from "../src/nn/registry.js";
import * as ops from "../src/ops/index.js";
import { Rng } from "../src/tensor/random.js";
import { ShapeError } from "../src/tensor/shape.js";
import { fromArray, randNormal, tensor } from "../src/tensor/tensor.js";
import { checkLayerGradients } from "./helpers/gradcheck.js";

const rng = (seed = 1): Rng => new Rng(seed);

/** The lecture's worked example: 5x5 binary image, 3x3 filter, stride 1, no padding. */
const IMAGE = [
  [1, 1, 1, 0, 0],
  [0, 1, 1, 1, 0],
  [0, 0, 1, 1, 1],
  [0, 0, 1, 1, 0],
  [0, 1, 1, 0, 0],
];
const FILTER = [
  [1, 0, 1],
  [0, 1, 0],
  [1, 0, 1],
];

/** Direct convolution by the definition: y[n,oh,ow,f] = Σ x[n, oh·S + kh − P, ow·S + kw − P, c] K[kh,kw,c,f] + b[f]. */
function naiveConv(
  x: Float32Array,
  [n, H, W, C]: number[],
  k: Float32Array,
  [kH, kW, F]: number[],
  b: Float32Array | null,
  S: number,
  P: number,
  outH: number,
  outW: number,
): Float32Array {
  const y = new Float32Array(n * outH * outW * F);
  for (let i = 0; i < n; i++)
    for (let oh = 0; oh < outH; oh++)
      for (let ow = 0; ow < outW; ow++)
        for (let f = 0; f < F; f++) {
          let s = b ? b[f] : 0;
          for (let kh = 0; kh < kH; kh++)
            for (let kw = 0; kw < kW; kw++) {
              const ih = oh * S + kh - P;
              const iw = ow * S + kw - P;
              if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
              for (let c = 0; c < C; c++) s += x[((i * H + ih) * W + iw) * C + c] * k[((kh * kW + kw) * C + c) * F + f];
            }
          y[((i * outH + oh) * outW + ow) * F + f] = s;
        }
  return y;
}

describe("Conv2D", () => {
  it("reproduces the lecture's worked example: [[4,3,4],[2,4,3],[2,3,4]]", () => {
    const conv = new Conv2D({ filters: 1, kernelSize: 3, strides: 1, padding: "valid", useBias: false });
    assert.deepEqual(conv.build([5, 5, 1], rng()), [3, 3, 1]);
    conv.kernel.value.assign(FILTER.flat());
    const y = conv.forward(fromArray(IMAGE.flat(), [1, 5, 5, 1]), false);
    assert.deepEqual(y.shape, [1, 3, 3, 1]);
    assert.deepEqual(Array.from(y.data), [4, 3, 4, 2, 4, 3, 2, 3, 4]);
  });

  it("matches the definition of convolution with stride, padding and several channels", () => {
    for (const [S, P, H, F] of [
      [1, 0, 6, 3],
      [2, 1, 7, 3],
      [2, 2, 8, 4],
      [3, 0, 7, 1],
    ]) {
      const conv = new Conv2D({ filters: 4, kernelSize: F, strides: S, padding: P });
      const out = conv.build([H, H, 3], rng(S * 10 + P));
      const expected = (H - F + 2 * P) / S + 1;
      assert.deepEqual(out, [expected, expected, 4]);
      ops.scale(randNormal([4], rng(5)), 1, conv.bias!.value);
      const x = randNormal([2, H, H, 3], rng(9));
      const y = conv.forward(x, false);
      const ref = naiveConv(x.data, [2, H, H, 3], conv.kernel.value.data, [F, F, 4], conv.bias!.value.data, S, P, expected, expected);
      for (let i = 0; i < ref.length; i++) assert.ok(Math.abs(y.data[i] - ref[i]) < 1e-4, `S=${S} P=${P}: y[${i}] = ${y.data[i]}, definition gives ${ref[i]}`);
    }
  });

  it("gives output sizes (W − F + 2P)/S + 1 and names the numbers of impossible combinations", () => {
    const cases: [number, number, number, number, number][] = [
      // W, F, P, S, expected
      [32, 5, 0, 1, 28],
      [28, 5, 2, 1, 28],
      [227, 11, 0, 4, 55],
      [7, 3, 1, 2, 4],
      [10, 3, 1, 1, 10],
      [5, 5, 0, 1, 1],
    ];
    for (const [W, F, P, S, expected] of cases) {
      assert.equal(ops.axisGeometry("t", W, F, S, P).out, expected, `W=${W} F=${F} P=${P} S=${S}`);
      const conv = new Conv2D({ filters: 2, kernelSize: F, strides: S, padding: P });
      assert.deepEqual(conv.build([W, W, 1], rng()), [expected, expected, 2]);
    }
    // 10 − 3 + 0 = 7 is not divisible by 2: the lecture's example of an invalid stride
    assert.throws(
      () => new Conv2D({ filters: 1, kernelSize: 3, strides: 2 }).build([10, 10, 1], rng()),
      (e: Error) => {
        assert.ok(e instanceof ShapeError);
        assert.match(e.message, /\(10 − 3 \+ 2·0\)\/2 \+ 1 = 4\.5 is not a whole number/);
        return true;
      },
    );
    assert.throws(() => new Conv2D({ filters: 1, kernelSize: 7 }).build([5, 5, 1], rng()), /7-wide window does not fit the input of width 5/);
    assert.throws(() => new Conv2D({ filters: 1, kernelSize: 3, padding: -1 }), /padding must be an integer >= 0/);
    assert.throws(() => new Conv2D({ filters: 0, kernelSize: 3 }), /filters must be an integer >= 1/);
    assert.throws(() => new Conv2D({ filters: 1, kernelSize: 3 }).build([5, 5], rng()), /\[height, width, channels\]/);
    // "same" keeps ⌈W/S⌉
    assert.deepEqual(new Conv2D({ filters: 3, kernelSize: 5, padding: "same" }).build([28, 28, 1], rng()), [28, 28, 3]);
    assert.deepEqual(new Conv2D({ filters: 3, kernelSize: 3, strides: 2, padding: "same" }).build([7, 7, 1], rng()), [4, 4, 3]);
  });

  it("passes finite-difference gradient checks (stride 2, padding, several in/out channels, activations)", () => {
    const configs = [
      { filters: 3, kernelSize: 3, strides: 2, padding: 1 as const },
      { filters: 2, kernelSize: [3, 2] as [number, number], strides: [1, 2] as [number, number], padding: "same" as const, activation: "tanh" as const },
      { filters: 4, kernelSize: 2, strides: 1, padding: "valid" as const, activation: "sigmoid" as const },
    ];
    for (const [i, options] of configs.entries()) {
      const conv = new Conv2D({ ...options, name: `conv${i}` });
      conv.build([5, 7, 2], rng(i));
      ops.scale(randNormal([options.filters], rng(3)), 0.3, conv.bias!.value);
      checkLayerGradients(conv, randNormal([2, 5, 7, 2], rng(40 + i)), { maxChecks: 60 });
    }
  });

  it("round-trips through its config", () => {
    const conv = new Conv2D({ filters: 6, kernelSize: 5, strides: 1, padding: "same", activation: "relu", inputShape: [28, 28, 1], name: "c1" });
    const again = layerFromConfig(conv.config());
    assert.deepEqual(again.config(), conv.config());
  });
});

describe("Conv1D", () => {
  it("slides a window over steps like a height-1 Conv2D", () => {
    const conv = new Conv1D({ filters: 1, kernelSize: 2, useBias: false });
    assert.deepEqual(conv.build([4, 1], rng()), [3, 1]);
    conv.kernel.value.assign([1, -1]);
    const y = conv.forward(tensor([[[1], [4], [9], [16]]]), false);
    assert.deepEqual(Array.from(y.data), [-3, -5, -7]);
  });

  it("passes finite-difference gradient checks", () => {
    for (const [i, options] of [
      { kernelSize: 3, strides: 1, padding: "same" as const },
      { kernelSize: 2, strides: 2, padding: 0 },
    ].entries()) {
      const conv = new Conv1D({ filters: 3, activation: "relu", name: `c1d${i}`, ...options });
      conv.build([8, 4], rng(i));
      checkLayerGradients(conv, randNormal([3, 8, 4], rng(60 + i)), { maxChecks: 60 });
    }
  });
});

describe("pooling", () => {
  it("max and average pooling compute the window max and mean", () => {
    const x = fromArray([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16], [1, 4, 4, 1]);
    const maxPool = new MaxPool2D({ poolSize: 2 });
    assert.deepEqual(maxPool.build([4, 4, 1], rng()), [2, 2, 1]);
    assert.deepEqual(Array.from(maxPool.forward(x, false).data), [6, 8, 14, 16]);
    const avgPool = new AvgPool2D({ poolSize: 2 });
    avgPool.build([4, 4, 1], rng());
    assert.deepEqual(Array.from(avgPool.forward(x, false).data), [3.5, 5.5, 11.5, 13.5]);
    const overlapping = new MaxPool2D({ poolSize: 3, strides: 1 });
    assert.deepEqual(overlapping.build([4, 4, 1], rng()), [2, 2, 1]);
    assert.throws(() => new MaxPool2D({ poolSize: 2 }).build([5, 5, 1], rng()), /\(5 − 2 \+ 2·0\)\/2 \+ 1 = 2\.5 is not a whole number/);
    assert.deepEqual(new MaxPool2D({ poolSize: 2, padding: "same" }).build([5, 5, 3], rng()), [3, 3, 3]);
  });

  it("passes finite-difference gradient checks (max, avg, overlapping, same padding, global)", () => {
    // well-separated random values: a nudge of ε never changes which input wins a max window
    const x = randNormal([2, 6, 6, 3], rng(70));
    const layers = [
      new MaxPool2D({ poolSize: 2, name: "max2" }),
      new MaxPool2D({ poolSize: 3, strides: 1, padding: "same", name: "max3same" }),
      new AvgPool2D({ poolSize: 2, name: "avg2" }),
      new AvgPool2D({ poolSize: 3, strides: 2, padding: "same", name: "avg3same" }),
      new GlobalMaxPool({ name: "gmax" }),
      new GlobalAvgPool({ name: "gavg" }),
    ];
    for (const layer of layers) {
      layer.build([6, 6, 3], rng());
      checkLayerGradients(layer, x, { epsilon: 1e-3, maxChecks: 108 });
    }
    for (const layer of [new GlobalMaxPool({ name: "gmax1d" }), new GlobalAvgPool({ name: "gavg1d" })]) {
      assert.deepEqual(layer.build([7, 4], rng()), [4]);
      checkLayerGradients(layer, randNormal([3, 7, 4], rng(71)), { epsilon: 1e-3, maxChecks: 84 });
    }
  });

  it("global pooling takes one value per channel", () => {
    const x = tensor([
      [
        [1, -1],
        [5, 0],
        [2, 3],
      ],
    ]); // [1, 3 steps, 2 channels]
    const gmax = new GlobalMaxPool();
    gmax.build([3, 2], rng());
    assert.deepEqual(Array.from(gmax.forward(x, false).data), [5, 3]);
    const gavg = new GlobalAvgPool();
    gavg.build([3, 2], rng());
    assert.deepEqual(Array.from(gavg.forward(x, false).data), [8 / 3, 2 / 3].map(Math.fround));
  });
});

describe("Embedding", () => {
  it("looks up rows and sends gradients back to the rows used", () => {
    const emb = new Embedding(5, 3, { name: "emb" });
    assert.deepEqual(emb.build([4], rng()), [4, 3]);
    const ids = tensor([[0, 2, 2, 4]]);
    const y = emb.forward(ids, false);
    assert.deepEqual(Array.from(y.data.subarray(3, 6)), Array.from(emb.embeddings.value.data.subarray(6, 9)));
    checkLayerGradients(
      emb,
      tensor([
        [0, 2, 2, 4],
        [1, 1, 3, 0],
      ]),
      { maxChecks: 15 },
    );
    assert.throws(() => emb.forward(tensor([[0, 5, 1, 1]]), false), /token id 5 at position 1 is outside 0\.\.4/);
  });
});

describe("Parallel", () => {
  it("concatenates branches that read the same input and sums their input gradients", async () => {
    const { Parallel } = await import("../src/nn/parallel.js");
    const par = new Parallel(
      [
        [new Conv1D({ filters: 2, kernelSize: 2, activation: "tanh" }), new GlobalMaxPool()],
        [new Conv1D({ filters: 3, kernelSize: 3 }), new GlobalAvgPool()],
      ],
      { name: "par" },
    );
    assert.deepEqual(par.build([6, 4], rng(3)), [5]);
    assert.deepEqual(
      par.params().map((p) => p.name),
      ["b0_conv1d0.kernel", "b0_conv1d0.bias", "b1_conv1d0.kernel", "b1_conv1d0.bias"],
    );
    const x = randNormal([2, 6, 4], rng(80));
    const y = par.forward(x, false);
    assert.deepEqual(y.shape, [2, 5]);
    // the first two columns are branch 0 on its own
    const [c0, p0] = par.branches[0];
    const alone = p0.forward(c0.forward(x, false), false);
    assert.deepEqual([y.data[0], y.data[1], y.data[5], y.data[6]], Array.from(alone.data));
    checkLayerGradients(par, x, { epsilon: 1e-3, maxChecks: 48 });
    const again = layerFromConfig(par.config());
    assert.deepEqual(again.config(), par.config());
  });
});
