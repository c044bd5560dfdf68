/**
 * The digits the lab pages train and draw on: a few thousand bundled MNIST digits shipped as one
 * small binary file (lab/public/data/digits.bin, gzipped; made by lab/scripts/make-digits.ts),
 * read with fetch. One format, written and read here, so the script and the pages agree.
 *
 * Layout (little-endian): "LWDG", uint32 version, uint32 training count, uint32 test count,
 * uint32 pixels per digit (784); then the training labels, the test labels, the training
 * pixels and the test pixels, one byte each (grey level 0-255).
 */
import { MNIST_PIXELS, type Tensor, zeros } from "layerwise";

const MAGIC = [0x4c, 0x57, 0x44, 0x47]; // "LWDG"
const VERSION = 1;
const HEADER = 20;

export interface DigitBytes {
  pixels: Uint8Array;
  labels: Uint8Array;
}

export interface DigitSplit {
  /** [n, 784] in [0, 1] (byte / 255, as loadMnist scales them). */
  images: Tensor;
  labels: Uint8Array;
}

export function encodeDigits(train: DigitBytes, test: DigitBytes): Uint8Array {
  const nTrain = train.labels.length;
  const nTest = test.labels.length;
  const out = new Uint8Array(HEADER + (nTrain + nTest) * (1 + MNIST_PIXELS));
  out.set(MAGIC, 0);
  const view = new DataView(out.buffer);
  view.setUint32(4, VERSION, true);
  view.setUint32(8, nTrain, true);
  view.setUint32(12, nTest, true);
  view.setUint32(16, MNIST_PIXELS, true);
  out.set(train.labels, HEADER);
  out.set(test.labels, HEADER + nTrain);
  out.set(train.pixels, HEADER + nTrain + nTest);
  out.set(test.pixels, HEADER + nTrain + nTest + nTrain * MNIST_PIXELS);
  return out;
}

export function decodeDigits(bytes: Uint8Array): { train: DigitSplit; test: DigitSplit } {
  if (bytes.length < HEADER || MAGIC.some((b, i) => bytes[i] !== b)) throw new Error("digits.bin: not a lab digits file (no LWDG header)");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const nTrain = view.getUint32(8, true);
  const nTest = view.getUint32(12, true);
  if (view.getUint32(4, true) !== VERSION || view.getUint32(16, true) !== MNIST_PIXELS) throw new Error("digits.bin: unknown version or image size");
  if (bytes.length !== HEADER + (nTrain + nTest) * (1 + MNIST_PIXELS)) throw new Error(`digits.bin: ${bytes.length} bytes, not ${nTrain} + ${nTest} digits`);
  const pixels = HEADER + nTrain + nTest;
  const split = (labelsAt: number, n: number, pixelsAt: number): DigitSplit => {
    const images = zeros([n, MNIST_PIXELS]);
    const src = bytes.subarray(pixelsAt, pixelsAt + n * MNIST_PIXELS);
    for (let i = 0; i < src.length; i++) images.data[i] = src[i] / 255;
    return { images, labels: bytes.slice(labelsAt, labelsAt + n) };
  };
  return { train: split(HEADER, nTrain, pixels), test: split(HEADER + nTrain, nTest, pixels + nTrain * MNIST_PIXELS) };
}

/** The bytes of a response, gunzipped when they are gzip (a host may or may not have done it already). */
export async function responseBytes(response: Response): Promise<Uint8Array> {
  if (!response.ok) throw new Error(`${response.url}: HTTP ${response.status}`);
  const bytes = new Uint8Array(await response.arrayBuffer());
  if (bytes[0] !== 0x1f || bytes[1] !== 0x8b) return bytes;
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

let loaded: Promise<{ train: DigitSplit; test: DigitSplit }> | null = null;

/** The shipped digits (fetched once per page). */
export function loadDigits(url = "../data/digits.bin"): Promise<{ train: DigitSplit; test: DigitSplit }> {
  loaded ??= fetch(url).then(responseBytes).then(decodeDigits);
  return loaded;
}
