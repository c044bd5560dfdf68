/** `layerwise tsp`: Hopfield–Tank on random cities, compared with the Held–Karp optimum. */
import { geometricSchedule } from "../../models/hopfield/anneal.js";
import { DEFAULT_TSP_PENALTIES, MAX_HELD_KARP_CITIES, runTspExperiment } from "../../models/hopfield/tsp.js";
import type { Command } from "../command.js";
import { defineCommand, seedOption } from "../common.js";

const specs = {
  cities: { type: "number", description: "number of random cities in the unit square", default: 10, integer: true, min: 3, max: MAX_HELD_KARP_CITIES },
  seed: seedOption("seed of the cities (run k uses seed·1000 + k)"),
  runs: { type: "number", description: "independent descents", default: 20, integer: true, min: 1, max: 10000 },
  dynamics: { type: "string", description: "graded units (Hopfield–Tank) or stochastic units", default: "mean-field", choices: ["mean-field", "stochastic"] },
  sweeps: { type: "number", description: "annealing sweeps", default: 2000, integer: true, min: 1 },
  "t-start": { type: "number", description: "first temperature", default: 4, min: 1e-6 },
  "t-end": { type: "number", description: "last temperature", default: 0.05, min: 1e-6 },
  A: { type: "number", description: "row penalty", default: DEFAULT_TSP_PENALTIES.A, min: 0 },
  B: { type: "number", description: "column penalty", default: DEFAULT_TSP_PENALTIES.B, min: 0 },
  C: { type: "number", description: "count penalty", default: DEFAULT_TSP_PENALTIES.C, min: 0 },
  D: { type: "number", description: "tour-length weight", default: DEFAULT_TSP_PENALTIES.D, min: 0 },
  json: { type: "boolean", description: "print one JSON object" },
} as const;

const USAGE = "layerwise tsp [--cities 10] [--seed 1] [--runs 20] [--dynamics mean-field|stochastic]";

export const tspCommand: Command = defineCommand({
  path: ["tsp"],
  summary: "Hopfield–Tank TSP on random cities: valid tours and length / Held–Karp optimum",
  usage: USAGE,
  specs,
  async run(o) {
    const t0 = performance.now();
    const r = runTspExperiment({
      cities: o.cities ?? 10,
      seed: o.seed ?? 1,
      runs: o.runs ?? 20,
      dynamics: o.dynamics === "stochastic" ? "stochastic" : "mean-field",
      penalties: { A: o.A ?? 0, B: o.B ?? 0, C: o.C ?? 0, D: o.D ?? 0 },
      schedule: geometricSchedule({ start: o["t-start"] ?? 4, end: o["t-end"] ?? 0.05, steps: o.sweeps ?? 2000 }),
    });
    const seconds = (performance.now() - t0) / 1e3;
    const median = r.ratios.length > 0 ? r.ratios[r.ratios.length >> 1] : Number.NaN;
    if (o.json) {
      console.log(
        JSON.stringify({
          cities: o.cities,
          seed: o.seed,
          runs: r.runs.length,
          valid: r.valid,
          optimum: r.optimum.length,
          ratios: r.ratios,
          medianRatio: median,
          seconds,
        }),
      );
      return 0;
    }
    console.log(`${o.cities} cities (seed ${o.seed}); Held–Karp optimum ${r.optimum.length.toFixed(4)}: tour ${Array.from(r.optimum.tour).join(" ")}`);
    for (const [k, run] of r.runs.entries()) {
      const what = run.valid
        ? `length ${run.length.toFixed(4)}  ratio ${(run.length / r.optimum.length).toFixed(3)}  tour ${Array.from(run.tour ?? []).join(" ")}`
        : `invalid (row ${run.terms.row}, column ${run.terms.column}, count ${run.terms.count})`;
      console.log(`run ${String(k + 1).padStart(3)}: ${what}`);
    }
    const within = (f: number): number => r.ratios.filter((x) => x <= f + 1e-12).length;
    console.log(
      `valid tours: ${r.valid} / ${r.runs.length}; length / optimum: best ${r.ratios[0]?.toFixed(3) ?? "-"}, median ${Number.isNaN(median) ? "-" : median.toFixed(3)}; optimal ${within(1)}, within 10 % ${within(1.1)} (${seconds.toFixed(1)} s)`,
    );
    return 0;
  },
});
