/**
 * The classic picture of Kohonen's map (Kohonen 1982; Haykin ch. 9): a 10x10 grid whose
 * prototypes start scattered at random over the unit square, trained on points drawn uniformly
 * from it. The large early radius first contracts the grid and sorts it; as the radius and rate
 * shrink it unfolds into an even lattice covering the square. Writes one SVG frame per epoch
 * (frame-000.svg is the start) into --out, ready to be played as an animation, and prints the
 * quantisation and topographic errors per epoch.
 *
 *   node --import tsx examples/som-unfolding.ts [--grid 10x10] [--epochs 30] [--points 1000]
 *        [--topology rect|hex] [--batch] [--seed 1] [--out out/som-unfolding]
 */
import { joinPath, LambdaCallback, parseGrid, Rng, randUniform, SOM, somGridSvg, writeFileAtomic } from "layerwise";
import { parseOptions } from "layerwise/cli";

const { options } = parseOptions(process.argv.slice(2), {
  grid: { type: "string", default: "10x10", description: "ROWSxCOLS of the map" },
  epochs: { type: "number", integer: true, min: 1, default: 30, description: "passes over the points (one frame each)" },
  points: { type: "number", integer: true, min: 1, default: 1000, description: "training points, uniform on the unit square" },
  topology: { type: "string", choices: ["rect", "hex"], default: "rect", description: "grid of 4 or 6 neighbours" },
  batch: { type: "boolean", description: "the batch SOM instead of the online rule" },
  seed: { type: "number", integer: true, default: 1, description: "seed of the points, the start and the order" },
  out: { type: "string", default: "out/som-unfolding", description: "folder for frame-NNN.svg" },
} as const);
const o = options as { [K in keyof typeof options]-?: NonNullable<(typeof options)[K]> };

const x = randUniform([o.points, 2], new Rng(o.seed));
const som = new SOM({ grid: parseGrid(o.grid), topology: o.topology as "rect" | "hex", mode: o.batch ? "batch" : "online", init: "random", seed: o.seed });
const frames: Promise<void>[] = [];
const frame = (epoch: number, logs?: Record<string, number>): void => {
  const title =
    epoch === 0 ? "start: prototypes at random" : `epoch ${epoch}: σ ${logs?.radius.toFixed(2)}, topographic error ${logs?.topographicError.toFixed(3)}`;
  const svg = somGridSvg(som, { data: x, bounds: [0, 1, 0, 1], title });
  frames.push(writeFileAtomic(joinPath(o.out, `frame-${String(epoch).padStart(3, "0")}.svg`), svg));
};
console.log(`SOM ${o.grid} ${o.topology}, ${o.batch ? "batch" : "online"}, on ${o.points} uniform points in the unit square, ${o.epochs} epochs`);
console.log("epoch  radius  quantisation  topographic");
som.fit(x, {
  epochs: o.epochs,
  callbacks: [
    new LambdaCallback({
      onTrainBegin: () => frame(0),
      onEpochEnd: (epoch, logs) => {
        frame(epoch + 1, logs);
        console.log(
          `${String(epoch + 1).padStart(5)}  ${logs.radius.toFixed(3).padStart(6)}  ${logs.quantisationError.toFixed(4).padStart(12)}  ${logs.topographicError.toFixed(4).padStart(11)}`,
        );
      },
    }),
  ],
});
await Promise.all(frames);
console.log(`wrote ${frames.length} frames to ${o.out}/frame-000.svg … frame-${String(o.epochs).padStart(3, "0")}.svg`);
