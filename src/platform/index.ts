/**
 * The platform seam: the only place the library touches Node-only APIs (files, worker
 * threads, environment, standard output). A bundler targeting the browser swaps ./node.js for
 * ./browser.js through package.json's "browser" file map, so everything above this folder
 * bundles unchanged; what has no browser equivalent throws an error saying what to do instead.
 */
export { platform } from "./node.js";
export type { FileSystem, NativeAddonLoad, Platform, TextSink, WorkerHandle } from "./types.js";
