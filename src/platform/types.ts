export interface WorkerHandle {
  postMessage(message: unknown): void;
  onMessage(listener: (message: unknown) => void): void;
  onError(listener: (error: Error) => void): void;
  terminate(): void;
  /** Node: whether the worker keeps the process alive (spawned unref'd). Browser: no-op. */
  ref(): void;
  unref(): void;
}

/**
 * The file operations the library builds on (atomic saves, dataset files, caches). Paths are
 * plain strings; src/io/files.ts joins them. A read of a missing file rejects with an error
 * whose `code` is "ENOENT", as Node's do, so callers can say "file not found".
 */
export interface FileSystem {
  readFile(path: string): Promise<Uint8Array>;
  writeFile(path: string, data: Uint8Array | string): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  /** Creates the folder and any missing parents; a folder already there is fine. */
  mkdir(path: string): Promise<void>;
  /** Removes a file; a file already gone is fine. */
  rm(path: string): Promise<void>;
  exists(path: string): boolean;
  /** The absolute form of path (a relative one is taken from the working folder). */
  resolve(path: string): string;
  /** The machine's folder for temporary files. */
  tempDir(): string;
}

/** A text stream such as standard output. */
export interface TextSink {
  write(text: string): void;
  /** Whether it is a terminal (so a progress bar can redraw its line). */
  isTTY: boolean;
}

/** A native addon, loaded, with the file it came from; or why none could be loaded. */
export type NativeAddonLoad = { addon: unknown; path: string } | { addon: null; reason: string };

export interface Platform {
  /** "node" or "browser". */
  readonly name: string;
  env(name: string): string | undefined;
  hardwareConcurrency(): number;
  /** Tells running programs apart (temporary file names), 0 where there is one program. */
  processId(): number;
  /**
   * Starts a worker running `source`, a self-contained script. Inside it, `self.onmessage`-
   * style messaging is given by the global `__port` (with `on(listener)` and `post(msg)`).
   */
  spawnWorker(source: string): WorkerHandle;
  readonly fs: FileSystem;
  /** The folder of the installed npm package `name` (where its package.json is). */
  packageDir(name: string): string;
  /** The folder of the layerwise package running this code (the checkout, or node_modules/layerwise), or null. */
  libraryRoot(): string | null;
  /**
   * The native backend's addon (layerwise.node), loaded once: LAYERWISE_NATIVE_PATH if set,
   * else <libraryRoot>/prebuilds/<platform>-<arch>/layerwise.node, then the local build
   * (src/backend/native/build/Release). The browser has none.
   */
  loadNativeAddon(): NativeAddonLoad;
  /** Standard output, where there is one. */
  stdout(): TextSink | null;
}
