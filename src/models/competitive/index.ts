export * from "./core.js";
export * from "./som.js";
export * from "./wta.js";
