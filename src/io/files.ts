/**
 * File helpers for Node. Saving is atomic: bytes go to a temporary file in the same folder,
 * which is then renamed over the target, so a failed or interrupted save never leaves a
 * half-written file where the previous good one was.
 */
import { access, readFile as fsReadFile, mkdir, rename, rm, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

let counter = 0;

export async function writeFileAtomic(path: string, data: Uint8Array | string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.${counter++}.tmp`);
  try {
    await writeFile(tmp, data);
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw new Error(`could not save ${path}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

export async function readFileBytes(path: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await fsReadFile(path));
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
  await mkdir(path, { recursive: true });
}

/** Whether something exists at path (a saved checkpoint, say). */
export async function fileExists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

/** dir/file with one "/" between them (pure string code, so it works wherever paths use "/"). */
export function joinPath(dir: string, file: string): string {
  return dir.endsWith("/") ? dir + file : `${dir}/${file}`;
}
