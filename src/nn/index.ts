// Public surface of src/nn (filled in by its issue).
export {};
export { Perceptron } from "./perceptron.js";
export type { PerceptronOptions, PerceptronFitResult } from "./perceptron.js";
export { hebbianUpdate } from "./hebbian.js";
export type { HebbianOptions, HebbianRule } from "./hebbian.js";
