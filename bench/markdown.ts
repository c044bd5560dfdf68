/**
 * One markdown table from benchmark records (docs/bench.md): a row per workload, a column per
 * impl and thread count — whatever impls the records hold — and in every cell the median with
 * its ratio to PyTorch. `npm run bench:table` (bench/table.ts) feeds it.
 */
import { type BenchRecord, type BenchResult, type BenchSkipped, isSkipped } from "./harness.js";

export interface MarkdownOptions {
  /** Benches whose cells give GFLOP/s instead of a time (where the record counts its FLOPs). */
  rateBenches: readonly string[];
}

export const defaultMarkdownOptions: MarkdownOptions = { rateBenches: ["gemm"] };

/** The peer every cell is compared with. */
const REFERENCE = "pytorch";

interface Column {
  impl: string;
  /** undefined: the impl only appears as skipped, so its thread count is unknown. */
  threads?: number;
}

const rowKey = (bench: string, workload: string): string => `${bench}\u0000${workload}`;
const columnKey = (c: Column): string => `${c.impl}\u0000${c.threads ?? ""}`;
const columnName = (c: Column): string => (c.threads === undefined ? c.impl : `${c.impl} (${c.threads})`);

/** Ours first, then TF.js, then PyTorch, then the other peers; within a group, first appearance. */
function group(impl: string): number {
  if (impl.startsWith("layerwise-")) return 0;
  if (impl.startsWith("tfjs-")) return 1;
  return impl === REFERENCE ? 2 : 3;
}

function orderColumns(records: readonly BenchRecord[]): Column[] {
  const appearance = new Map<string, number>();
  for (const r of records) if (!appearance.has(r.impl)) appearance.set(r.impl, appearance.size);
  const columns = new Map<string, Column>();
  for (const r of records) if (!isSkipped(r)) columns.set(columnKey(r), { impl: r.impl, threads: r.threads });
  const measured = new Set([...columns.values()].map((c) => c.impl));
  for (const r of records) if (isSkipped(r) && !measured.has(r.impl)) columns.set(columnKey({ impl: r.impl }), { impl: r.impl });
  const rank = (c: Column) => [group(c.impl), appearance.get(c.impl) ?? 0, c.threads ?? 0];
  return [...columns.values()].sort((a, b) => {
    const [x, y] = [rank(a), rank(b)];
    return x[0] - y[0] || x[1] - y[1] || x[2] - y[2];
  });
}

/** Three significant digits in s, ms or µs. */
export function formatSeconds(s: number): string {
  const [value, unit] = s >= 1 ? [s, "s"] : s >= 1e-3 ? [s * 1e3, "ms"] : [s * 1e6, "µs"];
  return `${Number(value.toPrecision(3))} ${unit}`;
}

/**
 * The PyTorch result a cell is compared with: the one on the same number of threads, else
 * PyTorch's fastest on that workload (marked, since the comparison then crosses thread counts).
 */
function reference(row: readonly BenchResult[], threads: number): { r: BenchResult; sameThreads: boolean } | undefined {
  const peers = row.filter((r) => r.impl === REFERENCE);
  const same = peers.find((r) => r.threads === threads);
  if (same !== undefined) return { r: same, sameThreads: true };
  if (peers.length === 0) return undefined;
  return { r: peers.reduce((a, b) => (b.median_s < a.median_s ? b : a)), sameThreads: false };
}

function cell(r: BenchResult, row: readonly BenchResult[], o: MarkdownOptions): string {
  const figure = o.rateBenches.includes(r.bench) && r.gflops !== undefined ? `${Number(r.gflops.toPrecision(3))} GFLOP/s` : formatSeconds(r.median_s);
  if (r.impl === REFERENCE) return figure;
  const ref = reference(row, r.threads);
  if (ref === undefined) return figure;
  return `${figure} (${(ref.r.median_s / r.median_s).toFixed(2)}×${ref.sameThreads ? "" : "*"})`;
}

/**
 * The table, then its legend, the notes the records carry (one line per impl and note, with the
 * benches it applies to) and why skipped impls did not run. A later record of the same bench,
 * workload, impl and threads replaces an earlier one (a rerun read after the first run).
 */
export function markdownTable(records: readonly BenchRecord[], o: MarkdownOptions = defaultMarkdownOptions): string {
  const results = new Map<string, Map<string, BenchResult>>();
  const skipped = new Map<string, BenchSkipped[]>();
  const rows: { bench: string; workload: string }[] = [];
  const addRow = (bench: string, workload: string) => {
    const key = rowKey(bench, workload);
    if (!results.has(key)) {
      results.set(key, new Map());
      rows.push({ bench, workload });
    }
    return key;
  };
  for (const r of records) {
    if (isSkipped(r)) {
      if (r.workload !== undefined) addRow(r.bench, r.workload);
      skipped.set(r.bench, [...(skipped.get(r.bench) ?? []), r]);
    } else {
      results.get(addRow(r.bench, r.workload))?.set(columnKey(r), r);
    }
  }
  const columns = orderColumns(records);
  const lines = [`| bench | workload | ${columns.map(columnName).join(" | ")} |`, `|---|---|${columns.map(() => "---|").join("")}`];
  for (const { bench, workload } of rows) {
    const row = results.get(rowKey(bench, workload)) as Map<string, BenchResult>;
    const measured = [...row.values()];
    const cells = columns.map((c) => {
      const r = row.get(columnKey(c));
      if (r !== undefined) return cell(r, measured, o);
      const skip = (skipped.get(bench) ?? []).some((s) => s.impl === c.impl && (s.workload === undefined || s.workload === workload));
      return skip ? "skipped" : "–";
    });
    lines.push(`| ${bench} | ${workload} | ${cells.join(" | ")} |`);
  }
  const rated = o.rateBenches.filter((b) => rows.some((r) => r.bench === b));
  const rate = rated.length > 0 ? ` (GFLOP/s for ${rated.join(", ")})` : "";
  lines.push(
    "",
    `Cells: the median${rate}, and in brackets PyTorch's median / this one (> 1: faster than PyTorch) on the same threads; ` +
      "* compares with PyTorch's fastest thread count instead. (N): threads. –: not run.",
  );
  const extra = [...notes(records), ...skipReasons(skipped)];
  if (extra.length > 0) lines.push("", ...extra);
  return lines.join("\n");
}

/** `- impl (threads): note [benches]`, one line per distinct note. */
function notes(records: readonly BenchRecord[]): string[] {
  const benches = new Map<string, Set<string>>();
  for (const r of records) {
    if (isSkipped(r) || r.note === undefined) continue;
    const key = `${columnName(r)}: ${r.note}`;
    benches.set(key, (benches.get(key) ?? new Set()).add(r.bench));
  }
  return [...benches].map(([key, b]) => `- ${key} [${[...b].join(", ")}]`);
}

function skipReasons(skipped: Map<string, BenchSkipped[]>): string[] {
  const lines = new Set<string>();
  for (const [bench, list] of skipped)
    for (const s of list) lines.add(`- skipped ${s.impl} [${bench}${s.workload === undefined ? "" : ` ${s.workload}`}]: ${s.skipped}`);
  return [...lines];
}
