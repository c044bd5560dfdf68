/**
 * The IDX format of the MNIST files (LeCun et al.): a big-endian header
 *   bytes 0-1  zero, byte 2  element type (0x08 = unsigned byte), byte 3  number of dimensions d,
 *   then d uint32 sizes, then the elements in row-major order.
 * Files may be gzipped; gunzipping uses the web-standard DecompressionStream, so this module
 * runs unchanged in Node 20+ and in browsers. Every malformed input gives an IdxFormatError
 * naming the file, the byte offset and what was expected against what was found.
 */

export class IdxFormatError extends Error {
  override name = "IdxFormatError";
  constructor(
    readonly fileName: string,
    /** Offset in the (decompressed) IDX bytes where the problem is, or -1 for the gzip layer. */
    readonly offset: number,
    detail: string,
  ) {
    super(`${fileName}: ${offset >= 0 ? `at byte offset ${offset}: ` : ""}${detail}`);
  }
}

export interface IdxArray {
  /** Sizes from the header, e.g. [60000, 28, 28]. */
  dims: number[];
  /** The elements, a view into the decompressed bytes (no copy). */
  data: Uint8Array;
}

const UBYTE = 0x08;
const TYPE_NAMES = new Map<number, string>([
  [0x08, "ubyte"],
  [0x09, "byte"],
  [0x0b, "short"],
  [0x0c, "int"],
  [0x0d, "float"],
  [0x0e, "double"],
]);

/** True when the bytes start with the gzip magic 1f 8b. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * Parses IDX bytes, gunzipping first when they start with the gzip magic. A file named *.gz
 * must be gzip: read as raw IDX, its damaged gzip header would be taken for sizes.
 */
export async function parseIdx(bytes: Uint8Array, fileName: string): Promise<IdxArray> {
  if (!isGzip(bytes) && fileName.endsWith(".gz")) {
    throw new IdxFormatError(
      fileName,
      -1,
      `not a gzip file: expected the gzip magic 1f 8b, found ${hexBytes(bytes, 0, 2)} (damaged, or not gzipped despite the .gz name)`,
    );
  }
  return parseIdxRaw(isGzip(bytes) ? await gunzip(bytes, fileName) : bytes, fileName);
}

/** Parses uncompressed IDX bytes (unsigned-byte elements only, which is all MNIST uses). */
export function parseIdxRaw(bytes: Uint8Array, fileName: string): IdxArray {
  if (bytes.length < 4) {
    throw new IdxFormatError(fileName, 0, `expected a 4-byte IDX magic number, found only ${bytes.length} bytes (file is truncated or empty)`);
  }
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    throw new IdxFormatError(
      fileName,
      0,
      `expected an IDX magic number 0x0000TTDD (e.g. 0x00000803 for images, 0x00000801 for labels), found ${hex32(bytes, 0)}${isGzip(bytes) ? "" : " (not an IDX file?)"}`,
    );
  }
  const type = bytes[2];
  if (type !== UBYTE) {
    const name = TYPE_NAMES.has(type) ? ` (${TYPE_NAMES.get(type)})` : "";
    throw new IdxFormatError(fileName, 2, `expected element type 0x08 (unsigned byte), found 0x${hex8(type)}${name}`);
  }
  const ndims = bytes[3];
  if (ndims === 0) throw new IdxFormatError(fileName, 3, "expected at least 1 dimension in the magic number, found 0");
  const headerBytes = 4 + 4 * ndims;
  if (bytes.length < headerBytes) {
    throw new IdxFormatError(
      fileName,
      bytes.length,
      `expected a ${headerBytes}-byte header for ${ndims} dimensions, but the file ends after ${bytes.length} bytes`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims: number[] = [];
  let count = 1;
  for (let d = 0; d < ndims; d++) {
    const size = view.getUint32(4 + 4 * d, false);
    dims.push(size);
    count *= size;
  }
  const expected = headerBytes + count;
  if (bytes.length !== expected) {
    const diff = bytes.length < expected ? `${expected - bytes.length} bytes missing (truncated file?)` : `${bytes.length - expected} extra bytes at the end`;
    throw new IdxFormatError(
      fileName,
      Math.min(bytes.length, expected),
      `header declares dims [${dims.join(", ")}], so the file should be ${expected} bytes long, but it is ${bytes.length} bytes: ${diff}`,
    );
  }
  return { dims, data: bytes.subarray(headerBytes) };
}

/** Checks that an IDX array has the MNIST image layout: [n, 28, 28] unsigned bytes (magic 0x00000803). */
export function checkMnistImages(idx: IdxArray, fileName: string, side = 28): void {
  if (idx.dims.length !== 3) {
    throw new IdxFormatError(
      fileName,
      3,
      `expected the image magic number 0x00000803 (3 dimensions), found 0x000008${hex8(idx.dims.length)} (${idx.dims.length} dimension${idx.dims.length === 1 ? "" : "s"}${idx.dims.length === 1 ? ", a label file?" : ""})`,
    );
  }
  if (idx.dims[1] !== side) throw new IdxFormatError(fileName, 8, `expected ${side} rows per image, found ${idx.dims[1]}`);
  if (idx.dims[2] !== side) throw new IdxFormatError(fileName, 12, `expected ${side} columns per image, found ${idx.dims[2]}`);
}

/** Checks that an IDX array is an MNIST label vector: [n] unsigned bytes in 0..classes-1 (magic 0x00000801). */
export function checkMnistLabels(idx: IdxArray, fileName: string, classes = 10): void {
  if (idx.dims.length !== 1) {
    throw new IdxFormatError(
      fileName,
      3,
      `expected the label magic number 0x00000801 (1 dimension), found 0x000008${hex8(idx.dims.length)} (${idx.dims.length} dimensions${idx.dims.length === 3 ? ", an image file?" : ""})`,
    );
  }
  const labels = idx.data;
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] >= classes) {
      throw new IdxFormatError(fileName, 8 + i, `label of item ${i} must be in 0-${classes - 1}, found ${labels[i]}`);
    }
  }
}

/** Images and labels must describe the same items. */
export function checkSameCount(images: IdxArray, imagesFile: string, labels: IdxArray, labelsFile: string): void {
  if (images.dims[0] !== labels.dims[0]) {
    throw new Error(
      `${imagesFile} holds ${images.dims[0]} images but ${labelsFile} holds ${labels.dims[0]} labels (item count at byte offset 4 of each); they must be equal`,
    );
  }
}

/** Gunzips with DecompressionStream; the gzip trailer's size field (ISIZE) presizes the output. */
export async function gunzip(bytes: Uint8Array, fileName: string): Promise<Uint8Array> {
  if (bytes.length < 18) throw new IdxFormatError(fileName, -1, `gzip data is corrupt: expected at least 18 bytes (header + trailer), found ${bytes.length}`);
  const isize = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(bytes.length - 4, true);
  // a damaged trailer must not make us allocate gigabytes: deflate expands at most ~1032x
  let out = new Uint8Array(Math.max(Math.min(isize, bytes.length * 1032), 1024));
  let length = 0;
  try {
    const inflate = new DecompressionStream("gzip");
    const writer = inflate.writable.getWriter();
    // WebAssembly thread memory is a SharedArrayBuffer, which streams refuse: copy such input
    const input = bytes.buffer instanceof ArrayBuffer ? (bytes as Uint8Array<ArrayBuffer>) : new Uint8Array(bytes);
    const written = writer.write(input).then(() => writer.close());
    // errors surface through the reader below; this keeps the writer's copy from going unhandled
    written.catch(() => {});
    const reader = inflate.readable.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (length + value.length > out.length) {
        const grown = new Uint8Array(Math.max(out.length * 2, length + value.length));
        grown.set(out.subarray(0, length));
        out = grown;
      }
      out.set(value, length);
      length += value.length;
    }
    await written;
  } catch (err) {
    throw new IdxFormatError(fileName, -1, `gzip data is corrupt or truncated: ${err instanceof Error ? err.message : String(err)}`);
  }
  return out.subarray(0, length);
}

function hex8(b: number): string {
  return b.toString(16).padStart(2, "0");
}

/** "1f 8b" for bytes [offset, offset + n), ".." past the end. */
function hexBytes(bytes: Uint8Array, offset: number, n: number): string {
  return Array.from({ length: n }, (_, i) => (offset + i < bytes.length ? hex8(bytes[offset + i]) : "..")).join(" ");
}

function hex32(bytes: Uint8Array, offset: number): string {
  let s = "0x";
  for (let i = offset; i < offset + 4; i++) s += i < bytes.length ? hex8(bytes[i]) : "..";
  return s;
}
