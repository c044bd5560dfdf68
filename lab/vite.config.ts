/**
 * The lab: one Vite multi-page app, every folder lab/NAME/index.html a page. Pages import
 * "layerwise" from the source tree, with the platform seam pointed at the browser platform
 * (what package.json's "browser" map does for a bundler that installs the package). The dev
 * and preview servers send COOP/COEP so the pages are cross-origin isolated and the
 * WebAssembly backend runs its worker pool on shared memory.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig, type Plugin } from "vite";

const here = dirname(fileURLToPath(import.meta.url));
const src = resolve(here, "../src");

const isolation = {
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Embedder-Policy": "require-corp",
};

/** src/platform/index.ts re-exports ./node.js; in the page it must be ./browser.js. */
function browserPlatform(): Plugin {
  return {
    name: "layerwise-browser-platform",
    enforce: "pre",
    resolveId(source, importer) {
      if (source === "./node.js" && importer !== undefined && importer.endsWith(join("src", "platform", "index.ts"))) {
        return join(src, "platform", "browser.ts");
      }
      return null;
    },
  };
}

/**
 * The reference pages (docs/*.md) travel with the lab as docs/NAME.md, so a page's "read more"
 * link works from any static host, offline included.
 */
function docsPages(): Plugin {
  const docs = resolve(here, "../docs");
  const names = () => readdirSync(docs).filter((f) => f.endsWith(".md"));
  return {
    name: "layerwise-docs",
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const m = /^\/docs\/([\w-]+\.md)$/.exec(req.url ?? "");
        if (m === null || !names().includes(m[1])) return next();
        res.setHeader("Content-Type", "text/plain; charset=utf-8");
        res.end(readFileSync(join(docs, m[1])));
      });
    },
    generateBundle() {
      for (const name of names()) this.emitFile({ type: "asset", fileName: `docs/${name}`, source: readFileSync(join(docs, name)) });
    },
  };
}

/** Every lab/NAME/index.html, plus the index page. */
function pages(): Record<string, string> {
  const input: Record<string, string> = { index: resolve(here, "index.html") };
  for (const entry of readdirSync(here, { withFileTypes: true })) {
    if (entry.isDirectory() && existsSync(join(here, entry.name, "index.html")) && entry.name !== "dist") {
      input[entry.name] = join(here, entry.name, "index.html");
    }
  }
  return input;
}

export default defineConfig({
  root: here,
  base: "./",
  plugins: [browserPlatform(), docsPages()],
  resolve: {
    alias: [
      { find: /^layerwise$/, replacement: join(src, "index.ts") },
      { find: /^layerwise\/cli$/, replacement: join(src, "cli", "index.ts") },
    ],
  },
  server: { headers: isolation },
  preview: { headers: isolation },
  worker: { format: "es" },
  build: {
    outDir: resolve(here, "dist"),
    emptyOutDir: true,
    target: "es2022",
    rolldownOptions: { input: pages() },
    chunkSizeWarningLimit: 2000,
  },
});
