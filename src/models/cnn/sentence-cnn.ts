/**
 * Kim's (2014) sentence CNN: each sentence is a sequence of token ids, embedded as
 * [steps, dim]; filters of several window sizes (e.g. 3, 4, 5 words) slide over it
 * (Conv1D + ReLU), max-over-time pooling keeps each filter's strongest match anywhere in the
 * sentence (GlobalMaxPool), and dropout then softmax classify the concatenated features.
 *
 *   Embedding → Parallel[Conv1D(k) → GlobalMaxPool for k in windowSizes] → Dropout → Dense(softmax)
 *
 * Works on any tokenised corpus: `padSequences` turns arrays of token ids into a [n, steps]
 * tensor (padding with padId, 0 by default, so reserve id 0 for padding).
 */
import { Conv1D } from "../../nn/conv.js";
import { Dense } from "../../nn/dense.js";
import { Dropout } from "../../nn/dropout.js";
import { Embedding } from "../../nn/embedding.js";
import type { Layer } from "../../nn/layer.js";
import { Parallel } from "../../nn/parallel.js";
import { GlobalMaxPool } from "../../nn/pool.js";
import { type Tensor, zeros } from "../../tensor/tensor.js";
import { Sequential } from "../../train/sequential.js";

export interface SentenceCnnOptions {
  /** Number of distinct token ids (ids are 0..vocabSize−1). */
  vocabSize: number;
  /** Sentence length after padding/truncation (steps). */
  maxLength: number;
  /** Default 2. */
  classes?: number;
  /** Embedding dimension; default 50 (Kim used 300-d word2vec vectors). */
  embeddingDim?: number;
  /** Window sizes in tokens; default [3, 4, 5] as Kim. */
  windowSizes?: readonly number[];
  /** Filters per window size; default 100 as Kim. */
  filters?: number;
  /** Dropout rate on the pooled features; default 0.5 as Kim. */
  dropout?: number;
  /** Default 0. */
  seed?: number;
}

function checkInt(name: string, v: number, lo: number): number {
  if (!Number.isInteger(v) || v < lo) throw new RangeError(`sentenceCnn: ${name} must be an integer >= ${lo}; got ${v}`);
  return v;
}

export function sentenceCnn(options: SentenceCnnOptions): Sequential {
  const vocabSize = checkInt("vocabSize", options.vocabSize, 1);
  const maxLength = checkInt("maxLength", options.maxLength, 1);
  const classes = checkInt("classes", options.classes ?? 2, 2);
  const embeddingDim = checkInt("embeddingDim", options.embeddingDim ?? 50, 1);
  const filters = checkInt("filters", options.filters ?? 100, 1);
  const windowSizes = options.windowSizes ?? [3, 4, 5];
  if (windowSizes.length === 0) throw new RangeError("sentenceCnn: windowSizes must list at least one window size");
  for (const k of windowSizes) {
    if (!Number.isInteger(k) || k < 1 || k > maxLength)
      throw new RangeError(`sentenceCnn: window size ${k} must be an integer in [1, maxLength = ${maxLength}]`);
  }
  const dropout = options.dropout ?? 0.5;
  if (!(dropout >= 0 && dropout < 1)) throw new RangeError(`sentenceCnn: dropout must be in [0, 1); got ${dropout}`);
  const branches = windowSizes.map((k) => [
    new Conv1D({ filters, kernelSize: k, activation: "relu", name: `conv${k}` }),
    new GlobalMaxPool({ name: `maxpool${k}` }),
  ]);
  const layers: Layer[] = [new Embedding(vocabSize, embeddingDim, { inputShape: [maxLength], name: "embedding" }), new Parallel(branches, { name: "windows" })];
  if (dropout > 0) layers.push(new Dropout(dropout, { name: "dropout" }));
  layers.push(new Dense(classes, { activation: "softmax", name: "output" }));
  return new Sequential(layers, { inputShape: [maxLength], seed: options.seed ?? 0, name: "sentence-cnn" });
}

/**
 * A tokenised corpus (one array of token ids per sentence) as a [n, maxLength] tensor: longer
 * sentences are cut at maxLength, shorter ones filled with padId at the end.
 */
export function padSequences(sentences: readonly (readonly number[])[], maxLength: number, padId = 0): Tensor {
  checkInt("maxLength", maxLength, 1);
  const x = zeros([sentences.length, maxLength]);
  x.data.fill(padId);
  sentences.forEach((s, i) => {
    for (let t = 0; t < Math.min(s.length, maxLength); t++) {
      const id = s[t];
      if (!Number.isInteger(id) || id < 0) throw new RangeError(`padSequences: sentence ${i}, token ${t} is ${id}; token ids are integers >= 0`);
      x.data[i * maxLength + t] = id;
    }
  });
  return x;
}
