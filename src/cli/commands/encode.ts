/**
 * `layerwise encode --model DIR --out FILE`: the codes of the MNIST test digits under a saved
 * autoencoder (any EncoderDecoder: Autoencoder, DeepAutoencoder, the unrolled stack of `train ae
 * --kind stacked`; a StackedAutoencoder; a BimodalAutoencoder given both halves; a VAE (the means μ); a MaskedAutoencoder (mean-pooled features); or the Sequential
 * of `train ae --kind conv`), with their labels:
 *   FILE.csv          a header "label,c0,c1,...", then one line per digit
 *   FILE.safetensors  "codes" F32 [n, codeSize] and "labels" F32 [n]
 */
import { writeFileAtomic } from "../../io/files.js";
import { encodeSafetensors } from "../../io/safetensors.js";
import { BimodalAutoencoder, splitModalities } from "../../models/autoencoders/bimodal.js";
import { CONV_ENCODER_LAYERS } from "../../models/autoencoders/conv.js";
import { EncoderDecoder } from "../../models/autoencoders/encoder-decoder.js";
import { MaskedAutoencoder } from "../../models/autoencoders/mae.js";
import { StackedAutoencoder } from "../../models/autoencoders/stacked.js";
import { VAE } from "../../models/autoencoders/vae.js";
import { loadModel } from "../../models/load.js";
import { fromArray, type Tensor } from "../../tensor/tensor.js";
import { Sequential } from "../../train/sequential.js";
import { UsageError } from "../args.js";
import type { Command } from "../command.js";
import { dataOption, defineCommand, limitOption, loadDigits, requireOption } from "../common.js";

const USAGE = "layerwise encode --model DIR --out FILE.csv|FILE.safetensors [--data DIR|full|bundled] [--limit-test N]";

const specs = {
  model: { type: "string", description: "folder written by `layerwise train ae` (or Autoencoder.save)" },
  out: { type: "string", description: "codes file: .csv (label,c0,c1,...) or .safetensors (codes [n, k] and labels [n])" },
  data: dataOption,
  "limit-test": limitOption("use only the first N test digits"),
} as const;

/** x → code, [rows, codeSize], for the autoencoders `train ae` saves. */
function encoderOf(model: unknown, dir: string): (x: Tensor) => Tensor {
  if (model instanceof EncoderDecoder || model instanceof StackedAutoencoder || model instanceof VAE) return (x) => model.encode(x);
  // the digit's row is [top half | bottom half], the two modalities of `train ae --kind bimodal`
  if (model instanceof BimodalAutoencoder)
    return (x) => {
      const { a, b } = splitModalities(x, model.options.modalities[0]);
      return model.encode(a, b);
    };
  // the masked autoencoder's code: its encoder on all patches, mean-pooled (what the linear probe reads)
  if (model instanceof MaskedAutoencoder) return (x) => model.features(x);
  if (model instanceof Sequential && model.name === "conv_autoencoder") {
    // the conv encoder's layers, on digits read as 28×28×1; the 7×7×c code flattened
    const encoder = model.layers.slice(0, CONV_ENCODER_LAYERS);
    return (x) => {
      let h = x.reshape([x.rows, 28, 28, 1]);
      for (const layer of encoder) h = layer.forward(h, false);
      return h.reshape([x.rows, h.size / x.rows]);
    };
  }
  const what = model instanceof Sequential ? `a Sequential "${model.name}"` : (model as object).constructor.name;
  throw new Error(`${dir} holds ${what}, not an autoencoder; encode reads folders written by \`layerwise train ae\``);
}

function codesCsv(codes: Tensor, labels: Uint8Array): string {
  const k = codes.cols;
  const lines = [["label", ...Array.from({ length: k }, (_, j) => `c${j}`)].join(",")];
  for (let r = 0; r < codes.rows; r++) lines.push([labels[r], ...codes.data.subarray(r * k, (r + 1) * k)].join(","));
  return `${lines.join("\n")}\n`;
}

export const encodeCommand: Command = defineCommand({
  path: ["encode"],
  summary: "write the codes of the MNIST test digits under a saved autoencoder (CSV or safetensors)",
  usage: USAGE,
  specs,
  async run(o) {
    const dir = requireOption(o.model, "model", "a folder written by `layerwise train ae`");
    const out = requireOption(o.out, "out", "the codes file, .csv or .safetensors");
    const csv = out.endsWith(".csv");
    if (!csv && !out.endsWith(".safetensors")) throw new UsageError(`option --out must end in .csv or .safetensors; got "${out}"`);
    const encode = encoderOf(await loadModel(dir), dir);
    const { test } = await loadDigits(o.data, { limitTrain: 0, limitTest: o["limit-test"] });
    const codes = encode(test.images);
    const labels = Float32Array.from(test.labels);
    await writeFileAtomic(
      out,
      csv
        ? codesCsv(codes, test.labels)
        : encodeSafetensors([
            ["codes", codes],
            ["labels", fromArray(labels, [labels.length])],
          ]),
    );
    console.log(`${codes.rows} codes of size ${codes.cols} (with labels) → ${out}`);
    return 0;
  },
});
