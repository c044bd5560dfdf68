/**
 * Chooses the backend once, on first use: in Node the native backend (OpenBLAS + C kernels)
 * where its addon loads, else the WebAssembly SIMD backend where the runtime supports it, else
 * the TypeScript backend, each fallback with a note saying why. LAYERWISE_BACKEND
 * (native | wasm | js) and LAYERWISE_THREADS override the choice; so does setBackend().
 */

import { platform } from "../platform/index.js";
import type { Backend, BackendOptions } from "./backend.js";
import { JsBackend } from "./js/index.js";
import { createNativeBackend } from "./native/index.js";
import { createWasmBackend, wasmUnavailableReason } from "./wasm/index.js";

export type {
  ActivationGradOp,
  Backend,
  BackendInfo,
  BackendOptions,
  BinaryOp,
  ConvGeometry,
  RandomSource,
  ScalarOp,
  UnaryOp,
} from "./backend.js";
export { JsBackend } from "./js/index.js";

export type BackendName = "js" | "wasm" | "native";
const BACKEND_NAMES: readonly string[] = ["native", "wasm", "js"];

let current: Backend | null = null;

function create(name: BackendName | "auto", options: BackendOptions): Backend {
  if (name === "js") return new JsBackend();
  const notes: string[] = [];
  if (name === "native" || name === "auto") {
    const native = createNativeBackend(options);
    if (typeof native !== "string") return native;
    if (name === "native") throw new Error(`backend "native" is not available here: ${native}`);
    // in the browser there is never an addon: nothing worth a note
    if (platform.name === "node") notes.push(`native backend unavailable (${native}); using the WebAssembly backend`);
  }
  const reason = wasmUnavailableReason();
  if (reason !== null) {
    if (name === "wasm") throw new Error(`backend "wasm" is not available here: ${reason}`);
    return new JsBackend([...notes, `WebAssembly backend unavailable (${reason}); using the TypeScript backend`]);
  }
  try {
    const wasm = createWasmBackend(options);
    for (const note of notes) wasm.addNote(note);
    return wasm;
  } catch (e) {
    // e.g. the engine refuses the memory reservation: still run, on the portable kernels
    if (name === "wasm" || e instanceof RangeError) throw e; // RangeError: a bad option, not a missing feature
    const why = e instanceof Error ? e.message : String(e);
    return new JsBackend([...notes, `WebAssembly backend failed to start (${why}); using the TypeScript backend`]);
  }
}

function parseEnv(): { name: BackendName | "auto"; options: BackendOptions } {
  const raw = platform.env("LAYERWISE_BACKEND") || "auto"; // empty counts as unset
  if (raw !== "auto" && !BACKEND_NAMES.includes(raw)) {
    throw new Error(`LAYERWISE_BACKEND must be one of auto, ${BACKEND_NAMES.join(", ")}; got "${raw}"`);
  }
  const threadsRaw = platform.env("LAYERWISE_THREADS");
  const options: BackendOptions = {};
  if (threadsRaw !== undefined && threadsRaw !== "") {
    const t = Number(threadsRaw);
    if (!Number.isInteger(t) || t < 1) throw new Error(`LAYERWISE_THREADS must be an integer >= 1; got "${threadsRaw}"`);
    options.threads = t;
  }
  return { name: raw as BackendName | "auto", options };
}

/** The backend in use, created on first call. */
export function backend(): Backend {
  if (current === null) {
    const { name, options } = parseEnv();
    current = create(name, options);
  }
  return current;
}

/**
 * Switches backend. Tensors made before the switch stay valid (their storage is ordinary
 * Float32Array memory on every backend) but may be copied on first use by the new one.
 */
export function setBackend(name: BackendName, options: BackendOptions = {}): Backend {
  if (!BACKEND_NAMES.includes(name)) throw new Error(`setBackend: name must be one of ${BACKEND_NAMES.map((n) => `"${n}"`).join(", ")}; got "${String(name)}"`);
  const next = create(name, options);
  current?.dispose();
  current = next;
  return next;
}

/** A backend independent of the global one (for tests and benchmarks comparing backends). */
export function createBackend(name: BackendName, options: BackendOptions = {}): Backend {
  return create(name, options);
}
