/**
 * Keeps docs/ honest as user reference: no local run folders in it (those belong in notes/), and
 * every relative link in README.md and docs/*.md leads to a file that exists.
 */
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** Local folders of a particular machine or run: output folders of training runs, scratch and work trees. */
const LOCAL_PATHS = ["runs/", "/tmp/", "/work/"];

/** The text with fenced code blocks and inline code removed, so `a[i](x)` in code is not read as a link. */
function prose(markdown: string): string {
  return markdown.replace(/^(```|~~~)[\s\S]*?^\1/gm, "").replace(/`[^`\n]*`/g, "");
}

/** Every local path in the text, with its line number. */
export function localPaths(markdown: string): { line: number; path: string }[] {
  const found: { line: number; path: string }[] = [];
  markdown.split("\n").forEach((text, i) => {
    for (const path of LOCAL_PATHS) if (text.includes(path)) found.push({ line: i + 1, path });
  });
  return found;
}

/** The relative link targets of a Markdown file that name no existing file (fragments dropped; URLs and in-page anchors skipped). */
export function brokenLinks(file: string, markdown: string): string[] {
  const broken: string[] = [];
  for (const [, target] of prose(markdown).matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith("#")) continue;
    const path = target.split("#")[0];
    if (!existsSync(resolve(dirname(file), decodeURI(path)))) broken.push(target);
  }
  return broken;
}

const docs = readdirSync(join(ROOT, "docs"))
  .filter((f) => f.endsWith(".md"))
  .map((f) => join(ROOT, "docs", f));

test("the checks catch what they look for", () => {
  const file = join(ROOT, "docs", "x.md");
  assert.deepEqual(localPaths("ok\nsee runs/dbm and /tmp/x\n"), [
    { line: 2, path: "runs/" },
    { line: 2, path: "/tmp/" },
  ]);
  assert.deepEqual(brokenLinks(file, "[a](rbm.md) [b](missing.md#x) [c](https://x.org/y.md) [d](#top) `[e](nowhere.md)`"), ["missing.md#x"]);
  assert.deepEqual(brokenLinks(file, "```ts\nf[0](nowhere.md)\n```\n[f](../README.md)"), []);
});

test("docs/ names no local run folders (runs/, /tmp/, /work/): those belong in notes/", () => {
  assert.ok(docs.length > 0, "no docs/*.md found");
  for (const file of docs) {
    const found = localPaths(readFileSync(file, "utf8"));
    assert.deepEqual(found, [], `${file}: ${found.map((f) => `line ${f.line} names ${f.path}`).join(", ")}`);
  }
});

test("every relative link in README.md and docs/*.md points to an existing file", () => {
  for (const file of [join(ROOT, "README.md"), ...docs]) {
    const broken = brokenLinks(file, readFileSync(file, "utf8"));
    assert.deepEqual(broken, [], `${file} links to missing files: ${broken.join(", ")}`);
  }
});
