/**
 * The safetensors format (Hugging Face), readable from PyTorch with safetensors.torch.load_file:
 *   8 bytes   N, the header length, unsigned 64-bit little-endian
 *   N bytes   JSON: { "<name>": { "dtype": "F32", "shape": [...], "data_offsets": [begin, end] }, ...,
 *                     "__metadata__": { "<key>": "<string>" } }   (padded with spaces to 8 bytes)
 *   the data  each tensor's bytes (little-endian) at [begin, end) relative to the data start
 * Decoding checks everything a corrupted or hand-edited file can get wrong and names the
 * file and the problem. Pure functions (no file access), so the browser can use them too.
 */

export interface SafetensorsEntry {
  shape: number[];
  data: Float32Array;
}

export interface DecodedSafetensors {
  tensors: Map<string, SafetensorsEntry>;
  metadata: Record<string, string>;
}

const DTYPE_BYTES: Record<string, number> = {
  F64: 8,
  F32: 4,
  F16: 2,
  BF16: 2,
  I64: 8,
  I32: 4,
  I16: 2,
  I8: 1,
  U8: 1,
  U16: 2,
  U32: 4,
  U64: 8,
  BOOL: 1,
};

/** Header length limit: generous for any model here, but refuses to parse absurd lengths. */
const MAX_HEADER_BYTES = 100_000_000;

export class SafetensorsError extends Error {
  override name = "SafetensorsError";
}

/** Encodes named float32 tensors (in the given order) with optional string metadata. */
export function encodeSafetensors(
  tensors: readonly (readonly [string, { shape: readonly number[]; data: Float32Array }])[],
  metadata: Record<string, string> = {},
): Uint8Array {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let offset = 0;
  for (const [name, t] of tensors) {
    if (name === "__metadata__" || name in header) throw new SafetensorsError(`encodeSafetensors: duplicate or reserved tensor name "${name}"`);
    const bytes = t.data.length * 4;
    header[name] = { dtype: "F32", shape: [...t.shape], data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let json = JSON.stringify(header);
  const encoder = new TextEncoder();
  let headerBytes = encoder.encode(json);
  const pad = (8 - (headerBytes.length % 8)) % 8;
  if (pad > 0) {
    json += " ".repeat(pad);
    headerBytes = encoder.encode(json);
  }
  const out = new Uint8Array(8 + headerBytes.length + offset);
  const view = new DataView(out.buffer);
  view.setUint32(0, headerBytes.length, true);
  view.setUint32(4, 0, true);
  out.set(headerBytes, 8);
  let pos = 8 + headerBytes.length;
  for (const [, t] of tensors) {
    const src = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
    if (littleEndian()) out.set(src, pos);
    else for (let i = 0; i < t.data.length; i++) view.setFloat32(pos + 4 * i, t.data[i], true);
    pos += src.length;
  }
  return out;
}

/** Parses and validates a safetensors file; `file` names it in every error. Only F32 tensors are accepted. */
export function decodeSafetensors(bytes: Uint8Array, file = "safetensors data"): DecodedSafetensors {
  const fail = (problem: string): never => {
    throw new SafetensorsError(`${file}: ${problem}`);
  };
  if (bytes.length < 8) fail(`too short for a safetensors file (${bytes.length} bytes; the header length alone takes 8)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lo = view.getUint32(0, true);
  const hi = view.getUint32(4, true);
  const headerLength = hi * 2 ** 32 + lo;
  if (headerLength > bytes.length - 8 || headerLength > MAX_HEADER_BYTES) {
    fail(`header length ${headerLength} runs past the end of the file (${bytes.length} bytes)`);
  }
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(8, 8 + headerLength)));
  } catch (err) {
    fail(`header is not valid JSON (${err instanceof Error ? err.message : String(err)})`);
  }
  if (header === null || typeof header !== "object" || Array.isArray(header)) fail("header must be a JSON object of tensor entries");
  const dataStart = 8 + headerLength;
  const dataLength = bytes.length - dataStart;
  const metadata: Record<string, string> = {};
  const ranges: { name: string; begin: number; end: number; shape: number[] }[] = [];
  for (const [name, entry] of Object.entries(header as Record<string, unknown>)) {
    if (name === "__metadata__") {
      if (entry === null || typeof entry !== "object" || Array.isArray(entry)) fail("__metadata__ must be an object of strings");
      for (const [k, v] of Object.entries(entry as Record<string, unknown>)) {
        if (typeof v !== "string") fail(`__metadata__.${k} must be a string; got ${JSON.stringify(v)}`);
        metadata[k] = v as string;
      }
      continue;
    }
    if (entry === null || typeof entry !== "object" || Array.isArray(entry)) fail(`tensor "${name}": entry must be an object with dtype, shape, data_offsets`);
    const { dtype, shape, data_offsets: offsets } = entry as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (typeof dtype !== "string" || !(dtype in DTYPE_BYTES)) fail(`tensor "${name}": unknown dtype ${JSON.stringify(dtype)}`);
    if (dtype !== "F32") fail(`tensor "${name}": dtype ${dtype} is not supported (layerwise reads F32 only)`);
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0))
      fail(`tensor "${name}": shape must be an array of integers >= 0; got ${JSON.stringify(shape)}`);
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && o >= 0) || offsets[0] > offsets[1]) {
      fail(`tensor "${name}": data_offsets must be [begin, end] with 0 <= begin <= end; got ${JSON.stringify(offsets)}`);
    }
    const [begin, end] = offsets as [number, number];
    const dims = shape as number[];
    const expected = dims.reduce((a, d) => a * d, 1) * 4;
    if (end - begin !== expected)
      fail(`tensor "${name}": shape [${dims.join(",")}] needs ${expected} bytes of F32 but data_offsets [${begin}, ${end}] span ${end - begin}`);
    if (end > dataLength) fail(`tensor "${name}": data_offsets [${begin}, ${end}] run past the end of the data section (${dataLength} bytes)`);
    ranges.push({ name, begin, end, shape: dims });
  }
  // The tensors must tile the data section exactly: no overlaps, no gaps, no trailing bytes.
  ranges.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let covered = 0;
  for (const r of ranges) {
    if (r.begin < covered) fail(`tensor "${r.name}": data_offsets [${r.begin}, ${r.end}] overlap the previous tensor (which ends at ${covered})`);
    if (r.begin > covered) fail(`tensor "${r.name}": gap in the data section: bytes [${covered}, ${r.begin}) belong to no tensor`);
    covered = r.end;
  }
  if (covered !== dataLength) fail(`the data section has ${dataLength} bytes but the tensors cover ${covered}`);
  const tensors = new Map<string, SafetensorsEntry>();
  for (const r of ranges) {
    const data = new Float32Array((r.end - r.begin) / 4);
    if (littleEndian()) new Uint8Array(data.buffer).set(bytes.subarray(dataStart + r.begin, dataStart + r.end));
    else for (let i = 0; i < data.length; i++) data[i] = view.getFloat32(dataStart + r.begin + 4 * i, true);
    tensors.set(r.name, { shape: r.shape, data });
  }
  return { tensors, metadata };
}

function littleEndian(): boolean {
  return new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
}
