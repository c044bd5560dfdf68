/**
 * `layerwise train ae --kind basic|denoising|sparse|conv|bimodal`: trains an autoencoder x → x on the
 * MNIST training digits through the one loop (Sequential.fit), saves it, and writes its pictures
 * and summary.json (the test digits' squared reconstruction error ‖x − x̂‖² per image). The kinds
 * are one table (AE_KINDS): a new kind (stacked, deep, vae, ...) is one entry there.
 */
import { joinPath, writeFileAtomic } from "../../io/files.js";
import { tileImages, writePng } from "../../io/png.js";
import { Autoencoder, type AutoencoderOptions, meanRowError } from "../../models/autoencoders/autoencoder.js";
import { BimodalAutoencoder, splitModalities } from "../../models/autoencoders/bimodal.js";
import { convAutoencoder } from "../../models/autoencoders/conv.js";
import { corrupt, type NoiseKind } from "../../models/autoencoders/corruption.js";
import { autoencoderFiltersImage, crossModalImage, denoisingImage } from "../../models/autoencoders/pictures.js";
import { Adam } from "../../optim/adam.js";
import { Rng } from "../../tensor/random.js";
import { fromArray, type Tensor } from "../../tensor/tensor.js";
import { loadSequential } from "../../train/load.js";
import type { FitOptions, Sequential } from "../../train/sequential.js";
import { UsageError } from "../args.js";
import { checkpointOptions, describeTrainingData, epochsToRun, RunCheckpoint } from "../checkpoint.js";
import type { Command } from "../command.js";
import { baseNames, defineCommand, learningRateOption, loadMnistFor, logUnless, requireOption, supervisedTrainerOptions } from "../common.js";

const USAGE = "layerwise train ae --kind basic|denoising|sparse|conv|bimodal --out DIR [options]";

/** The CLI's noise names and the library's. */
const NOISES: Record<string, NoiseKind> = { masking: "masking", "salt-pepper": "saltAndPepper", gaussian: "gaussian" };

/** The options that only one kind reads: given with another kind they are an error, not ignored. */
const KIND_OPTIONS: Record<string, readonly string[]> = {
  tied: ["basic", "denoising", "sparse"],
  noise: ["denoising"],
  level: ["denoising"],
  "sparsity-target": ["sparse"],
  "sparsity-weight": ["sparse"],
  hidden: ["bimodal"],
  "zeroed-share": ["bimodal"],
};

const specs = {
  kind: { type: "string", description: "which autoencoder", choices: ["basic", "denoising", "sparse", "conv", "bimodal"] },
  code: {
    type: "number",
    description:
      "code size: hidden units (default 100); for conv 49·c numbers, a multiple of 49 (default 196 = 7×7×4); for bimodal the shared code (default 64)",
    integer: true,
    min: 1,
  },
  tied: { type: "boolean", description: "decoder weights Wᵀ of the encoder's W (dense kinds)" },
  noise: { type: "string", description: "corruption of the denoising kind", choices: Object.keys(NOISES), default: "masking" },
  level: { type: "number", description: "corruption level: ν (masking, salt-pepper) or σ (gaussian)", min: 0, max: 1, default: 0.25 },
  "sparsity-target": { type: "number", description: "ρ, the target average activation of each hidden unit, in (0, 1)", default: 0.05 },
  "sparsity-weight": { type: "number", description: "β, the weight of Σ_j KL(ρ ‖ ρ̂_j)", min: 0, default: 3 },
  hidden: { type: "number", description: "bimodal: units of each half's own layer (default 256)", integer: true, min: 1 },
  "zeroed-share": { type: "number", description: "bimodal: share of training rows with one half zeroed, half of them the top (default 2/3)", min: 0, max: 1 },
  epochs: { type: "number", description: "passes over the training set", integer: true, min: 1, default: 10 },
  "batch-size": { type: "number", description: "digits per update", integer: true, min: 1, default: 100 },
  lr: learningRateOption("Adam's learning rate", 0.01),
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
  hidden?: number;
  "zeroed-share"?: number;
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
  /** The kind's own figures for summary.json. */
  summary?(train: Tensor, test: Tensor): Record<string, unknown>;
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

/**
 * Ngiam et al.'s bimodal deep autoencoder on two "modalities" of each digit, its top and bottom
 * halves (the digit's row is [top | bottom]); cross-modal.png shows each half reconstructed from the other.
 */
const bimodalKind: AeKind = {
  build(o, resumed) {
    const options = {
      modalities: [392, 392],
      hidden: o.hidden ?? 256,
      codeSize: o.code ?? 64,
      zeroedShare: o["zeroed-share"] ?? 2 / 3,
      optimizer: new Adam({ learningRate: (o.lr as number | undefined) ?? 0.01 }),
      seed: o.seed ?? 1,
    } as const;
    const bm = new BimodalAutoencoder(options, resumed ?? undefined);
    const halves = (x: Tensor) => splitModalities(x, 392);
    return {
      model: bm.model,
      describe: `bimodal autoencoder [392 | 392]-[${options.hidden} | ${options.hidden}]-${options.codeSize}, top or bottom half zeroed on ${bm.options.zeroedShare.toFixed(2)} of the rows`,
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

/** Every kind `train ae` knows; `stacked` and `deep` join here. */
export const AE_KINDS: Record<string, AeKind> = {
  basic: denseKind("basic"),
  denoising: denseKind("denoising"),
  sparse: denseKind("sparse"),
  conv: convKind,
  bimodal: bimodalKind,
};

/** The lecture's figure: Σ_i (x_i − x̂_i)² per image, averaged over the images. */
export function squaredErrorPerImage(reconstruction: Tensor, x: Tensor): number {
  let s = 0;
  for (let i = 0; i < x.size; i++) s += (x.data[i] - reconstruction.data[i]) ** 2;
  return s / x.rows;
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
  summary: "train an autoencoder (basic, denoising, sparse, conv, bimodal) on MNIST and save it with its pictures",
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
      meanDigitErrorPerImage: meanRowError(train.images, test.images),
      ...ae.summary?.(train.images, test.images),
    };
    await writeFileAtomic(joinPath(out, "summary.json"), `${JSON.stringify(summary, null, 2)}\n`);
    console.log(
      `test ‖x − x̂‖² per image: ${error.toFixed(2)} (${untrained === null ? "" : `untrained ${untrained.toFixed(2)}, `}the mean digit ${summary.meanDigitErrorPerImage.toFixed(2)}; ${test.images.rows} digits)`,
    );
    console.log(`saved the model, ${baseNames([...pictures, "summary.json"])} to ${out}`);
    return 0;
  },
});
