/**
 * Progress output for fit: on a terminal, one bar per epoch redrawn in place with the running
 * loss, metrics and ETA; elsewhere (logs, CI, pipes) one plain line per epoch.
 */
import { platform } from "../platform/index.js";
import type { Callback, Logs, TrainBeginInfo } from "./callbacks.js";

/** Where progress goes; by default the process's standard output when there is one, else console.log. */
export interface ProgressSink {
  write(text: string): void;
  isTTY: boolean;
}

export interface ProgressBarOptions {
  sink?: ProgressSink;
  /** Width of the bar in characters (default 30). */
  width?: number;
  /** Least time between redraws on a terminal (default 100 ms). */
  intervalMs?: number;
}

function defaultSink(): ProgressSink {
  const stdout = platform.stdout();
  if (stdout !== null) return stdout;
  let line = "";
  return {
    isTTY: false,
    write: (s) => {
      line += s;
      const parts = line.split("\n");
      line = parts.pop() ?? "";
      for (const p of parts) console.log(p);
    },
  };
}

export function formatLogs(logs: Logs): string {
  return Object.entries(logs)
    .map(
      ([k, v]) =>
        `${k} ${Number.isInteger(v) && Math.abs(v) < 1e6 ? v : Math.abs(v) >= 1e4 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(3) : v.toFixed(4)}`,
    )
    .join(" - ");
}

export function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return "?";
  if (s < 60) return `${s < 10 ? s.toFixed(1) : Math.round(s)}s`;
  const m = Math.floor(s / 60);
  return `${m}m${String(Math.round(s - 60 * m)).padStart(2, "0")}s`;
}

export class ProgressBar implements Callback {
  private readonly sink: ProgressSink;
  private readonly width: number;
  private readonly intervalMs: number;
  private info: TrainBeginInfo | null = null;
  private epochStart = 0;
  private lastDraw = 0;
  private epoch = 0;
  private seen = 0;
  private sums: Logs = {};

  constructor(options: ProgressBarOptions = {}) {
    this.sink = options.sink ?? defaultSink();
    this.width = options.width ?? 30;
    this.intervalMs = options.intervalMs ?? 100;
  }

  onTrainBegin(info: TrainBeginInfo): void {
    this.info = info;
  }

  onEpochBegin(epoch: number): void {
    this.epoch = epoch;
    this.epochStart = Date.now();
    this.lastDraw = 0;
    this.seen = 0;
    this.sums = {};
  }

  onBatchEnd(batch: number, logs: Logs): void {
    this.seen++;
    for (const [k, v] of Object.entries(logs)) this.sums[k] = (this.sums[k] ?? 0) + v;
    if (!this.sink.isTTY || this.info === null) return;
    const now = Date.now();
    const total = this.info.batchesPerEpoch;
    if (now - this.lastDraw < this.intervalMs && batch + 1 < total) return;
    this.lastDraw = now;
    const done = batch + 1;
    const filled = Math.round((this.width * done) / total);
    const bar = "=".repeat(Math.max(0, filled - 1)) + (filled > 0 ? (done === total ? "=" : ">") : "") + ".".repeat(this.width - filled);
    const elapsed = (now - this.epochStart) / 1000;
    const eta = (elapsed / done) * (total - done);
    const running: Logs = {};
    for (const [k, v] of Object.entries(this.sums)) running[k] = v / this.seen;
    this.sink.write(`\r${this.prefix()} [${bar}] ${done}/${total} - ETA ${formatSeconds(eta)} - ${formatLogs(running)}\x1b[K`);
  }

  onEpochEnd(_epoch: number, logs: Logs): void {
    const elapsed = (Date.now() - this.epochStart) / 1000;
    const line = `${this.prefix()} - ${formatSeconds(elapsed)} - ${formatLogs(logs)}`;
    this.sink.write(this.sink.isTTY ? `\r${line}\x1b[K\n` : `${line}\n`);
  }

  private prefix(): string {
    const epochs = this.info?.epochs ?? 0;
    return `Epoch ${String(this.epoch + 1).padStart(String(epochs).length)}/${epochs}`;
  }
}
