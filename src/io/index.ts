// Public surface of src/io.
export { writeFileAtomic, readFileBytes, readFileText, ensureDir } from "./files.js";
export { encodeSafetensors, decodeSafetensors, SafetensorsError } from "./safetensors.js";
export type { SafetensorsEntry, DecodedSafetensors } from "./safetensors.js";
export { saveModelFiles, readModelFiles, MODEL_JSON, MODEL_WEIGHTS } from "./model.js";
export type { ModelJson, ModelFiles } from "./model.js";
