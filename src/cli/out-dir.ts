/**
 * The output folder check of the commands that write one: before any data is loaded, create
 * the folder, write a probe file and remove it, so a file in the way, a missing permission or
 * a read-only disk fails at once instead of after training. Folders on the kernel's special
 * file systems (/proc, /sys, /dev) are refused by name: writes there fail oddly or block.
 */
import { existsSync } from "node:fs";
import { mkdir, rm, rmdir, stat, writeFile } from "node:fs/promises";
import { dirname, join, resolve, sep } from "node:path";
import { UsageError } from "./args.js";

const SPECIAL_FILE_SYSTEMS = ["/proc", "/sys", "/dev"];

/** How long the probe may take: a folder that does not answer (a hung network mount) is refused. */
const PROBE_TIMEOUT_MS = 10_000;

/**
 * Checks that `path` is a folder this process can write into, creating it and any missing
 * parents. Resolves to a function that removes the folders it created, deepest first, as far
 * as they are still empty (what a failed run calls, so it leaves nothing behind). Throws a
 * UsageError naming the path and the reason.
 */
export async function prepareOutDir(path: string): Promise<() => Promise<void>> {
  const full = resolve(path);
  const special = SPECIAL_FILE_SYSTEMS.find((root) => full === root || full.startsWith(root + sep));
  if (special !== undefined) throw outError(path, `it is on the special file system ${special}, which holds no ordinary files`);
  const created = missingFolders(full);
  try {
    await withTimeout(probe(full), path);
  } catch (err) {
    await removeEmpty(created);
    if (err instanceof UsageError) throw err;
    throw outError(path, await reason(err, full));
  }
  return () => removeEmpty(created);
}

/** The folders from path upwards that do not exist yet, deepest first. */
function missingFolders(full: string): string[] {
  const out: string[] = [];
  for (let dir = full; !existsSync(dir) && dirname(dir) !== dir; dir = dirname(dir)) out.push(dir);
  return out;
}

async function probe(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  const file = join(dir, `.layerwise-probe-${process.pid}`);
  await writeFile(file, "");
  await rm(file, { force: true });
}

async function withTimeout(work: Promise<void>, path: string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(outError(path, `writing a probe file there did not finish within ${PROBE_TIMEOUT_MS / 1000} s`)), PROBE_TIMEOUT_MS);
    timer.unref();
  });
  try {
    await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Removes each folder (deepest first) that is still empty; stops at the first that is not. */
async function removeEmpty(folders: readonly string[]): Promise<void> {
  for (const dir of folders) {
    try {
      await rmdir(dir);
    } catch {
      return; // not empty (the run wrote something worth keeping) or already gone
    }
  }
}

/** The reason in words for a failed probe, naming the file in the way when there is one. */
async function reason(err: unknown, full: string): Promise<string> {
  const code = (err as { code?: string }).code;
  if (code === "EEXIST" || code === "ENOTDIR") {
    for (let p = full; dirname(p) !== p; p = dirname(p)) {
      const s = await stat(p).catch(() => null);
      if (s !== null && !s.isDirectory()) return p === full ? "it is a file, not a folder" : `${p} is a file, not a folder`;
    }
    return "a file is in the way";
  }
  if (code === "EACCES" || code === "EPERM") return "no permission to write there";
  if (code === "EROFS") return "the file system is read-only";
  if (code === "ENOSPC") return "the disk is full";
  return err instanceof Error ? err.message : String(err);
}

function outError(path: string, why: string): UsageError {
  return new UsageError(`cannot write to the output folder ${path}: ${why}`);
}
