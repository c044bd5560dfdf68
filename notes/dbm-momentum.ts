/**
 * Why momentum 0.9 breaks our DBM's joint training: a diagnostic testbed, not a reproduction
 * (notes/dbm-reproduction-log.md records what it showed). It loads a doubled stack that
 * examples/dbm-mnist.ts --labels saved (OUT/stack; copy it first: the script resumes it as a
 * checkpoint and so may write there), jointly trains the labelled 784-500-1000 DBM on the first
 * --rows training images, and prints after every epoch the reconstruction error, the label
 * read-out on 5,000 held-out training images (rows 50,000-54,999), the largest weights and the
 * biases' range, the chains' and the data's mean activities. Momentum is 0.5 for the first 5
 * epochs, then --momentum. On the full-data runs the blow-up starts in the first epoch at 0.9;
 * here it shows within a few hundred updates, in about 15 s an epoch at 1 thread.
 *
 *   cp -r OUT/stack STACK && node --import tsx notes/dbm-momentum.ts --stack STACK --momentum 0.9
 */
import { parseArgs } from "node:util";
import { DBM, defaultMnistDir, loadMnist, ops, type Tensor } from "layerwise";

const USAGE = `usage: node --import tsx notes/dbm-momentum.ts --stack DIR [options]

DBM joint training from a saved doubled stack, watching where momentum 0.9 diverges.

  --stack DIR            a copy of the doubled stack (OUT/stack of examples/dbm-mnist.ts --labels, 50 epochs a layer); required
  --data DIR             folder with the full MNIST IDX files (default: LAYERWISE_MNIST or ../shared/datasets/mnist)
  --rows N               training rows for joint training (default 10000, 100 to 50000)
  --epochs N             joint-training epochs (default 9)
  --lr X                 joint-training ε (default 0.001)
  --momentum X           momentum from epoch 6, 0.5 before (default 0.9, 0 to 0.99)
  --chains N             persistent chains (default 100)
  --gibbs-steps N        Gibbs sweeps of the chains per update (default 5)
  --chain-mean-step      end each update's sweeps with a mean-field step on the chains' h2 (DBMOptions.chainMeanStep)
  --seed N               seed (default 1)
  --help                 show this help`;

function fail(message: string): never {
  console.error(`dbm-momentum: ${message}\n\n${USAGE}`);
  process.exit(2);
}

/** The number given for --name (or its default), refused with a message naming the flag when outside [min, max]. */
function numberFlag(raw: string | undefined, name: string, fallback: number, min: number, max: number, integer: boolean): number {
  if (raw === undefined) return fallback;
  const x = Number(raw);
  if (raw.trim() === "" || !Number.isFinite(x) || (integer && !Number.isInteger(x)) || x < min || x > max) {
    fail(`--${name} must be ${integer ? "an integer" : "a number"} in [${min}, ${max}]; got "${raw}"`);
  }
  return x;
}

/** The flags as strings (numbers are checked by numberFlag); an unknown flag is a usage error naming it. */
function readFlags() {
  try {
    return parseArgs({
      options: {
        stack: { type: "string" },
        data: { type: "string" },
        rows: { type: "string" },
        epochs: { type: "string" },
        lr: { type: "string" },
        momentum: { type: "string" },
        chains: { type: "string" },
        "gibbs-steps": { type: "string" },
        "chain-mean-step": { type: "boolean" },
        seed: { type: "string" },
        help: { type: "boolean" },
      },
    }).values;
  } catch (e) {
    return fail(e instanceof Error ? e.message : String(e));
  }
}

const parsed = readFlags();
if (parsed.help) {
  console.log(USAGE);
  process.exit(0);
}
if (parsed.stack === undefined) fail("--stack DIR is required (a copy of examples/dbm-mnist.ts --labels --out OUT's OUT/stack)");
const o = {
  rows: numberFlag(parsed.rows, "rows", 10000, 100, 50000, true),
  epochs: numberFlag(parsed.epochs, "epochs", 9, 1, 10000, true),
  lr: numberFlag(parsed.lr, "lr", 0.001, 0, 10, false),
  momentum: numberFlag(parsed.momentum, "momentum", 0.9, 0, 0.99, false),
  chains: numberFlag(parsed.chains, "chains", 100, 1, 1e6, true),
  gibbsSteps: numberFlag(parsed["gibbs-steps"], "gibbs-steps", 5, 1, 1000, true),
  seed: numberFlag(parsed.seed, "seed", 1, -(2 ** 31), 2 ** 31, true),
};

const dir = parsed.data ?? defaultMnistDir();
if (dir === null) fail("needs the full MNIST (--data DIR or LAYERWISE_MNIST)");
const { train } = await loadMnist({ dir });
if (train.images.rows < 55000) fail("needs the full MNIST training set (the read-out rows are 50,000-54,999)");
const x = train.images.sliceRows(0, o.rows);
const y = train.oneHot.sliceRows(0, o.rows);
const held = train.images.sliceRows(50000, 55000);
const heldLabels = train.labels.subarray(50000, 55000);
const dbm = new DBM({
  layers: [784, 500, 1000],
  labels: 10,
  seed: o.seed,
  learningRate: o.lr,
  momentum: o.momentum,
  chains: o.chains,
  gibbsSteps: o.gibbsSteps,
  chainMeanStep: parsed["chain-mean-step"] ?? false,
});
// the stack is complete, so this only loads and joins it
await dbm.pretrain(train.images.sliceRows(0, 50000), {
  epochs: 50,
  batchSize: 100,
  rbm: { learningRate: 0.05, weightDecay: 0.001 },
  sampleData: true,
  labels: train.oneHot.sliceRows(0, 50000),
  checkpoint: parsed.stack,
});

/** Percentage of held-out digits whose label read-out softmax(μ2 Uᵀ + c) picks the wrong class. */
const readout = (): string => {
  const predicted = ops.argmax(dbm.labelProbabilities(held));
  return ((100 * predicted.filter((c, r) => c !== heldLabels[r]).length) / predicted.length).toFixed(2);
};
const range = (t: Tensor): string =>
  `${t.data.reduce((a, b) => Math.min(a, b), Infinity).toFixed(2)}..${t.data.reduce((a, b) => Math.max(a, b), -Infinity).toFixed(2)}`;
const state = (): string => {
  const maxW = dbm.W.map((w) => w.data.reduce((a, b) => Math.max(a, Math.abs(b)), 0).toFixed(2)).join(" / ");
  const chains = dbm
    .namedTensors()
    .filter(([n]) => n.startsWith("chains.h"))
    .map(([, t]) => ops.meanAll(t).toFixed(3));
  const data = dbm.meanField(held.sliceRows(0, 500)).mu.map((m) => ops.meanAll(m).toFixed(3));
  return `max |W| ${maxW}, biases ${dbm.biases.map(range).join(" / ")}, mean activity: chains ${chains.join(" / ") || "-"}, data μ ${data.join(" / ")}`;
};
console.log(`pretrained: read-out ${readout()} %, ${state()}`);
await dbm.fit(x, {
  epochs: o.epochs,
  batchSize: 100,
  sampleData: true,
  labels: y,
  callbacks: {
    onEpochEnd: (l) =>
      console.log(
        `  epoch ${l.epoch} (momentum ${l.momentum}): reconstruction error ${l.reconstructionError.toFixed(3)}, read-out ${readout()} %, ${state()}, ${l.seconds.toFixed(0)} s`,
      ),
  },
});
