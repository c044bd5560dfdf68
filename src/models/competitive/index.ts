export * from "./core.js";
export * from "./pictures.js";
export * from "./som.js";
export * from "./wta.js";
