/**
 * Fills #backend-status with the backend the page runs on (WASM SIMD, its thread count, or the
 * TypeScript fallback and why) and exposes it as window.layerwiseStatus for the tests.
 */
import { backend } from "layerwise";

export interface BackendStatus {
  name: string;
  threads: number;
  crossOriginIsolated: boolean;
  notes: string[];
}

export function backendStatus(): BackendStatus {
  const info = backend().info();
  return { name: info.name, threads: info.threads, crossOriginIsolated: globalThis.crossOriginIsolated === true, notes: info.notes };
}

export function showBackendStatus(element: HTMLElement | null = document.getElementById("backend-status")): BackendStatus {
  const status = backendStatus();
  (globalThis as { layerwiseStatus?: BackendStatus }).layerwiseStatus = status;
  if (element !== null) {
    const threads = status.threads === 1 ? "one thread" : `${status.threads} threads`;
    const why = status.notes.length > 0 ? ` (${status.notes.join("; ")})` : "";
    element.textContent = `backend: ${status.name}, ${threads}${status.crossOriginIsolated ? ", cross-origin isolated" : ""}${why}`;
  }
  return status;
}

if (document.getElementById("backend-status") !== null) showBackendStatus();
