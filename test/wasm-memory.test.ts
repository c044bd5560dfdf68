// WebAssembly memory stays bounded in a loop that never yields and never calls gc(): tensor
// storage inside wasm memory has a budget, everything past it lives in ordinary memory that V8
// frees, and staging regions are reused at once (docs/wasm-backend.md, "Memory model").
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { setBackend } from "../src/backend/index.js";
import { type WasmBackend, wasmUnavailableReason } from "../src/backend/wasm/index.js";
import { RBM } from "../src/models/rbm/rbm.js";
import { Dense } from "../src/nn/dense.js";
import { SGD } from "../src/optim/sgd.js";
import { Rng } from "../src/tensor/random.js";
import { randUniform, zeros } from "../src/tensor/tensor.js";
import { Sequential } from "../src/train/sequential.js";

const CALLS = Number(process.env.WASM_MEMORY_CALLS ?? 20_000);
/** Each one-epoch fit costs ten times a predict in fixed overhead; WASM_MEMORY_CALLS=20000 runs them 20,000 times too (about a minute). */
const FIT_CALLS = Number(process.env.WASM_MEMORY_FIT_CALLS ?? CALLS / 10);
const BOUND = 256 * 2 ** 20;
const MiB = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

/** Small inputs and models (200 rows): the loop takes seconds, yet each call allocates tens of KB of results. */
function models() {
  const rows = 200;
  const x = randUniform([rows, 64], new Rng(1));
  const labels = zeros([rows, 32]);
  for (let r = 0; r < rows; r++) labels.data[r * 32 + (r % 32)] = 1;
  const rbm = new RBM({ visible: 64, hidden: 32, seed: 2 });
  const mlp = new Sequential([new Dense(32, { activation: "relu", inputShape: [64] }), new Dense(32, { activation: "softmax" })], { seed: 3 });
  mlp.compile({ loss: "categoricalCrossentropy", optimizer: new SGD({ learningRate: 0.01 }) });
  return { x, labels, rbm, mlp };
}
type Models = ReturnType<typeof models>;

/** On a fresh wasm backend, runs `call` back to back `calls` times; the memory's peak must stay under BOUND. */
function bounded(name: string, call: (m: Models) => unknown, calls = CALLS): void {
  // each test skips on its own where there is no wasm, so the summary counts them
  it(`${calls} calls of ${name} stay under ${MiB(BOUND)}`, { skip: wasmUnavailableReason() ?? false }, async (t) => {
    const backend = setBackend("wasm", { threads: 1 }) as WasmBackend;
    const m = models();
    let peak = 0;
    for (let i = 0; i < calls; i++) {
      const result = call(m);
      if (result instanceof Promise) await result; // fit: settles through microtasks only, no task turn for finalizers
      peak = Math.max(peak, backend.memoryBytes);
      if (peak > BOUND) assert.fail(`${name}: WebAssembly memory reached ${MiB(peak)} at call ${i + 1}`);
    }
    t.diagnostic(`${name}: peak WebAssembly memory ${MiB(peak)} over ${calls} calls`);
  });
}

describe("wasm memory in a loop that never yields", () => {
  bounded("Sequential.predict", (m) => m.mlp.predict(m.x));
  bounded("RBM.transform", (m) => m.rbm.transform(m.x));
  bounded("RBM.pseudoLikelihood", (m) => m.rbm.pseudoLikelihood(m.x));
  bounded("RBM.freeEnergy", (m) => m.rbm.freeEnergy(m.x));
  bounded("RBM.reconstruct", (m) => m.rbm.reconstruct(m.x));
  bounded("one-epoch RBM.fit", (m) => m.rbm.fit(m.x, { epochs: 1, batchSize: 100 }), FIT_CALLS);
  bounded("one-epoch Sequential.fit", (m) => m.mlp.fit(m.x, m.labels, { epochs: 1, batchSize: 100 }), FIT_CALLS);
});
