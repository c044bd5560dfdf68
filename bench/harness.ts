/**
 * The one benchmark harness: timing, result records, output (JSON lines or a table), and the
 * runners for our backends and the peers (TensorFlow.js, Python). See docs/bench.md.
 *
 * Adding a benchmark:
 *   1. write bench/<name>.ts exporting a `Benchmark` ({ name, description, run(ctx) });
 *      in `run`, define the workloads once, then
 *        - `await ctx.forEachLayerwise(async ({ impl, threads }) => { ...build tensors with
 *          preallocated `out`s...; await ctx.time({ workload, impl, threads, flops }, () => step()) })`
 *          (the global backend is switched for you, so model code runs as it would for a user),
 *        - `await ctx.forEachTfjs(...)` the same way for TensorFlow.js peers, and
 *        - `await ctx.python("peers/<name>.py", "pytorch", "torch", workloads)` for Python peers
 *          (the script times inside Python with bench/peers/timing.py and prints records);
 *   2. add it to the list in bench/registry.ts (one line).
 */
import { type BackendName, setBackend } from "../src/backend/index.js";
import { platform } from "../src/platform/index.js";
import type { TfjsPeer, TfjsVariant } from "./peers/tfjs.js";

/** One measurement: the time of one call of the workload, over `n` samples. */
export interface BenchResult {
  bench: string;
  workload: string;
  impl: string;
  threads: number;
  n: number;
  median_s: number;
  min_s: number;
  /** Floating-point work per call / median time, when the workload declares its flops. */
  gflops?: number;
  /** Context that matters for reading the figure (BLAS core type, single-threaded build...). */
  note?: string;
}

/** An implementation that could not run here, and why. */
export interface BenchSkipped {
  bench: string;
  workload?: string;
  impl: string;
  skipped: string;
}

export type BenchRecord = BenchResult | BenchSkipped;

export const isSkipped = (r: BenchRecord): r is BenchSkipped => "skipped" in r;

export interface RunOptions {
  /** Samples per measurement (fewer for calls slower than `maxSeconds` allows). */
  repeats: number;
  /** Tiny workloads, one call per sample, no warm-up time: for smoke tests. */
  quick: boolean;
  /** Only these impl names run (empty: all). */
  only: string[];
  /** Threads for the multi-threaded impls (our WASM backend, PyTorch, NumPy); default: every core. */
  threads?: number;
  /** Called with each record as soon as it exists (the JSON printer streams this way). */
  onRecord?: (r: BenchRecord) => void;
}

export interface MeasureOptions {
  repeats: number;
  /** Warm up for at least this long (JIT, caches, thread start-up) before timing. */
  warmupSeconds: number;
  /** Calls shorter than this are batched into one sample, so the timer's grain does not matter. */
  minSampleSeconds: number;
  /** Cap on the time spent sampling one measurement; at least 3 samples are taken anyway. */
  maxSeconds: number;
}

export interface Timing {
  n: number;
  median_s: number;
  min_s: number;
}

const now = (): number => performance.now() / 1e3;

/** Runs fn, awaiting it only when it returns a promise (sync calls stay free of microtask cost). */
async function call(fn: () => unknown): Promise<void> {
  const r = fn();
  if (r instanceof Promise) await r;
}

/** Warm-up, then samples of `inner` calls each; returns the per-call median and min. */
export async function measure(fn: () => unknown, o: MeasureOptions): Promise<Timing> {
  let calls = 0;
  const start = now();
  do {
    await call(fn);
    calls++;
  } while (now() - start < o.warmupSeconds);
  const perCall = (now() - start) / calls;
  const inner = Math.max(1, Math.ceil(o.minSampleSeconds / perCall));
  const n = Math.max(Math.min(3, o.repeats), Math.min(o.repeats, Math.floor(o.maxSeconds / (perCall * inner))));
  const samples: number[] = [];
  for (let s = 0; s < n; s++) {
    const t0 = now();
    for (let i = 0; i < inner; i++) await call(fn);
    samples.push((now() - t0) / inner);
  }
  samples.sort((x, y) => x - y);
  const mid = samples.length >> 1;
  const median = samples.length % 2 === 1 ? samples[mid] : (samples[mid - 1] + samples[mid]) / 2;
  return { n, median_s: median, min_s: samples[0] };
}

export interface Measurement {
  workload: string;
  impl: string;
  threads: number;
  /** Floating-point operations per call (2mnk for a GEMM), to report GFLOP/s. */
  flops?: number;
  note?: string;
}

export interface LayerwiseImpl {
  impl: string;
  threads: number;
  backend: BackendName;
}

/** What a Python peer script gets as JSON (besides the timing settings). */
export interface PythonWorkloads {
  workloads: readonly object[];
  /** Extra settings the script reads (e.g. which library to use). */
  [key: string]: unknown;
}

export class BenchContext {
  readonly records: BenchRecord[] = [];
  readonly measureOptions: MeasureOptions;
  /** Threads for multi-threaded implementations: --threads, else every core (the machine has 2). */
  readonly threads: number;
  /** Per layerwise impl, the backend's `kernels` line (set by forEachLayerwise), noted on its records. */
  private readonly implNotes = new Map<string, string>();

  constructor(
    readonly bench: string,
    readonly options: RunOptions,
  ) {
    this.threads = options.threads ?? platform.hardwareConcurrency();
    this.measureOptions = options.quick
      ? { repeats: options.repeats, warmupSeconds: 0, minSampleSeconds: 0, maxSeconds: 60 }
      : { repeats: options.repeats, warmupSeconds: 0.3, minSampleSeconds: 0.02, maxSeconds: 8 };
  }

  get quick(): boolean {
    return this.options.quick;
  }

  /** Whether `impl` was selected with --only. */
  wants(impl: string): boolean {
    return this.options.only.length === 0 || this.options.only.includes(impl);
  }

  emit(r: BenchRecord): void {
    this.records.push(r);
    this.options.onRecord?.(r);
  }

  skip(impl: string, reason: string, workload?: string): void {
    this.emit(workload === undefined ? { bench: this.bench, impl, skipped: reason } : { bench: this.bench, workload, impl, skipped: reason });
  }

  /** Times `fn` (one call = one unit of the workload) and records the result. */
  async time(m: Measurement, fn: () => unknown): Promise<BenchResult> {
    const t = await measure(fn, this.measureOptions);
    const r: BenchResult = {
      bench: this.bench,
      workload: m.workload,
      impl: m.impl,
      threads: m.threads,
      n: t.n,
      median_s: round4(t.median_s),
      min_s: round4(t.min_s),
    };
    if (m.flops !== undefined) r.gflops = round3(m.flops / t.median_s / 1e9);
    const note = m.note ?? this.implNotes.get(m.impl);
    if (note !== undefined) r.note = note;
    this.emit(r);
    return r;
  }

  /**
   * Runs `body` once per layerwise backend configuration (TypeScript; native and WASM single-threaded and
   * on every core), with the global backend switched to it, so public ops run on it. Tensors
   * must be made inside `body` (their storage comes from the backend in use).
   */
  async forEachLayerwise(body: (lw: LayerwiseImpl) => Promise<void>): Promise<void> {
    const configs: LayerwiseImpl[] = [{ impl: "layerwise-js", threads: 1, backend: "js" }];
    for (const backend of ["native", "wasm"] as const) {
      for (const threads of new Set([1, this.threads])) configs.push({ impl: `layerwise-${backend}`, threads, backend });
    }
    try {
      for (const lw of configs) {
        if (!this.wants(lw.impl)) continue;
        try {
          const b = setBackend(lw.backend, { threads: lw.threads });
          // the WASM backend may start its worker pool asynchronously
          const ready = (b as { ready?: () => Promise<void> }).ready;
          if (typeof ready === "function") await ready.call(b);
          const info = b.info();
          lw.threads = info.threads;
          // which machine code ran (the native backend's OpenBLAS core) goes with every figure of this impl
          if (info.kernels === undefined) this.implNotes.delete(lw.impl);
          else this.implNotes.set(lw.impl, info.kernels);
        } catch (e) {
          this.skip(lw.impl, `threads=${lw.threads}: ${errorText(e)}`);
          continue;
        }
        await body(lw);
      }
    } finally {
      setBackend("js"); // releases the WASM worker pool
    }
  }

  /**
   * Runs `body` once per TensorFlow.js backend (cpu, wasm) that loads here: as `tfjs-cpu` and
   * `tfjs-wasm` for what a TF.js user writes, or with `variant` "ops" as `tfjs-cpu-ops` and
   * `tfjs-wasm-ops` for a step written out with tf ops (see bench/peers/tfjs.ts).
   */
  async forEachTfjs(body: (peer: TfjsPeer) => Promise<void>, variant: TfjsVariant = "fit"): Promise<void> {
    const { loadTfjs, tfjsImpl } = await import("./peers/tfjs.js");
    for (const name of ["cpu", "wasm"] as const) {
      const impl = tfjsImpl(name, variant);
      if (!this.wants(impl)) continue;
      let peer: TfjsPeer;
      try {
        peer = await loadTfjs(name, variant);
      } catch (e) {
        this.skip(impl, errorText(e));
        continue;
      }
      await body(peer);
    }
  }

  /**
   * Runs a Python peer script (path relative to bench/) with `impl` as its library and the
   * workloads as JSON; the script times inside Python (process start-up is excluded) and prints
   * one JSON record a line. Skips with a record when no python can import `module`.
   */
  async python(script: string, impl: string, module: string, config: PythonWorkloads): Promise<void> {
    if (!this.wants(impl)) return;
    const { runPythonPeer } = await import("./peers/python.js");
    const settings = { bench: this.bench, impl, threads: this.threads, ...this.measureOptions, ...config };
    const out = await runPythonPeer(script, module, settings);
    if (typeof out === "string") return this.skip(impl, out);
    for (const r of out) this.emit(r);
  }
}

export interface Benchmark {
  name: string;
  description: string;
  run(ctx: BenchContext): Promise<void>;
}

export async function runBenchmark(b: Benchmark, options: RunOptions): Promise<BenchRecord[]> {
  const ctx = new BenchContext(b.name, options);
  await b.run(ctx);
  return ctx.records;
}

export const round3 = (x: number): number => Number(x.toPrecision(3));
const round4 = (x: number): number => Number(x.toPrecision(4));

export const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e)).split("\n")[0];

/** One stderr line per measurement while a table run is under way. */
export function progress(r: BenchRecord): string {
  if (isSkipped(r)) return `  ${r.impl}: skipped (${r.skipped})`;
  const speed = r.gflops === undefined ? "" : `, ${r.gflops} GFLOP/s`;
  return `  ${r.workload} ${r.impl} x${r.threads}: ${(r.median_s * 1e3).toPrecision(4)} ms${speed}`;
}

/** The table: one block per workload, fastest first, with how many times faster our best impl is. */
export function formatTable(records: readonly BenchRecord[]): string {
  const lines: string[] = [];
  const results = records.filter((r): r is BenchResult => !isSkipped(r));
  const workloads = [...new Set(results.map((r) => r.workload))];
  const header = ["impl", "threads", "n", "median ms", "min ms", "GFLOP/s", "ours-best x"];
  for (const w of workloads) {
    const rows = results.filter((r) => r.workload === w).sort((a, b) => a.median_s - b.median_s);
    const ours = rows.filter((r) => r.impl.startsWith("layerwise-"));
    const best = ours.length > 0 ? Math.min(...ours.map((r) => r.median_s)) : Number.NaN;
    const cells = rows.map((r) => [
      r.impl,
      String(r.threads),
      String(r.n),
      (r.median_s * 1e3).toFixed(3),
      (r.min_s * 1e3).toFixed(3),
      r.gflops === undefined ? "-" : r.gflops.toFixed(2),
      Number.isNaN(best) ? "-" : `${(r.median_s / best).toFixed(2)}x`,
    ]);
    lines.push(`${records[0]?.bench ?? ""} ${w}`, ...alignColumns([header, ...cells]), "");
  }
  const notes = new Map<string, string>();
  for (const r of results) if (r.note !== undefined) notes.set(`${r.impl} (${r.threads} threads)`, r.note);
  for (const [k, v] of notes) lines.push(`note ${k}: ${v}`);
  for (const r of records) if (isSkipped(r)) lines.push(`skipped ${r.impl}${r.workload === undefined ? "" : ` ${r.workload}`}: ${r.skipped}`);
  lines.push("ours-best x: this row's median / our fastest impl's median (>1: ours is that many times faster)");
  return lines.join("\n");
}

function alignColumns(rows: string[][]): string[] {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join("  "));
}
