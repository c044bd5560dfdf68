/**
 * Associative recall of real images: store the first MNIST digit of each class 0..4
 * (binarised at 0.5, 784 bipolar units), flip 20 % of the pixels, recall, and write a PNG strip
 * per storage rule (rows: original, noisy, recalled). Digits overlap heavily, so the Hebbian
 * rule falls into one spurious blend while the pseudo-inverse rule recalls every digit.
 *
 *   node --import tsx examples/hopfield-mnist.ts [--digits 5] [--noise 0.2] [--out out]
 */
import { digitPatterns, flipUnits, Hopfield, hammingDistance, loadMnist, Rng, tileImages, writePng, zeros } from "layerwise";
import { parseOptions } from "layerwise/cli";

const { options: o } = parseOptions(process.argv.slice(2), {
  digits: { type: "number", description: "store the digits 0..n−1", default: 5, integer: true, min: 1, max: 10 },
  noise: { type: "number", description: "fraction of pixels flipped", default: 0.2, min: 0, max: 1 },
  seed: { type: "number", description: "seed of the probes' noise", default: 1, integer: true },
  out: { type: "string", description: "folder for the recall PNGs", default: "out" },
});
const data = await loadMnist({ limitTest: 0 });
const { patterns, names } = digitPatterns(data.train.images, data.train.labels, o.digits ?? 5);
const [p, n] = patterns.shape;
const noisy = flipUnits(patterns, o.noise ?? 0.2, new Rng(o.seed ?? 1));
for (const rule of ["hebbian", "pseudo-inverse"] as const) {
  const net = new Hopfield({ size: n }).store(patterns, { rule });
  const strip = zeros([3 * p, n]);
  const line: string[] = [];
  for (let k = 0; k < p; k++) {
    const r = net.recall(noisy.row(k), { seed: k, record: "none" });
    const wrong = hammingDistance(r.state.data, patterns.row(k).data);
    line.push(`${names[k]}: ${wrong} wrong`);
    for (let i = 0; i < n; i++) {
      strip.data[k * n + i] = (patterns.data[k * n + i] + 1) / 2;
      strip.data[(p + k) * n + i] = (noisy.data[k * n + i] + 1) / 2;
      strip.data[(2 * p + k) * n + i] = (r.state.data[i] + 1) / 2;
    }
  }
  const path = `${o.out}/hopfield-mnist-${rule}.png`;
  await writePng(path, tileImages(strip, { height: 28, width: 28, cols: p, pad: 2, scale: 2, background: 0.5 }));
  console.log(`${rule.padEnd(15)} ${line.join(", ")}  → ${path}`);
}
