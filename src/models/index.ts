// The model families, one folder each: formulas in core.ts where a family has them, a class composing them.

export * from "./autoencoders/index.js";
export * from "./boltzmann/index.js";
export * from "./cnn/index.js";
export * from "./competitive/index.js";
export * from "./dbm/index.js";
export * from "./dbn/index.js";
export * from "./hopfield/index.js";
export type { SavedModelClass } from "./load.js";
export { loadModel } from "./load.js";
export * from "./pca/index.js";
export * from "./perceptron/index.js";
export * from "./rbm/index.js";
export * from "./recipes/index.js";
export * from "./recurrent/index.js";
