/** Saving, loading and drawing an RBM. */
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { loadRbm, saveRbm } from "../src/models/rbm/io.js";
import { filters, writeRbmPictures } from "../src/models/rbm/pictures.js";
import { RBM } from "../src/models/rbm/rbm.js";
import { Rng } from "../src/tensor/random.js";
import { zeros } from "../src/tensor/tensor.js";

test("save and load round-trip the weights, options and counters; a wrong shape is named", async () => {
  const dir = await mkdtemp(join(tmpdir(), "rbm-io-"));
  try {
    const rbm = new RBM({ visible: 16, hidden: 5, cdSteps: 3, persistent: 7, learningRate: 0.05, seed: 4 });
    const rng = new Rng(1);
    const data = zeros([20, 16]);
    for (let i = 0; i < data.size; i++) data.data[i] = rng.bernoulli(0.3);
    await rbm.fit(data, { epochs: 2, batchSize: 10 });
    await saveRbm(rbm, dir, { note: "test" });
    const back = await loadRbm(dir);
    assert.deepEqual(Array.from(back.W.data), Array.from(rbm.W.data));
    assert.deepEqual(Array.from(back.a.data), Array.from(rbm.a.data));
    assert.deepEqual(Array.from(back.b.data), Array.from(rbm.b.data));
    assert.deepEqual(back.options, rbm.options);
    assert.equal(back.epochsTrained, 2);
    assert.equal(back.updates, 4);
    assert.deepEqual(Array.from(back.freeEnergy(data).data), Array.from(rbm.freeEnergy(data).data));
    const json = JSON.parse(await readFile(join(dir, "model.json"), "utf8"));
    assert.equal(json.training.note, "test");
    // options that no longer match the weights
    json.config.hidden = 6;
    await writeFile(join(dir, "model.json"), JSON.stringify(json));
    await assert.rejects(loadRbm(dir), /tensor "W" has shape \[16,5\] but the RBM in .*model.json needs \[16,6\]/);
    json.format = "layerwise.rbm2";
    await writeFile(join(dir, "model.json"), JSON.stringify(json));
    await assert.rejects(loadRbm(dir), /"format" must be "layerwise"/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("pictures: filters are the columns of W; PNG files are written", async () => {
  const dir = await mkdtemp(join(tmpdir(), "rbm-png-"));
  try {
    const rbm = new RBM({ visible: 16, hidden: 3, seed: 2 });
    const f = filters(rbm);
    assert.deepEqual(f.shape, [3, 16]);
    assert.equal(f.get(2, 5), rbm.W.get(5, 2));
    const data = zeros([4, 16]);
    const paths = await writeRbmPictures(rbm, dir, { data, samples: { n: 4, steps: 3 } });
    assert.equal(paths.length, 3);
    for (const p of paths) {
      const bytes = await readFile(p);
      assert.deepEqual(Array.from(bytes.subarray(1, 4)), [0x50, 0x4e, 0x47], `${p} is a PNG`);
    }
    await assert.rejects(writeRbmPictures(new RBM({ visible: 10, hidden: 2 }), dir), /10 visible units are not a square image/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
