/**
 * Copies a model the CLI saved into the lab without its optimiser state: the page only
 * predicts, and Adam's two moment slots would triple the download.
 *
 *   node --import tsx lab/digits/ship-model.ts RUN_DIR lab/public/models/NAME
 */
import { loadModel, Sequential } from "layerwise";

const [from, to] = process.argv.slice(2);
if (from === undefined || to === undefined) throw new Error("usage: node --import tsx lab/digits/ship-model.ts RUN_DIR OUT_DIR");
const model = await loadModel(from);
if (!(model instanceof Sequential)) throw new Error(`${from} holds a ${model.constructor.name}; ship-model copies Sequential models`);
await model.save(to, { includeOptimizer: false });
console.log(`${from} -> ${to} (${model.epochsTrained} epochs, no optimiser state)`);
