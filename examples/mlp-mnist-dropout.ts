/**
 * The dropout MLP of Srivastava, Hinton, Krizhevsky, Sutskever & Salakhutdinov (JMLR 2014) on the
 * full MNIST: 784-800-800-10 ReLU, dropout 0.2 on the inputs and 0.5 on the hidden units,
 * softmax + cross-entropy, SGD with momentum, max-norm constraint on each hidden unit's
 * incoming weights. Target: at most 1.6 % test error (the paper: about 1.05-1.25 % with far
 * longer training). Prints the test error after every epoch and the final figure with the
 * epochs and the wall time.
 *
 *   node --import tsx examples/mlp-mnist-dropout.ts [--epochs 40] [--data ../shared/datasets/mnist]
 *
 * Measured with the defaults (40 epochs, lr 0.1, seed 1): 1.53 % test error, 25 min on 2 shared cores.
 *
 * Max-norm is not an optimiser option in layerwise; it is applied here as a callback after
 * every update (MaxNorm below): w_j ← w_j · min(1, c / ‖w_j‖) for each unit's weight column.
 */
import { backend, type Callback, Dense, Dropout, defaultMnistDir, type Logs, loadMnist, ops, Sequential, SGD, type Tensor, zeros } from "layerwise";
import { formatHelp, parseOptions, UsageError } from "layerwise/cli";

const specs = {
  data: { type: "string", description: "folder with the four MNIST IDX files (default ../shared/datasets/mnist)" },
  epochs: { type: "number", description: "training epochs", default: 40, integer: true, min: 1, max: 10000 },
  "batch-size": { type: "number", description: "mini-batch size", default: 100, integer: true, min: 1 },
  lr: { type: "number", description: "initial learning rate (cosine-annealed to 0 over the epochs)", default: 0.1, min: 0 },
  momentum: { type: "number", description: "SGD momentum", default: 0.9, min: 0, max: 0.999 },
  "max-norm": { type: "number", description: "bound c on each unit's incoming weight norm (0: off)", default: 3, min: 0 },
  "limit-train": { type: "number", description: "use only the first N training images (smoke runs)", integer: true, min: 1 },
  seed: { type: "number", description: "seed for weights, dropout masks and shuffling", default: 1, integer: true },
  help: { type: "boolean", description: "show this help" },
} as const;

/**
 * Max-norm regularisation (Srivastava et al. 2014, section 5.1): after each update, every
 * unit's vector of incoming weights (a column of the kernel W [inputs, units]) is projected
 * back onto the ball ‖w_j‖ ≤ c. Buffers are allocated once per kernel.
 */
class MaxNorm implements Callback {
  private readonly scratch: { kernel: Tensor; squares: Tensor; norms: Tensor }[];

  constructor(
    kernels: Tensor[],
    readonly c: number,
  ) {
    this.scratch = kernels.map((kernel) => ({ kernel, squares: zeros(kernel.shape), norms: zeros([kernel.shape[1]]) }));
  }

  onBatchEnd(): void {
    for (const { kernel, squares, norms } of this.scratch) {
      ops.sum(ops.square(kernel, squares), 0, norms); // ‖w_j‖² per column
      const s = norms.data;
      for (let j = 0; j < s.length; j++) s[j] = s[j] > this.c * this.c ? this.c / Math.sqrt(s[j]) : 1;
      ops.mul(kernel, norms, kernel); // scale column j by s_j (row-vector broadcast)
    }
  }
}

/** Prints the test error after each epoch, so a long background run shows its progress. */
class TestError implements Callback {
  readonly errors: number[] = [];
  private readonly start = performance.now();

  constructor(
    private readonly model: Sequential,
    private readonly x: Tensor,
    private readonly y: Tensor,
  ) {}

  onEpochEnd(epoch: number, logs: Logs): void {
    const error = 1 - this.model.evaluate(this.x, this.y).accuracy;
    this.errors.push(error);
    const elapsed = (performance.now() - this.start) / 1e3;
    console.log(
      `epoch ${String(epoch + 1).padStart(3)}  train loss ${logs.loss.toFixed(4)}  train acc ${logs.accuracy.toFixed(4)}  test error ${(100 * error).toFixed(2)} %  ${elapsed.toFixed(0)} s`,
    );
  }
}

function options() {
  const usage = "node --import tsx examples/mlp-mnist-dropout.ts [options]";
  try {
    const { options: o, positional } = parseOptions(process.argv.slice(2), specs);
    if (o.help) {
      console.log(formatHelp(usage, specs));
      process.exit(0);
    }
    if (positional.length > 0) throw new UsageError(`unexpected argument "${positional[0]}"`);
    return o;
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    console.error(`mlp-mnist-dropout: ${e.message}\n\n${formatHelp(usage, specs)}`);
    process.exit(2);
  }
}

const o = options();
const dir = o.data ?? defaultMnistDir();
if (dir === null) {
  console.error("mlp-mnist-dropout: the full MNIST is not in ../shared/datasets/mnist; pass --data DIR (the folder with the four IDX files)");
  process.exit(2);
}
const epochs = o.epochs ?? 40;
const batchSize = o["batch-size"] ?? 100;
const maxNorm = o["max-norm"] ?? 3;
const seed = o.seed ?? 1;
const { train, test } = await loadMnist({ dir, limitTrain: o["limit-train"] });
const info = backend().info();
console.log(`MNIST from ${dir}: ${train.labels.length} training / ${test.labels.length} test images; backend ${info.name}, ${info.threads} thread(s)`);

const hidden = [new Dense(800, { activation: "relu", kernelInitializer: "heNormal" }), new Dense(800, { activation: "relu", kernelInitializer: "heNormal" })];
const model = new Sequential(
  [new Dropout(0.2, { inputShape: [784] }), hidden[0], new Dropout(0.5), hidden[1], new Dropout(0.5), new Dense(10, { activation: "softmax" })],
  {
    seed,
  },
);
const optimizer = new SGD({ learningRate: o.lr ?? 0.1, momentum: o.momentum ?? 0.9, schedule: { type: "cosine", epochs } });
model.compile({ loss: "categoricalCrossentropy", optimizer, metrics: ["accuracy"] });
model.build();
console.log(model.summary());
console.log(
  `SGD lr ${optimizer.initialLearningRate} (cosine to 0 over ${epochs} epochs), momentum ${optimizer.momentum}, batch ${batchSize}, max-norm ${maxNorm || "off"}, seed ${seed}`,
);

const testError = new TestError(model, test.images, test.oneHot);
const callbacks: Callback[] = [testError];
if (maxNorm > 0) callbacks.unshift(new MaxNorm([...hidden.map((d) => d.kernel.value), (model.layers[5] as Dense).kernel.value], maxNorm));
const t0 = performance.now();
await model.fit(train.images, train.oneHot, { epochs, batchSize, seed, callbacks });
const seconds = (performance.now() - t0) / 1e3;

const final = testError.errors[testError.errors.length - 1];
const best = Math.min(...testError.errors);
console.log(
  `\nresult: test error ${(100 * final).toFixed(2)} % after ${epochs} epochs (best epoch ${(100 * best).toFixed(2)} %), wall time ${seconds.toFixed(0)} s (${(seconds / 60).toFixed(1)} min); target <= 1.6 %: ${final <= 0.016 ? "met" : "NOT met"}`,
);
