/**
 * Our LSTM and GRU loaded with the weights of torch.nn.LSTM / torch.nn.GRU (gate orders i, f,
 * g, o and r, z, n; two bias vectors, the GRU's recurrent one inside the reset gate) give
 * PyTorch's outputs and gradients within float32 tolerance. Skipped, with the reason, where
 * /usr/bin/python3 cannot import torch.
 */
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { describe, it } from "node:test";
import { GRU } from "../src/nn/gru.js";
import { LSTM } from "../src/nn/lstm.js";
import { Rng } from "../src/tensor/random.js";
import { fromArray, type Tensor } from "../src/tensor/tensor.js";

const PYTHON = "/usr/bin/python3";

function torchMissing(): string | false {
  const r = spawnSync(PYTHON, ["-c", "import torch"], { encoding: "utf8" });
  if (r.error !== undefined) return `${PYTHON} is not here (${r.error.message})`;
  return r.status === 0 ? false : `${PYTHON} cannot import torch (apt-get install python3-torch)`;
}

/** torch.nn.LSTM and GRU with seeded random weights (both biases non-zero): their outputs and the gradients of Σ out ∘ r. */
const TORCH_SCRIPT = `
import json, sys, torch
n, steps, features, units = map(int, sys.argv[1:5])
flat = lambda t: t.detach().reshape(-1).tolist()
result = {}
for cell in ("LSTM", "GRU"):
  torch.manual_seed(0)
  net = getattr(torch.nn, cell)(features, units, batch_first=True)
  x = torch.randn(n, steps, features, requires_grad=True)
  r = torch.randn(n, steps, units)
  out, _ = net(x)
  (out * r).sum().backward()
  result[cell] = {
    "weightIh": flat(net.weight_ih_l0), "weightHh": flat(net.weight_hh_l0),
    "biasIh": flat(net.bias_ih_l0), "biasHh": flat(net.bias_hh_l0),
    "x": flat(x), "r": flat(r), "out": flat(out), "dx": flat(x.grad),
    "dWih": flat(net.weight_ih_l0.grad), "dWhh": flat(net.weight_hh_l0.grad),
    "dBih": flat(net.bias_ih_l0.grad), "dBhh": flat(net.bias_hh_l0.grad),
  }
print(json.dumps(result))
`;

const torchSkip = torchMissing();
const [N, T, F, U] = [3, 7, 5, 6];
/** One Python run (importing torch is the slow part) for both cells. */
let torchResults: Record<string, Record<string, number[]>> | null = null;
function torchRun(cell: string): Record<string, number[]> {
  torchResults ??= JSON.parse(execFileSync(PYTHON, ["-c", TORCH_SCRIPT, `${N}`, `${T}`, `${F}`, `${U}`], { encoding: "utf8" }));
  return (torchResults as Record<string, Record<string, number[]>>)[cell];
}

describe("the same outputs and gradients as PyTorch", () => {
  for (const cell of ["LSTM", "GRU"] as const) {
    it(`${cell} loaded with torch.nn.${cell}'s weights (gate order, two biases)`, { skip: torchSkip }, () => {
      const t = torchRun(cell);
      const layer = cell === "LSTM" ? new LSTM(U, { returnSequences: true }) : new GRU(U, { returnSequences: true });
      layer.build([T, F], new Rng(0));
      layer.setTorchWeights({ weightIh: t.weightIh, weightHh: t.weightHh, biasIh: t.biasIh, biasHh: t.biasHh });
      const y = layer.forward(fromArray(t.x, [N, T, F]), true);
      assertClose(y, fromArray(t.out, y.shape), 1e-5, "output");
      const dx = layer.backward(fromArray(t.r, y.shape));
      assertClose(dx, fromArray(t.dx, dx.shape), 1e-5, "dL/dx");
      const g = cell === "LSTM" ? 4 : 3;
      assertClose(layer.kernel.grad, transpose(t.dWih, g * U, F), 1e-4, "dL/dW");
      assertClose(layer.recurrentKernel.grad, transpose(t.dWhh, g * U, U), 1e-4, "dL/dU");
      assertClose(layer.bias.grad, fromArray(t.dBih), 1e-4, "dL/db");
      if (layer instanceof GRU) assertClose(layer.recurrentBias.grad, fromArray(t.dBhh), 1e-4, "dL/db_h");
    });
  }
});

function transpose(a: number[], rows: number, cols: number): Tensor {
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = a[r * cols + c];
  return fromArray(out, [cols, rows]);
}

/** |a − b| ≤ tol · max(1, |b|) everywhere. */
function assertClose(a: Tensor, b: Tensor, tol: number, what: string): void {
  assert.equal(a.size, b.size, `${what}: sizes`);
  for (let i = 0; i < a.size; i++) {
    assert.ok(Math.abs(a.data[i] - b.data[i]) <= tol * Math.max(1, Math.abs(b.data[i])), `${what}[${i}]: ${a.data[i]} vs ${b.data[i]}`);
  }
}
