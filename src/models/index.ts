// Ready-made models: LeNet-5 and its ReLU variant, Kim's sentence CNN.
export { lenet5, lenetRelu, lenet, LENET_ARCHS } from "./lenet.js";
export type { LeNetOptions, LeNetReluOptions, LeNetArch } from "./lenet.js";
export { sentenceCnn, padSequences } from "./sentence-cnn.js";
export type { SentenceCnnOptions } from "./sentence-cnn.js";
