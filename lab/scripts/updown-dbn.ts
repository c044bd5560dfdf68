/**
 * Generative fine-tuning of a label DBN by the up-down algorithm (Hinton, Osindero & Teh 2006;
 * src/models/dbn/updown.ts) on the bundled training digits, so that a clamped label steers its
 * dreams more firmly; saves the tuned DBN.
 *   node --import tsx lab/scripts/updown-dbn.ts FROM OUT [--epochs 5] [--lr 0.01]
 */
import { loadDbn, loadMnist, upDown } from "layerwise";

const [from, out, ...rest] = process.argv.slice(2);
const option = (name: string, fallback: number): number => {
  const i = rest.indexOf(`--${name}`);
  return i < 0 ? fallback : Number(rest[i + 1]);
};
if (from === undefined || out === undefined) {
  console.error("usage: node --import tsx lab/scripts/updown-dbn.ts FROM OUT [--epochs 5] [--lr 0.01]");
  process.exit(2);
}
const dbn = await loadDbn(from);
const data = await loadMnist({ source: "bundled" });
const epochs = option("epochs", 5);
const learningRate = option("lr", 0.01);
const t0 = performance.now();
const logs = await upDown(dbn, data.train.images, data.train.oneHot, {
  epochs,
  learningRate,
  batchSize: 100,
  seed: 2006,
  callbacks: { onEpochEnd: (l) => console.log(`epoch ${l.epoch}: wake error ${l.wakeError.toFixed(2)}, sleep error ${l.sleepError.toFixed(2)}`) },
});
await dbn.save(out, { upDown: { epochs, learningRate, data: "bundled training digits (8,000)" } });
console.log(`${logs.length} up-down epochs, ${((performance.now() - t0) / 1000).toFixed(0)} s; saved to ${out}`);
