/**
 * Hopfield–Tank TSP: for random 10-city instances, 20 seeded descents of the network's energy
 * each (mean-field annealing of graded units by default), the number of valid tours and the
 * ratio of their length to the exact optimum from Held–Karp dynamic programming.
 *
 *   node --import tsx examples/tsp-hopfield-tank.ts [--cities 10] [--instances 5] [--runs 20] [--dynamics mean-field|stochastic]
 */
import { runTspExperiment } from "layerwise";
import { parseOptions } from "layerwise/cli";

const { options: o } = parseOptions(process.argv.slice(2), {
  cities: { type: "number", description: "cities per instance", default: 10, integer: true, min: 3, max: 16 },
  instances: { type: "number", description: "random instances (seeds 1..n)", default: 5, integer: true, min: 1 },
  runs: { type: "number", description: "descents per instance", default: 20, integer: true, min: 1 },
  dynamics: { type: "string", description: "graded units (Hopfield–Tank) or stochastic units", default: "mean-field", choices: ["mean-field", "stochastic"] },
});
const t0 = performance.now();
let valid = 0;
let total = 0;
const all: number[] = [];
console.log(`${o.cities} cities, ${o.runs} runs per instance, ${o.dynamics} dynamics`);
console.log("seed  optimum  valid  best   median  within 10 %");
for (let seed = 1; seed <= (o.instances ?? 5); seed++) {
  const r = runTspExperiment({ cities: o.cities ?? 10, seed, runs: o.runs, dynamics: o.dynamics === "stochastic" ? "stochastic" : "mean-field" });
  valid += r.valid;
  total += r.runs.length;
  all.push(...r.ratios);
  const med = r.ratios[r.ratios.length >> 1];
  console.log(
    `${String(seed).padStart(4)}  ${r.optimum.length.toFixed(3).padStart(7)}  ${`${r.valid}/${r.runs.length}`.padStart(5)}  ${r.ratios[0]?.toFixed(3) ?? "  -  "}  ${med?.toFixed(3) ?? "  -  "}   ${r.ratios.filter((x) => x <= 1.1).length}`,
  );
}
all.sort((a, b) => a - b);
console.log(
  `all: ${valid}/${total} valid tours; length / optimum median ${all[all.length >> 1]?.toFixed(3)}, optimal ${all.filter((x) => x <= 1 + 1e-9).length}, within 10 % ${all.filter((x) => x <= 1.1).length} (${((performance.now() - t0) / 1e3).toFixed(1)} s)`,
);
