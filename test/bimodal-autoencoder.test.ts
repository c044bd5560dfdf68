// The bimodal deep autoencoder (Ngiam et al. 2011): the block-diagonal dense layer checked by
// finite differences and against one Dense with a block-diagonal W; the modality zeroing; on
// 3,000 bundled digits split into top and bottom halves, either half reconstructed from the
// other better than the mean half and better than a unimodal autoencoder fed one half; bad input
// refused by name; save/loadModel.
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { loadMnist } from "../src/data/mnist.js";
import { BimodalAutoencoder, type BimodalAutoencoderOptions, splitModalities, zeroModalities } from "../src/models/autoencoders/bimodal.js";
import { crossModalImage } from "../src/models/autoencoders/pictures.js";
import { loadModel } from "../src/models/load.js";
import { BlockDense, Columns } from "../src/nn/block-dense.js";
import { Dense } from "../src/nn/dense.js";
import { layerFromConfig } from "../src/nn/registry.js";
import { meanRowError } from "../src/ops/reduce.js";
import { Rng } from "../src/tensor/random.js";
import { randNormal, randUniform, zeros } from "../src/tensor/tensor.js";
import { checkLayerGradients } from "./helpers/gradcheck.js";

test("BlockDense and Columns: dL/dx and every dL/dθ match finite differences", () => {
  const rng = new Rng(2);
  const block = new BlockDense([3, 5, 2], [4, 2, 3], { activation: "sigmoid", name: "blocks" });
  assert.deepEqual(block.build([10], rng), [9]);
  for (const p of block.params()) p.value.assign(randNormal(p.value.shape, rng));
  checkLayerGradients(block, randNormal([4, 10], rng), { maxChecks: 60 });
  const columns = new Columns(2, 3, { name: "cols" });
  assert.deepEqual(columns.build([7], rng), [3]);
  checkLayerGradients(columns, randNormal([3, 7], rng));
});

test("BlockDense is one Dense whose W is block-diagonal: y = f([a | b] diag(W_a, W_b) + [c_a | c_b])", () => {
  const rng = new Rng(3);
  const block = new BlockDense([3, 4], [2, 5], { activation: "tanh" });
  block.build([7], rng);
  for (const p of block.params()) p.value.assign(randNormal(p.value.shape, rng));
  const dense = new Dense(7, { activation: "tanh" });
  dense.build([7], rng);
  const W = zeros([7, 7]);
  const [Wa, Wb] = [block.dense(0).kernel.value, block.dense(1).kernel.value];
  for (let i = 0; i < 3; i++) for (let j = 0; j < 2; j++) W.data[i * 7 + j] = Wa.data[i * 2 + j];
  for (let i = 0; i < 4; i++) for (let j = 0; j < 5; j++) W.data[(3 + i) * 7 + 2 + j] = Wb.data[i * 5 + j];
  dense.kernel.value.assign(W);
  dense.bias?.value.assign([...(block.dense(0).bias?.value.data ?? []), ...(block.dense(1).bias?.value.data ?? [])]);
  const x = randNormal([5, 7], rng);
  const y = block.forward(x, false);
  const expected = dense.forward(x, false);
  for (let i = 0; i < y.size; i++) assert.ok(Math.abs(y.data[i] - expected.data[i]) < 1e-6, `y[${i}]`);
  assert.deepEqual(
    block.params().map((p) => `${p.name} ${p.value.shape.join("x")}`),
    ["block0.kernel 3x2", "block0.bias 2", "block1.kernel 4x5", "block1.bias 5"],
  );
  const rebuilt = layerFromConfig(block.config());
  assert.ok(rebuilt instanceof BlockDense);
  assert.deepEqual(rebuilt.config(), block.config());
});

test("BlockDense and Columns refuse a split that does not fit the input, naming the option", () => {
  const rng = new Rng(1);
  assert.throws(() => new BlockDense([392, 300], [10, 10]).build([784], rng), /blocks 392 \+ 300 = 692 must add up to the input's features; got input \[784\]/);
  assert.throws(() => new BlockDense([3, 4], [2]), /blocks and units must have one entry per block; got 2 blocks and 1 units/);
  assert.throws(() => new BlockDense([3, 0], [2, 2]), /blocks must be a non-empty array of integers >= 1; got \[3,0\]/);
  assert.throws(() => new BlockDense([], []), /blocks must be a non-empty array/);
  assert.throws(() => new Columns(5, 3).build([7], rng), /columns \[5, 8\) must lie inside an input \[features\]; got \[7\]/);
  assert.throws(() => new Columns(0, 0), /width must be an integer >= 1; got 0/);
});

test("zeroModalities: a share/2 of the rows lose a, share/2 lose b, the rest stay whole", () => {
  const x = randUniform([3000, 5], new Rng(1), 0.1, 1);
  const out = zeroModalities(x, 2, 2 / 3, new Rng(2));
  const count = { a: 0, b: 0, both: 0 };
  for (let r = 0; r < x.rows; r++) {
    const row = out.data.subarray(5 * r, 5 * r + 5);
    const original = x.data.subarray(5 * r, 5 * r + 5);
    if (row[0] === 0 && row[1] === 0) {
      count.b++;
      assert.deepEqual([...row.subarray(2)], [...original.subarray(2)]);
    } else if (row[2] === 0 && row[3] === 0 && row[4] === 0) {
      count.a++;
      assert.deepEqual([...row.subarray(0, 2)], [...original.subarray(0, 2)]);
    } else {
      count.both++;
      assert.deepEqual([...row], [...original]);
    }
  }
  for (const [k, v] of Object.entries(count)) assert.ok(Math.abs(v / x.rows - 1 / 3) < 0.03, `${k}: ${v} of ${x.rows}`);
  assert.deepEqual([...zeroModalities(x, 2, 0, new Rng(2)).data], [...x.data]);
});

// MNIST's top half is modality a, its bottom half b (one image row [a | b] is the digit itself)
const digits = await loadMnist({ limitTrain: 3000, limitTest: 500 });
const train = splitModalities(digits.train.images, 392);
const testSet = splitModalities(digits.test.images, 392);
const small: BimodalAutoencoderOptions = { modalities: [392, 392], hidden: 64, codeSize: 32, seed: 1 };

async function trained(zeroedShare: number): Promise<BimodalAutoencoder> {
  const bm = new BimodalAutoencoder({ ...small, zeroedShare });
  await bm.fit(train.a, train.b, { epochs: 6, batchSize: 20 });
  return bm;
}
const bimodal = trained(2 / 3);
const unimodal = trained(0);

test("either half of a digit is reconstructed from the other far better than the mean half, and better than a unimodal autoencoder does", async (t) => {
  const meanTop = meanRowError(train.a, testSet.a);
  const meanBottom = meanRowError(train.b, testSet.b);
  const bm = await bimodal;
  const uni = await unimodal;
  const bottomFromTop = bm.reconstructionError(testSet.a, testSet.b, "a").b;
  const topFromBottom = bm.reconstructionError(testSet.a, testSet.b, "b").a;
  const uniBottomFromTop = uni.reconstructionError(testSet.a, testSet.b, "a").b;
  const uniTopFromBottom = uni.reconstructionError(testSet.a, testSet.b, "b").a;
  t.diagnostic(
    `bottom from top: bimodal ${bottomFromTop.toFixed(2)}, unimodal ${uniBottomFromTop.toFixed(2)}, mean half ${meanBottom.toFixed(2)}; ` +
      `top from bottom: bimodal ${topFromBottom.toFixed(2)}, unimodal ${uniTopFromBottom.toFixed(2)}, mean half ${meanTop.toFixed(2)}`,
  );
  assert.ok(bottomFromTop < 0.8 * meanBottom, `bottom from top ${bottomFromTop} vs the mean bottom half's ${meanBottom}`);
  assert.ok(topFromBottom < 0.8 * meanTop, `top from bottom ${topFromBottom} vs the mean top half's ${meanTop}`);
  assert.ok(bottomFromTop < 0.8 * uniBottomFromTop, `bimodal ${bottomFromTop} vs unimodal ${uniBottomFromTop}`);
  assert.ok(topFromBottom < 0.8 * uniTopFromBottom, `bimodal ${topFromBottom} vs unimodal ${uniTopFromBottom}`);
  // given both halves it reconstructs each better than from the other half alone
  const both = bm.reconstructionError(testSet.a, testSet.b, "both");
  assert.ok(both.b < bottomFromTop && both.a < topFromBottom, JSON.stringify(both));
  const picture = crossModalImage(bm, testSet.a.sliceRows(0, 10), testSet.b.sliceRows(0, 10));
  assert.deepEqual([picture.width, picture.height], [10 * 29 - 1, 5 * 29 - 1]);
});

test("encode: a missing modality is zeros; the code of one half differs from that of both", async () => {
  const bm = await bimodal;
  const a = testSet.a.sliceRows(0, 4);
  const zeroB = zeros([4, 392]);
  assert.deepEqual([...bm.encode(a, null).data], [...bm.encode(a, zeroB).data]);
  const fromB = bm.encode(null, testSet.b.sliceRows(0, 4));
  assert.deepEqual(fromB.shape, [4, 32]);
  const fromBoth = bm.encode(a, testSet.b.sliceRows(0, 4));
  assert.ok(
    fromB.data.some((v, i) => Math.abs(v - fromBoth.data[i]) > 1e-3),
    "the code of b alone equals that of both",
  );
  const decoded = bm.decode(bm.encode(a, testSet.b.sliceRows(0, 4)));
  const reconstructed = bm.reconstruct(a, testSet.b.sliceRows(0, 4));
  for (const m of ["a", "b"] as const) for (let i = 0; i < decoded[m].size; i += 37) assert.ok(Math.abs(decoded[m].data[i] - reconstructed[m].data[i]) < 1e-6);
});

test("bad options and mismatched modalities fail naming the option", async () => {
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ modalities: [392] }, /modalities must be two sizes \[a, b\]; got \[392\]/],
    [{ modalities: 784 }, /modalities must be two sizes \[a, b\]; got 784/],
    [{ modalities: [392, 0] }, /modalities\[1\] must be an integer in \[1, 16777216\]; got 0/],
    [{ modalities: [3, 4], hidden: [2, 2.5] }, /hidden\[1\] must be an integer in \[1, 16777216\]; got 2.5/],
    [{ modalities: [3, 4], codeSize: 0 }, /codeSize must be an integer in \[1, 16777216\]; got 0/],
    [{ modalities: [3, 4], zeroedShare: 1.5 }, /zeroedShare \(the share of rows with one modality zeroed\) must be in \[0, 1\]; got 1.5/],
    [{ modalities: [3, 4], activation: "swish" }, /activation/],
  ];
  for (const [bad, message] of cases) assert.throws(() => new BimodalAutoencoder(bad as unknown as BimodalAutoencoderOptions), message, JSON.stringify(bad));
  const bm = new BimodalAutoencoder({ modalities: [3, 4], hidden: 2, codeSize: 2 });
  const rng = new Rng(1);
  await assert.rejects(
    () => bm.fit(randUniform([5, 3], rng), randUniform([6, 4], rng)),
    /BimodalAutoencoder.fit: modalities a and b must have the same rows \(one example per row\); got a \[5,3\] and b \[6,4\]/,
  );
  assert.throws(() => bm.encode(randUniform([5, 4], rng), null), /BimodalAutoencoder.encode: modality a must be \[rows, 3\]; got \[5,4\]/);
  assert.throws(() => bm.reconstruct(null, null), /give modality a, b or both; got neither/);
  assert.throws(() => bm.reconstructionError(randUniform([2, 3], rng), randUniform([3, 4], rng), "a"), /must have the same rows/);
  assert.throws(() => splitModalities(randUniform([2, 7], rng), 7), /widthA must be an integer in \[1, 6\]/);
});

test("save/loadModel round trip: the same options, codes and reconstructions; a resumed fit zeroes and ends as an uninterrupted one", async () => {
  const bm = await bimodal;
  const dir = await mkdtemp(join(tmpdir(), "bimodal-"));
  try {
    await bm.save(dir);
    const loaded = await loadModel(dir);
    assert.ok(loaded instanceof BimodalAutoencoder);
    assert.deepEqual(loaded.options, bm.options);
    assert.equal(loaded.epochsTrained, 6);
    const a = testSet.a.sliceRows(0, 20);
    assert.deepEqual([...loaded.encode(a, null).data], [...bm.encode(a, null).data]);
    assert.deepEqual([...loaded.reconstruct(null, testSet.b.sliceRows(0, 20)).a.data], [...bm.reconstruct(null, testSet.b.sliceRows(0, 20)).a.data]);

    const [a200, b200] = [train.a.sliceRows(0, 200), train.b.sliceRows(0, 200)];
    const options = { ...small, hidden: [8, 6] as const, codeSize: 4, seed: 3 };
    const whole = new BimodalAutoencoder(options);
    await whole.fit(a200, b200, { epochs: 2, batchSize: 25 });
    const first = new BimodalAutoencoder(options);
    await first.fit(a200, b200, { epochs: 1, batchSize: 25 });
    await first.save(join(dir, "first"));
    const resumed = await loadModel(join(dir, "first"));
    assert.ok(resumed instanceof BimodalAutoencoder);
    await resumed.fit(a200, b200, { epochs: 1, batchSize: 25, initialEpoch: 1 });
    assert.deepEqual(
      resumed.model.getWeights().map((w) => [...w.data]),
      whole.model.getWeights().map((w) => [...w.data]),
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
