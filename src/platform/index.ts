/**
 * The platform seam: the only place the core touches Node-only APIs. A browser build maps
 * ./node.js to ./browser.js (package.json "browser" field), so tensor, backend and ops
 * bundle unchanged for Web Workers.
 */
export { platform } from "./node.js";
export type { Platform, WorkerHandle } from "./types.js";
