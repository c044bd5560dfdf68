import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { lenet5 } from "../src/models/cnn/lenet.js";
import { sentenceCnn } from "../src/models/cnn/sentence-cnn.js";
import { Adam } from "../src/optim/adam.js";
import { Rng } from "../src/tensor/random.js";
import { randNormal, type Tensor, tensor } from "../src/tensor/tensor.js";
import type { Sequential } from "../src/train/sequential.js";

const root = join(import.meta.dirname, "..");
const moduleUrl = (path: string): string => JSON.stringify(pathToFileURL(join(root, path)).href);

interface Saved {
  dir: string;
  x: Tensor;
  classes: string[];
  y: number[];
}

async function save(model: Sequential, dir: string, x: Tensor): Promise<Saved> {
  model.build().compile({ loss: "categoricalCrossentropy", optimizer: new Adam({ learningRate: 0.001 }), metrics: ["accuracy"] });
  await model.save(dir);
  return { dir, x, classes: model.layers.map((l) => l.config().className), y: Array.from(model.predict(x).data) };
}

describe("loadModel", () => {
  it("rebuilds a saved LeNet and sentence CNN in a fresh process that imports only src/train/load.ts", async () => {
    const tmp = await mkdtemp(join(tmpdir(), "layerwise-load-"));
    try {
      const saved = [
        await save(lenet5({ seed: 3 }), join(tmp, "lenet"), randNormal([2, 784], new Rng(4))),
        await save(sentenceCnn({ vocabSize: 20, maxLength: 6, windowSizes: [2, 3], filters: 3, seed: 5 }), join(tmp, "sentence"), tensor([[1, 5, 7, 0, 0, 0]])),
      ];
      assert.ok(["Conv2D", "AvgPool2D", "Embedding", "Parallel"].every((c) => saved.some((s) => s.classes.includes(c))));
      // the child loads nothing but load.ts (and tensor.ts for the inputs, which registers no layer)
      const script = `
        const { loadSequential: loadModel } = await import(${moduleUrl("src/train/load.ts")});
        const { Tensor } = await import(${moduleUrl("src/tensor/tensor.ts")});
        const out = [];
        for (const { dir, x, shape } of ${JSON.stringify(saved.map((s) => ({ dir: s.dir, x: Array.from(s.x.data), shape: s.x.shape })))}) {
          const model = await loadModel(dir);
          out.push({ classes: model.layers.map((l) => l.config().className), y: Array.from(model.predict(new Tensor(Float32Array.from(x), shape)).data) });
        }
        console.log(JSON.stringify(out));`;
      const { stdout } = await promisify(execFile)(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { cwd: root });
      const loaded = JSON.parse(stdout) as { classes: string[]; y: number[] }[];
      assert.deepEqual(
        loaded,
        saved.map(({ classes, y }) => ({ classes, y })),
      );
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  });
});
