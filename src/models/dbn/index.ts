// Deep belief nets: greedy pretraining, classifiers, generation, up-down fine-tuning, save/load, pictures.

export type {
  ClassifierOptions,
  DBNOptions,
  DbnCallbacks,
  DbnLayerInfo,
  DbnPretrainOptions,
  DbnSampleOptions,
  LayerRbmOptions,
  PretrainCallback,
} from "./dbn.js";
export { DBN, joinColumns } from "./dbn.js";
export { DbnDream } from "./dream.js";
export type { DbnJson } from "./io.js";
export { DBN_FORMAT, GENERATIVE_WEIGHTS, loadDbn, saveDbn } from "./io.js";
export type { DbnSampleGridOptions } from "./pictures.js";
export { dbnSamples, dbnSamplesImage, writeDbnPictures } from "./pictures.js";
export type { UpDownEpochLogs, UpDownOptions } from "./updown.js";
export { upDown } from "./updown.js";
