/**
 * PCA: eigenpairs of a covariance known by construction, the properties that hold on real
 * digits, agreement with numpy's SVD and scikit-learn (skipped with the reason when
 * /usr/bin/python3 lacks them), the save format, bad options, and the lecture's claim that a
 * linear autoencoder trained on squared error spans the principal subspace.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { loadMnist } from "../src/data/mnist.js";
import { loadModel } from "../src/models/load.js";
import { PCA, principalAngles, symmetricEigen } from "../src/models/pca/index.js";
import { Dense } from "../src/nn/dense.js";
import { Adam } from "../src/optim/index.js";
import { Rng } from "../src/tensor/random.js";
import { fromArray, randNormal, type Tensor, zeros } from "../src/tensor/tensor.js";
import { Sequential } from "../src/train/sequential.js";

const digits = (await loadMnist({ limitTrain: 2000, limitTest: 500 })).train.images;

/** A random orthonormal basis of R^d as rows (Gram–Schmidt of Gaussian rows). */
function randomRotation(d: number, rng: Rng): Float64Array {
  const r = Float64Array.from(randNormal([d, d], rng).data);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < i; j++) {
      let dot = 0;
      for (let k = 0; k < d; k++) dot += r[i * d + k] * r[j * d + k];
      for (let k = 0; k < d; k++) r[i * d + k] -= dot * r[j * d + k];
    }
    let norm = 0;
    for (let k = 0; k < d; k++) norm += r[i * d + k] ** 2;
    for (let k = 0; k < d; k++) r[i * d + k] /= Math.sqrt(norm);
  }
  return r;
}

function row(t: Tensor | Float64Array, i: number, d: number): number[] {
  return Array.from(("data" in t ? t.data : t).subarray(i * d, i * d + d));
}

function dot(a: number[], b: number[]): number {
  return a.reduce((s, v, i) => s + v * b[i], 0);
}

const degrees = (radians: number) => (radians * 180) / Math.PI;

test("symmetricEigen: A = R diag(λ) Rᵀ gives back λ descending and ±R's rows", () => {
  const d = 12;
  const r = randomRotation(d, new Rng(5));
  const lambda = Array.from({ length: d }, (_, i) => 10 - i * 0.75);
  const a = new Float64Array(d * d);
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) for (let c = 0; c < d; c++) a[i * d + j] += r[c * d + i] * lambda[c] * r[c * d + j];
  const { values, vectors } = symmetricEigen(a, d);
  for (let c = 0; c < d; c++) {
    assert.ok(Math.abs(values[c] - lambda[c]) < 1e-12, `λ_${c}: ${values[c]} vs ${lambda[c]}`);
    assert.ok(Math.abs(Math.abs(dot(row(vectors, c, d), row(r, c, d))) - 1) < 1e-12, `eigenvector ${c}`);
  }
  assert.throws(() => symmetricEigen([1, 2, 3], 2), /4/);
});

test("PCA: data with a covariance known by construction gives its eigenpairs, the mean, and the sign convention", () => {
  // rows μ ± a_c r_c: mean μ, scatter Σ_c 2 a_c² r_c r_cᵀ, so λ_c = 2 a_c² / (n − 1) along r_c
  const d = 6;
  const r = randomRotation(d, new Rng(11));
  const a = [3, 2, 1.5, 1, 0.5, 0.25];
  const mu = [1, -2, 0.5, 4, 0, 3];
  const x = zeros([2 * d, d]);
  for (let c = 0; c < d; c++) {
    for (let k = 0; k < d; k++) {
      x.data[2 * c * d + k] = mu[k] + a[c] * r[c * d + k];
      x.data[(2 * c + 1) * d + k] = mu[k] - a[c] * r[c * d + k];
    }
  }
  const pca = new PCA({ components: 3 }).fit(x);
  assert.deepEqual(pca.components.shape, [3, d]);
  for (let k = 0; k < d; k++) assert.ok(Math.abs(pca.mean.data[k] - mu[k]) < 1e-5);
  const n = 2 * d;
  for (let c = 0; c < 3; c++) {
    const lambda = (2 * a[c] ** 2) / (n - 1);
    assert.ok(Math.abs(pca.explainedVariance[c] - lambda) < 1e-5 * lambda, `λ_${c}: ${pca.explainedVariance[c]} vs ${lambda}`);
    const u = row(pca.components, c, d);
    assert.ok(Math.abs(Math.abs(dot(u, row(r, c, d))) - 1) < 1e-5, `component ${c} is ±r_${c}`);
    const largest = u.reduce((best, v) => (Math.abs(v) > Math.abs(best) ? v : best), 0);
    assert.ok(largest > 0, "the largest-magnitude entry is positive");
  }
  const total = a.reduce((s, ac) => s + (2 * ac ** 2) / (n - 1), 0);
  assert.ok(Math.abs(pca.totalVariance - total) < 1e-5 * total);
  assert.ok(Math.abs(pca.explainedVarianceRatio[0] - (2 * 9) / (n - 1) / total) < 1e-6);
});

// the fits on 2,000 digits the tests share: every eigenpair (d = 784), and the top 20
const full = new PCA({ components: 784 }).fit(digits);
const top20 = new PCA({ components: 20 }).fit(digits);

test("PCA on 2,000 digits: orthonormal components, sorted variances summing to the total, error falling with k", () => {
  const d = 784;
  for (let i = 0; i < 40; i++) {
    for (let j = 0; j <= i; j++) {
      const g = dot(row(full.components, i, d), row(full.components, j, d));
      assert.ok(Math.abs(g - (i === j ? 1 : 0)) < 1e-5, `uᵢ·uⱼ for ${i}, ${j}: ${g}`);
    }
  }
  const v = full.explainedVariance;
  for (let c = 1; c < v.length; c++) assert.ok(v[c] <= v[c - 1], `explained variance sorted at ${c}`);
  const sum = v.reduce((s, x) => s + x, 0);
  assert.ok(Math.abs(sum - full.totalVariance) < 1e-6 * full.totalVariance, `Σλ ${sum} vs trace ${full.totalVariance}`);
  assert.ok(Math.abs(full.explainedVarianceRatio.reduce((s, x) => s + x, 0) - 1) < 1e-6);
  // the training error of rank k is (n − 1)/n Σ_{i>k} λ_i
  const errors = [new PCA({ components: 5 }).fit(digits), top20].map((pca) => pca.reconstructionError(digits));
  const tail = (k: number) => (v.slice(k).reduce((s, x) => s + x, 0) * (digits.shape[0] - 1)) / digits.shape[0];
  assert.ok(Math.abs(errors[0] - tail(5)) < 1e-3 * tail(5), `k = 5: ${errors[0]} vs Σ tail ${tail(5)}`);
  assert.ok(Math.abs(errors[1] - tail(20)) < 1e-3 * tail(20), `k = 20: ${errors[1]} vs Σ tail ${tail(20)}`);
  assert.ok(errors[0] > errors[1] && errors[1] > full.reconstructionError(digits));
  assert.ok(full.reconstructionError(digits) < 1e-6, "all 784 components reconstruct exactly");
});

const PYTHON = "/usr/bin/python3";
function missing(module: string): string | false {
  const r = spawnSync(PYTHON, ["-c", `import ${module}`], { encoding: "utf8" });
  if (r.error !== undefined) return `${PYTHON} is not here (${r.error.message})`;
  return r.status === 0 ? false : `${PYTHON} cannot import ${module} (apt-get install python3-${module === "sklearn" ? "sklearn" : module})`;
}

/** Variances and components [k, d] of the same digits from Python: numpy's SVD of Xc, or sklearn.decomposition.PCA. */
async function pythonPca(how: "numpy" | "sklearn", k: number): Promise<{ variance: number[]; components: Tensor }> {
  const dir = await mkdtemp(join(tmpdir(), "layerwise-pca-"));
  try {
    const file = join(dir, "x.f32");
    await writeFile(file, digits.data);
    const [n, d] = digits.shape;
    const fit =
      how === "numpy"
        ? "xc = x - x.mean(0); _, s, vt = np.linalg.svd(xc, full_matrices=False); var = s[:k] ** 2 / (n - 1); comp = vt[:k]"
        : "from sklearn.decomposition import PCA; p = PCA(n_components=k, svd_solver='full').fit(x); var = p.explained_variance_; comp = p.components_";
    const script = `import sys, json, numpy as np\nn, d, k = ${n}, ${d}, ${k}\nx = np.fromfile(sys.argv[1], dtype=np.float32).reshape(n, d).astype(np.float64)\n${fit}\nprint(json.dumps({"variance": list(map(float, var)), "components": list(map(float, comp.ravel()))}))`;
    const r = spawnSync(PYTHON, ["-c", script, file], { encoding: "utf8", maxBuffer: 1 << 26 });
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    return { variance: out.variance, components: fromArray(out.components, [k, d]) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

for (const how of ["numpy", "sklearn"] as const) {
  test(`PCA agrees with ${how === "numpy" ? "numpy's SVD of the centred digits" : "scikit-learn's PCA"}: variances, |components|, the subspace`, {
    skip: missing(how),
  }, async () => {
    const k = 20;
    const theirs = await pythonPca(how, k);
    const ours = top20;
    for (let c = 0; c < k; c++) {
      const rel = Math.abs(ours.explainedVariance[c] - theirs.variance[c]) / theirs.variance[c];
      assert.ok(rel < 1e-5, `λ_${c}: ours ${ours.explainedVariance[c]}, ${how} ${theirs.variance[c]}`);
      const cos = Math.abs(dot(row(ours.components, c, 784), row(theirs.components, c, 784)));
      assert.ok(cos > 0.9999, `|u_${c} · ${how}'s| = ${cos}`);
    }
    const worst = Math.max(...principalAngles(ours.components, theirs.components));
    assert.ok(worst < 1e-3, `largest principal angle ${worst} rad`);
  });
}

test("principalAngles: known angles, order, and dependent rows refused", () => {
  // span{e1, e2} against span{e1, cos θ e2 + sin θ e3}: angles 0 and θ
  const theta = 0.3;
  const a = fromArray([1, 0, 0, 0, 1, 0], [2, 3]);
  const b = fromArray([0, Math.cos(theta), Math.sin(theta), 2, 0, 0], [2, 3]);
  const angles = principalAngles(a, b);
  assert.ok(Math.abs(angles[0]) < 1e-6 && Math.abs(angles[1] - theta) < 1e-6, `${angles}`);
  assert.equal(principalAngles(a, fromArray([0, 0, 1], [1, 3]))[0], Math.PI / 2);
  assert.throws(() => principalAngles(fromArray([1, 2, 3, 2, 4, 6], [2, 3]), a), /rows of a must be linearly independent/);
  assert.throws(() => principalAngles(a, fromArray([1, 0], [1, 2])), /same d/);
});

test("PCA: saved and loaded through the one format, loadModel returns a PCA that transforms alike", async () => {
  const pca = top20;
  const dir = await mkdtemp(join(tmpdir(), "layerwise-pca-"));
  try {
    await pca.save(dir);
    const loaded = await loadModel(dir);
    assert.ok(loaded instanceof PCA);
    assert.deepEqual(Array.from(loaded.transform(digits).data), Array.from(pca.transform(digits).data));
    // the format stores float32: the variances come back rounded to it
    assert.deepEqual(Array.from(loaded.explainedVariance), Array.from(pca.explainedVariance, Math.fround));
    assert.equal(loaded.totalVariance, pca.totalVariance);
    await new PCA({ components: 3 }).save(dir);
    const unfitted = await loadModel(dir);
    assert.ok(unfitted instanceof PCA && !unfitted.fitted && unfitted.k === 3);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("PCA: bad options and inputs fail naming the option and the allowed range", () => {
  assert.throws(() => new PCA({ components: 0 }), /components must be an integer >= 1, got 0/);
  assert.throws(() => new PCA({ components: 2.5 }), /components must be an integer >= 1/);
  assert.throws(() => new PCA({ components: 7 }).fit(zeros([5, 6])), /components must be an integer in \[1, min\(rows, features\) = 5\], got 7/);
  assert.throws(() => new PCA({ components: 1 }).transform(zeros([2, 3])), /not fitted/);
  assert.throws(() => top20.transform(zeros([2, 3])), /x must be \[rows, 784\]/);
  assert.throws(() => top20.inverseTransform(zeros([2, 3])), /z must be \[rows, 20\]/);
  assert.throws(() => new PCA({ components: 1 }).fit(fromArray([0, Number.NaN, 1, 2], [2, 2])), /NaN at index 1/);
});

test("a linear autoencoder d → k → d trained on squared error spans the top-k principal subspace", async () => {
  const k = 4;
  const topK = fromArray(top20.components.data.subarray(0, k * 784), [k, 784]);
  const centred = zeros(digits.shape as [number, number]);
  for (let i = 0; i < digits.size; i++) centred.data[i] = digits.data[i] - top20.mean.data[i % 784];
  const ae = new Sequential([new Dense(k, { inputShape: [784] }), new Dense(784)], { seed: 7 }).build();
  ae.compile({ loss: "meanSquaredError", optimizer: new Adam({ learningRate: 0.003 }) });
  const decoderRows = () => (ae.layers[1] as Dense).params()[0].value; // the kernel [k, 784]: x̂ = z W + b
  const before = Math.max(...principalAngles(decoderRows(), topK));
  await ae.fit(centred, centred, { epochs: 40, batchSize: 100, seed: 1 });
  const after = principalAngles(decoderRows(), topK);
  console.log(
    `linear AE vs PCA, k = ${k}: largest principal angle ${degrees(before).toFixed(1)}° untrained, ${Array.from(after, (x) => degrees(x).toFixed(2)).join(", ")}° trained`,
  );
  assert.ok(before > 1.2, `untrained: ${degrees(before)}°`);
  assert.ok(Math.max(...after) < (5 * Math.PI) / 180, `trained: ${Array.from(after).map(degrees)}°`);
});
