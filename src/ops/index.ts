export * from "./matmul.js";
export * from "./elementwise.js";
export * from "./activations.js";
export * from "./reduce.js";
export * from "./random.js";
export * from "./conv.js";
export * from "./pool.js";
export { outputFor } from "./util.js";
