/**
 * Text for character models: a text file (gzipped or not) read as a string, and the alphabet
 * that maps its characters to ids 0 … V − 1. Characters are Unicode code points, so a letter
 * outside the Basic Multilingual Plane is one character, not two UTF-16 halves.
 */
import { joinPath, readFileBytes } from "../io/files.js";
import { platform } from "../platform/index.js";
import { gunzip, isGzip } from "./idx.js";

/**
 * The King James Bible as Debian's bible-kjv-text ships it (public domain; 4.3 million
 * characters, 73 distinct), one verse a line, committed gzipped in the checkout's data/.
 */
export const KJV_TEXT = "data/kjv.txt.gz";

/** data/kjv.txt.gz of the checkout this code runs from, or null where there is none (a browser). */
export function kjvTextPath(): string | null {
  const root = platform.libraryRoot();
  return root === null ? null : joinPath(root, KJV_TEXT);
}

/** The text cut before its last `fraction` of characters: the training part and the held-out tail. */
export function splitHeldOut(text: string, fraction: number): { train: string; heldOut: string } {
  if (!(fraction > 0 && fraction < 1)) throw new RangeError(`splitHeldOut: fraction must be in (0, 1); got ${fraction}`);
  const chars = [...text];
  const cut = chars.length - Math.max(2, Math.round(chars.length * fraction));
  if (cut < 2) throw new RangeError(`splitHeldOut: a text of ${chars.length} characters is too short to hold out ${fraction} of it`);
  return { train: chars.slice(0, cut).join(""), heldOut: chars.slice(cut).join("") };
}

/** The UTF-8 text of a file, gunzipped first when it starts with the gzip magic. */
export async function loadText(path: string): Promise<string> {
  const bytes = await readFileBytes(path);
  return new TextDecoder("utf-8", { fatal: true }).decode(isGzip(bytes) ? await gunzip(bytes, path) : bytes);
}

/** U+0041 "A": how messages name a character (a newline or a space stays readable). */
export function describeChar(c: string): string {
  return `U+${(c.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, "0")} ${JSON.stringify(c)}`;
}

/** The characters of a text, each with its id (its place in `chars`). */
export class CharVocabulary {
  /** The characters in id order. */
  readonly chars: readonly string[];
  private readonly ids: Map<string, number>;

  constructor(chars: readonly string[]) {
    if (!Array.isArray(chars) || chars.length === 0) throw new RangeError("CharVocabulary: chars must be a non-empty list of characters");
    this.ids = new Map();
    for (const [i, c] of chars.entries()) {
      if (typeof c !== "string" || [...c].length !== 1) throw new RangeError(`CharVocabulary: entry ${i} must be one character; got ${JSON.stringify(c)}`);
      if (this.ids.has(c)) throw new RangeError(`CharVocabulary: character ${describeChar(c)} appears twice (entries ${this.ids.get(c)} and ${i})`);
      this.ids.set(c, i);
    }
    this.chars = [...chars];
  }

  /** The distinct characters of `text`, sorted by code point. */
  static of(text: string): CharVocabulary {
    const chars = [...new Set(text)].sort((a, b) => (a.codePointAt(0) ?? 0) - (b.codePointAt(0) ?? 0));
    if (chars.length === 0) throw new RangeError("CharVocabulary.of: the text is empty");
    return new CharVocabulary(chars);
  }

  get size(): number {
    return this.chars.length;
  }

  has(c: string): boolean {
    return this.ids.has(c);
  }

  /** The ids of the characters of `text`; `what` names the text in the error for a character outside the vocabulary. */
  encode(text: string, what = "text"): Int32Array {
    const cs = [...text];
    const out = new Int32Array(cs.length);
    for (const [i, c] of cs.entries()) {
      const id = this.ids.get(c);
      if (id === undefined) throw new RangeError(`${what}: character ${describeChar(c)} at position ${i} is not in the vocabulary of ${this.size} characters`);
      out[i] = id;
    }
    return out;
  }

  decode(ids: ArrayLike<number>): string {
    let s = "";
    for (let i = 0; i < ids.length; i++) s += this.chars[ids[i]];
    return s;
  }
}
