/**
 * `npm run bench:table -- NAME|FILE.jsonl ... [options]`: one markdown table (bench/markdown.ts)
 * for docs/bench.md from several benchmarks. Each NAME runs as `bench/run.ts NAME --json` in its
 * own process (progress on stderr); each FILE.jsonl is read as the JSON lines such a run printed.
 * `--save` keeps the records of this run, so the table can be made again without rerunning.
 */
import { spawn } from "node:child_process";
import { appendFileSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { formatHelp, parseOptions, UsageError } from "../src/cli/args.js";
import type { BenchRecord } from "./harness.js";
import { defaultMarkdownOptions, markdownTable } from "./markdown.js";
import { benchmarks } from "./registry.js";

const specs = {
  repeats: { type: "number", description: "timed samples per measurement (passed to each run)", integer: true, min: 1, max: 1000 },
  threads: { type: "number", description: "threads for multi-threaded impls (passed to each run)", integer: true, min: 1, max: 256 },
  only: { type: "string", description: "comma-separated impl names to run (passed to each run)" },
  quick: { type: "boolean", description: "tiny workloads (passed to each run): checks the table, measures nothing" },
  rate: {
    type: "string",
    description: "comma-separated benches whose cells give GFLOP/s instead of a time",
    default: defaultMarkdownOptions.rateBenches.join(","),
  },
  save: { type: "string", description: "append every record (run or read) to this JSON lines file" },
  out: { type: "string", description: "write the table to this file instead of stdout" },
} as const;

const isRecordFile = (arg: string): boolean => arg.endsWith(".jsonl") || arg.endsWith(".json");

function usage(): string {
  return `${formatHelp("npm run bench:table -- NAME|FILE.jsonl ... [options]", specs)}\n\nbenchmarks: ${benchmarks.map((b) => b.name).join(", ")}`;
}

export function parseRecords(text: string, source: string): BenchRecord[] {
  return text
    .split("\n")
    .filter((line) => line.trim().startsWith("{"))
    .map((line, i) => {
      try {
        return JSON.parse(line) as BenchRecord;
      } catch {
        throw new Error(`${source}: record ${i + 1} is not JSON: ${line.slice(0, 80)}`);
      }
    });
}

/** Runs one benchmark in its own process with --json; its stderr (progress) passes through. */
function runBench(name: string, passed: string[]): Promise<BenchRecord[]> {
  const script = fileURLToPath(new URL("./run.ts", import.meta.url));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", script, name, "--json", ...passed], { stdio: ["ignore", "pipe", "inherit"] });
    let stdout = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk;
    });
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve(parseRecords(stdout, name)) : reject(new Error(`bench ${name} exited with status ${code}`))));
  });
}

async function main(argv: string[]): Promise<void> {
  const { options, positional } = parseOptions(argv, specs);
  if (positional.length === 0) return void console.log(usage());
  const known = new Set(benchmarks.map((b) => b.name));
  const unknown = positional.filter((p) => !isRecordFile(p) && !known.has(p));
  if (unknown.length > 0) throw new UsageError(`unknown benchmark ${unknown.map((u) => `"${u}"`).join(", ")}; give a name or a .jsonl file`);
  const passed = [
    ...(options.repeats === undefined ? [] : ["--repeats", String(options.repeats)]),
    ...(options.threads === undefined ? [] : ["--threads", String(options.threads)]),
    ...(options.only === undefined ? [] : ["--only", options.only]),
    ...(options.quick ? ["--quick"] : []),
  ];
  const records: BenchRecord[] = [];
  for (const source of positional) {
    const got = isRecordFile(source) ? parseRecords(readFileSync(source, "utf8"), source) : await runBench(source, passed);
    if (options.save !== undefined) appendFileSync(options.save, got.map((r) => `${JSON.stringify(r)}\n`).join(""));
    records.push(...got);
  }
  const rateBenches = (options.rate ?? "").split(",").filter((s) => s !== "");
  const table = `${markdownTable(records, { rateBenches })}\n`;
  if (options.out === undefined) process.stdout.write(table);
  else writeFileSync(options.out, table);
}

main(process.argv.slice(2)).catch((e: unknown) => {
  console.error(e instanceof UsageError ? `bench:table: ${e.message}\n\n${usage()}` : `bench:table: ${e instanceof Error ? e.message : String(e)}`);
  process.exitCode = e instanceof UsageError ? 2 : 1;
});
