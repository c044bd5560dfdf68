/**
 * Crosstalk between correlated memories (the lecture's "1" and "4" case). Similar bitmaps have
 * large overlaps x_k · x_l, so under the Hebbian rule the field of pattern k carries the
 * crosstalk term Σ_{l≠k} x_l (x_l · x_k) that can outweigh its own signal: the stored digits are
 * not even fixed points, and recall falls into a blend. The pseudo-inverse rule
 * W = Xᵀ (X Xᵀ)⁻¹ X decorrelates them and recalls every digit. Prints the overlaps and the
 * recalled "1" and "4" bitmaps side by side.
 *
 *   node --import tsx examples/hopfield-crosstalk.ts [--noise 0.1] [--seed 1]
 */
import { flipUnits, Hopfield, hammingDistance, parsePatternText, Rng } from "layerwise";
import { parseOptions } from "layerwise/cli";

// the 7x5 digits 0-9: ten patterns in 35 units, many of them similar ("1" and "4", "3" and "5", "8" and "9")
const DIGITS = `
.###.
#...#
#..##
#.#.#
##..#
#...#
.###.

..#..
.##..
..#..
..#..
..#..
..#..
.###.

.###.
#...#
....#
...#.
..#..
.#...
#####

#####
...#.
..#..
...#.
....#
#...#
.###.

...#.
..##.
.#.#.
#..#.
#####
...#.
...#.

#####
#....
####.
....#
....#
#...#
.###.

..##.
.#...
#....
####.
#...#
#...#
.###.

#####
....#
...#.
..#..
.#...
.#...
.#...

.###.
#...#
#...#
.###.
#...#
#...#
.###.

.###.
#...#
#...#
.####
....#
...#.
.##..
`;
const NAMES = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];
/** Digits drawn side by side in the printout. */
const SHOWN = [1, 4];

const { options: o } = parseOptions(process.argv.slice(2), {
  noise: { type: "number", description: "fraction of pixels flipped in the probes", default: 0.1, min: 0, max: 0.5 },
  seed: { type: "number", description: "seed of the probes' noise", default: 1, integer: true },
});
const { patterns, height, width } = parsePatternText(DIGITS);
const [p, n] = patterns.shape;

const show = (x: ArrayLike<number>, r: number): string => Array.from({ length: width }, (_, c) => (x[r * width + c] > 0 ? "#" : ".")).join("");

console.log(`overlaps x_k · x_l / N of the ${p} stored ${height}x${width} digits:`);
for (let k = 0; k < p; k++) {
  const row = NAMES.map((_, l) => {
    let s = 0;
    for (let i = 0; i < n; i++) s += patterns.data[k * n + i] * patterns.data[l * n + i];
    return (s / n).toFixed(2).padStart(6);
  });
  console.log(`  ${NAMES[k]}: ${row.join("")}`);
}

const rng = new Rng(o.seed ?? 1);
const probes = flipUnits(patterns, o.noise ?? 0.1, rng);
for (const rule of ["hebbian", "pseudo-inverse"] as const) {
  const net = new Hopfield({ size: n }).store(patterns, { rule });
  const fixed = NAMES.filter((_, k) => net.isFixedPoint(patterns.row(k)));
  const results = NAMES.map((_, k) => net.recall(probes.row(k), { seed: k }));
  const exact = results.filter((r, k) => hammingDistance(r.state.data, patterns.row(k).data) === 0).length;
  // which stored digit each recalled state is nearest to (a blend is near none of them)
  const nearest = results.map((r) => {
    const d = NAMES.map((_, l) => hammingDistance(r.state.data, patterns.row(l).data));
    const best = d.indexOf(Math.min(...d));
    return d[best] === 0 ? NAMES[best] : `~${NAMES[best]}(${d[best]} off)`;
  });
  console.log(
    `\n${rule}: stored digits that are fixed points: ${fixed.length ? fixed.join(", ") : "none"}; recalled exactly from ${Math.round((o.noise ?? 0.1) * 100)} % noise: ${exact} / ${p}`,
  );
  console.log(`  probe of digit → recalled: ${NAMES.map((d, k) => `${d}→${nearest[k]}`).join("  ")}`);
  console.log(`  ${SHOWN.map((k) => `stored ${NAMES[k]}  probe    recalled`.padEnd(28)).join("")}`);
  for (let r = 0; r < height; r++) {
    console.log(
      `  ${SHOWN.map((k) => `${show(patterns.row(k).data, r)}    ${show(probes.row(k).data, r)}    ${show(results[k].state.data, r)}`.padEnd(28)).join("")}`,
    );
  }
}
