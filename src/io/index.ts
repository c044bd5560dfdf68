// Public surface of src/io.
export { ensureDir, fileExists, joinPath, readFileBytes, readFileText, writeFileAtomic } from "./files.js";
export type { ModelFiles, ModelJson, ModelLoader, NamedTensorData, NamedTensors, Saveable, SavedFiles, SavedModel } from "./model.js";
export {
  decodeModel,
  decodeModelAs,
  encodeModel,
  FORMAT,
  FORMAT_VERSION,
  hasSavedModel,
  loadSaved,
  loadSavedAs,
  MODEL_JSON,
  MODEL_WEIGHTS,
  readModelFiles,
  registeredModels,
  registerModel,
  SavedModelError,
  SavedModelReader,
  saveModel,
  saveModelFiles,
} from "./model.js";
export { FONT_3X5, hexRgb, linePlotImage } from "./plot-image.js";
export type { GrayImage, TileNormalize, TileOptions } from "./png.js";
export { adler32, crc32, deflateRaw, encodePng, pngSize, tileImages, writePng, zlibCompress } from "./png.js";
export type { ConfusionMatrix, ReportPicture, ReportText, TrainingReport } from "./report.js";
export { epochPlots, reportHtml } from "./report.js";
export type { DecodedSafetensors, SafetensorsEntry } from "./safetensors.js";
export { decodeSafetensors, encodeSafetensors, SafetensorsError } from "./safetensors.js";
export type { LinePlotLayout, LinePlotOptions, LineSeries } from "./svg.js";
export { COLOURS, escapeXml, linePlotLayout, linePlotSvg, niceTicks } from "./svg.js";
