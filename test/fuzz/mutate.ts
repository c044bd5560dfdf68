/**
 * Arbitraries that damage valid inputs the way files get damaged (and forged): flipped bytes,
 * truncation, extension, forged length fields, and structural edits of JSON (a value replaced
 * by another type, an absurd number, a key deleted). The fuzz targets start from valid files and
 * apply one to three of these, so most cases reach deep into the readers instead of failing at
 * the first byte.
 */
import fc from "fast-check";

/** Numbers a forged length, count, shape or offset likes to hold. */
export const INTERESTING_U32 = [0, 1, 2, 3, 4, 7, 8, 255, 256, 0x7fff, 0xffff, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff];

type ByteEdit =
  | { kind: "flip"; at: number; xor: number }
  | { kind: "truncate"; at: number }
  | { kind: "extend"; tail: Uint8Array }
  | { kind: "u32"; at: number; value: number; littleEndian: boolean }
  | { kind: "splice"; at: number; remove: number; insert: Uint8Array };

const position = fc.nat({ max: 0xffff });
const byteEdit: fc.Arbitrary<ByteEdit> = fc.oneof(
  fc.record({ kind: fc.constant("flip" as const), at: position, xor: fc.integer({ min: 1, max: 255 }) }),
  fc.record({ kind: fc.constant("truncate" as const), at: position }),
  fc.record({ kind: fc.constant("extend" as const), tail: fc.uint8Array({ minLength: 1, maxLength: 64 }) }),
  fc.record({
    kind: fc.constant("u32" as const),
    at: position,
    value: fc.oneof(fc.constantFrom(...INTERESTING_U32), fc.nat()),
    littleEndian: fc.boolean(),
  }),
  fc.record({ kind: fc.constant("splice" as const), at: position, remove: fc.nat({ max: 16 }), insert: fc.uint8Array({ maxLength: 16 }) }),
);

/** Positions wrap around the input, so one edit arbitrary serves inputs of every length. */
function applyByteEdit(bytes: Uint8Array, e: ByteEdit): Uint8Array {
  const at = bytes.length === 0 ? 0 : e.kind === "truncate" ? e.at % (bytes.length + 1) : "at" in e ? e.at % bytes.length : 0;
  switch (e.kind) {
    case "flip": {
      if (bytes.length === 0) return bytes;
      const out = bytes.slice();
      out[at] ^= e.xor;
      return out;
    }
    case "truncate":
      return bytes.slice(0, at);
    case "extend":
      return concat(bytes, e.tail);
    case "u32": {
      if (bytes.length < 4) return bytes;
      const out = bytes.slice();
      new DataView(out.buffer).setUint32(Math.min(at, bytes.length - 4), e.value >>> 0, e.littleEndian);
      return out;
    }
    case "splice":
      return concat(bytes.slice(0, at), e.insert, bytes.slice(at + e.remove));
  }
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** One to three byte edits of a seed. */
export function mutatedBytes(seeds: fc.Arbitrary<Uint8Array>): fc.Arbitrary<Uint8Array> {
  return fc.tuple(seeds, fc.array(byteEdit, { minLength: 1, maxLength: 3 })).map(([seed, edits]) => edits.reduce(applyByteEdit, seed));
}

/** Valid seeds, their mutations and plain random bytes, in the proportions that find the most. */
export function bytesFrom(seeds: readonly Uint8Array[]): fc.Arbitrary<Uint8Array> {
  const seed = fc.constantFrom(...seeds);
  return fc.oneof({ arbitrary: seed, weight: 1 }, { arbitrary: mutatedBytes(seed), weight: 8 }, { arbitrary: fc.uint8Array({ maxLength: 256 }), weight: 1 });
}

// ---- JSON ---------------------------------------------------------------------------------

/** Values a forged field likes to hold: wrong types, negative, fractional, huge, unsafe. */
export const oddJson: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(null, true, false, 0, -1, 1, 0.5, 2 ** 31, 2 ** 32, 2 ** 53, 1e308, -1e308, "", "x", [], {}, [0], [-1], [1, 2], [2 ** 32, 1]),
  fc.jsonValue({ maxDepth: 2 }),
);

type JsonEdit =
  | { node: number; action: "replace"; value: unknown }
  | { node: number; action: "delete" }
  | { node: number; action: "add"; key: string; value: unknown };

const jsonEdit: fc.Arbitrary<JsonEdit> = fc.oneof(
  fc.record({ node: fc.nat(), action: fc.constant("replace" as const), value: oddJson }),
  fc.record({ node: fc.nat(), action: fc.constant("delete" as const) }),
  fc.record({ node: fc.nat(), action: fc.constant("add" as const), key: fc.string({ maxLength: 8 }), value: oddJson }),
);

/** Every container and key of a JSON tree, in document order: [parent, key] (the root has parent null). */
function nodes(root: unknown): [Record<string, unknown> | unknown[] | null, string | number][] {
  const out: [Record<string, unknown> | unknown[] | null, string | number][] = [[null, 0]];
  const walk = (v: unknown): void => {
    if (v === null || typeof v !== "object") return;
    for (const [k, child] of Object.entries(v)) {
      out.push([v as Record<string, unknown>, Array.isArray(v) ? Number(k) : k]);
      walk(child);
    }
  };
  walk(root);
  return out;
}

/** Applies an edit to a deep copy of json (node numbers wrap around the tree's size). */
function applyJsonEdit(json: unknown, e: JsonEdit): unknown {
  const root = structuredClone(json);
  const all = nodes(root);
  const [parent, key] = all[e.node % all.length];
  if (parent === null) return e.action === "replace" ? e.value : root;
  const target = (parent as Record<string, unknown>)[key as string];
  if (e.action === "replace") (parent as Record<string, unknown>)[key as string] = e.value;
  else if (e.action === "delete") {
    if (Array.isArray(parent)) parent.splice(key as number, 1);
    else delete parent[key as string];
  } else if (target !== null && typeof target === "object" && !Array.isArray(target)) (target as Record<string, unknown>)[e.key] = e.value;
  return root;
}

/** One to three structural edits of a JSON seed. */
export function mutatedJson(seed: unknown): fc.Arbitrary<unknown> {
  return fc.array(jsonEdit, { minLength: 1, maxLength: 3 }).map((edits) => edits.reduce(applyJsonEdit, seed));
}

/**
 * Edits of a JSON seed that leave the given top-level keys as they are (the suite keeps the
 * constructor options of the model classes for a separate property, see test/fuzz.test.ts).
 */
export function mutatedJsonOutside(seed: unknown, keep: readonly string[]): fc.Arbitrary<unknown> {
  const kept = Object.fromEntries(Object.entries(seed as Record<string, unknown>).filter(([k]) => keep.includes(k)));
  const rest = Object.fromEntries(Object.entries(seed as Record<string, unknown>).filter(([k]) => !keep.includes(k)));
  return mutatedJson(rest).map((j) => (j !== null && typeof j === "object" && !Array.isArray(j) ? { ...j, ...kept } : j));
}

// ---- strings ------------------------------------------------------------------------------

/** Strings near the valid ones: characters replaced, inserted or deleted, from an alphabet that matters. */
export function stringsNear(valid: readonly string[], alphabet: string): fc.Arbitrary<string> {
  const char = fc.constantFrom(...alphabet);
  const edit = fc.tuple(fc.nat(), fc.nat({ max: 2 }), fc.array(char, { maxLength: 3 }));
  const mutated = fc
    .tuple(fc.constantFrom(...valid), fc.array(edit, { minLength: 1, maxLength: 3 }))
    .map(([s, edits]) =>
      edits.reduce((t, [at, remove, insert]) => t.slice(0, at % (t.length + 1)) + insert.join("") + t.slice((at % (t.length + 1)) + remove), s),
    );
  return fc.oneof(
    fc.constantFrom(...valid),
    mutated,
    fc.array(char, { maxLength: 20 }).map((cs) => cs.join("")),
    fc.string({ maxLength: 12 }),
  );
}
