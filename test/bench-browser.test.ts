// Smoke test of `npm run bench:browser`: the page runs gemm and mlp-epoch on tiny workloads in
// Chromium, our WASM backend on 1 and 2 threads and TF.js wasm on its threaded build, and the
// runner prints one JSON record per measurement. No timing assertions.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { test } from "node:test";
import type { BenchRecord, BenchResult } from "../bench/harness.js";
import { SKIP_CHROMIUM } from "./helpers/chromium.js";

/** The `skip` option of the test (false where Chromium runs). */

test("npm run bench:browser -- --quick --json: both benchmarks, ours on 1 and 2 threads, TF.js wasm threaded", { skip: SKIP_CHROMIUM }, () => {
  const run = spawnSync(process.execPath, ["--import", "tsx", "bench/browser/run.ts", "--quick", "--json", "--repeats", "3"], {
    encoding: "utf8",
    timeout: 240_000,
  });
  assert.equal(run.status, 0, `exit ${run.status}\n${run.stderr}`);
  const records = run.stdout
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as BenchRecord);
  const results = records.filter((r): r is BenchResult => !("skipped" in r));
  assert.equal(results.length, records.length, `skipped: ${JSON.stringify(records.filter((r) => "skipped" in r))}`);
  for (const bench of ["gemm", "mlp-epoch"]) {
    const rows = results.filter((r) => r.bench === bench);
    const seen = new Set(rows.map((r) => `${r.impl} x${r.threads}`));
    assert.deepEqual([...seen].sort(), ["layerwise-wasm x1", "layerwise-wasm x2", "tfjs-wasm x2"], bench);
    for (const r of rows) assert.ok(r.median_s > 0 && r.n === 3, JSON.stringify(r));
  }
  const tfjs = results.find((r) => r.impl === "tfjs-wasm");
  assert.match(tfjs?.note ?? "", /SIMD on, threaded build, 2 threads/);
  assert.doesNotMatch(run.stderr, /page error/);
});
