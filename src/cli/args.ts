/**
 * A small option parser for the `layerwise` command: `--name value`, `--name=value` and
 * boolean `--flag`. Every option is declared, so an unknown or malformed one fails with a
 * message naming it and what is allowed.
 */

/** A number's bounds: `min` and `max` inclusive, `above` exclusive (a learning rate is `above: 0`). */
export type OptionSpec =
  | { type: "string"; description: string; default?: string; choices?: readonly string[] }
  | { type: "number"; description: string; default?: number; integer?: boolean; min?: number; above?: number; max?: number }
  | { type: "boolean"; description: string };

export type OptionSpecs = Record<string, OptionSpec>;

export type ParsedOptions<S extends OptionSpecs> = {
  [K in keyof S]: S[K] extends { type: "number" } ? number | undefined : S[K] extends { type: "boolean" } ? boolean : string | undefined;
};

import { parseDecimal, parseDigits } from "../io/decimal.js";

export class UsageError extends Error {
  override name = "UsageError";
}

/**
 * Parses argv against the specs. `options` holds every declared option (its default where not
 * given); `given` names those on the command line, for callers that treat a default and an
 * explicit value differently (a resumed run keeps its saved settings unless told otherwise).
 */
export function parseOptions<S extends OptionSpecs>(
  argv: readonly string[],
  specs: S,
): { options: ParsedOptions<S>; positional: string[]; given: Set<string> } {
  const options: Record<string, unknown> = {};
  const positional: string[] = [];
  const given = new Set<string>();
  for (const [name, spec] of Object.entries(specs)) {
    options[name] = spec.type === "boolean" ? false : spec.default;
  }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith("--")) {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf("=");
    const name = arg.slice(2, eq >= 0 ? eq : undefined);
    const spec = specs[name];
    if (spec === undefined) {
      const known = Object.keys(specs)
        .map((k) => `--${k}`)
        .join(", ");
      throw new UsageError(`unknown option --${name}; allowed: ${known || "none"}`);
    }
    given.add(name);
    if (spec.type === "boolean") {
      if (eq >= 0) throw new UsageError(`option --${name} is a flag and takes no value`);
      options[name] = true;
      continue;
    }
    const raw = eq >= 0 ? arg.slice(eq + 1) : argv[++i];
    if (raw === undefined) throw new UsageError(`option --${name} needs a value (${spec.description})`);
    options[name] = convert(name, spec, raw);
  }
  return { options: options as ParsedOptions<S>, positional, given };
}

function convert(name: string, spec: OptionSpec, raw: string): string | number {
  if (spec.type === "string") {
    if (spec.choices && !spec.choices.includes(raw)) {
      throw new UsageError(`option --${name} must be one of ${spec.choices.join(", ")}; got "${raw}"`);
    }
    return raw;
  }
  if (spec.type !== "number") throw new UsageError(`option --${name} takes no value`);
  const x = parseDecimal(raw);
  const range = `${spec.integer ? "an integer" : "a number"}${spec.min !== undefined ? ` >= ${spec.min}` : ""}${spec.above !== undefined ? ` > ${spec.above}` : ""}${spec.max !== undefined ? ` <= ${spec.max}` : ""}`;
  if (
    x === undefined ||
    (spec.integer && !Number.isInteger(x)) ||
    (spec.min !== undefined && x < spec.min) ||
    (spec.above !== undefined && x <= spec.above) ||
    (spec.max !== undefined && x > spec.max)
  ) {
    throw new UsageError(`option --${name} must be ${range}; got "${raw}"`);
  }
  return x;
}

/**
 * A list of layer sizes joined by "-", e.g. "784-500-10": each a whole number >= 1 in digits,
 * at least two. `option` names the option in the error ("--layers").
 */
export function parseSizeList(text: string, option: string, example: string): number[] {
  const sizes = text.split("-").map(parseDigits);
  if (sizes.length < 2 || sizes.some((n) => n === undefined || n < 1)) {
    throw new UsageError(
      `option ${option} must be sizes joined by "-" (whole numbers >= 1, in digits), at least input and output, e.g. ${example}; got "${text}"`,
    );
  }
  return sizes as number[];
}

export function formatHelp(usage: string, specs: OptionSpecs): string {
  const lines = [`usage: ${usage}`, ""];
  for (const [name, spec] of Object.entries(specs)) {
    const value = spec.type === "boolean" ? "" : spec.type === "string" && spec.choices ? ` <${spec.choices.join("|")}>` : ` <${spec.type}>`;
    const def = "default" in spec && spec.default !== undefined ? ` (default ${spec.default})` : "";
    const label = `  --${name}${value}`;
    // a label longer than the column still keeps two spaces before its description
    lines.push((label.length < 34 ? label.padEnd(34) : `${label}  `) + spec.description + def);
  }
  return lines.join("\n");
}
