import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { trainCharTask } from "../src/cli/commands/train-rnn-chars.js";
import { Adam, CharLM, CharVocabulary, Dense, LambdaCallback, loadModel, ModelCheckpoint, ngramBitsPerChar, Sequential, splitHeldOut } from "../src/index.js";
import { cli } from "./helpers/cli.js";

// Genesis 1–3 of the King James Bible (public domain), 11,000 characters: the first lines of data/kjv.txt.gz
const GENESIS = readFileSync(new URL("./fixtures/genesis-1-3.txt", import.meta.url), "utf8");
const { train, heldOut } = splitHeldOut(GENESIS, 0.1);
const vocabulary = CharVocabulary.of(GENESIS);

function smallLM(units = 32): CharLM {
  return new CharLM({
    vocabulary: vocabulary.chars,
    units,
    layers: 2,
    embedding: 16,
    steps: 25,
    seed: 1,
    optimizer: new Adam({ learningRate: 0.01, clipNorm: 5 }),
  });
}

describe("CharLM on Genesis 1–3", () => {
  let lm: CharLM;
  let history: Record<string, number[]>;
  before(async () => {
    lm = smallLM();
    history = (await lm.fit(train, { epochs: 15, batchSize: 16, validationText: heldOut })).history;
  });

  it("learns the text: held-out bits/char far below the unigram and below the bigram baseline", () => {
    const { unigram, bigram } = ngramBitsPerChar(vocabulary.encode(train), vocabulary.encode(heldOut), vocabulary.size);
    const bits = lm.bitsPerChar(heldOut);
    // measured: 2.87 bits/char, against unigram 4.35 and bigram 3.43
    assert.ok(bits < unigram - 1, `held-out ${bits.toFixed(3)} bits/char, unigram ${unigram.toFixed(3)}`);
    assert.ok(bits < bigram - 0.3, `held-out ${bits.toFixed(3)} bits/char, bigram ${bigram.toFixed(3)}`);
    assert.equal(history.val_bitsPerChar.at(-1), bits, "the last epoch's val_bitsPerChar is bitsPerChar of the held-out text");
    assert.ok(history.bitsPerChar[14] < history.bitsPerChar[0] - 1.5, `training bits/char ${history.bitsPerChar.map((b) => b.toFixed(2)).join(" ")}`);
  });

  it("samples the same text for the same seed, another for another seed, and continues a prime", () => {
    const a = lm.sample({ length: 200, temperature: 0.8, seed: 5 });
    assert.equal([...a].length, 200);
    assert.equal(lm.sample({ length: 200, temperature: 0.8, seed: 5 }), a);
    assert.notEqual(lm.sample({ length: 200, temperature: 0.8, seed: 6 }), a);
    for (const c of a) assert.ok(vocabulary.has(c));
    assert.notEqual(lm.sample({ length: 200, temperature: 0.8, seed: 5, prime: "And God said" }), a);
    assert.equal(lm.sample({ length: 0 }), "");
  });

  it("a lower temperature draws text the model finds more likely", () => {
    // the model's own bits/char of its samples: p^(1/τ) favours likely characters more as τ falls
    const bits = [0.3, 1, 2].map((temperature) => lm.bitsPerChar(lm.sample({ length: 600, temperature, seed: 2 })));
    assert.ok(bits[0] < bits[1] - 0.3 && bits[1] < bits[2] - 0.3, `bits/char of samples at τ 0.3, 1, 2: ${bits.map((b) => b.toFixed(2)).join(", ")}`);
  });

  it("saves and loads with its vocabulary: the same samples and bits/char", async () => {
    const dir = mkdtempSync(join(tmpdir(), "charlm-"));
    await lm.save(dir);
    const loaded = await loadModel(dir);
    assert.ok(loaded instanceof CharLM);
    assert.deepEqual(loaded.vocabulary.chars, vocabulary.chars);
    assert.equal(
      loaded.sample({ length: 150, temperature: 0.7, seed: 9, prime: "In the" }),
      lm.sample({ length: 150, temperature: 0.7, seed: 9, prime: "In the" }),
    );
    assert.equal(loaded.bitsPerChar(heldOut), lm.bitsPerChar(heldOut));
  });
});

describe("layerwise generate", () => {
  let dir: string;
  let lm: CharLM;
  before(async () => {
    lm = smallLM(8);
    await lm.fit(train, { epochs: 1, batchSize: 8 });
    dir = mkdtempSync(join(tmpdir(), "generate-"));
    await lm.save(dir);
  });

  it("prints the prime and the model's sample for the seed", async () => {
    const r = await cli(["generate", "--model", dir, "--length", "60", "--temperature", "0.5", "--prime", "And", "--seed", "4"]);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out, `And${lm.sample({ length: 60, temperature: 0.5, prime: "And", seed: 4 })}\n`);
  });

  it("refuses a temperature <= 0, a prime outside the vocabulary, no --model and a model that is not a CharLM", async () => {
    for (const t of ["0", "-1"]) {
      const r = await cli(["generate", "--model", dir, "--temperature", t]);
      assert.equal(r.code, 2);
      assert.match(r.err, /--temperature must be a number > 0/);
    }
    const prime = await cli(["generate", "--model", dir, "--prime", "Aé"]);
    assert.equal(prime.code, 2);
    assert.match(prime.err, /--prime: character "é" is not among the \d+ characters/);
    assert.match((await cli(["generate"])).err, /--model DIR/);
    const other = mkdtempSync(join(tmpdir(), "generate-mlp-"));
    await new Sequential([new Dense(2)], { inputShape: [3] }).build().save(other);
    const r = await cli(["generate", "--model", other]);
    assert.equal(r.code, 2);
    assert.match(r.err, /holds a Sequential; generate samples from a character model/);
  });
});

describe("trainCharTask (train rnn --task chars)", () => {
  it("trains on a text file, scores the held-out tail beside the baselines and saves a model generate reads", async () => {
    const out = mkdtempSync(join(tmpdir(), "chars-task-"));
    const text = fileURLToPath(new URL("./fixtures/genesis-1-3.txt", import.meta.url));
    const r = await trainCharTask({ text, heldOut: 0.1, units: 8, layers: 1, steps: 20, batchSize: 8, epochs: 2, seed: 3, quiet: true }, out);
    assert.ok(r.baselines.unigram > r.baselines.bigram, JSON.stringify(r.baselines));
    assert.ok(Number.isFinite(r.heldOutBitsPerChar) && r.heldOutBitsPerChar < 6.5, `${r.heldOutBitsPerChar}`);
    const loaded = await loadModel(out);
    assert.ok(loaded instanceof CharLM);
    assert.equal(loaded.bitsPerChar(splitHeldOut(GENESIS, 0.1).heldOut), r.heldOutBitsPerChar);
    assert.equal((await cli(["generate", "--model", out, "--length", "10"])).code, 0);
  });
});

describe("CharLM.fit callbacks", () => {
  it("act on the CharLM: ModelCheckpoint saves a CharLM, stopTraining ends fit", async () => {
    const lm = smallLM(4);
    const dir = mkdtempSync(join(tmpdir(), "charlm-checkpoint-"));
    const checkpoint = new ModelCheckpoint({ dir, monitor: "val_bitsPerChar", saveBestOnly: true });
    const stop = new LambdaCallback({
      onEpochEnd: (epoch) => {
        if (epoch === 1) lm.stopTraining = true;
      },
    });
    const h = await lm.fit(train, { epochs: 5, batchSize: 16, validationText: heldOut, callbacks: [checkpoint, stop] });
    assert.deepEqual(h.epoch, [0, 1]);
    assert.ok(checkpoint.savedEpochs.includes(0));
    const saved = await loadModel(dir);
    assert.ok(saved instanceof CharLM);
    assert.equal(saved.model.epochsTrained, (checkpoint.savedEpochs.at(-1) as number) + 1);
  });
});

describe("CharLM bad input", () => {
  const lm = new CharLM({ vocabulary: ["a", "b", "\n"], units: 4, layers: 1, steps: 5 });

  it("names the temperature, length, prime and seed of sample", () => {
    for (const temperature of [0, -0.5, Number.NaN, Number.POSITIVE_INFINITY])
      assert.throws(() => lm.sample({ length: 5, temperature }), /CharLM.sample: temperature must be a number > 0/);
    assert.throws(() => lm.sample({ length: -1 }), /length must be an integer >= 0/);
    assert.throws(() => lm.sample({ length: 2.5 }), /length must be an integer >= 0/);
    assert.throws(() => lm.sample({ length: 5, prime: "abc" }), /sample prime: character U\+0063 "c" at position 2 is not in the vocabulary of 3 characters/);
  });

  it("names the options of the constructor, fit and bitsPerChar", async () => {
    assert.throws(() => new CharLM({ vocabulary: [] }), /chars must be a non-empty list/);
    assert.throws(() => new CharLM({ vocabulary: ["a", "a"] }), /appears twice/);
    assert.throws(() => new CharLM({ vocabulary: ["ab"] }), /must be one character/);
    assert.throws(() => new CharLM({ vocabulary: ["a"], units: 0 }), /units must be an integer in \[1, /);
    assert.throws(() => new CharLM({ vocabulary: ["a"], layers: 0 }), /layers must be an integer in \[1, 16\]/);
    assert.throws(() => new CharLM({ vocabulary: ["a"], steps: 1.5 }), /steps must be an integer/);
    await assert.rejects(
      lm.fit("ab\nab", { batchSize: 2 }),
      /the text has 5 characters; batchSize 2 streams of steps 5 need at least batchSize·steps \+ 1 = 11/,
    );
    await assert.rejects(lm.fit("abx".repeat(20)), /fit text: character U\+0078 "x"/);
    await assert.rejects(lm.fit("ab".repeat(100), { batchSize: 0 }), /batchSize must be an integer >= 1/);
    assert.throws(() => lm.bitsPerChar("a"), /needs at least 2 characters/);
  });
});

describe("n-gram baselines", () => {
  it("give the add-one unigram and bigram bits/char by hand", () => {
    // train "abab": n(a) = n(b) = 2, n(ab) = 2, n(ba) = 1; held out "ab", V = 2
    // unigram p(b) = (2 + 1)/(4 + 2) = 1/2: 1 bit; bigram p(b | a) = (2 + 1)/(2 + 2) = 3/4
    const r = ngramBitsPerChar([0, 1, 0, 1], [0, 1], 2);
    assert.equal(r.unigram, 1);
    assert.ok(Math.abs(r.bigram - -Math.log2(0.75)) < 1e-12);
    assert.throws(() => ngramBitsPerChar([0], [0], 2), /at least 2 characters/);
  });
});
