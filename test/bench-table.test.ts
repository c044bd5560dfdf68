// The one-table generator of docs/bench.md: bench/markdown.ts on made-up records, and
// bench/table.ts as a command (reading saved records, and running one benchmark in quick mode).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import type { BenchRecord, BenchResult } from "../bench/harness.js";
import { formatSeconds, markdownTable } from "../bench/markdown.js";

const result = (bench: string, workload: string, impl: string, threads: number, median_s: number, extra: Partial<BenchResult> = {}): BenchResult => ({
  bench,
  workload,
  impl,
  threads,
  n: 3,
  median_s,
  min_s: median_s,
  ...extra,
});

const GEMM = "1000x1000@1000x1000";
const MLP = "10000x784-500-500-10/b100";

const records: BenchRecord[] = [
  result("gemm", GEMM, "layerwise-wasm", 1, 0.04, { gflops: 50 }),
  result("gemm", GEMM, "layerwise-wasm", 2, 0.019, { gflops: 105 }),
  // an impl the generator has never heard of gets its column like any other
  result("gemm", GEMM, "layerwise-native", 2, 0.005, { gflops: 400 }),
  result("gemm", GEMM, "pytorch", 2, 0.0057, { gflops: 351, note: "OpenBLAS core=Cooperlake" }),
  result("gemm", GEMM, "numpy", 2, 0.0063, { gflops: 317 }),
  result("mlp-epoch", MLP, "layerwise-wasm", 1, 9.9),
  result("mlp-epoch", MLP, "layerwise-wasm", 1, 0.8), // a rerun replaces the first figure
  result("mlp-epoch", MLP, "tfjs-wasm", 1, 24, { note: "one thread" }),
  result("mlp-epoch", MLP, "tfjs-wasm-ops", 1, 12, { note: "one thread" }),
  result("mlp-epoch", MLP, "pytorch", 1, 1.2),
  result("mlp-epoch", MLP, "pytorch", 2, 0.6),
  { bench: "cnn-epoch", workload: "lenet", impl: "tfjs-wasm", skipped: "no Conv2DBackpropFilter kernel" },
  result("cnn-epoch", "lenet", "layerwise-wasm", 2, 4.5),
];

/** The table's cells by row and column header. */
function parse(table: string): Map<string, Map<string, string>> {
  const [header, , ...rows] = table.split("\n").filter((l) => l.startsWith("|"));
  const names = header
    .split("|")
    .slice(1, -1)
    .map((s) => s.trim());
  const out = new Map<string, Map<string, string>>();
  for (const row of rows) {
    const cells = row
      .split("|")
      .slice(1, -1)
      .map((s) => s.trim());
    out.set(cells[0], new Map(names.map((n, i) => [n, cells[i]])));
  }
  return out;
}

describe("bench table (markdown)", () => {
  const table = markdownTable(records);
  const cells = parse(table);

  it("has a row per workload and a column per impl and thread count: ours, TF.js, PyTorch, the rest", () => {
    const header = table.split("\n")[0];
    assert.equal(
      header,
      "| bench | workload | layerwise-wasm (1) | layerwise-wasm (2) | layerwise-native (2) | tfjs-wasm (1) | tfjs-wasm-ops (1) | pytorch (1) | pytorch (2) | numpy (2) |",
    );
    assert.deepEqual([...cells.keys()], ["gemm", "mlp-epoch", "cnn-epoch"]);
  });

  it("gives GFLOP/s for gemm and times elsewhere, each with PyTorch's median over its own on the same threads", () => {
    const gemm = cells.get("gemm")!;
    assert.equal(gemm.get("layerwise-native (2)"), "400 GFLOP/s (1.14×)");
    assert.equal(gemm.get("layerwise-wasm (2)"), "105 GFLOP/s (0.30×)");
    assert.equal(gemm.get("pytorch (2)"), "351 GFLOP/s");
    assert.equal(gemm.get("numpy (2)"), "317 GFLOP/s (0.90×)");
    const mlp = cells.get("mlp-epoch")!;
    assert.equal(mlp.get("layerwise-wasm (1)"), "800 ms (1.50×)");
    assert.equal(mlp.get("tfjs-wasm (1)"), "24 s (0.05×)");
    assert.equal(mlp.get("layerwise-wasm (2)"), "–");
  });

  it("compares with PyTorch's fastest thread count, marked *, when PyTorch did not run on the same threads", () => {
    assert.equal(cells.get("gemm")!.get("layerwise-wasm (1)"), "50 GFLOP/s (0.14×*)");
  });

  it("marks skipped cells and lists why, and lists each impl's notes with their benches", () => {
    assert.equal(cells.get("cnn-epoch")!.get("tfjs-wasm (1)"), "skipped");
    assert.equal(cells.get("cnn-epoch")!.get("layerwise-wasm (2)"), "4.5 s");
    assert.match(table, /^- skipped tfjs-wasm \[cnn-epoch lenet\]: no Conv2DBackpropFilter kernel$/m);
    assert.match(table, /^- pytorch \(2\): OpenBLAS core=Cooperlake \[gemm\]$/m);
    assert.match(table, /^- tfjs-wasm \(1\): one thread \[mlp-epoch\]$/m);
  });

  it("an impl that only ever skipped still gets a column; the legend names GFLOP/s only where a row gives them", () => {
    const text = markdownTable([{ bench: "cnn-epoch", workload: "lenet", impl: "tfjs-wasm", skipped: "no kernel" }]);
    assert.equal(parse(text).get("cnn-epoch")!.get("tfjs-wasm"), "skipped");
    assert.doesNotMatch(text, /GFLOP\/s/);
    assert.match(table, /^Cells: the median \(GFLOP\/s for gemm\)/m);
  });

  it("formats times with three significant digits in s, ms or µs", () => {
    assert.deepEqual([formatSeconds(12.345), formatSeconds(0.0065), formatSeconds(0.00001234)], ["12.3 s", "6.5 ms", "12.3 µs"]);
  });
});

describe("npm run bench:table", () => {
  const run = (...args: string[]) => spawnSync(process.execPath, ["--import", "tsx", "bench/table.ts", ...args], { encoding: "utf8" });

  it("reads saved JSON lines and writes the table to --out", () => {
    const dir = mkdtempSync(join(tmpdir(), "bench-table-"));
    try {
      const saved = join(dir, "records.jsonl");
      writeFileSync(saved, `${records.map((r) => JSON.stringify(r)).join("\n")}\n`);
      const out = join(dir, "table.md");
      const r = run(saved, "--out", out);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(readFileSync(out, "utf8"), `${markdownTable(records)}\n`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("runs a named benchmark with --json, saves its records, and tabulates them", () => {
    const dir = mkdtempSync(join(tmpdir(), "bench-table-"));
    try {
      const saved = join(dir, "run.jsonl");
      const r = run("gemm", "--quick", "--only", "layerwise-js", "--repeats", "3", "--save", saved);
      assert.equal(r.status, 0, r.stderr);
      const lines = readFileSync(saved, "utf8").trim().split("\n");
      assert.ok(lines.length > 0);
      for (const line of lines) assert.equal((JSON.parse(line) as BenchResult).impl, "layerwise-js");
      assert.equal(r.stdout, `${markdownTable(lines.map((l) => JSON.parse(l) as BenchRecord))}\n`);
      assert.match(r.stdout, /^\| bench \| workload \| layerwise-js \(1\) \|$/m);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("rejects an unknown benchmark name before running anything", () => {
    const r = run("gemm", "no-such-bench");
    assert.equal(r.status, 2);
    assert.match(r.stderr, /unknown benchmark "no-such-bench"; give a name or a \.jsonl file/);
  });
});
