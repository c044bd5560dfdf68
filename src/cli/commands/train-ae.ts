/**
 * `layerwise train ae --kind basic|denoising|sparse|stacked|deep|conv|bimodal|mae`: trains an autoencoder
 * x → x on the MNIST training digits through the one loop (Sequential.fit), after greedy
 * pretraining for stacked (autoencoders) and deep (RBMs), saves it, and writes its pictures and
 * summary.json (the test digits' squared reconstruction error ‖x − x̂‖² per image, beside PCA's
 * with as many components); a 2-D code is drawn beside the first two principal components. The
 * kinds are one table (AE_KINDS): a new kind (vae, ...) is one entry there.
 */
import { joinPath, writeFileAtomic } from "../../io/files.js";
import { loadSavedAs } from "../../io/model.js";
import { tileImages, writePng } from "../../io/png.js";
import { Autoencoder, type AutoencoderOptions } from "../../models/autoencoders/autoencoder.js";
import { BimodalAutoencoder, splitModalities } from "../../models/autoencoders/bimodal.js";
import { codesScatterImage, codesScatterSvg } from "../../models/autoencoders/codes.js";
import { convAutoencoder } from "../../models/autoencoders/conv.js";
import { corrupt, type NoiseKind } from "../../models/autoencoders/corruption.js";
import { DeepAutoencoder } from "../../models/autoencoders/deep.js";
import { type EncoderDecoder, UnrolledAutoencoder } from "../../models/autoencoders/encoder-decoder.js";
import { MaskedAutoencoder } from "../../models/autoencoders/mae.js";
import {
  autoencoderFiltersImage,
  crossModalImage,
  denoisingImage,
  maskedAutoencoderImage,
  vaeManifoldImage,
  vaeSamplesImage,
} from "../../models/autoencoders/pictures.js";
import { StackedAutoencoder } from "../../models/autoencoders/stacked.js";
import { VAE } from "../../models/autoencoders/vae.js";
import type { PretrainCallback } from "../../models/dbn/dbn.js";
import { PCA } from "../../models/pca/pca.js";
import { bernoulli } from "../../ops/random.js";
import { meanRowError, squaredErrorPerRow } from "../../ops/reduce.js";
import { Adam } from "../../optim/adam.js";
import { ConjugateGradient } from "../../optim/cg.js";
import { Rng } from "../../tensor/random.js";
import { fromArray, type Tensor } from "../../tensor/tensor.js";
import { loadSequential } from "../../train/load.js";
import { ProgressBar } from "../../train/progress.js";
import type { FitOptions, Sequential } from "../../train/sequential.js";
import { parseSizeList, UsageError } from "../args.js";
import { checkpointOptions, describeTrainingData, epochsToRun, RunCheckpoint } from "../checkpoint.js";
import type { Command } from "../command.js";
import { baseNames, defineCommand, learningRateOption, loadMnistFor, logUnless, requireOption, supervisedTrainerOptions } from "../common.js";
import { type RunReport, reportOption } from "../report.js";

const USAGE = "layerwise train ae --kind basic|denoising|sparse|stacked|deep|conv|bimodal|mae|vae --out DIR [options]";

/** The CLI's noise names and the library's. */
const NOISES: Record<string, NoiseKind> = { masking: "masking", "salt-pepper": "saltAndPepper", gaussian: "gaussian" };

/** The options that only one kind reads: given with another kind they are an error, not ignored. */
const KIND_OPTIONS: Record<string, readonly string[]> = {
  code: ["basic", "denoising", "sparse", "conv", "bimodal", "mae"],
  layers: ["stacked", "deep"],
  "pretrain-epochs": ["stacked", "deep"],
  optimizer: ["deep"],
  tied: ["basic", "denoising", "sparse", "stacked"],
  noise: ["denoising", "stacked"],
  level: ["denoising", "stacked"],
  "sparsity-target": ["sparse"],
  "sparsity-weight": ["sparse"],
  // the greedy pretraining is not checkpointed: a stacked or deep run starts over
  "checkpoint-every": ["basic", "denoising", "sparse", "conv", "bimodal", "mae", "vae"],
  resume: ["basic", "denoising", "sparse", "conv", "bimodal", "mae", "vae"],
  hidden: ["bimodal", "vae"],
  latent: ["vae"],
  "zeroed-share": ["bimodal"],
  patch: ["mae"],
  "mask-ratio": ["mae"],
};

const specs = {
  kind: { type: "string", description: "which autoencoder", choices: ["basic", "denoising", "sparse", "stacked", "deep", "conv", "bimodal", "mae", "vae"] },
  code: {
    type: "number",
    description:
      "code size: hidden units (default 100); for conv 49·c numbers, a multiple of 49 (default 196 = 7×7×4); for bimodal the shared code (default 64); for mae the token width (default 64)",
    integer: true,
    min: 1,
  },
  layers: { type: "string", description: "units per layer, data first, code last (stacked: default 784-500-250; deep: default 784-1000-500-250-30)" },
  "pretrain-epochs": {
    type: "number",
    description: "greedy pretraining epochs of each autoencoder (stacked) or RBM (deep)",
    integer: true,
    min: 0,
    default: 10,
  },
  optimizer: {
    type: "string",
    description: "fine-tuning optimiser of the deep kind: cg (conjugate gradients, the paper's) or adam",
    choices: ["cg", "adam"],
    default: "cg",
  },
  tied: { type: "boolean", description: "decoder weights Wᵀ of the encoder's W (dense and stacked kinds)" },
  noise: {
    type: "string",
    description: "corruption (default masking); with --kind stacked it makes a stacked denoising autoencoder",
    choices: Object.keys(NOISES),
  },
  level: { type: "number", description: "corruption level: ν (masking, salt-pepper) or σ (gaussian); default 0.25", min: 0, max: 1 },
  "sparsity-target": { type: "number", description: "ρ, the target average activation of each hidden unit, in (0, 1)", default: 0.05 },
  "sparsity-weight": { type: "number", description: "β, the weight of Σ_j KL(ρ ‖ ρ̂_j)", min: 0, default: 3 },
  hidden: {
    type: "string",
    description:
      "hidden layer sizes, comma-separated: bimodal, each half's own layer (default 256; two sizes: top, bottom); vae, its deterministic layers (default 400)",
  },
  latent: { type: "number", description: "vae: Nz, the dimension of z (default 20; 2 also draws manifold.png and codes.svg)", integer: true, min: 1 },
  "zeroed-share": { type: "number", description: "bimodal: share of training rows with one half zeroed, half of them the top (default 2/3)", min: 0, max: 1 },
  patch: { type: "number", description: "mae: the side of a square patch, dividing 28", integer: true, min: 1, default: 7 },
  "mask-ratio": { type: "number", description: "mae: the share of each digit's patches hidden, in (0, 1)", default: 0.75 },
  epochs: {
    type: "number",
    description: "passes over the training set (stacked, deep: fine-tuning of the unrolled net; 0 none)",
    integer: true,
    min: 0,
    default: 10,
  },
  "batch-size": { type: "number", description: "digits per update", integer: true, min: 1, default: 100 },
  lr: learningRateOption("Adam's learning rate (default 0.01; mae, vae 0.001; unused by --kind deep --optimizer cg)"),
  ...supervisedTrainerOptions({ seed: "seed of initialisation, corruption and shuffling", out: "folder for the model, the pictures and summary.json" }),
  ...checkpointOptions,
  ...reportOption,
} as const;

type Options = { [K in keyof typeof specs]?: unknown } & {
  code?: number;
  layers?: string;
  "pretrain-epochs"?: number;
  optimizer?: string;
  "batch-size"?: number;
  quiet: boolean;
  tied: boolean;
  noise?: string;
  level?: number;
  "sparsity-target"?: number;
  "sparsity-weight"?: number;
  hidden?: string;
  latent?: number;
  "zeroed-share"?: number;
  patch?: number;
  "mask-ratio"?: number;
  seed?: number;
};

/** A trained autoencoder as the command sees it: the model fit trains, and what it can draw. */
interface Trained {
  /** What fit trains (for stacked and deep, the net unrolled after pretraining); a checkpoint reads its epochs. */
  readonly model: { epochsTrained: number };
  describe: string;
  codeSize: number;
  /** Greedy layer-wise pretraining, before fit (stacked, deep); each layer's curve goes into the report. */
  pretrain?(x: Tensor, report: RunReport): Promise<void>;
  fit(x: Tensor, options: Omit<FitOptions, "validationData">): Promise<unknown>;
  reconstruct(x: Tensor): Tensor;
  /** The codes [rows, codeSize] (drawn when codeSize is 2); absent for conv. */
  encode?(x: Tensor): Tensor;
  save(dir: string): Promise<void>;
  /** The kind's own pictures (filters.png, denoising.png), written into out; returns their paths. */
  pictures(out: string, test: Tensor, seed: number): Promise<string[]>;
  /** The kind's own figures for summary.json (the bimodal cross-modal errors, the VAE's test ELBO); numbers are also printed. */
  summary?(train: Tensor, test: Tensor, seed: number): Record<string, unknown>;
}

interface AeKind<M = Sequential> {
  /** A fresh model, or the one a checkpoint holds (`resumed`). */
  build(o: Options, resumed: M | null): Trained;
  /** Loads a checkpoint's model (default loadSequential). */
  load?(dir: string): Promise<M>;
}

/** A fresh Adam at --lr, else the kind's default rate (each net and each autoencoder of a stack its own). */
function adamOf(o: Options, defaultRate = 0.01): Adam {
  return new Adam({ learningRate: (o.lr as number | undefined) ?? defaultRate });
}

/** The dense autoencoder of the options (the kind chooses denoising and sparsity). */
function denseOptions(kind: "basic" | "denoising" | "sparse", o: Options): AutoencoderOptions {
  return {
    inputSize: 784,
    codeSize: o.code ?? 100,
    loss: "binaryCrossentropy",
    tied: o.tied,
    denoising: kind === "denoising" ? { noise: NOISES[o.noise ?? "masking"], level: o.level ?? 0.25 } : undefined,
    sparsity: kind === "sparse" ? { target: o["sparsity-target"] ?? 0.05, weight: o["sparsity-weight"] ?? 3 } : undefined,
    optimizer: adamOf(o),
    seed: o.seed ?? 1,
  };
}

function denseKind(kind: "basic" | "denoising" | "sparse"): AeKind {
  return {
    build(o, resumed) {
      const ae = new Autoencoder(denseOptions(kind, o), resumed ?? undefined);
      const { codeSize, tied, denoising, sparsity } = ae.options;
      const extras = [
        tied ? "tied" : "",
        denoising ? `${denoising.noise} ${denoising.level}` : "",
        sparsity?.penalty !== "l1" && sparsity ? `KL ρ ${sparsity.target} β ${sparsity.weight}` : "",
      ];
      return {
        model: ae.model,
        describe: `${kind} autoencoder 784-${codeSize}-784${extras
          .filter((e) => e !== "")
          .map((e) => `, ${e}`)
          .join("")}`,
        codeSize,
        fit: (x, options) => ae.fit(x, options),
        reconstruct: (x) => ae.reconstruct(x),
        encode: (x) => ae.encode(x),
        save: (dir) => ae.save(dir),
        async pictures(out, test, seed) {
          const filters = joinPath(out, "filters.png");
          await writePng(filters, autoencoderFiltersImage(ae));
          if (denoising === null) return [filters];
          const clean = test.sliceRows(0, Math.min(10, test.rows));
          const noisy = corrupt(clean, denoising, new Rng(seed));
          const path = joinPath(out, "denoising.png");
          await writePng(path, denoisingImage(ae, noisy, clean));
          return [filters, path];
        },
      };
    },
  };
}

const convKind: AeKind = {
  build(o, resumed) {
    const code = o.code ?? 196;
    if (code % 49 !== 0) throw new UsageError(`option --code must be a multiple of 49 for --kind conv (a 7×7×c code); got ${code}`);
    const model = resumed ?? convAutoencoder({ codeChannels: code / 49, seed: o.seed ?? 1 });
    if (resumed === null) model.compile({ loss: "binaryCrossentropy", optimizer: adamOf(o) });
    return {
      model,
      describe: `conv autoencoder 28×28×1 → 7×7×${code / 49} → 28×28×1`,
      codeSize: code,
      fit: (x, options) => model.fit(x, x, options),
      reconstruct: (x) => model.predict(x),
      save: (dir) => model.save(dir),
      pictures: async () => [],
    };
  },
};

/** --layers, data first and code last, starting at the 784 pixels. */
function layersOf(o: Options, example: string): number[] {
  const layers = parseSizeList(o.layers ?? example, "--layers", example);
  if (layers[0] !== 784) throw new UsageError(`option --layers must start with the 784 pixels of an image, e.g. ${example}; got ${o.layers}`);
  return layers;
}

/** A kind whose net (rebuilt by its pretraining) is fine-tuned x → x whole; its encoder is the net's first half. */
function unrolledTrained(net: () => EncoderDecoder, kind: Omit<Trained, "model" | "fit" | "reconstruct" | "encode">): Trained {
  return {
    ...kind,
    get model() {
      return net().model;
    },
    fit: (x, options) => net().model.fit(x, x, options),
    reconstruct: (x) => net().reconstruct(x),
    encode: (x) => net().encode(x),
  };
}

/** Greedy layer-wise autoencoders (SdA with --noise/--level), unrolled into encoders then decoders and fine-tuned. */
const stackedKind: AeKind = {
  build(o) {
    const denoising = o.noise !== undefined || o.level !== undefined ? { noise: NOISES[o.noise ?? "masking"], level: o.level ?? 0.25 } : undefined;
    const layers = layersOf(o, "784-500-250");
    const stack = new StackedAutoencoder({ layers, loss: "binaryCrossentropy", tied: o.tied, denoising, optimizer: () => adamOf(o), seed: o.seed ?? 1 });
    const unroll = () => new UnrolledAutoencoder(stack.unroll().compile({ loss: "binaryCrossentropy", optimizer: adamOf(o) }), layers.length - 1);
    let net = unroll();
    return unrolledTrained(() => net, {
      describe: `stacked ${denoising ? `denoising (${denoising.noise} ${denoising.level}) ` : ""}autoencoders ${layers.join("-")}${o.tied ? ", tied" : ""}`,
      codeSize: net.codeSize,
      async pretrain(x, report) {
        // a header before each autoencoder's epochs, and its loss per epoch in the report
        const name = (l: number) => `autoencoder ${l + 1}: ${layers[l]}-${layers[l + 1]}-${layers[l]}`;
        const callbacks = (l: number) => [...(o.quiet ? [] : [{ onTrainBegin: () => console.log(name(l)) }]), report.epochs(name(l))];
        await stack.pretrain(x, { epochs: o["pretrain-epochs"], batchSize: o["batch-size"], seed: o.seed, verbose: !o.quiet, callbacks });
        net = unroll();
      },
      async save(dir) {
        await net.save(dir);
        await stack.save(joinPath(dir, "stack"));
      },
      async pictures(out) {
        const filters = joinPath(out, "filters.png");
        await writePng(filters, autoencoderFiltersImage(stack.autoencoders[0]));
        return [filters];
      },
    });
  },
};

/** A header before each RBM's epochs. */
const rbmHeader: PretrainCallback = { onLayerBegin: (i) => console.log(`RBM ${i.layer + 1}: ${i.visible}-${i.hidden}`) };

/** Hinton & Salakhutdinov (2006): RBMs pretrained greedily, unrolled (decoder Wᵀ), fine-tuned by cross-entropy. */
const deepKind: AeKind = {
  build(o) {
    const layers = layersOf(o, "784-1000-500-250-30");
    const adam = o.optimizer === "adam";
    const optimizer = adam ? adamOf(o) : new ConjugateGradient({ lineSearches: 3 });
    const ae = new DeepAutoencoder({ layers, seed: o.seed, optimizer });
    return unrolledTrained(() => ae, {
      describe: `deep autoencoder ${layers.join("-")}, RBM-pretrained, fine-tuned with ${adam ? "Adam" : "conjugate gradients"}`,
      codeSize: ae.codeSize,
      async pretrain(x, report) {
        const progress = o.quiet ? [] : [rbmHeader, new ProgressBar()];
        await ae.pretrain(x, { epochs: o["pretrain-epochs"], batchSize: o["batch-size"], callbacks: [...progress, report.rbmLayers()] });
      },
      save: (dir) => ae.save(dir),
      pictures: async () => [],
    });
  },
};

/** --hidden: layer sizes >= 1, comma-separated, at most `most` of them (the kind's default when not given). */
/** One size for both halves, or [top, bottom]. */
const pairOf = (sizes: number[]): [number, number] => [sizes[0], sizes[sizes.length - 1]];

function hiddenOf(o: Options, fallback: string, most = Number.POSITIVE_INFINITY): number[] {
  const sizes = (o.hidden ?? fallback).split(",").map((h) => (/^\d+$/.test(h.trim()) ? Number(h) : Number.NaN));
  if (sizes.length > most || sizes.some((h) => !(h >= 1)))
    throw new UsageError(`option --hidden must be ${most === 2 ? "one or two" : ""} layer sizes >= 1, comma-separated; got ${o.hidden}`.replace("  ", " "));
  return sizes;
}

/**
 * Ngiam et al.'s bimodal deep autoencoder on two "modalities" of each digit, its top and bottom
 * halves (the digit's row is [top | bottom]); cross-modal.png shows each half reconstructed from the other.
 */
const bimodalKind: AeKind = {
  build(o, resumed) {
    const options = {
      modalities: [392, 392],
      hidden: pairOf(hiddenOf(o, "256", 2)),
      codeSize: o.code ?? 64,
      zeroedShare: o["zeroed-share"] ?? 2 / 3,
      optimizer: adamOf(o),
      seed: o.seed ?? 1,
    } as const;
    const bm = new BimodalAutoencoder(options, resumed ?? undefined);
    const halves = (x: Tensor) => splitModalities(x, 392);
    return {
      model: bm.model,
      codeSize: options.codeSize,
      encode: (x) => bm.encode(halves(x).a, halves(x).b),
      describe: `bimodal autoencoder [392 | 392]-[${options.hidden.join(" | ")}]-${options.codeSize}, top or bottom half zeroed on ${bm.options.zeroedShare.toFixed(2)} of the rows`,
      fit: (x, { transform: _, ...fit }) => bm.fit(halves(x).a, halves(x).b, fit),
      reconstruct: (x) => bm.model.predict(x),
      save: (dir) => bm.save(dir),
      async pictures(out, test) {
        const path = joinPath(out, "cross-modal.png");
        const { a, b } = halves(test.sliceRows(0, Math.min(10, test.rows)));
        await writePng(path, crossModalImage(bm, a, b));
        return [path];
      },
      summary(train, test) {
        const [tr, te] = [halves(train), halves(test)];
        return {
          crossModalErrorPerHalf: {
            bottomFromTop: bm.reconstructionError(te.a, te.b, "a").b,
            topFromBottom: bm.reconstructionError(te.a, te.b, "b").a,
            meanBottomHalf: meanRowError(tr.b, te.b),
            meanTopHalf: meanRowError(tr.a, te.a),
          },
        };
      },
    };
  },
};

/** The VAE on digits binarised afresh each batch (its Bernoulli decoder models binary pixels); the test ELBO on the test digits binarised once. */
const vaeKind: AeKind = {
  build(o, resumed) {
    const hidden = hiddenOf(o, "400");
    const optimizer = adamOf(o, 0.001);
    const vae = new VAE({ inputSize: 784, hidden, latentSize: o.latent ?? 20, seed: o.seed ?? 1, optimizer }, resumed ?? undefined);
    return {
      model: vae.model,
      codeSize: vae.latentSize,
      encode: (x) => vae.encode(x),
      describe: `variational autoencoder 784-${vae.options.hidden.join("-")}-${vae.latentSize} (Bernoulli decoder, digits binarised afresh each batch)`,
      fit: (x, fit) => vae.fit(x, { ...fit, binarize: true }),
      reconstruct: (x) => vae.reconstruct(x),
      save: (dir) => vae.save(dir),
      async pictures(out, _test, seed) {
        const samples = joinPath(out, "samples.png");
        await writePng(samples, vaeSamplesImage(vae, { seed }));
        if (vae.latentSize !== 2) return [samples];
        const manifold = joinPath(out, "manifold.png");
        await writePng(manifold, vaeManifoldImage(vae));
        return [samples, manifold];
      },
      summary: (_train, test, seed) => ({ testElbo: vae.elbo(bernoulli(test, new Rng(seed)), { seed }) }),
    };
  },
};

/** The masked autoencoder (He et al. 2022) on a small ViT (4 blocks, 4 heads); its picture is masked input / guess / truth. */
const maeKind: AeKind<MaskedAutoencoder> = {
  load: (dir) => loadSavedAs(dir, MaskedAutoencoder),
  build(o, resumed) {
    const ratio = o["mask-ratio"] ?? 0.75;
    if (!(ratio > 0 && ratio < 1)) throw new UsageError(`option --mask-ratio must be in (0, 1); got ${ratio}`);
    const optimizer = adamOf(o, 0.001);
    let mae = resumed;
    try {
      mae ??= new MaskedAutoencoder({ patchSize: o.patch ?? 7, dim: o.code ?? 64, maskRatio: ratio, optimizer, seed: o.seed ?? 1 });
    } catch (e) {
      // "MaskedAutoencoder: patchSize 5 does not tile ..." names the library's option; say the command's
      throw e instanceof RangeError ? new UsageError(`option --patch or --code: ${e.message.replace(/^MaskedAutoencoder: /, "")}`) : e;
    }
    const model = mae;
    return {
      model,
      codeSize: model.options.dim,
      encode: (x) => model.features(x),
      describe: `masked autoencoder: ${model.tokens} patches of ${model.options.patchSize}×${model.options.patchSize}, ${model.visibleTokens} visible; ViT width ${model.options.dim}`,
      fit: (x, options) => model.fit(x, { epochs: options.epochs, batchSize: options.batchSize, callbacks: options.callbacks }),
      // x̂: the visible patches as given, the hidden ones as guessed (the same masks before and after training)
      reconstruct: (x) => model.reconstruct(x, model.sampleMask(x.rows, new Rng(o.seed ?? 1))).guess,
      save: (dir) => model.save(dir),
      async pictures(out, test, seed) {
        const path = joinPath(out, "mae-triptych.png");
        await writePng(path, maskedAutoencoderImage(model, test.sliceRows(0, Math.min(20, test.rows)), { seed }));
        return [path];
      },
    };
  },
};

/** Every kind `train ae` knows. */
export const AE_KINDS: Record<string, AeKind<unknown>> = {
  basic: denseKind("basic"),
  denoising: denseKind("denoising"),
  sparse: denseKind("sparse"),
  stacked: stackedKind,
  deep: deepKind,
  conv: convKind,
  bimodal: bimodalKind,
  mae: maeKind,
  vae: vaeKind,
};

/** Test digits (top row) and their reconstructions (bottom row). */
async function writeReconstructions(path: string, test: Tensor, reconstruction: Tensor, k = 12): Promise<void> {
  const n = Math.min(k, test.rows);
  const strip = fromArray(new Float32Array(2 * n * 784), [2 * n, 784]);
  strip.data.set(test.data.subarray(0, n * 784), 0);
  strip.data.set(reconstruction.data.subarray(0, n * 784), n * 784);
  await writePng(path, tileImages(strip, { height: 28, width: 28, cols: n, pad: 2, scale: 2, background: 0.5 }));
}

/** PCA with as many components as the code has units, fitted on the training digits (null when the code is wider than PCA can go). */
function pcaBeside(ae: Trained, train: Tensor): PCA | null {
  return ae.codeSize <= Math.min(train.rows, train.cols) ? new PCA({ components: ae.codeSize }).fit(train) : null;
}

/** For a 2-D code, the lecture's figure: the test digits' codes coloured by class beside their first two principal components (codes.svg, codes.png). */
async function writeCodes(out: string, ae: Trained, pca: PCA | null, test: { images: Tensor; labels: Uint8Array }): Promise<string[]> {
  if (ae.codeSize !== 2 || ae.encode === undefined || pca === null) return [];
  const panels = [
    { title: ae.describe, codes: ae.encode(test.images) },
    { title: "first two principal components", codes: pca.transform(test.images) },
  ];
  const svg = joinPath(out, "codes.svg");
  const png = joinPath(out, "codes.png");
  await writeFileAtomic(svg, codesScatterSvg(panels, test.labels));
  await writePng(png, codesScatterImage(panels, test.labels), 3);
  return [svg, png];
}

/** ρ̂ and ρ are average activations of sigmoid units: ρ must lie strictly inside (0, 1) for KL(ρ ‖ ρ̂) to be finite. */
function checkSparsityTarget(rho: number | undefined): void {
  if (rho !== undefined && !(rho > 0 && rho < 1)) throw new UsageError(`option --sparsity-target must be in (0, 1); got ${rho}`);
}

function checkKindOptions(kind: string, given: ReadonlySet<string>): void {
  for (const [option, kinds] of Object.entries(KIND_OPTIONS)) {
    if (given.has(option) && !kinds.includes(kind)) throw new UsageError(`option --${option} applies to --kind ${kinds.join("|")}; got --kind ${kind}`);
  }
}

export const trainAeCommand: Command = defineCommand({
  path: ["train", "ae"],
  summary: "train an autoencoder (basic, denoising, sparse, stacked, deep, conv, bimodal, mae, vae) on MNIST and save it with its pictures",
  usage: USAGE,
  specs,
  outDir: (o) => o.out,
  async run(o, _help, given, report) {
    const kindName = requireOption(o.kind, "kind", `one of ${Object.keys(AE_KINDS).join(", ")}`);
    checkKindOptions(kindName, given);
    report.leaveOutOptionsOf(KIND_OPTIONS, kindName);
    checkSparsityTarget(o["sparsity-target"]);
    const out = requireOption(o.out, "out", "the folder to save the model and pictures into");
    const data = await loadMnistFor(o);
    const { train, test } = data;
    const checkpoint = new RunCheckpoint("train ae", out, o, describeTrainingData(data.source, [train.images]));
    const kind = AE_KINDS[kindName];
    const resumed = await checkpoint.resume((dir) => kind.load?.(dir) ?? loadSequential(dir));
    const ae = kind.build(o as Options, resumed?.model ?? null);

    const log = logUnless(o.quiet);
    log(ae.describe);
    // the untrained net's error, the figure training must beat (a resumed run starts trained)
    const untrained = resumed === null ? squaredErrorPerRow(test.images, ae.reconstruct(test.images)) : null;
    await ae.pretrain?.(train.images, report);
    const pretrained = ae.pretrain === undefined ? null : squaredErrorPerRow(test.images, ae.reconstruct(test.images));
    if (pretrained !== null) log(`pretrained and unrolled: test ‖x − x̂‖² per image ${pretrained.toFixed(2)}`);
    const fit = {
      ...epochsToRun(ae.model, o.epochs ?? 10, o.seed),
      batchSize: o["batch-size"],
      verbose: !o.quiet,
      callbacks: [...checkpoint.callbacks(), report.epochs(ae.describe)],
    };
    await ae.fit(train.images, fit);
    const reconstruction = ae.reconstruct(test.images);
    const error = squaredErrorPerRow(test.images, reconstruction);
    await ae.save(out);

    const reconstructions = joinPath(out, "reconstructions.png");
    await writeReconstructions(reconstructions, test.images, reconstruction);
    const pca = pcaBeside(ae, train.images);
    const pictures = [reconstructions, ...(await ae.pictures(out, test.images, o.seed ?? 1)), ...(await writeCodes(out, ae, pca, test))];
    const extra = ae.summary?.(train.images, test.images, o.seed ?? 1) ?? {};
    const summary = {
      kind: kindName,
      model: ae.describe,
      epochs: ae.model.epochsTrained,
      trainDigits: train.images.rows,
      testDigits: test.images.rows,
      data: data.source,
      reconstructionErrorPerImage: error,
      untrainedErrorPerImage: untrained,
      resumedAfterEpoch: resumed?.epoch ?? null,
      pretrainedErrorPerImage: pretrained,
      pcaErrorPerImage: pca === null ? null : pca.reconstructionError(test.images),
      pcaComponents: pca?.k ?? null,
      meanDigitErrorPerImage: meanRowError(train.images, test.images),
      ...extra,
    };
    await writeFileAtomic(joinPath(out, "summary.json"), `${JSON.stringify(summary, null, 2)}\n`);
    report.results(summary);
    // codes.png draws what codes.svg does: the SVG, sharper, is enough
    report.pictures(pictures.filter((p) => !p.endsWith("codes.png")));
    const beside = [
      untrained === null ? "" : `untrained ${untrained.toFixed(2)}`,
      pca === null ? "" : `PCA with ${pca.k} components ${summary.pcaErrorPerImage?.toFixed(2)}`,
      `the mean digit ${summary.meanDigitErrorPerImage.toFixed(2)}`,
    ];
    console.log(`test ‖x − x̂‖² per image: ${error.toFixed(2)} (${beside.filter((b) => b !== "").join(", ")}; ${test.images.rows} digits)`);
    for (const [name, value] of Object.entries(extra)) if (typeof value === "number") console.log(`${name}: ${value.toFixed(2)}`);
    console.log(`saved the model, ${baseNames([...pictures, "summary.json"])} to ${out}`);
    return 0;
  },
});
