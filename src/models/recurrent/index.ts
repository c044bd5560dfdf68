// Recurrent models: the character-level language model and its n-gram baselines.

export type { CharLMFitOptions, CharLMOptions, SampleOptions } from "./char-lm.js";
export { CharLM } from "./char-lm.js";
export type { NgramBits } from "./ngram.js";
export { ngramBitsPerChar } from "./ngram.js";
