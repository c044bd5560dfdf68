/**
 * Runs a Python peer script as a subprocess. The interpreter is the first of $LAYERWISE_PYTHON,
 * /usr/bin/python3 and `python3` (PATH) that can import the module the peer needs. Debian's comes
 * first because it has torch, numpy and sklearn on one OpenBLAS, so the peers compare alike.
 */
import { spawn, spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { type BenchRecord, errorText } from "../harness.js";

const benchDir = fileURLToPath(new URL("..", import.meta.url));
const found = new Map<string, string | null>();

export function findPython(module: string): string | null {
  if (!found.has(module)) {
    const candidates = [process.env.LAYERWISE_PYTHON, "/usr/bin/python3", "python3"].filter((p): p is string => !!p);
    const ok = candidates.find((py) => spawnSync(py, ["-c", `import ${module}`], { stdio: "ignore" }).status === 0);
    found.set(module, ok ?? null);
  }
  return found.get(module) ?? null;
}

/** The records the script printed, or the reason it could not run. */
export async function runPythonPeer(script: string, module: string, settings: { threads: number }): Promise<BenchRecord[] | string> {
  const python = findPython(module);
  if (python === null) return `python3 ${module} not importable`;
  // BLAS and OpenMP read their thread counts at load time, so set them before Python starts.
  const threads = String(settings.threads);
  const env = { ...process.env, OPENBLAS_NUM_THREADS: threads, OMP_NUM_THREADS: threads };
  const child = spawn(python, [`${benchDir}${script}`, JSON.stringify(settings)], { env, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => (stdout += d));
  child.stderr.on("data", (d) => (stderr += d));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", resolve);
  }).catch((e: unknown) => errorText(e));
  if (code !== 0) return `${python} ${script} failed (${code}): ${stderr.trim().split("\n").pop() ?? ""}`;
  return stdout
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as BenchRecord);
}
