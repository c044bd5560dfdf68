// Placeholder until the WebAssembly SIMD kernels land (issue 2): reports itself unavailable,
// so backend() falls back to the TypeScript backend and says so.
import type { Backend } from "../backend.js";
import type { BackendOptions } from "../index.js";

export function wasmUnavailableReason(): string | null {
  return "kernels not built yet";
}

export function createWasmBackend(_options: BackendOptions): Backend {
  throw new Error("WebAssembly backend not built yet");
}
