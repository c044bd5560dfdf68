/**
 * The lecture's picture of vanishing and exploding gradients: how much of the error at the
 * last step E_T reaches the hidden state k steps back. Backpropagation through time multiplies
 * one Jacobian per step,
 *   ∂E_T/∂h_k = ∂E_T/∂h_T · Π_{k<i≤T} ∂h_i/∂h_{i−1},   ∂h_i/∂h_{i−1} = diag(φ'(a_i)) Uᵀ (tanh RNN),
 * so for a tanh RNN its norm falls or grows roughly geometrically in T − k: it vanishes when the
 * recurrent weights are small (‖U‖ < 1, and |tanh'| ≤ 1 only shrinks it further) and may
 * explode when they are large. The LSTM's cell c_t = f_t ∘ c_{t−1} + … carries the error back
 * through the forget gate alone, which starts near 1 (forget bias 1), so its gradient decays slowly.
 *
 * Measures ‖∂E_T/∂h_k‖ (mean over a batch of adding-problem sequences, E_T = ½(ŷ_T − y)²) against
 * T − k for a tanh RNN with U = 0.5·Q and U = 2·Q (Q orthogonal), and an LSTM, at initialisation
 * and after a short training on the adding problem, and draws it with a log y-axis.
 *
 *   node --import tsx examples/rnn-gradients.ts [--steps 100] [--units 64] [--train 2000]
 *        [--epochs 3] [--small 0.5] [--large 2] [--out out]
 *
 * Writes rnn-gradients.svg and rnn-gradients.png in --out.
 */
import { Adam, addingProblem, Dense, LSTM, linePlotImage, linePlotSvg, type Recurrent, Sequential, SimpleRNN, writeFileAtomic, writePng } from "layerwise";
import { parseOptions } from "layerwise/cli";

const { options } = parseOptions(process.argv.slice(2), {
  steps: { type: "number", integer: true, min: 2, default: 100, description: "T, the length of each sequence" },
  units: { type: "number", integer: true, min: 1, default: 64, description: "hidden units of each net" },
  train: { type: "number", integer: true, min: 1, default: 2000, description: "training sequences of the short training" },
  epochs: { type: "number", integer: true, min: 0, default: 3, description: "epochs of the short training" },
  lr: { type: "number", min: 0, default: 0.002, description: "Adam's learning rate (clip-norm 1)" },
  small: { type: "number", min: 0, default: 0.5, description: "the small tanh RNN's recurrent weights: U = small·Q" },
  large: { type: "number", min: 0, default: 2, description: "the large tanh RNN's recurrent weights: U = large·Q" },
  seed: { type: "number", integer: true, default: 1, description: "seed of data and initialisation" },
  out: { type: "string", default: "out", description: "folder for rnn-gradients.svg and .png" },
} as const);
const o = options as { [K in keyof typeof options]-?: NonNullable<(typeof options)[K]> };

const T = o.steps;
const train = addingProblem({ count: o.train, steps: T, seed: o.seed });
const probe = addingProblem({ count: 100, steps: T, seed: o.seed + 1 });

/** A net of one recurrent layer → Dense(1); `scale` multiplies the orthogonal U after initialisation. */
function net(layer: Recurrent, scale = 1): Sequential {
  const model = new Sequential([layer, new Dense(1)], { inputShape: [T, 2], seed: o.seed }).build();
  for (let i = 0; i < layer.recurrentKernel.value.size; i++) layer.recurrentKernel.value.data[i] *= scale;
  model.compile({ loss: "meanSquaredError", optimizer: new Adam({ learningRate: o.lr, clipNorm: 1 }) });
  return model;
}

/** ‖∂E_T/∂h_k‖ for k = T … 0 (index T − k), the mean over the probe sequences of each one's norm. */
function gradientNorms(model: Sequential): number[] {
  const [rnn, dense] = model.layers as [Recurrent, Dense];
  const y = model.forward(probe.x, false);
  // E_T = ½(ŷ − y)² per sequence: dE_T/dŷ = ŷ − y, then down through the Dense to h_T and through time
  const dy = y.clone();
  for (let b = 0; b < dy.size; b++) dy.data[b] -= probe.y.data[b];
  rnn.keepStateGrads = true;
  rnn.backward(dense.backward(dy, true), false);
  rnn.keepStateGrads = false;
  const grads = rnn.stateGrads();
  const [, n, u] = grads.shape;
  const norms: number[] = [];
  for (let k = T; k >= 0; k--) {
    let mean = 0;
    for (let b = 0; b < n; b++) {
      let s = 0;
      for (let j = 0; j < u; j++) s += grads.data[(k * n + b) * u + j] ** 2;
      mean += Math.sqrt(s) / n;
    }
    norms.push(mean);
  }
  return norms;
}

const NETS: [string, () => Sequential][] = [
  [`tanh RNN, U = ${o.small}·Q`, () => net(new SimpleRNN(o.units), o.small)],
  [`tanh RNN, U = ${o.large}·Q`, () => net(new SimpleRNN(o.units), o.large)],
  ["LSTM", () => net(new LSTM(o.units))],
];

console.log(`‖∂E_T/∂h_k‖ against T − k, adding problem T = ${T}, ${o.units} units; short training: ${o.train} sequences × ${o.epochs} epochs, Adam ${o.lr}`);
const series = [];
const show = [0, 1, 2, 5, 10, 20, 50, 100, 200, 500].filter((d) => d <= T);
console.log(`${"net".padEnd(34)}${show.map((d) => `T−k=${d}`.padStart(10)).join("")}`);
for (const [name, make] of NETS) {
  const model = make();
  const before = gradientNorms(model);
  await model.fit(train.x, train.y, { epochs: o.epochs, batchSize: 50, seed: o.seed }).catch((e: Error) => console.log(`${name}: ${e.message}`));
  const after = gradientNorms(model);
  for (const [when, norms] of [
    ["initialised", before],
    ["trained", after],
  ] as const) {
    console.log(`${`${name}, ${when}`.padEnd(34)}${show.map((d) => norms[d].toExponential(1).padStart(10)).join("")}`);
    series.push({ name: `${name}, ${when}`, x: norms.map((_, d) => d), y: norms });
  }
}

const plot = {
  title: `Gradient reaching h_k from E_T (adding problem, T = ${T})`,
  xLabel: "T − k (steps back)",
  yLabel: "‖∂E_T/∂h_k‖",
  series,
  yScale: "log" as const,
};
await writeFileAtomic(`${o.out}/rnn-gradients.svg`, linePlotSvg(plot));
await writePng(`${o.out}/rnn-gradients.png`, linePlotImage(plot), 3);
console.log(`wrote ${o.out}/rnn-gradients.svg and ${o.out}/rnn-gradients.png`);
