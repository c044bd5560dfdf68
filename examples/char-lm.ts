/**
 * A character-level language model on the King James Bible (Debian's bible-kjv-text, public
 * domain; data/kjv.txt.gz, 4.3 million characters, 73 distinct): Embedding → LSTM × 2 →
 * softmax over the characters, trained by truncated BPTT over contiguous chunks. Prints the
 * bits per character on the held-out tail beside a unigram and a bigram baseline (add-one
 * smoothing) counted on the same training text, then 3 samples at temperatures 0.5, 0.8, 1.0.
 * The model is saved after every epoch and every --save-every batches (--out), for
 * `layerwise generate --model DIR`.
 *
 *   node --import tsx examples/char-lm.ts [--text data/kjv.txt.gz] [--held-out 0.05]
 *        [--units 128] [--layers 2] [--embedding 32] [--steps 100] [--batch 32] [--epochs 2]
 *        [--lr 0.002] [--train-chars N] [--length 400] [--prime TEXT] [--seed 1] [--out out/char-lm]
 *        [--save-every 200] [--resume]
 */
import { Adam, CharLM, CharVocabulary, hasSavedModel, LambdaCallback, loadModel, loadText, ngramBitsPerChar } from "layerwise";
import { parseOptions } from "layerwise/cli";

const { options } = parseOptions(process.argv.slice(2), {
  text: { type: "string", default: "data/kjv.txt.gz", description: "the text (UTF-8, gzipped or not)" },
  "held-out": { type: "number", min: 0.001, max: 0.5, default: 0.05, description: "fraction of the text at its end held out" },
  units: { type: "number", integer: true, min: 1, default: 128, description: "LSTM units per layer" },
  layers: { type: "number", integer: true, min: 1, default: 2, description: "stacked LSTM layers" },
  embedding: { type: "number", integer: true, min: 1, default: 32, description: "embedding size" },
  steps: { type: "number", integer: true, min: 1, default: 100, description: "T, characters per chunk (BPTT truncation)" },
  batch: { type: "number", integer: true, min: 1, default: 32, description: "parallel streams (batch rows)" },
  epochs: { type: "number", integer: true, min: 1, default: 2, description: "passes over the training text" },
  lr: { type: "number", min: 0, default: 0.002, description: "Adam's learning rate (clipNorm 5)" },
  "train-chars": { type: "number", integer: true, min: 2, description: "train on the first N characters of the training part only" },
  length: { type: "number", integer: true, min: 1, default: 400, description: "characters per sample" },
  prime: {
    type: "string",
    default: "And it came to pass",
    description: "text each sample continues (from a newline alone the state is one the model rarely saw)",
  },
  seed: { type: "number", integer: true, default: 1, description: "seed of initialisation and sampling" },
  out: { type: "string", default: "out/char-lm", description: "folder the model is saved in after each epoch (and every --save-every batches)" },
  resume: { type: "boolean", description: "go on training the model saved in --out, for --epochs more epochs" },
  "save-every": { type: "number", integer: true, min: 1, default: 200, description: "also save the model every this many batches" },
} as const);
const o = options as { [K in keyof typeof options]: NonNullable<(typeof options)[K]> };

const text = await loadText(o.text);
const chars = [...text];
const cut = chars.length - Math.round(chars.length * o["held-out"]);
const train = chars.slice(0, o["train-chars"] === undefined ? cut : Math.min(cut, o["train-chars"])).join("");
const heldOut = chars.slice(cut).join("");
const vocabulary = CharVocabulary.of(text);
console.log(`${o.text}: ${chars.length} characters, ${vocabulary.size} distinct; training on ${[...train].length}, held-out tail ${chars.length - cut}`);

const baselines = ngramBitsPerChar(vocabulary.encode(train), vocabulary.encode(heldOut), vocabulary.size);
console.log(`held-out bits/char: unigram ${baselines.unigram.toFixed(3)}, bigram ${baselines.bigram.toFixed(3)} (add-one smoothing)`);

/** With --resume, the model saved in --out goes on training (its own size, optimiser state and epoch count). */
async function makeModel(): Promise<CharLM> {
  if (o.resume && (await hasSavedModel(o.out))) {
    const saved = await loadModel(o.out);
    if (!(saved instanceof CharLM)) throw new Error(`--resume: ${o.out} holds a ${saved.constructor.name}, not a CharLM`);
    console.log(`resuming the CharLM in ${o.out} after ${saved.model.epochsTrained} epochs (LSTM ${saved.options.layers}×${saved.options.units})`);
    return saved;
  }
  return new CharLM({
    vocabulary: vocabulary.chars,
    units: o.units,
    layers: o.layers,
    embedding: o.embedding,
    steps: o.steps,
    seed: o.seed,
    optimizer: new Adam({ learningRate: o.lr, clipNorm: 5 }),
  });
}
const lm = await makeModel();
const start = performance.now();
const seconds = (): string => ((performance.now() - start) / 1e3).toFixed(0);
let batches = 0;
let final = Number.NaN;
await lm.fit(train, {
  epochs: o.epochs,
  batchSize: o.batch,
  validationText: heldOut,
  callbacks: [
    new LambdaCallback({
      onBatchEnd: (b, logs) => {
        batches++;
        if (b % 100 === 0) console.log(`  batch ${b}: ${logs.bitsPerChar.toFixed(3)} bits/char (${seconds()} s)`);
        if ((b + 1) % o["save-every"] === 0) return lm.save(o.out, { text: o.text, batches });
      },
      onEpochEnd: async (epoch, logs) => {
        final = logs.val_bitsPerChar;
        console.log(`epoch ${epoch + 1}: training ${logs.bitsPerChar.toFixed(3)}, held-out ${logs.val_bitsPerChar.toFixed(3)} bits/char (${seconds()} s)`);
        await lm.save(o.out, { text: o.text, epochs: epoch + 1, heldOutBitsPerChar: logs.val_bitsPerChar, ...baselines });
      },
    }),
  ],
});
console.log(`\nheld-out bits/char after ${lm.model.epochsTrained} epochs (${batches} updates, ${seconds()} s):`);
console.log(`  LSTM ${lm.options.layers}×${lm.options.units}  ${final.toFixed(3)}`);
console.log(`  bigram      ${baselines.bigram.toFixed(3)}`);
console.log(`  unigram     ${baselines.unigram.toFixed(3)}`);
console.log(`model saved in ${o.out}`);
for (const temperature of [0.5, 0.8, 1.0]) {
  console.log(`\n--- sample, temperature ${temperature} ---`);
  console.log(o.prime + lm.sample({ length: o.length, temperature, prime: o.prime, seed: o.seed }));
}
