/**
 * A Boltzmann machine learns the even-parity distribution of 3 bits, which no pairwise model
 * of the visible units alone can represent (all its pairwise statistics are those of the
 * uniform distribution): KL(data ‖ model) with and without hidden units, learned by exact
 * gradients and by Gibbs-sampled gradients; then a check of the Gibbs sampler against the
 * exact Boltzmann distribution.
 *
 *   node --import tsx examples/boltzmann-parity.ts
 */

import { BoltzmannMachine, empiricalDistribution, tensor, totalVariation } from "layerwise";

const parity = tensor([
  [0, 0, 0],
  [1, 1, 0],
  [1, 0, 1],
  [0, 1, 1],
]);
const runs = [
  { label: "visible only, exact gradient", bm: new BoltzmannMachine({ visible: 3, seed: 2 }), method: "exact" as const },
  { label: "3 hidden, exact gradient", bm: new BoltzmannMachine({ visible: 3, hidden: 3, initStd: 1, seed: 2 }), method: "exact" as const },
  { label: "3 hidden, Gibbs-sampled gradient", bm: new BoltzmannMachine({ visible: 3, hidden: 3, initStd: 1, seed: 2 }), method: "gibbs" as const },
];
console.log("KL(data ‖ model) in nats (log 2 = 0.693 is the best a visible-only model can do)");
console.log(`epoch ${runs.map((r) => r.label.padStart(34)).join("")}`);
const curves = runs.map(
  (r) => r.bm.fit(parity, { epochs: 600, learningRate: 1, method: r.method, gibbs: { chains: 20, samples: 50, burnIn: 20, seed: 1 } }).kl,
);
for (const e of [0, 50, 100, 200, 400, 600]) console.log(`${String(e).padStart(5)} ${curves.map((c) => c[e].toFixed(4).padStart(34)).join("")}`);

const bm = runs[1].bm;
const exact = bm.distribution();
for (const samples of [1000, 10_000, 100_000]) {
  const tv = totalVariation(empiricalDistribution(bm.sample({ samples, burnIn: 100, seed: 3 })), exact);
  console.log(`Gibbs sampler, ${String(samples).padStart(6)} samples: total variation to the exact distribution ${tv.toFixed(4)}`);
}
