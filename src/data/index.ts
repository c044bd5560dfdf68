// Public surface of src/data: MNIST (bundled digits or the full IDX files), the IDX reader, transforms, batching.

export type { AugmentOptions, ElasticOptions } from "./augment.js";
export { Augmenter, parseAugmentSpec } from "./augment.js";
export type { BatchInfo, BatchOptions, BatchTransform } from "./batch.js";
export { batchCount, batchIndices, gatherLabels, gatherRows } from "./batch.js";
export type { IdxArray } from "./idx.js";
export { checkMnistImages, checkMnistLabels, checkSameCount, gunzip, IdxFormatError, isGzip, parseIdx, parseIdxRaw } from "./idx.js";
export type { MnistData, MnistLoadOptions, MnistSource, MnistSplit } from "./mnist.js";
export {
  BUNDLED_SPLIT_SEED,
  BUNDLED_TRAIN_FRACTION,
  bundledSplit,
  defaultMnistDir,
  forgetMnist,
  loadMnist,
  MNIST_CLASSES,
  MNIST_PIXELS,
  MNIST_SIDE,
  mnist,
} from "./mnist.js";
export type { AddingProblemOptions, PadSequenceOptions, SymbolSequenceOptions } from "./sequences.js";
export { addingProblem, padSequenceBatch, symbolSequences } from "./sequences.js";
export { CharVocabulary, describeChar, KJV_TEXT, kjvTextPath, loadText, splitHeldOut } from "./text.js";
export { binarize, classCounts, oneHot, sampleBinary } from "./transforms.js";
