/**
 * Stacked autoencoders on MNIST: autoencoders trained greedily, layer by layer, each on the
 * codes of the one below; their encoders then initialise a classifier with a softmax layer on
 * top, fine-tuned by backpropagation (pretrainAndFinetune), beside the same net from random
 * weights. With --denoising ν every layer is a denoising autoencoder with masking noise ν: the
 * stacked denoising autoencoder (SdA). Prints the test error beside the published ones:
 *   stacked autoassociators, 3 hidden layers: 1.41 %  (Larochelle et al. 2009, table 1)
 *   stacked denoising autoencoders (SdA-3):   1.28 %, "1.3 %"  (Vincent et al. 2010, table 3)
 *
 *   node --import tsx examples/stacked-autoencoders.ts --data DIR --layers 784-1000-1000-1000
 *        [--epochs 10] [--finetune-epochs 30] [--denoising 0.25] [--limit-train N] [--out DIR]
 *
 * Without --data it uses the 8,000 bundled digits (and their 2,000 test digits).
 */
import { loadMnist, pretrainAndFinetune, SGD, StackedAutoencoder } from "layerwise";
import { parseOptions } from "layerwise/cli";

const { options: o } = parseOptions(process.argv.slice(2), {
  layers: { type: "string", default: "784-1000-1000-1000", description: "units per layer, data first" },
  epochs: { type: "number", integer: true, min: 1, default: 10, description: "pretraining epochs per autoencoder" },
  "finetune-epochs": { type: "number", integer: true, min: 0, default: 30, description: "backpropagation epochs of the classifier (and of the baseline)" },
  denoising: { type: "number", min: 0, max: 1, default: 0, description: "masking fraction ν of every layer's input (0: plain stacked autoassociators)" },
  "pretrain-lr": { type: "number", min: 0, default: 0.1, description: "SGD learning rate of each autoencoder (cross-entropy, tied weights)" },
  "finetune-lr": { type: "number", min: 0, default: 0.1, description: "SGD learning rate of fine-tuning (momentum 0.9)" },
  batch: { type: "number", integer: true, min: 1, default: 20, description: "rows per batch" },
  data: { type: "string", description: "folder with the full MNIST IDX files (default: the bundled digits)" },
  "limit-train": { type: "number", integer: true, min: 1, description: "use only the first N training digits" },
  seed: { type: "number", integer: true, default: 1, description: "seed of initialisation, corruption and shuffling" },
  out: { type: "string", description: "save the pretrained stack here (loadModel reads it back)" },
  "skip-baseline": { type: "boolean", description: "fine-tune only the pretrained net (half the time), not also the same net from random weights" },
} as const);

const layers = (o.layers ?? "784-1000-1000-1000").split("-").map(Number);
const nu = o.denoising ?? 0;
const batchSize = o.batch ?? 20;
const seed = o.seed ?? 1;
const { train, test } =
  o.data === undefined ? await loadMnist({ limitTrain: o["limit-train"] }) : await loadMnist({ source: "full", dir: o.data, limitTrain: o["limit-train"] });
const sda = nu > 0;
const name = `${sda ? "SdA" : "stacked autoassociators"} ${layers.join("-")}-10`;
console.log(`${name} on ${train.images.rows} training digits, ${test.images.rows} test digits`);

const stack = new StackedAutoencoder({
  layers,
  tied: true, // the autoassociators of Bengio et al. (2007) and Vincent et al. (2010)
  loss: "binaryCrossentropy",
  denoising: sda ? { noise: "masking", level: nu } : undefined,
  optimizer: () => new SGD({ learningRate: o["pretrain-lr"] ?? 0.1 }),
  seed,
});
let t = performance.now();
await stack.pretrain(train.images, {
  epochs: o.epochs ?? 10,
  batchSize,
  callbacks: (l) => [{ onEpochEnd: (epoch, logs) => console.log(`  autoencoder ${l + 1} epoch ${epoch + 1}: loss ${(logs.loss ?? Number.NaN).toFixed(4)}`) }],
});
console.log(
  `pretraining ${((performance.now() - t) / 1e3).toFixed(1)} s; the stack reconstructs test digits to ${stack.reconstructionError(test.images).toFixed(2)} per image`,
);
if (o.out !== undefined) await stack.save(o.out);

const percent = (e: number): string => `${(100 * e).toFixed(2)} %`;
t = performance.now();
const run = await pretrainAndFinetune(
  stack,
  // the test digits also as `validation`: only printed after each epoch, nothing is chosen by them
  { train: { x: train.images, y: train.oneHot }, validation: { x: test.images, y: test.oneHot }, test: { x: test.images, y: test.oneHot } },
  {
    epochs: o["finetune-epochs"] ?? 30,
    batchSize,
    optimizer: { type: "sgd", learningRate: o["finetune-lr"] ?? 0.1, momentum: 0.9 },
    seed,
    baseline: !o["skip-baseline"],
    // the test error as fine-tuning goes, for a run cut short
    callbacks: (stage) => [
      {
        onEpochEnd: (epoch: number, logs: Record<string, number>) =>
          console.log(
            `  ${stage.arm} epoch ${epoch + 1}: loss ${logs.loss?.toFixed(4)}${logs.val_accuracy === undefined ? "" : `, test error ${percent(1 - logs.val_accuracy)}`}`,
          ),
      },
    ],
  },
);
console.log(`fine-tuning ${run.baseline === null ? "the net" : "both nets"} ${((performance.now() - t) / 1e3).toFixed(1)} s`);
const published = sda ? "SdA-3 1.28 %, about 1.3 % (Vincent et al. 2010, table 3)" : "stacked autoassociators 1.41 % (Larochelle et al. 2009, table 1)";
const baseline = run.baseline === null ? "" : `; the same net from random weights ${percent(run.baseline.testError)}`;
console.log(`test error: ${name} ${percent(run.pretrained.testError)}${baseline}`);
console.log(`published, full MNIST, 3 hidden layers of 1000 (or more): ${published}`);
