/**
 * File helpers on the platform's file system (Node; in the browser they throw saying what to
 * use instead). Saving is atomic: bytes go to a temporary file in the same folder, which is
 * then renamed over the target, so a failed or interrupted save never leaves a half-written
 * file where the previous good one was.
 */
import { platform } from "../platform/index.js";

let counter = 0;

/** The atomic writes under way, by temporary file: a program that must quit (a signal) waits for them. */
const inFlight = new Map<string, Promise<void>>();

/** Joins path segments with "/" (which every OS's file API accepts), adding none after a segment that ends in one. */
export function joinPath(first: string, ...rest: string[]): string {
  return rest.reduce((dir, part) => (dir === "" || /[/\\]$/.test(dir) ? dir + part : `${dir}/${part}`), first);
}

/** The folder part of a path: "a/b/c.json" -> "a/b", "c.json" -> ".", "/c.json" -> "/". */
export function parentDir(path: string): string {
  const trimmed = path.replace(/(?<=.)[/\\]+$/, "");
  const cut = Math.max(trimmed.lastIndexOf("/"), trimmed.lastIndexOf("\\"));
  if (cut < 0) return ".";
  return cut === 0 ? trimmed.slice(0, 1) : trimmed.slice(0, cut);
}

/** The last segment of a path: "a/b/c.json" -> "c.json". */
export function baseName(path: string): string {
  const trimmed = path.replace(/(?<=.)[/\\]+$/, "");
  return trimmed.slice(Math.max(trimmed.lastIndexOf("/"), trimmed.lastIndexOf("\\")) + 1);
}

export function writeFileAtomic(path: string, data: Uint8Array | string): Promise<void> {
  const { fs } = platform;
  const dir = parentDir(path);
  // process id, time and a counter: two programs, or two saves in one, never share a temporary file
  const tmp = joinPath(dir, `.${baseName(path)}.${platform.processId()}.${Date.now()}.${counter++}.tmp`);
  const write = (async () => {
    try {
      await fs.mkdir(dir);
      await fs.writeFile(tmp, data);
      await fs.rename(tmp, path);
    } catch (err) {
      await fs.rm(tmp).catch(() => {});
      throw new Error(`could not save ${path}: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      inFlight.delete(tmp);
    }
  })();
  // listed from the call on, so a program quitting right after it still waits
  inFlight.set(tmp, write);
  return write;
}

/**
 * Resolves once no atomic write is under way, waiting also for writes that those started
 * (the second file of a model's pair): after it, every target holds a complete file and no
 * temporary file of ours is left.
 */
export async function atomicWritesSettled(): Promise<void> {
  while (inFlight.size > 0) await Promise.allSettled(inFlight.values());
}

/** The temporary files of the atomic writes under way (for a program that must quit without waiting). */
export function temporaryFilesInFlight(): string[] {
  return [...inFlight.keys()];
}

export async function readFileBytes(path: string): Promise<Uint8Array> {
  try {
    return await platform.fs.readFile(path);
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === "ENOENT") throw new Error(`file not found: ${path}`);
    throw new Error(`could not read ${path}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

export async function readFileText(path: string): Promise<string> {
  return new TextDecoder().decode(await readFileBytes(path));
}

export async function ensureDir(path: string): Promise<void> {
  await platform.fs.mkdir(path);
}

/** Whether something exists at path (a saved checkpoint, say). */
export async function fileExists(path: string): Promise<boolean> {
  return platform.fs.exists(path);
}
