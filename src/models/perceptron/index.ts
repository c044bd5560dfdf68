// Rosenblatt's perceptron and the Hebbian family of unsupervised rules (Hebb, Oja, Sanger).

export type { HebbianOptions, HebbianRule } from "./hebbian.js";
export { hebbianUpdate } from "./hebbian.js";
export type { PerceptronFitOptions, PerceptronFitResult, PerceptronOptions } from "./perceptron.js";
export { Perceptron } from "./perceptron.js";
