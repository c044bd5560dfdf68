/** IDX files written by tests: the layout the IDX reader parses (magic 0x0008, dims big-endian, unsigned bytes). */

/** An IDX file of unsigned bytes with the given dims; element i is fill(i) (default i % 251). */
export function idxBytes(dims: number[], fill: (i: number) => number = (i) => i % 251): Uint8Array {
  const count = dims.reduce((a, b) => a * b, 1);
  const out = new Uint8Array(4 + 4 * dims.length + count);
  const view = new DataView(out.buffer);
  out[2] = 0x08;
  out[3] = dims.length;
  for (const [k, d] of dims.entries()) view.setUint32(4 + 4 * k, d, false);
  for (let i = 0; i < count; i++) out[4 + 4 * dims.length + i] = fill(i);
  return out;
}
