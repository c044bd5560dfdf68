/**
 * The first chapter of the canon, runnable:
 *   1. Rosenblatt's perceptron learns AND and OR (linearly separable) and reports that it
 *      cannot learn XOR;
 *   2. a 2-4-1 MLP trained by backpropagation learns XOR;
 *   3. the perceptron, one-vs-rest, on the bundled digits;
 *   4. Hebbian learning: plain Hebb's weights grow without bound, Oja's rule finds the first
 *      principal component with ‖w‖ = 1, Sanger's rule the first two in order.
 *
 *   node --import tsx examples/perceptron.ts
 */
import { Dense, fromArray, hebbianUpdate, loadMnist, ops, Perceptron, Rng, Sequential, SGD, tensor, zeros } from "layerwise";

const corners = tensor([
  [0, 0],
  [0, 1],
  [1, 0],
  [1, 1],
]);

console.log("1. The perceptron on the corners of the unit square, y = [wᵀx + b > 0], Δw = η (d − y) x");
for (const [name, d] of [
  ["AND", [0, 0, 0, 1]],
  ["OR", [0, 1, 1, 1]],
  ["XOR", [0, 1, 1, 0]],
] as const) {
  const p = new Perceptron({ maxEpochs: 100, seed: 1 });
  const r = p.fit(corners, d);
  const w = p.weights?.data ?? [];
  console.log(
    `   ${name.padEnd(4)}${r.message}; w = (${Array.from(w).join(", ")}), b = ${p.bias?.data[0]}; outputs ${Array.from(p.predict(corners)).join(" ")}`,
  );
}

console.log("\n2. A 2-4-1 MLP (tanh hidden units, sigmoid output, cross-entropy, SGD with momentum) on XOR");
const mlp = new Sequential([new Dense(4, { activation: "tanh", inputShape: [2] }), new Dense(1, { activation: "sigmoid" })], { seed: 1 });
mlp.compile({ loss: "binaryCrossentropy", optimizer: new SGD({ learningRate: 0.5, momentum: 0.9 }) });
const history = await mlp.fit(corners, tensor([[0], [1], [1], [0]]), { epochs: 500, batchSize: 4 });
console.log(
  `   final loss ${history.history.loss[history.history.loss.length - 1].toFixed(5)}; outputs ${Array.from(mlp.predict(corners).data, (v) => v.toFixed(3)).join(" ")}`,
);

console.log("\n3. One-vs-rest perceptron (10 threshold units) on the bundled digits");
const { train, test } = await loadMnist();
for (const epochs of [1, 5, 10]) {
  const p = new Perceptron({ classes: 10, maxEpochs: epochs, seed: 1 });
  const t0 = performance.now();
  const r = p.fit(train.images, train.labels);
  const seconds = (performance.now() - t0) / 1e3;
  console.log(
    `   ${String(epochs).padStart(2)} epochs: ${r.message}; train accuracy ${p.score(train.images, train.labels).toFixed(4)}, test accuracy ${p.score(test.images, test.labels).toFixed(4)} (${seconds.toFixed(1)} s)`,
  );
}

console.log("\n4. Hebbian learning with linear units y = xW on 2-D data stretched along (1, 1) (variance 9) and (1, −1) (variance 1)");
const rng = new Rng(1);
const n = 500;
const x = zeros([n, 2]);
for (let i = 0; i < n; i++) {
  const a = 3 * rng.normal();
  const b = rng.normal();
  x.data.set([(a + b) / Math.SQRT2, (a - b) / Math.SQRT2], 2 * i);
}
const fmt = (v: ArrayLike<number>): string => `(${Array.from(v, (z) => z.toFixed(3)).join(", ")})`;
for (const rule of ["hebb", "oja", "sanger"] as const) {
  const units = rule === "sanger" ? 2 : 1;
  const w = fromArray(rule === "sanger" ? [0.2, 0.5, -0.4, 0.1] : [0.3, 0.1], [2, units]);
  const y = zeros([10, units]);
  for (let epoch = 0; epoch < 40; epoch++) {
    for (let s = 0; s < n; s += 10) {
      const xb = x.sliceRows(s, s + 10);
      hebbianUpdate(w, xb, ops.matmul(xb, w, { out: y }), { learningRate: 0.002, rule });
    }
  }
  const cols = Array.from({ length: units }, (_, j) => [w.get(0, j), w.get(1, j)]);
  console.log(`   ${rule.padEnd(6)} ${cols.map((c) => `w = ${fmt(c)}, ‖w‖ = ${Math.hypot(c[0], c[1]).toExponential(3)}`).join("; ")}`);
}
console.log("   (principal components: ±(0.707, 0.707) and ±(0.707, −0.707))");
