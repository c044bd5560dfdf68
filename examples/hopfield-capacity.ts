/**
 * Capacity of the Hopfield network: store P random patterns in N units, probe each with 10 %
 * of its units flipped, and count the patterns recalled exactly, for a range of loads P/N.
 * The Hebbian rule collapses near P ≈ 0.14 N (Amit, Gutfreund & Sompolinsky: 0.138 N); the
 * pseudo-inverse rule keeps its patterns fixed far beyond (its basins shrink as P/N → 1).
 * Prints a table and writes out/hopfield-capacity.svg.
 *
 *   node --import tsx examples/hopfield-capacity.ts [--units 500] [--seeds 3] [--noise 0.1]
 */
import { flipUnits, Hopfield, hammingDistance, linePlotSvg, Rng, randomPatterns, writeFileAtomic } from "layerwise";
import { parseOptions } from "layerwise/cli";

const { options: o } = parseOptions(process.argv.slice(2), {
  units: { type: "number", description: "number of units N", default: 500, integer: true, min: 20 },
  seeds: { type: "number", description: "independent pattern sets per load", default: 3, integer: true, min: 1 },
  noise: { type: "number", description: "fraction of units flipped in each probe", default: 0.1, min: 0, max: 0.5 },
  out: { type: "string", description: "where to write the capacity plot (SVG)", default: "out/hopfield-capacity.svg" },
});
const n = o.units ?? 500;
const seeds = o.seeds ?? 3;
const loads = [0.02, 0.04, 0.06, 0.08, 0.1, 0.11, 0.12, 0.13, 0.14, 0.15, 0.16, 0.18, 0.2, 0.25, 0.3];

function recalled(rule: "hebbian" | "pseudo-inverse", load: number): { exact: number; overlap: number } {
  let exact = 0;
  let overlap = 0;
  let total = 0;
  for (let seed = 0; seed < seeds; seed++) {
    const rng = new Rng(seed + 1);
    const p = Math.max(1, Math.round(load * n));
    const pats = randomPatterns(p, n, rng);
    const net = new Hopfield({ size: n }).store(pats, { rule });
    const probes = flipUnits(pats, o.noise ?? 0.1, rng);
    for (let k = 0; k < p; k++) {
      const r = net.recall(probes.row(k), { seed: k, record: "none" });
      const d = hammingDistance(r.state.data, pats.row(k).data);
      if (d === 0) exact++;
      overlap += 1 - (2 * d) / n;
      total++;
    }
  }
  return { exact: exact / total, overlap: overlap / total };
}

const t0 = performance.now();
console.log(`N = ${n}, ${Math.round((o.noise ?? 0.1) * 100)} % of units flipped, ${seeds} seeds per load`);
console.log("P/N    Hebbian exact  Hebbian overlap  pseudo-inverse exact");
const hebb: number[] = [];
const pinv: number[] = [];
for (const load of loads) {
  const h = recalled("hebbian", load);
  const p = recalled("pseudo-inverse", load);
  hebb.push(h.exact);
  pinv.push(p.exact);
  console.log(`${load.toFixed(2)}   ${h.exact.toFixed(3).padStart(13)}  ${h.overlap.toFixed(3).padStart(15)}  ${p.exact.toFixed(3).padStart(20)}`);
}
const svg = linePlotSvg({
  title: `Hopfield capacity, N = ${n}: fraction recalled exactly from ${Math.round((o.noise ?? 0.1) * 100)} % noise`,
  xLabel: "P / N",
  yLabel: "fraction recalled",
  series: [
    { name: "Hebbian", x: loads, y: hebb },
    { name: "pseudo-inverse", x: loads, y: pinv },
  ],
});
await writeFileAtomic(o.out ?? "out/hopfield-capacity.svg", svg);
console.log(`wrote ${o.out} (${((performance.now() - t0) / 1e3).toFixed(1)} s)`);
