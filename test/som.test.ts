/**
 * Kohonen's self-organising map: the online and batch rules by hand, the grid geometry, the
 * unfolding of a 10x10 map on uniform 2-D data and of a chain on a line (topographic error),
 * learning on the bundled digits (quantisation error falls; nodes labelled by majority beat as
 * many labelled sample digits), the U-matrix and component planes, save/load and bad options.
 */
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { loadMnist } from "../src/data/mnist.js";
import { samplePrototypes } from "../src/models/competitive/core.js";
import { componentPlanesImage, somGridSvg, somMapImage, uMatrixImage } from "../src/models/competitive/pictures.js";
import { parseGrid, SOM } from "../src/models/competitive/som.js";
import { loadModel } from "../src/models/load.js";
import { Rng } from "../src/tensor/random.js";
import { fromArray, randUniform, tensor } from "../src/tensor/tensor.js";
import { cli } from "./helpers/cli.js";

const close = (a: number, b: number, tol = 1e-6) => Math.abs(a - b) <= tol;

test("SOM online rule by hand: Δw_i = η h_ci (x − w_i), Gaussian and bubble neighbourhoods on a chain", () => {
  const x = tensor([[1]]);
  // a 1x3 chain at 0, 2, 4: the winner is node 0; at σ = 1 the Gaussian gives h = 1, e^−½, e^−2
  const gaussian = new SOM({ grid: [1, 3], radius: 1, finalRadius: 1, learningRate: 0.5, finalLearningRate: 0.5 });
  gaussian.prototypes = tensor([[0], [2], [4]]);
  gaussian.fit(x, { epochs: 1 });
  const expected = [0 + 0.5 * (1 - 0), 2 + 0.5 * Math.exp(-0.5) * (1 - 2), 4 + 0.5 * Math.exp(-2) * (1 - 4)];
  for (const [i, e] of expected.entries()) assert.ok(close(gaussian.prototypes.data[i], e), `node ${i}: ${gaussian.prototypes.data[i]} vs ${e}`);
  // the bubble of radius 1 moves the winner and its neighbour by η, not the node 2 apart
  const bubble = new SOM({ grid: [1, 3], neighbourhood: "bubble", radius: 1, finalRadius: 1, learningRate: 0.5, finalLearningRate: 0.5 });
  bubble.prototypes = tensor([[0], [2], [4]]);
  bubble.fit(x, { epochs: 1 });
  assert.deepEqual([...bubble.prototypes.data], [0.5, 1.5, 4]);
});

test("SOM batch rule by hand: w_i = Σ_j h_{c(j)i} x_j / Σ_j h_{c(j)i}", () => {
  const x = tensor([[0], [1], [10]]);
  const som = new SOM({ grid: [1, 2], mode: "batch", radius: 1, finalRadius: 1 });
  som.prototypes = tensor([[0], [10]]);
  som.fit(x, { epochs: 1 });
  const h = Math.exp(-0.5); // the two nodes are 1 apart
  // node 0 wins 0 and 1, node 1 wins 10
  const w0 = (0 + 1 + h * 10) / (2 + h);
  const w1 = (h * (0 + 1) + 10) / (2 * h + 1);
  assert.ok(close(som.prototypes.data[0], w0, 1e-5) && close(som.prototypes.data[1], w1, 1e-5), `${[...som.prototypes.data]} vs ${w0}, ${w1}`);
});

test("SOM grid: 4 neighbours inside a rectangular grid, 6 inside a hexagonal one, all 1 apart; the schedule runs from σ_0, η_0 to σ_T, η_T", () => {
  const rect = new SOM({ grid: [5, 5] });
  const hex = new SOM({ grid: [5, 5], topology: "hex" });
  const centre = 2 * 5 + 2;
  assert.deepEqual(rect.neighbours(centre), [7, 11, 13, 17]);
  assert.equal(hex.neighbours(centre).length, 6);
  for (const j of hex.neighbours(centre)) assert.ok(close(hex.gridDistance2(centre, j), 1));
  assert.equal(rect.neighbours(0).length, 2);
  const s = new SOM({ grid: [10, 10], radius: 5, finalRadius: 0.5, learningRate: 0.5, finalLearningRate: 0.01 });
  assert.deepEqual(s.schedule(0), { radius: 5, learningRate: 0.5 });
  assert.ok(close(s.schedule(1).radius, 0.5) && close(s.schedule(1).learningRate, 0.01));
  assert.ok(close(s.schedule(0.5).radius, Math.sqrt(5 * 0.5)), "geometric in between");
});

test("a 10x10 SOM unfolds on uniform 2-D data: topographic error below 0.05, neighbouring nodes closer than random pairs", () => {
  const x = randUniform([600, 2], new Rng(3));
  for (const mode of ["online", "batch"] as const) {
    const som = new SOM({ grid: [10, 10], mode, init: "random", seed: 2 });
    const history = som.fit(x, { epochs: 10 });
    const te = som.topographicError(x);
    assert.ok(te < 0.05, `${mode}: topographic error ${te}`);
    const q = history.history.quantisationError;
    assert.ok(q[q.length - 1] < 0.06 && q[q.length - 1] < q[0], `${mode}: quantisation error ${q}`);
    const w = som.prototypes.data;
    const dist = (i: number, j: number) => Math.hypot(w[2 * i] - w[2 * j], w[2 * i + 1] - w[2 * j + 1]);
    let near = 0;
    let pairs = 0;
    for (let i = 0; i < 100; i++)
      for (const j of som.neighbours(i)) {
        near += dist(i, j);
        pairs++;
      }
    const rng = new Rng(9);
    let random = 0;
    for (let p = 0; p < 1000; p++) random += dist(rng.int(100), rng.int(100));
    assert.ok(near / pairs < 0.3 * (random / 1000), `${mode}: neighbours ${near / pairs} vs random pairs ${random / 1000}`);
  }
});

test("a 1-D SOM (a chain) on a line orders itself: topographic error near 0 and monotone prototypes", () => {
  const line = randUniform([400, 1], new Rng(4));
  const chain = new SOM({ grid: [1, 20], init: "random", seed: 1 });
  chain.fit(line, { epochs: 10 });
  assert.ok(chain.topographicError(line) < 0.02, `topographic error ${chain.topographicError(line)}`);
  const w = [...chain.prototypes.data];
  const steps = w.slice(1).map((v, i) => Math.sign(v - w[i]));
  assert.ok(
    steps.every((s) => s === steps[0]),
    `prototypes ${w.map((v) => v.toFixed(2))}`,
  );
  // a random chain on the same data folds: its topographic error is far higher
  const untrained = new SOM({ grid: [1, 20], init: "random", seed: 1 });
  untrained.fit(line, { epochs: 0 });
  assert.ok(untrained.topographicError(line) > 0.3, `untrained ${untrained.topographicError(line)}`);
});

test("SOM on the bundled digits: quantisation error falls, and nodes labelled by majority vote beat as many labelled sample digits", async () => {
  const { train, test: held } = await loadMnist({ limitTrain: 2000, limitTest: 500 });
  const som = new SOM({ grid: [8, 8], mode: "batch", finalRadius: 0.5, seed: 1 });
  const history = som.fit(train.images, { epochs: 5 });
  const q = history.history.quantisationError;
  assert.ok(
    q.every((v, i) => i === 0 || v < q[i - 1]),
    `quantisation error per epoch ${q}`,
  );
  const accuracy = (p: Int32Array) => p.filter((v, i) => v === held.labels[i]).length / p.length;
  const somAccuracy = accuracy(som.classify(held.images, som.labelNodes(train.images, train.labels)));
  // baseline: 64 training digits as the "map" (what init "samples" starts from), labelled the same way
  const sampled = new SOM({ grid: [8, 8] });
  sampled.prototypes = samplePrototypes(train.images, 64, new Rng(1));
  const baseline = accuracy(sampled.classify(held.images, sampled.labelNodes(train.images, train.labels)));
  assert.ok(somAccuracy > baseline + 0.04, `SOM ${somAccuracy} vs 64 sampled digits ${baseline}`);
  assert.ok(som.quantisationError(held.images) < 0.9 * sampled.quantisationError(held.images));
});

test("U-matrix and component planes: a ridge between two clusters; planes are the prototypes' features on the grid", () => {
  const rng = new Rng(6);
  const data: number[] = [];
  for (let j = 0; j < 200; j++) data.push(rng.normal(j % 2 === 0 ? 0 : 5, 0.2), rng.normal(0, 0.2));
  const x = fromArray(data, [200, 2]);
  const som = new SOM({ grid: [1, 10], mode: "batch", seed: 1 });
  som.fit(x, { epochs: 10 });
  const u = som.uMatrix();
  assert.deepEqual(u.shape, [1, 10]);
  const ridge = [...u.data].indexOf(Math.max(...u.data));
  const sides = [...som.predict(x)].map((c) => c > ridge);
  assert.ok(
    sides.every((s, j) => s === sides[j % 2]),
    `the highest U (${ridge}) separates the clusters: ${[...u.data].map((v) => v.toFixed(2))}`,
  );
  const planes = som.componentPlanes();
  assert.deepEqual(planes.shape, [2, 1, 10]);
  for (let i = 0; i < 10; i++) assert.equal(planes.data[10 + i], som.prototypes.data[i * 2 + 1]);
});

test("SOM save and load: the same grid, options and prototypes", async () => {
  const x = randUniform([100, 3], new Rng(1));
  const som = new SOM({ grid: [3, 4], topology: "hex", neighbourhood: "bubble", seed: 5 });
  som.fit(x, { epochs: 2 });
  const dir = await mkdtemp(join(tmpdir(), "som-"));
  try {
    await som.save(dir);
    const back = await loadModel(dir);
    assert.ok(back instanceof SOM);
    assert.deepEqual(back.options, som.options);
    assert.deepEqual([...back.prototypes.data], [...som.prototypes.data]);
    assert.deepEqual([...back.predict(x)], [...som.predict(x)]);
    assert.equal(back.topographicError(x), som.topographicError(x));
    assert.equal(back.epochsTrained, 2);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("SOM bad options name the option and the allowed range", () => {
  assert.deepEqual(parseGrid("20x20"), [20, 20]);
  assert.deepEqual(parseGrid("1x50"), [1, 50]);
  for (const bad of ["20", "20x", "ax3", "2x3x4", "-2x3"]) assert.throws(() => parseGrid(bad), /grid must be ROWSxCOLS with integers >= 1/);
  assert.throws(() => new SOM({ grid: [0, 5] }), /grid must be \[rows, cols\] of integers >= 1 with at least 2 nodes, got \[0,5\]/);
  assert.throws(() => new SOM({ grid: [1, 1] }), /at least 2 nodes/);
  assert.throws(() => new SOM({ grid: [2.5, 3] as never }), /grid must be/);
  assert.throws(() => new SOM({ grid: [5, 5], radius: 0 }), /radius must be a finite number > 0, got 0/);
  assert.throws(() => new SOM({ grid: [5, 5], radius: -1 }), /radius must be a finite number > 0, got -1/);
  assert.throws(() => new SOM({ grid: [5, 5], radius: 2, finalRadius: 3 }), /finalRadius must be a number in \(0, radius = 2\], got 3/);
  assert.throws(() => new SOM({ grid: [5, 5], learningRate: 0 }), /learningRate must be a number in \(0, 1\], got 0/);
  assert.throws(() => new SOM({ grid: [5, 5], learningRate: 1.2 }), /learningRate must be a number in \(0, 1\], got 1.2/);
  assert.throws(() => new SOM({ grid: [5, 5], learningRate: 0.1, finalLearningRate: 0.2 }), /finalLearningRate must be a number in \(0, learningRate = 0.1\]/);
  assert.throws(() => new SOM({ grid: [5, 5], topology: "tri" as never }), /topology must be "rect" or "hex"/);
  assert.throws(() => new SOM({ grid: [5, 5], neighbourhood: "mexican" as never }), /neighbourhood must be "gaussian" or "bubble"/);
  assert.throws(() => new SOM({ grid: [5, 5], mode: "mini" as never }), /mode must be "online" or "batch"/);
  const som = new SOM({ grid: [2, 2] });
  assert.throws(() => som.uMatrix(), /not fitted/);
  som.fit(tensor([[1, 2]]), { epochs: 1 });
  assert.throws(() => som.predict(tensor([[1, 2, 3]])), /x must be \[rows, 2\]/);
  assert.throws(() => som.labelNodes(tensor([[1, 2]]), [1, 2]), /labels must have one entry per row/);
});

test("layerwise train som and train wta: the model, pictures and summary.json with errors per epoch and the labelling baseline", async () => {
  const dir = await mkdtemp(join(tmpdir(), "som-cli-"));
  try {
    const som = join(dir, "som");
    const data = ["--data", "bundled", "--limit-train", "600", "--limit-test", "200"];
    const r = await cli(["train", "som", "--grid", "5x6", "--topology", "hex", "--batch", "--epochs", "3", ...data, "--out", som, "--quiet"]);
    assert.equal(r.code, 0, r.err);
    assert.match(
      r.out,
      /test: quantisation error [\d.]+, topographic error [\d.]+; nodes labelled by majority: [\d.]+ % accuracy \(nearest class mean [\d.]+ %\)/,
    );
    const summary = JSON.parse(await readFile(join(som, "summary.json"), "utf8"));
    assert.equal(summary.quantisationErrorPerEpoch.length, 3);
    assert.equal(summary.topographicErrorPerEpoch.length, 3);
    assert.ok(summary.nodeLabelAccuracy > 0.3 && summary.nearestClassMeanAccuracy > 0.5, JSON.stringify(summary));
    for (const f of ["map.png", "umatrix.png", "errors.svg", "topographic.svg"]) assert.ok((await readFile(join(som, f))).length > 100, f);
    const back = await loadModel(som);
    assert.ok(back instanceof SOM && back.options.topology === "hex" && back.options.mode === "batch");
    const wta = join(dir, "wta");
    const w = await cli(["train", "wta", "--units", "12", "--epochs", "1", "--conscience", "1", ...data, "--out", wta, "--quiet"]);
    assert.equal(w.code, 0, w.err);
    assert.match(w.out, /0 dead units/);
    assert.ok((await readFile(join(wta, "prototypes.png"))).length > 100);
    const bad = await cli(["train", "som", "--grid", "20by20", ...data, "--out", join(dir, "bad")]);
    assert.notEqual(bad.code, 0);
    assert.match(bad.err, /--grid must be ROWSxCOLS/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("SOM pictures: the grid in input space as SVG (a node per prototype, an edge per neighbour pair); map, U-matrix and planes as images", () => {
  const x = randUniform([200, 2], new Rng(8));
  const som = new SOM({ grid: [3, 4], mode: "batch", seed: 1 });
  som.fit(x, { epochs: 3 });
  const svg = somGridSvg(som, { data: x, bounds: [0, 1, 0, 1], title: "epoch 3" });
  assert.equal(svg.match(/<circle/g)?.length, 200 + 12);
  // a 3x4 rectangular grid has 3·3 + 2·4 = 17 neighbour pairs, each one "M…L…" segment
  assert.equal(svg.match(/M[\d.]+ [\d.]+L/g)?.length, 17);
  assert.match(svg, /epoch 3/);
  assert.throws(() => somGridSvg(new SOM({ grid: [2, 2] })), /inputs must be 2-D/);
  const map = somMapImage(som, { height: 1, width: 2, pad: 0 });
  assert.deepEqual([map.width, map.height], [8, 3]);
  const u = uMatrixImage(som, 5);
  assert.deepEqual([u.width, u.height], [20, 15]);
  const planes = componentPlanesImage(som, [1], 2);
  assert.deepEqual([planes.width, planes.height], [8, 6]);
});
