import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { decodeSafetensors, encodeSafetensors } from "../src/io/safetensors.js";
import { Activation } from "../src/nn/activation.js";
import { Dense } from "../src/nn/dense.js";
import { Dropout } from "../src/nn/dropout.js";
import { Adam } from "../src/optim/adam.js";
import { Rng } from "../src/tensor/random.js";
import { fromArray, randNormal } from "../src/tensor/tensor.js";
import { loadSequential as loadModel } from "../src/train/load.js";
import { Sequential } from "../src/train/sequential.js";

const FILE = "w.safetensors";

/** A safetensors file from a header object and a data section, for hand-made corruptions. */
function rawFile(header: unknown, data: Uint8Array, headerLengthOverride?: number): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setUint32(0, headerLengthOverride ?? json.length, true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

describe("safetensors", () => {
  const a = fromArray([1, 2, 3, 4, 5, 6], [2, 3]);
  const b = fromArray([-1.5], [1]);

  it("round-trips tensors and metadata; the header is padded to 8 bytes", () => {
    const bytes = encodeSafetensors(
      [
        ["a", a],
        ["b", b],
      ],
      { format: "pt" },
    );
    const headerLength = new DataView(bytes.buffer).getUint32(0, true);
    assert.equal(headerLength % 8, 0);
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength)));
    assert.deepEqual(header.a, { dtype: "F32", shape: [2, 3], data_offsets: [0, 24] });
    assert.deepEqual(header.b, { dtype: "F32", shape: [1], data_offsets: [24, 28] });
    const { tensors, metadata } = decodeSafetensors(bytes, FILE);
    assert.deepEqual(metadata, { format: "pt" });
    assert.deepEqual([...(tensors.get("a")?.data ?? [])], [1, 2, 3, 4, 5, 6]);
    assert.deepEqual(tensors.get("a")?.shape, [2, 3]);
    assert.deepEqual([...(tensors.get("b")?.data ?? [])], [-1.5]);
  });

  const data = new Uint8Array(8);
  const entry = (over: Record<string, unknown> = {}) => ({ dtype: "F32", shape: [2], data_offsets: [0, 8], ...over });
  const corruptions: [string, Uint8Array, RegExp][] = [
    ["a file shorter than 8 bytes", new Uint8Array(5), /too short/],
    ["a header length past the end", rawFile({ x: entry() }, data, 10_000), /header length 10000 runs past the end/],
    ["a header that is not JSON", rawFile({}, data).map((v, i) => (i === 8 ? 0x7b : i === 9 ? 0x7b : v)), /header is not valid JSON/],
    ["a header that is an array", rawFile([1], new Uint8Array(0)), /header must be a JSON object/],
    ["an F16 tensor", rawFile({ x: entry({ dtype: "F16", data_offsets: [0, 4] }) }, new Uint8Array(4)), /dtype F16 is not supported/],
    ["an unknown dtype", rawFile({ x: entry({ dtype: "Q4" }) }, data), /unknown dtype "Q4"/],
    ["a bad shape", rawFile({ x: entry({ shape: [-2] }) }, data), /shape must be an array of integers/],
    ["offsets that disagree with the shape", rawFile({ x: entry({ shape: [3] }) }, data), /needs 12 bytes of F32 but data_offsets \[0, 8\] span 8/],
    ["offsets past the data", rawFile({ x: entry({ data_offsets: [8, 16] }) }, data), /run past the end of the data section/],
    ["overlapping tensors", rawFile({ x: entry(), y: entry({ shape: [1], data_offsets: [4, 8] }) }, data), /overlap the previous tensor/],
    ["a gap between tensors", rawFile({ x: entry({ shape: [1], data_offsets: [4, 8] }) }, data), /gap in the data section/],
    ["trailing bytes", rawFile({ x: entry() }, new Uint8Array(12)), /data section has 12 bytes but the tensors cover 8/],
    ["non-string metadata", rawFile({ __metadata__: { k: 1 }, x: entry() }, data), /__metadata__.k must be a string/],
  ];
  for (const [what, bytes, message] of corruptions) {
    it(`rejects ${what}, naming the file`, () => {
      assert.throws(
        () => decodeSafetensors(bytes, FILE),
        (err: Error) => {
          assert.match(err.message, new RegExp(`^${FILE}: `));
          assert.match(err.message, message);
          return true;
        },
      );
    });
  }
});

describe("save and load", () => {
  let dir = "";
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "lw-model-"));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function trainedModel(): Promise<Sequential> {
    const m = new Sequential([new Dense(6, { activation: "leakyRelu", inputShape: [4] }), new Dropout(0.2), new Dense(3), new Activation("softmax")], {
      seed: 4,
    });
    m.compile({ loss: "categoricalCrossentropy", optimizer: new Adam({ learningRate: 0.01, clipNorm: 5 }), metrics: ["accuracy"] });
    const x = randNormal([20, 4], new Rng(1));
    const y = fromArray(
      Array.from({ length: 60 }, (_, i) => (i % 3 === Math.floor(i / 3) % 3 ? 1 : 0)),
      [20, 3],
    );
    await m.fit(x, y, { epochs: 2, batchSize: 5 });
    return m;
  }

  it("save → load gives identical predictions and the training config", async () => {
    const m = await trainedModel();
    const path = join(dir, "ok");
    await m.save(path);
    const loaded = await loadModel(path);
    const x = randNormal([7, 4], new Rng(9));
    assert.deepEqual([...loaded.predict(x).data], [...m.predict(x).data]);
    assert.deepEqual(loaded.toJSON(), m.toJSON());
    assert.equal(loaded.epochsTrained, 2);
    assert.equal(loaded.optimizer?.config().clipNorm, 5);
    const tensors = decodeSafetensors(new Uint8Array(await readFile(join(path, "model.safetensors")))).tensors;
    const params = ["dense_1.kernel", "dense_1.bias", "dense_2.kernel", "dense_2.bias"];
    assert.deepEqual([...tensors.keys()], [...params, ...params.flatMap((p) => [`optimizer.${p}.m`, `optimizer.${p}.v`])]);
    await m.save(path, { includeOptimizer: false });
    assert.deepEqual([...decodeSafetensors(new Uint8Array(await readFile(join(path, "model.safetensors")))).tensors.keys()], params);
  });

  it("a model.json whose architecture disagrees with the weights gives a clear error", async () => {
    const path = join(dir, "shape");
    await (await trainedModel()).save(path);
    const jsonPath = join(path, "model.json");
    const json = JSON.parse(await readFile(jsonPath, "utf8"));
    const layers = json.config.layers;
    layers[0].units = 7;
    await writeFile(jsonPath, JSON.stringify(json));
    await assert.rejects(loadModel(path), /model\.safetensors: tensor "dense_1\.kernel" has shape \[4,6\] but the Sequential in .*model\.json needs \[4,7\]/);
    layers[0].units = 6;
    layers[2].useBias = false;
    await writeFile(jsonPath, JSON.stringify(json));
    await assert.rejects(loadModel(path), /tensor "dense_2\.bias" belongs to nothing the Sequential in .*model\.json has/);
    layers[2].className = "Conv9D";
    await writeFile(jsonPath, JSON.stringify(json));
    await assert.rejects(loadModel(path), /model\.json: cannot rebuild the Sequential from its "config": .*unknown layer class "Conv9D"/);
    json.className = "Autoencoder";
    await writeFile(jsonPath, JSON.stringify(json));
    await assert.rejects(loadModel(path), /model\.json: "className" "Autoencoder" is not a model class this layerwise can load \(known: .*Sequential/);
    json.formatVersion = 3;
    await writeFile(jsonPath, JSON.stringify(json));
    await assert.rejects(loadModel(path), /model\.json: "formatVersion" 3 is not supported/);
    await writeFile(jsonPath, "{ not json");
    await assert.rejects(loadModel(path), /model\.json: not valid JSON/);
  });

  it("a corrupted weights file gives an error naming it", async () => {
    const path = join(dir, "corrupt");
    await (await trainedModel()).save(path);
    const weights = join(path, "model.safetensors");
    const bytes = new Uint8Array(await readFile(weights));
    await writeFile(weights, bytes.subarray(0, bytes.length - 4));
    await assert.rejects(loadModel(path), /model\.safetensors: .*run past the end of the data section/);
    await rm(weights);
    await assert.rejects(loadModel(path), /file not found: .*model\.safetensors/);
  });

  it("a failed save leaves the previous files intact", async () => {
    const path = join(dir, "keep");
    const m = await trainedModel();
    await m.save(path);
    const before = [await readFile(join(path, "model.json")), await readFile(join(path, "model.safetensors"))];
    m.params()[0].value.data[3] = Number.NaN;
    await assert.rejects(m.save(path), /weight dense_1\.kernel\[3\] is NaN/);
    assert.deepEqual(await readFile(join(path, "model.json")), before[0]);
    assert.deepEqual(await readFile(join(path, "model.safetensors")), before[1]);
    await loadModel(path);
  });

  const python = "/usr/bin/python3";
  it("the weights file parses with Python's struct + json + numpy", { skip: existsSync(python) ? false : `${python} not present` }, async (t) => {
    const path = join(dir, "py");
    const m = await trainedModel();
    await m.save(path);
    const script = [
      "import json, struct, sys",
      "import numpy as np",
      "b = open(sys.argv[1], 'rb').read()",
      "n = struct.unpack('<Q', b[:8])[0]",
      "h = json.loads(b[8:8 + n])",
      "e = h['dense_1.kernel']",
      "s, t = e['data_offsets']",
      "a = np.frombuffer(b[8 + n + s:8 + n + t], dtype='<f4').reshape(e['shape'])",
      "print(json.dumps({'dtype': e['dtype'], 'shape': list(a.shape), 'first': float(a.flat[0]), 'meta': h['__metadata__']}))",
    ].join("\n");
    let out: string;
    try {
      out = execFileSync(python, ["-c", script, join(path, "model.safetensors")], { encoding: "utf8" });
    } catch (err) {
      if (/No module named 'numpy'/.test(String((err as { stderr?: string }).stderr))) return t.skip(`${python} cannot import numpy`);
      throw err;
    }
    const r = JSON.parse(out);
    assert.equal(r.dtype, "F32");
    assert.deepEqual(r.shape, [4, 6]);
    assert.equal(r.first, m.params()[0].value.data[0]);
    assert.equal(r.meta.format, "pt");
  });
});
