// Public surface of src/data: MNIST (bundled digits or the full IDX files), the IDX reader, transforms, batching.
export { loadMnist, mnist, forgetMnist, defaultMnistDir, bundledSplit, MNIST_SIDE, MNIST_PIXELS, MNIST_CLASSES, BUNDLED_SPLIT_SEED, BUNDLED_TRAIN_FRACTION } from "./mnist.js";
export type { MnistSplit, MnistData, MnistLoadOptions, MnistSource } from "./mnist.js";
export { parseIdx, parseIdxRaw, gunzip, isGzip, checkMnistImages, checkMnistLabels, checkSameCount, IdxFormatError } from "./idx.js";
export type { IdxArray } from "./idx.js";
export { oneHot, binarize, sampleBinary, classCounts } from "./transforms.js";
export { gatherRows, gatherLabels, batchIndices, batchCount } from "./batch.js";
export type { BatchOptions } from "./batch.js";
