// Public surface of src/io.
export { writeFileAtomic, readFileBytes, readFileText, ensureDir } from "./files.js";
export { encodeSafetensors, decodeSafetensors, SafetensorsError } from "./safetensors.js";
export type { SafetensorsEntry, DecodedSafetensors } from "./safetensors.js";
export { saveModelFiles, readModelFiles, MODEL_JSON, MODEL_WEIGHTS } from "./model.js";
export type { ModelJson, ModelFiles } from "./model.js";
export { encodePng, tileImages, writePng, crc32, adler32, deflateRaw, zlibCompress } from "./png.js";
export type { GrayImage, TileOptions, TileNormalize } from "./png.js";
export { linePlotSvg, niceTicks, escapeXml } from "./svg.js";
export type { LineSeries, LinePlotOptions } from "./svg.js";
