/**
 * The playground's 2-D data sets, seeded so a page (and its test) sees the same points every
 * time: n points in [−1, 1]², each with a class 0 or 1.
 * - linear: points on either side of a line, none within 0.1 of it (the perceptron rule converges);
 * - xor: four blobs, one per quadrant, class = sign(x) ≠ sign(y) (no line separates them);
 * - circles: a disc inside a ring (separable only by a curve);
 * - spirals: two interleaved arms (needs several hidden layers or many units).
 */
import { Rng, type Tensor, tensor } from "layerwise";

export const TOY_SETS = ["linear", "xor", "circles", "spirals"] as const;
export type ToySet = (typeof TOY_SETS)[number];

export interface ToyData {
  /** [n, 2] points. */
  x: Tensor;
  /** Class of each point, 0 or 1. */
  labels: Int32Array;
}

type Point = [number, number, number];

function blob(rng: Rng, cx: number, cy: number, std: number, label: number): Point {
  return [rng.normal(cx, std), rng.normal(cy, std), label];
}

const generators: Record<ToySet, (rng: Rng, i: number, n: number) => Point> = {
  linear: (rng, i) => {
    // uniform in the square, redrawn until on class i % 2's side of 0.6x − 0.8y = 0.1 with a margin
    for (;;) {
      const [x, y] = [rng.uniform(-1, 1), rng.uniform(-1, 1)];
      const side = 0.6 * x - 0.8 * y - 0.1;
      if (Math.abs(side) > 0.1 && side > 0 === (i % 2 === 1)) return [x, y, i % 2];
    }
  },
  xor: (rng, i) => {
    const sx = i % 2 === 0 ? 1 : -1;
    const sy = i % 4 < 2 ? 1 : -1;
    return blob(rng, 0.5 * sx, 0.5 * sy, 0.15, sx === sy ? 0 : 1);
  },
  circles: (rng, i) => {
    const inner = i % 2 === 0;
    const r = inner ? 0.45 * Math.sqrt(rng.nextFloat()) : rng.uniform(0.65, 0.95);
    const a = rng.uniform(0, 2 * Math.PI);
    return [r * Math.cos(a), r * Math.sin(a), inner ? 0 : 1];
  },
  spirals: (rng, i, n) => {
    // arm k (0 or 1) turned by kπ; radius grows with the angle, plus a little noise
    const k = i % 2;
    const t = (Math.floor(i / 2) / (n / 2)) * 3 * Math.PI + 0.3;
    const r = (0.9 * t) / (3 * Math.PI + 0.3);
    const a = t + k * Math.PI;
    return [r * Math.cos(a) + rng.normal(0, 0.02), r * Math.sin(a) + rng.normal(0, 0.02), k];
  },
};

export function toyData(set: ToySet, n: number, seed: number): ToyData {
  const rng = new Rng(seed);
  const points = Array.from({ length: n }, (_, i) => generators[set](rng, i, n));
  return { x: tensor(points.map(([px, py]) => [px, py])), labels: Int32Array.from(points, (p) => p[2]) };
}
