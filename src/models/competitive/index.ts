// Competitive learning: the nearest-prototype computation, winner-take-all, the self-organising map,
// lateral inhibition (MAXNET, the Hamming net) and learning vector quantisation.

export * from "./core.js";
export type { HammingNetOptions } from "./hamming.js";
export { HammingNet } from "./hamming.js";
export type { LvqFitOptions, LvqInit, LvqOptions, LvqStep, LvqVariant } from "./lvq.js";
export { DEFAULT_LVQ_LEARNING_RATE, glvqCost, LVQ, LVQ_INITS, LVQ_VARIANTS, labelAccuracy, lvqUpdate, nearestPrototypeLabels } from "./lvq.js";
export type { MaxnetOptions, MaxnetResult, MaxnetStatus } from "./maxnet.js";
export { checkMaxnetEpsilon, MAXNET } from "./maxnet.js";
export * from "./pictures.js";
export * from "./som.js";
export * from "./wta.js";
