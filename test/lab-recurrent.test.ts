/**
 * The lab's recurrent page in a real Chromium: it loads with no console error and runs
 * multi-threaded when isolated; the shipped character model writes text of the asked length;
 * the live adding-problem run trains both nets and the LSTM's loss falls.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { SKIP_CHROMIUM } from "./helpers/chromium.js";
import { labPage, pageThreads } from "./helpers/lab.js";

interface Arm {
  name: string;
  losses: number[];
  testMse: number[];
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe("the lab's recurrent page in Chromium", () => {
  const lab = labPage("recurrent", { ready: ["#lm-status[data-ready]"] });

  test("loads with no console error, multi-threaded", { skip: SKIP_CHROMIUM }, async () => {
    assert.deepEqual(lab.errors, []);
    const threads = await pageThreads(lab.page);
    assert.ok(threads > 1, `threads ${threads}`);
  });

  test("the character model generates text of the asked length after the prime", { skip: SKIP_CHROMIUM }, async () => {
    await lab.page.fill("#lm-prime", "In the beginning");
    await lab.page.fill("#lm-length", "123");
    await lab.page.fill("#lm-seed", "7");
    await lab.page.click("#lm-run");
    await lab.page.waitForSelector('#lm-status[data-generated="123"]');
    const text = (await lab.page.textContent("#lm-text")) ?? "";
    assert.ok(text.startsWith("In the beginning"), text);
    assert.equal([...text].length, "In the beginning".length + 123);
    assert.match(text.slice(16), /[a-z]+ [a-z]+/, "no words in the generated text");
    assert.deepEqual(lab.errors, []);
  });

  test("a bad setting is reported in the status line, naming it and its range", { skip: SKIP_CHROMIUM }, async () => {
    await lab.page.fill("#lm-temperature", "0");
    await lab.page.click("#lm-run");
    await lab.page.waitForFunction(() => document.getElementById("lm-status")?.textContent?.includes("temperature must be a number > 0"));
    await lab.page.fill("#lm-temperature", "0.7");
    assert.deepEqual(lab.errors, []);
  });

  test("the live adding-problem run: both nets train and the LSTM's loss falls", { skip: SKIP_CHROMIUM }, async () => {
    await lab.page.selectOption("#add-steps", "10");
    await lab.page.fill("#add-epochs", "3");
    await lab.page.click("#add-run");
    await lab.page.waitForSelector('#add-status[data-epochs="3"]', { timeout: 120_000 });
    const arms = (await lab.page.evaluate(() => (globalThis as unknown as { labRecurrent: { arms: Arm[] } }).labRecurrent.arms)) as Arm[];
    assert.deepEqual(
      arms.map((a) => a.name),
      ["RNN", "LSTM"],
    );
    const lstm = arms[1];
    assert.equal(lstm.losses.length, 3 * Math.ceil(2000 / 32));
    const first = mean(lstm.losses.slice(0, 10));
    const last = mean(lstm.losses.slice(-10));
    assert.ok(last < 0.5 * first, `LSTM training loss ${first.toFixed(4)} -> ${last.toFixed(4)}`);
    assert.ok(lstm.testMse[3] < 0.5 * (1 / 6), `LSTM test MSE ${lstm.testMse.join(", ")} against the baseline 0.167`);
    assert.deepEqual(lab.errors, []);
  });
});
