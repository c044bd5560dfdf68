/**
 * Writes lab/public/data/digits.bin: the first 2,000 training and 500 test digits of the bundled
 * MNIST split (loadMnist's fixed order, so classes are mixed), gzipped, in the format of
 * lab/shared/digit-data.ts. Run once: node --import tsx lab/scripts/make-digits.ts
 */
import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { loadMnist, type MnistSplit } from "layerwise";
import { encodeDigits } from "../shared/digit-data.js";

const TRAIN = 2000;
const TEST = 500;

const bytes = (split: MnistSplit) => ({ pixels: Uint8Array.from(split.images.data, (v) => Math.round(v * 255)), labels: split.labels });

const data = await loadMnist({ source: "bundled", limitTrain: TRAIN, limitTest: TEST });
const file = join(dirname(fileURLToPath(import.meta.url)), "..", "public", "data", "digits.bin");
const gz = gzipSync(encodeDigits(bytes(data.train), bytes(data.test)), { level: 9 });
writeFileSync(file, gz);
console.log(`${file}: ${TRAIN} training + ${TEST} test digits, ${gz.length} bytes gzipped`);
