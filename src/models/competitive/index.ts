export * from "./core.js";
export * from "./wta.js";
