/** `layerwise train cnn`: trains LeNet-5 or its ReLU variant on MNIST, saves it and pictures of its filters and feature maps. */
import { Augmenter, parseAugmentSpec } from "../../data/augment.js";
import { loadMnist } from "../../data/mnist.js";
import { tileImages, writePng } from "../../io/png.js";
import { LENET_ARCHS, type LeNetArch, lenet } from "../../models/lenet.js";
import type { Conv2D } from "../../nn/conv.js";
import { Adam } from "../../optim/adam.js";
import { type Tensor, zeros } from "../../tensor/tensor.js";
import { formatSeconds } from "../../train/progress.js";
import type { Sequential } from "../../train/sequential.js";
import { formatHelp, parseOptions, UsageError } from "../args.js";
import type { Command } from "../command.js";

const USAGE = "layerwise train cnn --arch lenet5|lenet-relu [--augment rotate=15,shift=2] --epochs N [--data DIR] --out DIR";

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
  lr: { type: "number", description: "Adam learning rate", min: 0, default: 0.001 },
  "lr-decay": { type: "number", description: "multiply the learning rate by this after every epoch", min: 0, max: 1, default: 1 },
  dropout: { type: "number", description: "dropout rate before the dense layers (lenet-relu)", min: 0, max: 0.99, default: 0.25 },
  data: { type: "string", description: "folder with the MNIST IDX files (default: the bundled digits)" },
  "limit-train": { type: "number", description: "use only the first N training digits", integer: true, min: 1 },
  "limit-test": { type: "number", description: "use only the first N test digits", integer: true, min: 1 },
  seed: { type: "number", description: "seed of initialisation, dropout, shuffling and augmentation", integer: true, default: 1 },
  out: { type: "string", description: "folder for model.json, model.safetensors and the PNGs" },
  quiet: { type: "boolean", description: "no progress output" },
  help: { type: "boolean", description: "show this help" },
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

export const trainCnnCommand: Command = {
  path: ["train", "cnn"],
  summary: "train LeNet-5 (or its ReLU variant) on MNIST, optionally with augmentation; save it with filter and feature-map PNGs",
  async run(argv) {
    const { options: o, positional } = parseOptions(argv, specs);
    if (o.help) {
      console.log(formatHelp(USAGE, specs));
      return 0;
    }
    if (positional.length > 0) throw new UsageError(`unexpected argument "${positional[0]}"; usage: ${USAGE}`);
    if (o.out === undefined) throw new UsageError("option --out is required (the folder to save the model into)");
    if (o.lr !== undefined && o.lr <= 0) throw new UsageError(`option --lr must be a number > 0; got "${o.lr}"`);
    if (o["lr-decay"] === 0) throw new UsageError(`option --lr-decay must be a number in (0, 1]; got "0"`);
    const seed = o.seed ?? 1;
    let augmentation: ReturnType<typeof parseAugmentSpec> = null;
    try {
      augmentation = parseAugmentSpec(o.augment ?? "", seed + 100);
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
    const log = (s: string): void => {
      if (!o.quiet) console.log(s);
    };

    const data = await loadMnist({ source: o.data ? "full" : "bundled", dir: o.data, limitTrain: o["limit-train"], limitTest: o["limit-test"] });
    const model = lenet(o.arch as LeNetArch, { seed, dropout: o.dropout });
    const decay = o["lr-decay"] ?? 1;
    const optimizer = new Adam({ learningRate: o.lr ?? 0.001, schedule: decay < 1 ? { type: "exponential", decay } : undefined });
    model.compile({ loss: "categoricalCrossentropy", optimizer, metrics: ["accuracy"] });
    log(`data: ${data.source} MNIST, ${data.train.images.rows} training and ${data.test.images.rows} test digits`);
    log(model.build().summary());
    const transform = augmentation === null ? undefined : new Augmenter(augmentation).batchTransform();
    if (augmentation !== null) log(`augmentation: ${JSON.stringify(augmentation)}`);
    const t0 = Date.now();
    await model.fit(data.train.images, data.train.oneHot, { epochs: o.epochs, batchSize: o["batch-size"], seed, verbose: !o.quiet, transform });
    const seconds = (Date.now() - t0) / 1000;
    const test = model.evaluate(data.test.images, data.test.oneHot);
    await model.save(o.out);
    const pictures = await writeCnnPictures(model, data.test.images.row(0), o.out);
    console.log(
      `test: loss ${test.loss.toFixed(4)} - accuracy ${(100 * test.accuracy).toFixed(2)} % - error ${(100 * (1 - test.accuracy)).toFixed(2)} % ` +
        `(${data.test.images.rows} digits; ${o.arch}, ${o.epochs} epochs in ${formatSeconds(seconds)})`,
    );
    console.log(`saved to ${o.out} (model.json, model.safetensors, ${pictures.map((p) => p.split("/").pop()).join(", ")})`);
    return 0;
  },
};
