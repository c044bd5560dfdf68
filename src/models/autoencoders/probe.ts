/**
 * The linear probe of representation learning: softmax regression (one Dense softmax layer,
 * cross-entropy, Sequential.fit) on frozen features, scored by accuracy on held-out features.
 * As in He et al.'s probe (a BatchNorm without affine before the classifier), the features are
 * standardised with the training features' per-column mean and spread first, so one learning rate
 * suits raw pixels, random features and learned ones alike; and as there, the rate decays to 0 by
 * a cosine over the epochs, so the probe ends converged rather than wherever a fixed step leaves it.
 */
import { Dense } from "../../nn/dense.js";
import * as ops from "../../ops/index.js";
import { Adam } from "../../optim/adam.js";
import { formatShape, ShapeError } from "../../tensor/shape.js";
import { type Tensor, zeros } from "../../tensor/tensor.js";
import { Sequential } from "../../train/sequential.js";

export interface LinearProbeOptions {
  /** Default 30. */
  epochs?: number;
  /** Default 128. */
  batchSize?: number;
  /** Adam's initial learning rate, decayed to 0 over the epochs by a cosine (He et al.'s probe schedule). Default 1e-3. */
  learningRate?: number;
  /** Default 0. */
  seed?: number;
}

export interface LinearProbeResult {
  trainAccuracy: number;
  testAccuracy: number;
  /** The trained softmax regression (on standardised features). */
  model: Sequential;
}

/** Trains softmax regression on train features [n, f] with one-hot targets [n, classes]; returns its accuracies. */
export async function linearProbe(
  train: { features: Tensor; oneHot: Tensor },
  test: { features: Tensor; oneHot: Tensor },
  options: LinearProbeOptions = {},
): Promise<LinearProbeResult> {
  const f = train.features.cols;
  for (const [what, s] of [
    ["train", train],
    ["test", test],
  ] as const)
    if (s.features.rank !== 2 || s.features.cols !== f || s.oneHot.rows !== s.features.rows)
      throw new ShapeError(
        `linearProbe: ${what} features ${formatShape(s.features.shape)} and one-hot ${formatShape(s.oneHot.shape)} must be [n, ${f}] and [n, classes]`,
      );
  const epochs = options.epochs ?? 30;
  const { mean, scale } = standardizer(train.features);
  const standardize = (x: Tensor): Tensor => ops.mul(ops.sub(x, mean), scale);
  const model = new Sequential([new Dense(train.oneHot.cols, { activation: "softmax", name: "probe" })], {
    inputShape: [f],
    seed: options.seed ?? 0,
    name: "linear_probe",
  })
    .build()
    .compile({
      loss: "categoricalCrossentropy",
      optimizer: new Adam({ learningRate: options.learningRate ?? 1e-3, schedule: { type: "cosine", epochs } }),
      metrics: ["accuracy"],
    });
  const xTrain = standardize(train.features);
  await model.fit(xTrain, train.oneHot, { epochs, batchSize: options.batchSize ?? 128 });
  return {
    trainAccuracy: model.evaluate(xTrain, train.oneHot).accuracy,
    testAccuracy: model.evaluate(standardize(test.features), test.oneHot).accuracy,
    model,
  };
}

/** Per-column mean and 1/std (1 where a column is constant) of x [n, f]. */
function standardizer(x: Tensor): { mean: Tensor; scale: Tensor } {
  const [n, f] = x.shape;
  const mean = ops.mean(x, 0);
  const scale = zeros([f]);
  for (let r = 0; r < n; r++) for (let j = 0; j < f; j++) scale.data[j] += (x.data[r * f + j] - mean.data[j]) ** 2;
  for (let j = 0; j < f; j++) {
    const sd = Math.sqrt(scale.data[j] / n);
    scale.data[j] = sd > 1e-6 ? 1 / sd : 1;
  }
  return { mean, scale };
}
