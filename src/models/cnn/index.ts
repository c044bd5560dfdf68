// Ready-made convolutional nets: LeNet-5 and its ReLU variant, Kim's sentence CNN.

export type { LeNetArch, LeNetOptions, LeNetReluOptions } from "./lenet.js";
export { LENET_ARCHS, lenet, lenet5, lenetRelu } from "./lenet.js";
export type { SentenceCnnOptions } from "./sentence-cnn.js";
export { padSequences, sentenceCnn } from "./sentence-cnn.js";
