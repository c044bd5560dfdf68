/**
 * Builds the lab (lab/, a Vite app) once per test process into a fresh temporary folder and
 * serves it cross-origin isolated, as `npm run lab:preview` does.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { type StaticServer, serveStatic } from "./chromium.js";

let built: Promise<string> | null = null;

/** The folder holding the built lab (index.html and one folder per page). */
export function buildLab(): Promise<string> {
  if (built === null) {
    built = (async () => {
      const { build } = await import("vite");
      const outDir = mkdtempSync(join(tmpdir(), "layerwise-lab-"));
      await build({ configFile: resolve("lab/vite.config.ts"), logLevel: "error", build: { outDir, emptyOutDir: true } });
      return outDir;
    })();
  }
  return built;
}

/** The built lab served on a local port; `isolated` (default true) sends COOP/COEP. */
export async function serveLab(options: { isolated?: boolean } = {}): Promise<StaticServer> {
  return serveStatic(await buildLab(), { isolated: options.isolated ?? true });
}
