/**
 * A convolutional autoencoder on MNIST: two Conv2D + MaxPool2D stages squeeze a 28×28 digit
 * into a 7×7×4 code (196 numbers), two Conv2DTranspose layers with stride 2 paint it back to
 * 28×28. Trained x → x with binary cross-entropy; prints the average squared reconstruction
 * error ‖x − x̂‖² per test image before and after training (and the mean digit's, as a floor to
 * beat) and writes a PNG with test digits (top row) and their reconstructions (bottom row).
 *
 *   node --import tsx examples/conv-autoencoder.ts [--epochs 4] [--limit-train 8000]
 *        [--lr 0.01] [--data DIR] [--out out]
 *
 * Without --data it uses the bundled digits; --data DIR reads the full MNIST IDX files.
 */
import { Adam, convAutoencoder, fromArray, loadMnist, ops, tileImages, writePng } from "layerwise";
import { parseOptions } from "layerwise/cli";

const { options: o } = parseOptions(process.argv.slice(2), {
  epochs: { type: "number", integer: true, min: 1, default: 4, description: "passes over the training digits" },
  "limit-train": { type: "number", integer: true, min: 1, description: "use only the first N training digits" },
  lr: { type: "number", min: 0, default: 0.01, description: "Adam's learning rate" },
  data: { type: "string", description: "folder with the full MNIST IDX files (default: the bundled digits)" },
  digits: { type: "number", integer: true, min: 1, max: 50, default: 12, description: "test digits shown in the PNG" },
  seed: { type: "number", integer: true, default: 1, description: "seed of initialisation and shuffling" },
  out: { type: "string", default: "out", description: "folder for conv-autoencoder.png" },
} as const);

const { train, test } =
  o.data === undefined ? await loadMnist({ limitTrain: o["limit-train"] }) : await loadMnist({ source: "full", dir: o.data, limitTrain: o["limit-train"] });

// the architecture lives in the library (src/models/autoencoders/conv.ts): 28×28×1 → 7×7×4 → 28×28×1
const model = convAutoencoder({ seed: o.seed });
model.compile({ loss: "binaryCrossentropy", optimizer: new Adam({ learningRate: o.lr }) });

console.log(`conv autoencoder 28×28×1 → 7×7×4 → 28×28×1 on ${train.images.rows} training digits, ${test.images.rows} test digits`);
console.log(
  `‖x − x̂‖² per test image: untrained ${ops.squaredErrorPerRow(test.images, model.predict(test.images)).toFixed(2)}, the mean digit ${ops.meanRowError(train.images, test.images).toFixed(2)}`,
);
const t0 = Date.now();
await model.fit(train.images, train.images, { epochs: o.epochs, batchSize: 16, seed: o.seed });
const reconstruction = model.predict(test.images);
const wall = (Date.now() - t0) / 1000;
console.log(`after ${o.epochs} epochs (${wall.toFixed(1)} s): ${ops.squaredErrorPerRow(test.images, reconstruction).toFixed(2)}`);

// top row the digits, bottom row what the 196-number code brings back
const k = Math.min(o.digits ?? 12, test.images.rows);
const strip = fromArray(new Float32Array(2 * k * 784), [2 * k, 784]);
strip.data.set(test.images.data.subarray(0, k * 784), 0);
strip.data.set(reconstruction.data.subarray(0, k * 784), k * 784);
const path = `${o.out}/conv-autoencoder.png`;
await writePng(path, tileImages(strip, { height: 28, width: 28, cols: k, pad: 2, scale: 2, background: 0.5 }));
console.log(`test digits and reconstructions → ${path}`);
