/**
 * `layerwise train rnn` (issue 22, item 8): each task learns on a small budget (bundled digits,
 * short adding sequences), writes its model, curve and summary, `evaluate` reads the row-by-row
 * model, and bad options are refused with their name.
 */
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { cli } from "./helpers/cli.js";

describe("layerwise train rnn", () => {
  let dir = "";
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "lw-cli-rnn-"));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const files = async (out: string): Promise<void> => {
    for (const file of ["model.json", "model.safetensors", "curve.svg", "curve.png", "summary.json"]) assert.ok((await stat(join(out, file))).size > 0, file);
  };

  it("--task mnist-rows: an LSTM reading 28 rows learns the bundled digits far above the commonest class; evaluate reads the model", async () => {
    const out = join(dir, "rows");
    const r = await cli([
      ..."train rnn --cell lstm --task mnist-rows --units 32 --epochs 3 --batch 20 --lr 0.005 --limit-train 1000 --limit-test 300 --quiet --out".split(" "),
      out,
    ]);
    assert.equal(r.code, 0, r.err);
    await files(out);
    const s = JSON.parse(await readFile(join(out, "summary.json"), "utf8"));
    assert.equal(s.testSequences, 300);
    assert.equal(s.curve.length, 4, "untrained and 3 epochs");
    // the commonest class is right on ~10 % of the digits; an untrained net about as often
    assert.ok(s.test > 50 && s.test > 4 * s.baseline.value, JSON.stringify(s));
    const e = await cli(["evaluate", "--model", out, "--limit-test", "300"]);
    assert.equal(e.code, 0, e.err);
    assert.match(e.out, new RegExp(`accuracy ${s.test.toFixed(2)} %`));
  });

  it("--task adding: a GRU on T = 10 goes well below always predicting 1", async () => {
    const out = join(dir, "adding");
    const r = await cli([
      ..."train rnn --cell gru --task adding --length 10 --units 16 --epochs 6 --batch 50 --lr 0.01 --limit-train 2000 --quiet --out".split(" "),
      out,
    ]);
    assert.equal(r.code, 0, r.err);
    await files(out);
    const s = JSON.parse(await readFile(join(out, "summary.json"), "utf8"));
    assert.match(s.data, /adding problem, T = 10: 2000 training and 1000 test sequences/);
    // always predicting 1 has MSE ≈ 1/6
    assert.ok(Math.abs(s.baseline.value - 1 / 6) < 0.02, JSON.stringify(s.baseline));
    assert.ok(s.test < 0.25 * s.baseline.value, JSON.stringify(s));
  });

  it("--cell rnn --irnn: relu units with U = I, saved as such, at the IRNN's own default rate", async () => {
    const out = join(dir, "irnn");
    const r = await cli([..."train rnn --cell rnn --irnn --task adding --length 5 --units 8 --epochs 1 --limit-train 200 --quiet --out".split(" "), out]);
    assert.equal(r.code, 0, r.err);
    const { config } = JSON.parse(await readFile(join(out, "model.json"), "utf8"));
    assert.deepEqual([config.layers[0].activation, config.layers[0].recurrentInitializer], ["relu", "identity"]);
    const s = JSON.parse(await readFile(join(out, "summary.json"), "utf8"));
    assert.equal(s.irnn, true);
    assert.match(s.model, /^IRNN\(8\) on adding, Adam 0.0001 /);
  });

  it("--task chars: a CharLM on Genesis 1–3 goes below the unigram bits/char, and generate reads it", async () => {
    const out = join(dir, "chars");
    const r = await cli([
      ..."train rnn --task chars --text test/fixtures/genesis-1-3.txt --units 32 --layers 1 --steps 25 --batch 8 --epochs 8 --lr 0.01 --held-out 0.1 --out".split(
        " ",
      ),
      out,
    ]);
    assert.equal(r.code, 0, r.err);
    const lstm = Number(/held-out bits\/char: LSTM ([\d.]+)/.exec(r.out)?.[1]);
    const unigram = Number(/unigram ([\d.]+)\b/.exec(r.out)?.[1]);
    assert.ok(lstm < unigram - 0.3, r.out);
    const g = await cli(["generate", "--model", out, "--length", "40", "--temperature", "0.8"]);
    assert.equal(g.code, 0, g.err);
    assert.ok(g.out.length >= 40, g.out);
  });

  it("refuses bad options, naming them", async () => {
    const out = join(dir, "bad");
    const cases: [string, RegExp][] = [
      ["--cell lstm", /option --task is required \(one of mnist-rows, adding, chars\)/],
      ["--task chess", /option --task must be one of mnist-rows, adding, chars; got "chess"/],
      ["--task adding --cell tree", /option --cell must be one of lstm, gru, rnn; got "tree"/],
      ["--task adding --cell lstm --irnn", /option --irnn applies to --cell rnn; got --cell lstm/],
      ["--task mnist-rows --length 50", /option --length applies to --task adding; got --task mnist-rows/],
      ["--task adding --limit-test 10", /option --limit-test applies to --task mnist-rows; got --task adding/],
      ["--task adding --clip-norm 0", /option --clip-norm must be a number > 0; got "0"/],
      ["--task adding --length 1", /option --length must be an integer >= 2; got "1"/],
      ["--task chars --cell gru", /--task chars is a stacked LSTM \(CharLM\): it takes --cell lstm; got --cell gru/],
      ["--task adding --steps 20", /option --steps applies to --task chars; got --task adding/],
      ["--task chars --limit-train 100", /option --limit-train applies to --task mnist-rows\|adding; got --task chars/],
    ];
    for (const [args, message] of cases) {
      const r = await cli(["train", "rnn", ...args.split(" "), "--out", out]);
      assert.notEqual(r.code, 0, args);
      assert.match(r.err, message, args);
    }
  });
});
