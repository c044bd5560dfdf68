// Principal component analysis: the linear reference for the autoencoders, and principal angles between subspaces.

export { principalAngles } from "./angles.js";
export type { SymmetricEigen } from "./eigen.js";
export { symmetricEigen } from "./eigen.js";
export type { PcaOptions } from "./pca.js";
export { PCA } from "./pca.js";
