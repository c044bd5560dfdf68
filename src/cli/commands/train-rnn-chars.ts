/**
 * The `chars` task of `layerwise train rnn`: a character-level language model (CharLM) on a
 * text, its held-out bits per character beside unigram and bigram baselines, samples, and the
 * model saved for `layerwise generate`. The command's file calls trainCharTask; the options
 * it adds to the command are charTaskSpecs.
 */
import { CharVocabulary, kjvTextPath, loadText, splitHeldOut } from "../../data/text.js";
import { CharLM } from "../../models/recurrent/char-lm.js";
import { type NgramBits, ngramBitsPerChar } from "../../models/recurrent/ngram.js";
import { Adam } from "../../optim/adam.js";
import { LambdaCallback } from "../../train/callbacks.js";
import { formatSeconds } from "../../train/progress.js";
import { UsageError } from "../args.js";
import type { RunReport } from "../report.js";

/** The options only the chars task has (train rnn's own --units, --epochs, … are in CharTaskOptions too). */
export const charTaskSpecs = {
  text: { type: "string", description: "chars: the text to model, UTF-8, gzipped or not (default: data/kjv.txt.gz, the King James Bible)" },
  "held-out": { type: "number", description: "chars: fraction of the text at its end held out for bits/char", above: 0, max: 0.5, default: 0.05 },
  layers: { type: "number", description: "chars: stacked LSTM layers", integer: true, min: 1, max: 16, default: 2 },
  embedding: { type: "number", description: "chars: embedding size", integer: true, min: 1, default: 32 },
  steps: { type: "number", description: "chars: characters per chunk, the BPTT truncation", integer: true, min: 1, default: 100 },
  "train-chars": { type: "number", description: "chars: train on the first N characters of the training part only", integer: true, min: 2 },
} as const;

export interface CharTaskOptions {
  /** Path of the text; default data/kjv.txt.gz of the checkout. */
  text?: string;
  /** Fraction held out at the end. Default 0.05. */
  heldOut?: number;
  /** LSTM units per layer. Default 128. */
  units?: number;
  /** Default 2. */
  layers?: number;
  /** Default 32. */
  embedding?: number;
  /** BPTT truncation T. Default 100. */
  steps?: number;
  /** Parallel streams B (batch rows). Default 32. */
  batchSize?: number;
  /** Default 1. */
  epochs?: number;
  /** Adam's rate. Default 0.002. */
  learningRate?: number;
  /** Adam's clipNorm, the gradient's largest global norm. Default 5. */
  clipNorm?: number;
  /** Train on the first N characters of the training part only. */
  trainChars?: number;
  /** Seeds initialisation and the samples. Default 1. */
  seed?: number;
  /** Characters per printed sample (0: none). Default 300. */
  sampleLength?: number;
  /** Print nothing but errors. */
  quiet?: boolean;
}

export interface CharTaskResult {
  lm: CharLM;
  heldOutBitsPerChar: number;
  baselines: NgramBits;
}

const TEMPERATURES = [0.5, 0.8, 1.0];

/** Trains a CharLM on the text, prints the figures and samples, and saves it into out (after every epoch); the report gets its curves, figures and samples. */
export async function trainCharTask(o: CharTaskOptions, out: string, report?: RunReport): Promise<CharTaskResult> {
  const log = (line: string): void => {
    if (!o.quiet) console.log(line);
  };
  const path = o.text ?? kjvTextPath();
  if (path === null) throw new UsageError("option --text is required here (there is no checkout with data/kjv.txt.gz)");
  const text = await loadText(path);
  const { train: whole, heldOut } = splitHeldOut(text, o.heldOut ?? 0.05);
  const train = o.trainChars === undefined ? whole : [...whole].slice(0, o.trainChars).join("");
  const lm = new CharLM({
    vocabulary: CharVocabulary.of(text).chars,
    units: o.units ?? 128,
    layers: o.layers ?? 2,
    embedding: o.embedding ?? 32,
    steps: o.steps ?? 100,
    seed: o.seed ?? 1,
    optimizer: new Adam({ learningRate: o.learningRate ?? 0.002, clipNorm: o.clipNorm ?? 5 }),
  });
  const V = lm.vocabulary.size;
  const baselines = ngramBitsPerChar(lm.encode(train), lm.encode(heldOut), V);
  log(`text: ${path}, ${[...text].length} characters, ${V} distinct; training on ${[...train].length}, held-out tail ${[...heldOut].length}`);
  log(`held-out bits/char: unigram ${baselines.unigram.toFixed(3)}, bigram ${baselines.bigram.toFixed(3)} (add-one smoothing)`);
  const t0 = Date.now();
  let heldOutBitsPerChar = Number.NaN;
  await lm.fit(train, {
    epochs: o.epochs ?? 1,
    batchSize: o.batchSize ?? 32,
    validationText: heldOut,
    callbacks: [
      new LambdaCallback({
        onEpochEnd: async (epoch, logs) => {
          heldOutBitsPerChar = logs.val_bitsPerChar;
          log(
            `epoch ${epoch + 1}: training ${logs.bitsPerChar.toFixed(3)}, held-out ${heldOutBitsPerChar.toFixed(3)} bits/char (${formatSeconds((Date.now() - t0) / 1e3)})`,
          );
          await lm.save(out, { text: path, epochs: epoch + 1, heldOutBitsPerChar, baselines });
        },
      }),
      ...(report === undefined ? [] : [report.epochs(`CharLM ${lm.options.layers}×LSTM(${lm.options.units}) on ${path}`)]),
    ],
  });
  log(
    `held-out bits/char: LSTM ${heldOutBitsPerChar.toFixed(3)}, bigram ${baselines.bigram.toFixed(3)}, unigram ${baselines.unigram.toFixed(3)}; saved in ${out}`,
  );
  report?.results({ heldOutBitsPerChar, unigramBitsPerChar: baselines.unigram, bigramBitsPerChar: baselines.bigram, trainChars: [...train].length });
  const length = o.sampleLength ?? 300;
  if (length > 0)
    for (const temperature of TEMPERATURES) {
      const sample = lm.sample({ length, temperature, seed: o.seed ?? 1 });
      log(`--- sample, temperature ${temperature} ---\n${sample}`);
      report?.text(`sample, temperature ${temperature}`, sample);
    }
  return { lm, heldOutBitsPerChar, baselines };
}
