/**
 * The benchmark page: runs bench/gemm.ts and bench/mlp-epoch.ts, the very benchmarks
 * `npm run bench` runs, in the page, with the harness's runner (bench/harness.ts). The Node-only
 * seams those files import (the digit files, TF.js's .wasm paths, Python) are swapped for
 * bench/browser/{digits,tfjs,python}.ts when run.ts bundles this page. Records stream to
 * window.benchRecord (the runner exposes it) as they are measured.
 */
import { gemm } from "../gemm.js";
import { type BenchRecord, runBenchmark } from "../harness.js";
import { mlpEpoch } from "../mlp-epoch.js";
import { setTfjsThreads } from "./tfjs.js";

const PAGE_BENCHMARKS = [gemm, mlpEpoch];

export interface PageRunOptions {
  names: string[];
  repeats: number;
  quick: boolean;
  only: string[];
  threads: number;
}

async function runBenchmarks(o: PageRunOptions): Promise<BenchRecord[][]> {
  setTfjsThreads(o.threads);
  const onRecord = (globalThis as { benchRecord?: (r: BenchRecord) => void }).benchRecord;
  const out: BenchRecord[][] = [];
  for (const name of o.names) {
    const bench = PAGE_BENCHMARKS.find((b) => b.name === name);
    if (bench === undefined) throw new Error(`the page has no benchmark "${name}"`);
    out.push(await runBenchmark(bench, { repeats: o.repeats, quick: o.quick, only: o.only, threads: o.threads, onRecord }));
  }
  return out;
}

Object.assign(globalThis, { runBenchmarks, pageBenchmarks: PAGE_BENCHMARKS.map((b) => b.name) });
