/**
 * The long fuzz run (`npm run fuzz`): FUZZ_RUNS cases per loader (default 100,000), FUZZ_SEED
 * (default: a fresh one, printed so a finding can be replayed), and a table of what happened:
 * cases, loads, clean errors, crashes, wrong loads and hangs (a case still unsettled after
 * HANG_MS). Each crash, wrong load or hang is printed once per distinct message; the exit code
 * is 1 when there was any.
 */
import fc from "fast-check";
import { allTargets, classify, type FuzzTarget } from "./targets.js";

const HANG_MS = 10_000;

interface Counts {
  cases: number;
  load: number;
  clean: number;
  crash: number;
  wrong: number;
  hang: number;
}

/** Runs one target for `runs` cases and counts the outcomes; findings maps each distinct problem to one input. */
export async function fuzzTarget<T>(target: FuzzTarget<T>, runs: number, seed: number, findings: Map<string, string>): Promise<Counts> {
  const counts: Counts = { cases: 0, load: 0, clean: 0, crash: 0, wrong: 0, hang: 0 };
  const property = fc.asyncProperty(target.inputs, async (input) => {
    counts.cases++;
    let timer: NodeJS.Timeout | undefined;
    const hang = new Promise<"hang">((resolve) => {
      timer = setTimeout(() => resolve("hang"), HANG_MS);
    });
    const r = await Promise.race([classify(target, input), hang]);
    clearTimeout(timer);
    const outcome = r === "hang" ? "hang" : r.outcome;
    counts[outcome]++;
    if (outcome !== "load" && outcome !== "clean") {
      const detail = r === "hang" ? `unsettled after ${HANG_MS} ms` : r.detail.split("\n")[0];
      const key = `${target.name}: ${outcome}: ${detail}`;
      if (!findings.has(key)) findings.set(key, preview(input));
    }
    return true;
  });
  await fc.assert(property, { numRuns: runs, seed, endOnFailure: true });
  return counts;
}

function preview(input: unknown): string {
  const text =
    input instanceof Uint8Array
      ? `bytes ${Buffer.from(input.subarray(0, 96)).toString("hex")}${input.length > 96 ? `… (${input.length} bytes)` : ""}`
      : JSON.stringify(input, (_, v) => (v instanceof Uint8Array ? `<${v.length} bytes>` : v));
  return text.length > 400 ? `${text.slice(0, 400)}…` : text;
}

async function main(): Promise<number> {
  const runs = Number(process.env.FUZZ_RUNS ?? 100_000);
  const seed = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
  const only = process.env.FUZZ_ONLY;
  console.log(`fuzz: ${runs} cases per loader, seed ${seed} (replay with FUZZ_SEED=${seed})`);
  const findings = new Map<string, string>();
  const rows: (Counts & { target: string; seconds: string })[] = [];
  for (const target of await allTargets()) {
    if (only !== undefined && !target.name.includes(only)) continue;
    const t0 = performance.now();
    const counts = await fuzzTarget(target, runs, seed, findings);
    rows.push({ target: target.name, ...counts, seconds: ((performance.now() - t0) / 1000).toFixed(1) });
    console.log(JSON.stringify(rows[rows.length - 1]));
  }
  console.table(rows);
  for (const [problem, input] of findings) console.log(`${problem}\n  input: ${input}`);
  return findings.size === 0 ? 0 : 1;
}

if (import.meta.filename === process.argv[1]) process.exitCode = await main();
