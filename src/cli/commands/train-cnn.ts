/** `layerwise train cnn`: trains LeNet-5 or its ReLU variant on MNIST, saves it and pictures of its filters and feature maps. */
import { Augmenter, parseAugmentSpec } from "../../data/augment.js";
import { tileImages, writePng } from "../../io/png.js";
import { LENET_ARCHS, type LeNetArch, lenet } from "../../models/cnn/lenet.js";
import type { Conv2D } from "../../nn/conv.js";
import { Adam } from "../../optim/adam.js";
import { type Tensor, zeros } from "../../tensor/tensor.js";
import { loadSequential } from "../../train/load.js";
import type { Sequential } from "../../train/sequential.js";
import { UsageError } from "../args.js";
import { checkpointOptions, describeTrainingData, type ExtraState, epochsToRun, RunCheckpoint } from "../checkpoint.js";
import type { Command } from "../command.js";
import {
  baseNames,
  defineCommand,
  fitTestAndSave,
  learningRateOption,
  loadMnistFor,
  logUnless,
  lrDecayOption,
  requireOption,
  supervisedTrainerOptions,
} from "../common.js";
import { reportOption } from "../report.js";

const USAGE = "layerwise train cnn --arch lenet5|lenet-relu [--augment rotate=15,shift=2] --epochs N [--data DIR|full|bundled] --out DIR";

const specs = {
  arch: {
    type: "string",
    description: "lenet5 (tanh, average pooling, LeCun 1998) or lenet-relu (ReLU, max pooling, dropout)",
    choices: LENET_ARCHS,
    default: "lenet5",
  },
  augment: {
    type: "string",
    description: "random transforms of every training batch, e.g. rotate=15,shift=2,scale=0.1,elastic=34:4 (degrees, pixels, fraction, alpha:sigma)",
  },
  epochs: { type: "number", description: "passes over the training set", integer: true, min: 1, default: 10 },
  "batch-size": { type: "number", description: "digits per update", integer: true, min: 1, default: 32 },
  lr: learningRateOption("Adam learning rate", 0.001),
  "lr-decay": lrDecayOption,
  dropout: { type: "number", description: "dropout rate before the dense layers (lenet-relu)", min: 0, max: 0.99, default: 0.25 },
  ...supervisedTrainerOptions({
    seed: "seed of initialisation, dropout, shuffling and augmentation",
    out: "folder for model.json, model.safetensors and the PNGs",
  }),
  ...checkpointOptions,
  ...reportOption,
} as const;

/** One [H, W, C] map (NHWC) as C images [C, H·W], the layout tileImages wants. */
export function channelsAsImages(map: Tensor): Tensor {
  const [h, w, c] = map.shape.slice(-3);
  const out = zeros([c, h * w]);
  for (let p = 0; p < h * w; p++) for (let k = 0; k < c; k++) out.data[k * h * w + p] = map.data[p * c + k];
  return out;
}

/** Writes the first conv layer's filters and each conv layer's feature maps for one digit. */
export async function writeCnnPictures(model: Sequential, digit: Tensor, dir: string): Promise<string[]> {
  const written: string[] = [];
  const convs = model.layers.filter((l): l is Conv2D => l.config().className === "Conv2D");
  const first = convs[0];
  if (first !== undefined) {
    // kernel [kH, kW, C, F]: filter f of input channel 0 as a kH×kW image
    const [kH, kW, , F] = first.kernel.value.shape;
    const filters = channelsAsImages(first.kernel.value.reshape(kH, kW, -1)).sliceRows(0, F);
    const path = `${dir}/filters-${first.name}.png`;
    await writePng(path, tileImages(filters, { height: kH, width: kW, cols: F, scale: 8, normalize: "per-image" }));
    written.push(path);
  }
  const inputPath = `${dir}/input.png`;
  await writePng(inputPath, tileImages(digit.reshape(1, -1), { height: 28, width: 28, scale: 4 }));
  written.push(inputPath);
  let h = digit.reshape(1, -1);
  for (const layer of model.layers) {
    h = layer.forward(h, false);
    if (!convs.includes(layer as Conv2D)) continue;
    const [height, width] = h.shape.slice(1, 3);
    if (height * width <= 1) continue; // C5's 1×1 maps show nothing
    const path = `${dir}/feature-maps-${layer.name}.png`;
    await writePng(
      path,
      tileImages(channelsAsImages(h.row(0)), {
        height,
        width,
        cols: Math.min(8, h.shape[3]),
        scale: Math.max(1, Math.round(112 / height)),
        normalize: "per-image",
      }),
    );
    written.push(path);
  }
  return written;
}

export const trainCnnCommand: Command = defineCommand({
  path: ["train", "cnn"],
  summary: "train LeNet-5 (or its ReLU variant) on MNIST, optionally with augmentation; save it with filter and feature-map PNGs",
  usage: USAGE,
  specs,
  outDir: (o) => o.out,
  async run(o, _help, _given, report) {
    const out = requireOption(o.out, "out", "the folder to save the model into");
    const seed = o.seed ?? 1;
    let augmentation: ReturnType<typeof parseAugmentSpec> = null;
    try {
      augmentation = parseAugmentSpec(o.augment ?? "", seed + 100);
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
    const log = logUnless(o.quiet);

    const data = await loadMnistFor(o);
    const checkpoint = new RunCheckpoint("train cnn", out, o, describeTrainingData(data.source, [data.train.images, data.train.oneHot]));
    const resumed = await checkpoint.resume(loadSequential);
    const model = resumed?.model ?? lenet(o.arch as LeNetArch, { seed, dropout: o.dropout });
    if (resumed === null) {
      const decay = o["lr-decay"] ?? 1;
      const optimizer = new Adam({ learningRate: o.lr ?? 0.001, schedule: decay < 1 ? { type: "exponential", decay } : undefined });
      // a loaded model is built and compiled already (build() again would draw fresh weights)
      model.compile({ loss: "categoricalCrossentropy", optimizer, metrics: ["accuracy"] }).build();
    }
    log(model.summary());
    const augmenter = augmentation === null ? null : new Augmenter(augmentation);
    // the Augmenter draws from a generator of its own, which the checkpoint keeps beside the model
    const augmenterState = (): ExtraState => (augmenter === null ? {} : { augmenterRng: [...augmenter.randomState()] });
    if (augmenter !== null && resumed?.extra.augmenterRng !== undefined) augmenter.randomState().set(resumed.extra.augmenterRng);
    const transform = augmenter?.batchTransform();
    if (augmentation !== null) log(`augmentation: ${JSON.stringify(augmentation)}`);
    const fit = {
      ...epochsToRun(model, o.epochs ?? 10, seed),
      batchSize: o["batch-size"],
      verbose: !o.quiet,
      transform,
      callbacks: checkpoint.callbacks(augmenterState),
    };
    const testLine = await fitTestAndSave(model, data, fit, out, `${o.arch}, ${o.epochs} epochs`, report);
    const pictures = await writeCnnPictures(model, data.test.images.row(0), out);
    report.pictures(pictures);
    console.log(testLine);
    console.log(`saved to ${out} (model.json, model.safetensors, ${baseNames(pictures)})`);
    return 0;
  },
});
