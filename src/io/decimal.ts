/**
 * Numbers as people type them in options and specs: decimal notation only ("12", "-0.5",
 * ".5", "1e-3"). JavaScript's Number() also takes " 12", "0x10", "0b1", "Infinity" and "" (as
 * 0), which would turn a typo into a silently different setting.
 */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** The value of decimal text, or undefined when the text is not a finite decimal number. */
export function parseDecimal(text: string): number | undefined {
  if (!DECIMAL.test(text)) return undefined;
  const x = Number(text);
  return Number.isFinite(x) ? x : undefined;
}

/** The value of a whole number written in digits alone ("784", not "784.0", "7.84e2", "+784" or "0784"). */
export function parseDigits(text: string): number | undefined {
  return /^(0|[1-9]\d*)$/.test(text) && Number.isSafeInteger(Number(text)) ? Number(text) : undefined;
}
