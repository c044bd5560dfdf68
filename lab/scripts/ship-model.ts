/**
 * Copies a model the CLI saved (FROM/model.json + model.safetensors) into the lab's
 * lab/public/models/NAME/, without the training state a page never reads (RBM momentum
 * velocities, optimiser moments: they only serve to resume training) so the shipped file is about
 * half as large; then checks that the copy decodes.
 *   node --import tsx lab/scripts/ship-model.ts FROM NAME
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { crc32, decodeModel, decodeSafetensors, encodeSafetensors } from "layerwise";

/** Tensors that only resume training: RBM velocities and the optimiser's state. */
const TRAINING_STATE = /(^|\.)velocity\.|(^|\.)optimizer(\.|$)/;

const [from, name] = process.argv.slice(2);
if (from === undefined || name === undefined || !/^[\w-]+$/.test(name)) {
  console.error("usage: node --import tsx lab/scripts/ship-model.ts FROM NAME   (NAME: letters, digits, - or _)");
  process.exit(2);
}
const json = JSON.parse(readFileSync(join(from, "model.json"), "utf8"));
const { tensors } = decodeSafetensors(new Uint8Array(readFileSync(join(from, "model.safetensors"))), from);
const kept = [...tensors.entries()].filter(([key]) => !TRAINING_STATE.test(key));
const weights = encodeSafetensors(kept.map(([key, t]) => [key, t] as const));
json.weights = { ...json.weights, bytes: weights.length, crc32: crc32(weights) };
const model = decodeModel(json, weights); // the page can read it
const out = join(dirname(fileURLToPath(import.meta.url)), "..", "public", "models", name);
mkdirSync(out, { recursive: true });
writeFileSync(join(out, "model.json"), `${JSON.stringify(json, null, 2)}\n`);
writeFileSync(join(out, "model.safetensors"), weights);
console.log(`${out}: ${model.constructor.name}, ${kept.length} of ${tensors.size} tensors, ${weights.length} bytes`);
