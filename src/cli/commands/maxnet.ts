/**
 * `layerwise maxnet`: runs MAXNET (lateral inhibition, y_i ← max(0, y_i − ε Σ_{j≠i} y_j)) from the
 * activations given, prints the iteration trace and the winner, and with --out draws the trace
 * (trace.svg: one line per unit) and writes summary.json.
 */
import { writeFileAtomic } from "../../io/files.js";
import { linePlotSvg } from "../../io/svg.js";
import { MAXNET } from "../../models/competitive/maxnet.js";
import { UsageError } from "../args.js";
import type { Command } from "../command.js";
import { defineCommand, outOption, requireOptionShowingHelp } from "../common.js";

const USAGE = "layerwise maxnet --activations 0.5,0.9,0.85,0.2 [--epsilon 0.1] [--out DIR]";

const specs = {
  activations: { type: "string", description: "y(0): m >= 2 non-negative numbers, comma-separated" },
  epsilon: { type: "number", description: "ε, the mutual inhibition, in (0, 1/m) (default 1/(2m))", above: 0 },
  "max-iterations": { type: "number", description: "iteration limit", integer: true, min: 1, default: 10_000 },
  out: outOption("folder for trace.svg and summary.json (optional)"),
} as const;

function parseActivations(text: string): number[] {
  const y = text.split(",").map((s) => (s.trim() === "" ? Number.NaN : Number(s)));
  if (y.length < 2 || y.some((v) => !Number.isFinite(v) || v < 0))
    throw new UsageError(`option --activations must be at least 2 finite numbers >= 0, comma-separated, e.g. 0.5,0.9,0.85; got "${text}"`);
  return y;
}

export const maxnetCommand: Command = defineCommand({
  path: ["maxnet"],
  summary: "lateral inhibition: run MAXNET from given activations, print (and draw) the iteration trace",
  usage: USAGE,
  specs,
  outDir: (o) => o.out,
  async run(o, help) {
    const y0 = parseActivations(requireOptionShowingHelp(o.activations, "--activations LIST", help));
    let net: MAXNET;
    try {
      net = new MAXNET({ units: y0.length, epsilon: o.epsilon, maxIterations: o["max-iterations"] });
    } catch (e) {
      throw new UsageError(`--epsilon: ${e instanceof Error ? e.message : String(e)}`);
    }
    const r = net.run(y0, { trace: true });
    for (const [t, y] of r.trace.entries()) console.log(`t ${String(t).padStart(4)}  ${Array.from(y, (v) => v.toFixed(4).padStart(8)).join(" ")}`);
    const outcome = r.status === "single-winner" ? `unit ${r.winner} wins` : r.status === "tie" ? `tie between units ${r.positive.join(", ")}` : r.status;
    console.log(`${outcome} after ${r.iterations} iterations (m ${net.units}, ε ${net.epsilon})`);
    if (o.out !== undefined) {
      const steps = r.trace.map((_, t) => t);
      const series = y0.map((_, i) => ({ name: `unit ${i}`, x: steps, y: r.trace.map((y) => y[i]) }));
      await writeFileAtomic(
        `${o.out}/trace.svg`,
        linePlotSvg({ title: `MAXNET, m = ${net.units}, ε = ${net.epsilon}`, xLabel: "iteration t", yLabel: "y_i(t)", series }),
      );
      const summary = { activations: y0, epsilon: net.epsilon, status: r.status, winner: r.winner, positive: r.positive, iterations: r.iterations };
      await writeFileAtomic(`${o.out}/summary.json`, `${JSON.stringify(summary, null, 2)}\n`);
      console.log(`wrote ${o.out}/trace.svg, ${o.out}/summary.json`);
    }
    return 0;
  },
});
