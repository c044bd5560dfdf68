// Smoke test of the benchmark harness: tiny workloads, TypeScript backend only, no timing assertions.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { describe, it } from "node:test";
import { gemm, gemmWorkloads } from "../bench/gemm.js";
import { BenchContext, type BenchRecord, type BenchResult, formatTable, isSkipped, measure, runBenchmark } from "../bench/harness.js";
import { benchmarks } from "../bench/registry.js";

const quick = { repeats: 3, quick: true, only: ["layerwise-js"] };

function assertResult(r: BenchRecord, bench: string): asserts r is BenchResult {
  assert.ok(!isSkipped(r), `unexpected skip: ${JSON.stringify(r)}`);
  assert.equal(r.bench, bench);
  assert.equal(r.impl, "layerwise-js");
  assert.equal(typeof r.workload, "string");
  assert.equal(r.threads, 1);
  assert.equal(r.n, 3);
  assert.ok(r.median_s > 0 && Number.isFinite(r.median_s), `median_s ${r.median_s}`);
  assert.ok(r.min_s > 0 && r.min_s <= r.median_s, `min_s ${r.min_s} vs median_s ${r.median_s}`);
  // benchmarks without a FLOP count (e.g. recall loops) leave gflops out
  if (r.gflops !== undefined) assert.ok(r.gflops > 0, `gflops ${r.gflops}`);
}

describe("bench harness", () => {
  it("measure takes the requested samples and orders min <= median", async () => {
    let calls = 0;
    const t = await measure(() => void calls++, { repeats: 5, warmupSeconds: 0, minSampleSeconds: 0, maxSeconds: 60 });
    assert.equal(t.n, 5);
    assert.equal(calls, 6); // one warm-up call, then five samples of one call
    assert.ok(t.min_s <= t.median_s);
  });

  it("every registered benchmark runs in quick mode on the JS backend, one record per workload", async () => {
    assert.deepEqual(
      benchmarks.map((b) => b.name),
      ["gemm", "rbm-cd1", ...benchmarks.slice(2).map((b) => b.name)],
    );
    for (const b of benchmarks) {
      const records = await runBenchmark(b, quick);
      assert.ok(records.length > 0, `${b.name} produced no records`);
      // a benchmark may skip (e.g. data it needs is absent), but must say why
      for (const r of records) if (isSkipped(r)) assert.ok(r.skipped.length > 0, `${b.name}: a skip says why`);
      const results = records.filter((r) => !isSkipped(r));
      for (const r of results) assertResult(r, b.name);
      assert.equal(new Set(results.map((r) => (r as BenchResult).workload)).size, results.length);
    }
  });

  it("gemm records name the workloads and the table shows them", async () => {
    const records = await runBenchmark(gemm, quick);
    assert.deepEqual(
      records.map((r) => (r as BenchResult).workload),
      gemmWorkloads(true).map((w) => w.workload),
    );
    for (const r of records) assert.ok((r as BenchResult).gflops !== undefined, "gemm records carry gflops");
    const table = formatTable(records);
    for (const w of gemmWorkloads(true)) assert.match(table, new RegExp(`gemm ${w.workload.replace(/[()]/g, "\\$&")}\n`));
    assert.match(table, /layerwise-js +1 +3 .* 1\.00x/);
  });

  it("a Python peer whose module no interpreter has is a skipped record, not a failure", async () => {
    const ctx = new BenchContext("gemm", { ...quick, only: [] });
    await ctx.python("peers/gemm.py", "pytorch", "no_such_module_for_layerwise", { workloads: gemmWorkloads(true) });
    assert.deepEqual(ctx.records, [{ bench: "gemm", impl: "pytorch", skipped: "python3 no_such_module_for_layerwise not importable" }]);
  });

  it("the CLI prints one JSON record per line with --json, lists benchmarks without a name, rejects unknown ones", () => {
    const run = (...args: string[]) => spawnSync(process.execPath, ["--import", "tsx", "bench/run.ts", ...args], { encoding: "utf8" });
    const json = run("gemm", "--quick", "--json", "--only", "layerwise-js", "--repeats", "3");
    assert.equal(json.status, 0, json.stderr);
    const lines = json.stdout.trim().split("\n");
    assert.equal(lines.length, gemmWorkloads(true).length);
    for (const line of lines) assertResult(JSON.parse(line) as BenchRecord, "gemm");

    const list = run();
    assert.equal(list.status, 0, list.stderr);
    for (const b of benchmarks) assert.match(list.stdout, new RegExp(`^  ${b.name} `, "m"));

    const bad = run("no-such-bench");
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /unknown benchmark "no-such-bench"; known: gemm, rbm-cd1/);
  });
});
