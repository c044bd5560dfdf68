/**
 * The LSTM encoder-decoder (the lectures' "autoencoder combined with LSTM"): an encoder LSTM
 * reads a random string over K symbols into its final state (h, c), a decoder LSTM started
 * from that state writes it back out, as it was ("copy") and reversed ("reverse"). Trains
 * one SeqAutoencoder per task on strings of random lengths in [1, max-length] (teacher
 * forcing), then decodes fresh test strings greedily and prints the per-symbol and
 * whole-sequence accuracy by length beside chance (1/K per symbol); writes the per-symbol
 * curves as an SVG.
 *
 *   node --import tsx examples/seq-autoencoder.ts [--symbols 8] [--units 128] [--max-length 20]
 *        [--lengths 5,10,15,20,25,30,35,40] [--train 12000] [--test 200] [--epochs 6]
 *        [--batch 64] [--lr 0.005] [--tasks copy,reverse] [--out out]
 *
 * Reversing is the easier task (Sutskever et al. 2014 reversed their source sentences for
 * this reason): the first symbols out are the last ones in, a few steps from the code, and
 * the decoder's early steps, which everything after depends on, get the freshest memory.
 * The defaults are the run of docs/recurrent.md (about 30 minutes for both tasks on a busy
 * 2-core box); test lengths beyond --max-length show how far it generalises.
 */
import { Adam, LambdaCallback, linePlotSvg, SEQUENCE_TASKS, SeqAutoencoder, type SequenceTask, symbolSequences, writeFileAtomic } from "layerwise";
import { parseOptions } from "layerwise/cli";

const { options } = parseOptions(process.argv.slice(2), {
  symbols: { type: "number", integer: true, min: 2, default: 8, description: "K, the size of the alphabet" },
  units: { type: "number", integer: true, min: 1, default: 128, description: "units of the encoder and the decoder LSTM" },
  "max-length": { type: "number", integer: true, min: 1, default: 20, description: "training strings have lengths 1 … max-length" },
  lengths: { type: "string", default: "5,10,15,20,25,30,35,40", description: "test lengths, comma-separated" },
  train: { type: "number", integer: true, min: 1, default: 12000, description: "training strings per task" },
  test: { type: "number", integer: true, min: 1, default: 200, description: "test strings per length" },
  epochs: { type: "number", integer: true, min: 1, default: 6, description: "passes over the training strings" },
  batch: { type: "number", integer: true, min: 1, default: 64, description: "strings per batch" },
  lr: { type: "number", above: 0, default: 0.005, description: "Adam's learning rate (clipNorm 1, cosine decay over the epochs)" },
  tasks: { type: "string", default: "copy,reverse", description: "which tasks, comma-separated: copy, reverse" },
  seed: { type: "number", integer: true, default: 1, description: "seed of data, initialisation and shuffling" },
  out: { type: "string", default: "out", description: "folder for seq-autoencoder.svg" },
} as const);
// every option has a default
const o = options as { [K in keyof typeof options]-?: NonNullable<(typeof options)[K]> };

const lengths = o.lengths.split(",").map((s) => Number(s.trim()));
for (const L of lengths) if (!Number.isInteger(L) || L < 1) throw new RangeError(`--lengths: each must be an integer >= 1; got ${JSON.stringify(L)}`);
const tasks = o.tasks.split(",").map((t) => t.trim()) as SequenceTask[];
for (const t of tasks)
  if (!(SEQUENCE_TASKS as readonly string[]).includes(t)) throw new RangeError(`--tasks: ${JSON.stringify(t)} is not one of ${SEQUENCE_TASKS.join(", ")}`);

const train = symbolSequences({ count: o.train, symbols: o.symbols, minLength: 1, maxLength: o["max-length"], seed: o.seed });
const tests = lengths.map((L, i) => ({ L, ...symbolSequences({ count: o.test, symbols: o.symbols, maxLength: L, seed: o.seed + 100 + i }) }));
console.log(
  `LSTM encoder-decoder, ${o.units} units, K = ${o.symbols} symbols: ${o.train} training strings of lengths 1…${o["max-length"]}, ${o.test} test strings per length; chance ${(1 / o.symbols).toFixed(3)} per symbol`,
);

const series = [];
for (const task of tasks) {
  const model = new SeqAutoencoder({
    symbols: o.symbols,
    units: o.units,
    task,
    seed: o.seed,
    optimizer: new Adam({ learningRate: o.lr, clipNorm: 1, schedule: { type: "cosine", epochs: o.epochs } }),
  });
  const start = performance.now();
  await model.fit(train.ids, train.mask, {
    epochs: o.epochs,
    batchSize: o.batch,
    callbacks: [
      new LambdaCallback({
        onEpochEnd: (epoch, logs) => {
          const seconds = ((performance.now() - start) / 1000).toFixed(0);
          console.log(`${task.padEnd(7)} epoch ${String(epoch + 1).padStart(3)}: loss ${logs.loss.toFixed(4)} nats per symbol  (${seconds} s)`);
        },
      }),
    ],
  });
  console.log(`${task}: greedy decoding of test strings       length  per symbol  whole sequence`);
  const perSymbol: number[] = [];
  for (const { L, ids, mask } of tests) {
    const a = model.accuracy(ids, mask);
    perSymbol.push(a.symbols);
    console.log(`${" ".repeat(task.length + 41)}${String(L).padStart(6)}  ${a.symbols.toFixed(3).padStart(10)}  ${a.sequences.toFixed(3).padStart(14)}`);
  }
  series.push({ name: `${task} (per symbol)`, x: lengths, y: perSymbol });
}
series.push({ name: "chance", x: [lengths[0], lengths[lengths.length - 1]], y: [1 / o.symbols, 1 / o.symbols] });

const svg = linePlotSvg({
  title: `LSTM encoder-decoder (${o.units} units, K = ${o.symbols}): reconstruction by length`,
  xLabel: "sequence length",
  yLabel: "per-symbol accuracy",
  series,
});
await writeFileAtomic(`${o.out}/seq-autoencoder.svg`, svg);
console.log(`wrote ${o.out}/seq-autoencoder.svg`);
