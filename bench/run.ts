/**
 * `npm run bench` lists the benchmarks; `npm run bench -- NAME [--json] [--repeats N] [--quick]
 * [--only impl,impl]` runs one. With --json every measurement is one JSON line on stdout
 * (the convention in shared/DESIGN.md); otherwise a table follows the run.
 */
import { formatHelp, parseOptions, UsageError } from "../src/cli/args.js";
import { type BenchRecord, formatTable, progress, runBenchmark } from "./harness.js";
import { benchmarks } from "./registry.js";

const specs = {
  json: { type: "boolean", description: "one JSON record per line on stdout instead of a table" },
  repeats: { type: "number", description: "timed samples per measurement", default: 9, integer: true, min: 1, max: 1000 },
  quick: { type: "boolean", description: "tiny workloads, no warm-up: checks that the benchmark runs, measures nothing" },
  threads: { type: "number", description: "threads for multi-threaded impls (our WASM, PyTorch, NumPy); default: every core", integer: true, min: 1, max: 256 },
  only: { type: "string", description: "comma-separated impl names to run (e.g. layerwise-js,tfjs-wasm)" },
} as const;

function usage(): string {
  const list = benchmarks.map((b) => `  ${b.name.padEnd(16)}${b.description}`).join("\n");
  return `${formatHelp("npm run bench -- NAME [options]", specs)}\n\nbenchmarks:\n${list}`;
}

async function main(argv: string[]): Promise<void> {
  const { options, positional } = parseOptions(argv, specs);
  if (positional.length === 0) return void console.log(usage());
  if (positional.length > 1) throw new UsageError(`one benchmark at a time; got ${positional.join(" ")}`);
  const bench = benchmarks.find((b) => b.name === positional[0]);
  if (bench === undefined) throw new UsageError(`unknown benchmark "${positional[0]}"; known: ${benchmarks.map((b) => b.name).join(", ")}`);
  const only = (options.only ?? "").split(",").filter((s) => s !== "");
  const onRecord = options.json ? (r: BenchRecord) => console.log(JSON.stringify(r)) : (r: BenchRecord) => console.error(progress(r));
  const records = await runBenchmark(bench, { repeats: options.repeats ?? 9, quick: options.quick, only, threads: options.threads, onRecord });
  if (!options.json) console.log(formatTable(records));
  const unmatched = only.filter((impl) => !records.some((r) => r.impl === impl));
  if (unmatched.length > 0) console.error(`bench: --only ${unmatched.join(",")} matched no impl of ${bench.name}`);
}

main(process.argv.slice(2)).catch((e: unknown) => {
  console.error(e instanceof UsageError ? `bench: ${e.message}\n\n${usage()}` : e);
  process.exitCode = e instanceof UsageError ? 2 : 1;
});
