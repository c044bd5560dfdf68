export interface WorkerHandle {
  postMessage(message: unknown): void;
  onMessage(listener: (message: unknown) => void): void;
  onError(listener: (error: Error) => void): void;
  terminate(): void;
  /** Node: whether the worker keeps the process alive (spawned unref'd). Browser: no-op. */
  ref(): void;
  unref(): void;
}

export interface Platform {
  /** "node" or "browser". */
  readonly name: string;
  env(name: string): string | undefined;
  hardwareConcurrency(): number;
  /**
   * Starts a worker running `source`, a self-contained script. Inside it, `self.onmessage`-
   * style messaging is given by the global `__port` (with `on(listener)` and `post(msg)`).
   */
  spawnWorker(source: string): WorkerHandle;
}
