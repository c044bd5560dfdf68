/** loadSequential: a Sequential back from a folder written by save (or by an older layerwise). */
import { loadSavedAs } from "../io/model.js";
import { Sequential } from "./sequential.js";

/** Loads dir/model.json + model.safetensors; an error names the file and the tensor or field at fault, or the class dir holds instead. */
export function loadSequential(dir: string): Promise<Sequential> {
  return loadSavedAs(dir, Sequential);
}
