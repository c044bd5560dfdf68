// Public surface of src/io.
export { ensureDir, readFileBytes, readFileText, writeFileAtomic } from "./files.js";
export type { ModelFiles, ModelJson } from "./model.js";
export { MODEL_JSON, MODEL_WEIGHTS, readModelFiles, saveModelFiles } from "./model.js";
export type { GrayImage, TileNormalize, TileOptions } from "./png.js";
export { adler32, crc32, deflateRaw, encodePng, tileImages, writePng, zlibCompress } from "./png.js";
export type { DecodedSafetensors, SafetensorsEntry } from "./safetensors.js";
export { decodeSafetensors, encodeSafetensors, SafetensorsError } from "./safetensors.js";
export type { LinePlotOptions, LineSeries } from "./svg.js";
export { escapeXml, linePlotSvg, niceTicks } from "./svg.js";
