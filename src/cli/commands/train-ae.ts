/**
 * `layerwise train ae --kind basic|denoising|sparse|conv`: trains an autoencoder x → x on the
 * MNIST training digits through the one loop (Sequential.fit), saves it, and writes its pictures
 * and summary.json (the test digits' squared reconstruction error ‖x − x̂‖² per image). The kinds
 * are one table (AE_KINDS): a new kind (stacked, deep, vae, ...) is one entry there.
 */
import { joinPath, writeFileAtomic } from "../../io/files.js";
import { tileImages, writePng } from "../../io/png.js";
import { Autoencoder, type AutoencoderOptions } from "../../models/autoencoders/autoencoder.js";
import { convAutoencoder } from "../../models/autoencoders/conv.js";
import { corrupt, type NoiseKind } from "../../models/autoencoders/corruption.js";
import { autoencoderFiltersImage, denoisingImage, vaeManifoldImage, vaeSamplesImage } from "../../models/autoencoders/pictures.js";
import { VAE } from "../../models/autoencoders/vae.js";
import { bernoulli } from "../../ops/random.js";
import { Adam } from "../../optim/adam.js";
import { Rng } from "../../tensor/random.js";
import { fromArray, type Tensor } from "../../tensor/tensor.js";
import { loadSequential } from "../../train/load.js";
import type { FitOptions, Sequential } from "../../train/sequential.js";
import { UsageError } from "../args.js";
import { checkpointOptions, describeTrainingData, epochsToRun, RunCheckpoint } from "../checkpoint.js";
import type { Command } from "../command.js";
import { baseNames, defineCommand, learningRateOption, loadMnistFor, logUnless, requireOption, supervisedTrainerOptions } from "../common.js";

const USAGE = "layerwise train ae --kind basic|denoising|sparse|conv|vae --out DIR [options]";

/** The CLI's noise names and the library's. */
const NOISES: Record<string, NoiseKind> = { masking: "masking", "salt-pepper": "saltAndPepper", gaussian: "gaussian" };

/** The options that only one kind reads: given with another kind they are an error, not ignored. */
const KIND_OPTIONS: Record<string, readonly string[]> = {
  tied: ["basic", "denoising", "sparse"],
  noise: ["denoising"],
  level: ["denoising"],
  "sparsity-target": ["sparse"],
  "sparsity-weight": ["sparse"],
  latent: ["vae"],
  hidden: ["vae"],
};

const specs = {
  kind: { type: "string", description: "which autoencoder", choices: ["basic", "denoising", "sparse", "conv", "vae"] },
  code: {
    type: "number",
    description: "code size: hidden units (default 100); for conv 49·c numbers, a multiple of 49 (default 196 = 7×7×4)",
    integer: true,
    min: 1,
  },
  tied: { type: "boolean", description: "decoder weights Wᵀ of the encoder's W (dense kinds)" },
  noise: { type: "string", description: "corruption of the denoising kind", choices: Object.keys(NOISES), default: "masking" },
  level: { type: "number", description: "corruption level: ν (masking, salt-pepper) or σ (gaussian)", min: 0, max: 1, default: 0.25 },
  "sparsity-target": { type: "number", description: "ρ, the target average activation of each hidden unit, in (0, 1)", default: 0.05 },
  "sparsity-weight": { type: "number", description: "β, the weight of Σ_j KL(ρ ‖ ρ̂_j)", min: 0, default: 3 },
  latent: { type: "number", description: "vae: Nz, the dimension of z (default 20; 2 also draws manifold.png)", integer: true, min: 1 },
  hidden: { type: "string", description: "vae: deterministic hidden layers, comma-separated (default 400)" },
  epochs: { type: "number", description: "passes over the training set", integer: true, min: 1, default: 10 },
  "batch-size": { type: "number", description: "digits per update", integer: true, min: 1, default: 100 },
  lr: learningRateOption("Adam's learning rate (default 0.01; vae 0.001)"),
  ...supervisedTrainerOptions({ seed: "seed of initialisation, corruption and shuffling", out: "folder for the model, the pictures and summary.json" }),
  ...checkpointOptions,
} as const;

type Options = { [K in keyof typeof specs]?: unknown } & {
  code?: number;
  tied: boolean;
  noise?: string;
  level?: number;
  "sparsity-target"?: number;
  "sparsity-weight"?: number;
  latent?: number;
  hidden?: string;
  seed?: number;
};

/** A trained autoencoder as the command sees it: the Sequential fit trains, and what it can draw. */
interface Trained {
  model: Sequential;
  describe: string;
  fit(x: Tensor, options: Omit<FitOptions, "validationData">): Promise<unknown>;
  reconstruct(x: Tensor): Tensor;
  save(dir: string): Promise<void>;
  /** The kind's own pictures (filters.png, denoising.png), written into out; returns their paths. */
  pictures(out: string, test: Tensor, seed: number): Promise<string[]>;
  /** The kind's own figures on the test digits for summary.json (the VAE's ELBO). */
  figures?(test: Tensor, seed: number): Record<string, number>;
}

interface AeKind {
  /** A fresh model, or the one a checkpoint holds (`resumed`). */
  build(o: Options, resumed: Sequential | null): Trained;
}

/** The dense autoencoder of the options (the kind chooses denoising and sparsity). */
function denseOptions(kind: string, o: Options): AutoencoderOptions {
  return {
    inputSize: 784,
    codeSize: o.code ?? 100,
    loss: "binaryCrossentropy",
    tied: o.tied,
    denoising: kind === "denoising" ? { noise: NOISES[o.noise ?? "masking"], level: o.level ?? 0.25 } : undefined,
    sparsity: kind === "sparse" ? { target: o["sparsity-target"] ?? 0.05, weight: o["sparsity-weight"] ?? 3 } : undefined,
    optimizer: new Adam({ learningRate: (o.lr as number | undefined) ?? 0.01 }),
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
        fit: (x, options) => ae.fit(x, options),
        reconstruct: (x) => ae.reconstruct(x),
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
    if (resumed === null) model.compile({ loss: "binaryCrossentropy", optimizer: new Adam({ learningRate: (o.lr as number | undefined) ?? 0.01 }) });
    return {
      model,
      describe: `conv autoencoder 28×28×1 → 7×7×${code / 49} → 28×28×1`,
      fit: (x, options) => model.fit(x, x, options),
      reconstruct: (x) => model.predict(x),
      save: (dir) => model.save(dir),
      pictures: async () => [],
    };
  },
};

/** The VAE on digits binarised afresh each batch (its Bernoulli decoder models binary pixels); the test ELBO on the test digits binarised once. */
const vaeKind: AeKind = {
  build(o, resumed) {
    const hidden = (o.hidden ?? "400").split(",").map(Number);
    if (hidden.some((h) => !Number.isInteger(h) || h < 1)) throw new UsageError(`option --hidden must be layer sizes >= 1, comma-separated; got ${o.hidden}`);
    const optimizer = new Adam({ learningRate: (o.lr as number | undefined) ?? 0.001 });
    const vae = new VAE({ inputSize: 784, hidden, latentSize: o.latent ?? 20, seed: o.seed ?? 1, optimizer }, resumed ?? undefined);
    return {
      model: vae.model,
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
      figures: (test, seed) => ({ testElbo: vae.elbo(bernoulli(test, new Rng(seed)), { seed }) }),
    };
  },
};

/** Every kind `train ae` knows; `stacked` and `deep` join here. */
export const AE_KINDS: Record<string, AeKind> = {
  basic: denseKind("basic"),
  denoising: denseKind("denoising"),
  sparse: denseKind("sparse"),
  conv: convKind,
  vae: vaeKind,
};

/** The lecture's figure: Σ_i (x_i − x̂_i)² per image, averaged over the images. */
export function squaredErrorPerImage(reconstruction: Tensor, x: Tensor): number {
  let s = 0;
  for (let i = 0; i < x.size; i++) s += (x.data[i] - reconstruction.data[i]) ** 2;
  return s / x.rows;
}

/** Every test digit replaced by the mean training digit: the error of a code that says nothing. */
function meanDigitError(train: Tensor, test: Tensor): number {
  const V = train.cols;
  const mean = new Float32Array(V);
  for (let i = 0; i < train.size; i++) mean[i % V] += train.data[i] / train.rows;
  const guess = new Float32Array(test.size);
  for (let r = 0; r < test.rows; r++) guess.set(mean, r * V);
  return squaredErrorPerImage(fromArray(guess, test.shape), test);
}

/** Test digits (top row) and their reconstructions (bottom row). */
async function writeReconstructions(path: string, test: Tensor, reconstruction: Tensor, k = 12): Promise<void> {
  const n = Math.min(k, test.rows);
  const strip = fromArray(new Float32Array(2 * n * 784), [2 * n, 784]);
  strip.data.set(test.data.subarray(0, n * 784), 0);
  strip.data.set(reconstruction.data.subarray(0, n * 784), n * 784);
  await writePng(path, tileImages(strip, { height: 28, width: 28, cols: n, pad: 2, scale: 2, background: 0.5 }));
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
  summary: "train an autoencoder (basic, denoising, sparse, conv, vae) on MNIST and save it with its pictures",
  usage: USAGE,
  specs,
  outDir: (o) => o.out,
  async run(o, _help, given) {
    const kindName = requireOption(o.kind, "kind", `one of ${Object.keys(AE_KINDS).join(", ")}`);
    checkKindOptions(kindName, given);
    checkSparsityTarget(o["sparsity-target"]);
    const out = requireOption(o.out, "out", "the folder to save the model and pictures into");
    const data = await loadMnistFor(o);
    const { train, test } = data;
    const checkpoint = new RunCheckpoint("train ae", out, o, describeTrainingData(data.source, [train.images]));
    const resumed = await checkpoint.resume(loadSequential);
    const ae = AE_KINDS[kindName].build(o as Options, resumed?.model ?? null);

    const log = logUnless(o.quiet);
    log(ae.describe);
    // the untrained net's error, the figure training must beat (a resumed run starts trained)
    const untrained = resumed === null ? squaredErrorPerImage(ae.reconstruct(test.images), test.images) : null;
    const fit = { ...epochsToRun(ae.model, o.epochs ?? 10, o.seed), batchSize: o["batch-size"], verbose: !o.quiet, callbacks: checkpoint.callbacks() };
    await ae.fit(train.images, fit);
    const reconstruction = ae.reconstruct(test.images);
    const error = squaredErrorPerImage(reconstruction, test.images);
    await ae.save(out);

    const reconstructions = joinPath(out, "reconstructions.png");
    await writeReconstructions(reconstructions, test.images, reconstruction);
    const pictures = [reconstructions, ...(await ae.pictures(out, test.images, o.seed ?? 1))];
    const figures = ae.figures?.(test.images, o.seed ?? 1) ?? {};
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
      meanDigitErrorPerImage: meanDigitError(train.images, test.images),
      ...figures,
    };
    await writeFileAtomic(joinPath(out, "summary.json"), `${JSON.stringify(summary, null, 2)}\n`);
    console.log(
      `test ‖x − x̂‖² per image: ${error.toFixed(2)} (${untrained === null ? "" : `untrained ${untrained.toFixed(2)}, `}the mean digit ${summary.meanDigitErrorPerImage.toFixed(2)}; ${test.images.rows} digits)`,
    );
    for (const [name, value] of Object.entries(figures)) console.log(`${name}: ${value.toFixed(2)}`);
    console.log(`saved the model, ${baseNames([...pictures, "summary.json"])} to ${out}`);
    return 0;
  },
});
