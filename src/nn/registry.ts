/**
 * Layer classes by name, so a saved architecture (a list of LayerConfig) can be rebuilt.
 * Every layer module registers itself when loaded; other areas (Conv2D, LSTM, ...) do the same.
 */
import type { Layer, LayerConfig } from "./layer.js";

const factories = new Map<string, (config: LayerConfig) => Layer>();

export function registerLayer(className: string, fromConfig: (config: LayerConfig) => Layer): void {
  factories.set(className, fromConfig);
}

export function registeredLayers(): string[] {
  return [...factories.keys()].sort();
}

export function layerFromConfig(config: LayerConfig): Layer {
  if (config === null || typeof config !== "object" || typeof config.className !== "string") {
    throw new TypeError(`layerFromConfig: a layer config needs a string "className"; got ${JSON.stringify(config)}`);
  }
  const make = factories.get(config.className);
  if (make === undefined) {
    throw new RangeError(`layerFromConfig: unknown layer class "${config.className}"; registered: ${registeredLayers().join(", ")}`);
  }
  return make(config);
}

/** Reads an optional option of a config with a type check that names the layer and the option. */
export function configValue<T>(config: LayerConfig, key: string, check: (v: unknown) => v is T, expected: string): T | undefined {
  const v = config[key];
  if (v === undefined || v === null) return undefined;
  if (!check(v)) throw new TypeError(`${config.className} config: "${key}" must be ${expected}; got ${JSON.stringify(v)}`);
  return v;
}

export const isNumber = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);
export const isString = (v: unknown): v is string => typeof v === "string";
export const isBoolean = (v: unknown): v is boolean => typeof v === "boolean";
export const isShape = (v: unknown): v is number[] => Array.isArray(v) && v.every((d) => Number.isInteger(d) && d >= 0);
