/**
 * The layer map of src/ (.dependency-cruiser.cjs; README.md, "Layout"): no import loops, no
 * layer importing one above it, no Node built-in outside src/platform and src/cli. The same
 * check as `npm run lint:layers`, here so that `npm test` (what CI runs) enforces it too.
 */
import assert from "node:assert/strict";
import { appendFile, cp, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { cruise } from "dependency-cruiser";
import extractDepcruiseOptions from "dependency-cruiser/config-utl/extract-depcruise-options";
import extractTSConfig from "dependency-cruiser/config-utl/extract-ts-config";

const root = new URL("..", import.meta.url).pathname;
const CONFIG = ".dependency-cruiser.cjs";

/** Runs dependency-cruiser on baseDir's src/ with baseDir's config and tsconfig, as `npm run lint:layers` does. */
async function depcruise(baseDir: string): Promise<{ exitCode: number; report: string }> {
  const options = await extractDepcruiseOptions(join(baseDir, CONFIG));
  const tsConfig = extractTSConfig(join(baseDir, "tsconfig.json"));
  const result = await cruise(["src"], { ...options, baseDir, outputType: "err" }, {}, { tsConfig });
  return { exitCode: result.exitCode, report: String(result.output) };
}

test("src/ keeps its layer order, has no import loops, and uses Node built-ins only in platform and cli", async (t) => {
  const { exitCode, report } = await depcruise(root);
  assert.equal(exitCode, 0, `dependency-cruiser found violations of the layer map:\n${report}`);
  t.diagnostic(report.trim());
});

test("the check catches a planted upward import (tensor importing nn) and a Node built-in in io", async () => {
  const dir = await mkdtemp(join(tmpdir(), "layerwise-layers-"));
  try {
    await cp(join(root, "src"), join(dir, "src"), { recursive: true });
    for (const file of [CONFIG, "tsconfig.json"]) await cp(join(root, file), join(dir, file));
    await appendFile(join(dir, "src/tensor/shape.ts"), '\nimport "../nn/index.js";\n');
    await appendFile(join(dir, "src/io/svg.ts"), '\nimport "node:fs";\n');
    const { exitCode, report } = await depcruise(dir);
    assert.notEqual(exitCode, 0, `the planted violations went unreported:\n${report}`);
    assert.match(report, /error layer-tensor: src\/tensor\/shape\.ts → src\/nn\/index\.ts/);
    assert.match(report, /error no-circular: /);
    assert.match(report, /error node-only-in-platform: src\/io\/svg\.ts → (node:)?fs/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
