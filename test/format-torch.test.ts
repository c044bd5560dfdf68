/**
 * The Python snippet of docs/format.md, taken from the doc itself so that it cannot rot: it
 * loads a saved MLP into torch.nn and its predictions must match ours. Skipped, with the
 * reason, where /usr/bin/python3 cannot import torch.
 */
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { Adam, Dense, Rng, randNormal, Sequential } from "layerwise";

const PYTHON = "/usr/bin/python3";

function torchMissing(): string | false {
  const r = spawnSync(PYTHON, ["-c", "import torch"], { encoding: "utf8" });
  if (r.error !== undefined) return `${PYTHON} is not here (${r.error.message})`;
  return r.status === 0 ? false : `${PYTHON} cannot import torch (apt-get install python3-torch)`;
}

/** The one python block of docs/format.md. */
async function docSnippet(): Promise<string> {
  const doc = await readFile(join(import.meta.dirname, "..", "docs", "format.md"), "utf8");
  const blocks = [...doc.matchAll(/```python\n([\s\S]*?)```/g)].map((m) => m[1]);
  assert.equal(blocks.length, 1, "docs/format.md has one python block");
  return blocks[0];
}

const skip = torchMissing();

test("the snippet in docs/format.md loads a saved MLP into torch.nn with our predictions", { skip }, async () => {
  const dir = await mkdtemp(join(tmpdir(), "layerwise-torch-"));
  try {
    const mlp = new Sequential(
      [
        new Dense(8, { activation: "relu" }),
        new Dense(6, { activation: "tanh" }),
        new Dense(5, { activation: "leakyRelu" }),
        new Dense(3, { activation: "softmax" }),
      ],
      { inputShape: [4], seed: 2 },
    );
    mlp.compile({ loss: "categoricalCrossentropy", optimizer: new Adam({ learningRate: 0.05 }) });
    const x = randNormal([16, 4], new Rng(3));
    const y = randNormal([16, 3], new Rng(4));
    await mlp.fit(x, y, { epochs: 2, batchSize: 4 }); // trained weights, and Adam's slots in the file too
    await mlp.save(join(dir, "mlp"));
    const rows = (t: { rows: number; cols: number; data: Float32Array }) =>
      Array.from({ length: t.rows }, (_, r) => Array.from(t.data.subarray(r * t.cols, (r + 1) * t.cols)));
    await writeFile(join(dir, "probe.json"), JSON.stringify({ x: rows(x), y: rows(mlp.predict(x)) }));
    await writeFile(join(dir, "load_mlp.py"), await docSnippet());
    const out = execFileSync(PYTHON, [join(dir, "load_mlp.py"), join(dir, "mlp"), join(dir, "probe.json")], { encoding: "utf8" });
    assert.match(out, /Linear\(in_features=4, out_features=8, bias=True\)/);
    assert.match(out, /max \|torch - layerwise\| = /);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
