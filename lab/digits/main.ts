/**
 * Draw a digit; the MLP and LeNet-5 the CLI trained (lab/public/models/, see its README) give
 * class probabilities while you draw, and LeNet's C1 and C3 feature maps are pictured.
 * window.labDigits exposes the last prediction for tests.
 */
import { Conv2D, decodeModelAs, Sequential, type Tensor, tensor } from "layerwise";
import { linkDocs } from "../shared/docs.js";
import { SIDE, toMnist } from "./mnist-style.js";

interface DigitsState {
  ready: boolean;
  /** Predictions made so far (the test waits for a new one). */
  updates: number;
  mlp: number[];
  lenet: number[];
  /** The 784 pixels the nets saw last. */
  input: number[];
  /** Feature maps drawn for the last drawing. */
  mapsDrawn: number;
}

const state: DigitsState = { ready: false, updates: 0, mlp: [], lenet: [], input: [], mapsDrawn: 0 };
(globalThis as { labDigits?: DigitsState }).labDigits = state;

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const pad = $<HTMLCanvasElement>("pad");
const padCtx = pad.getContext("2d", { willReadFrequently: true }) as CanvasRenderingContext2D;
/** Pen width in canvas pixels: after scaling the ink's box to 20 px, about MNIST's 2-pixel strokes. */
const PEN = 22;

async function loadNet(name: string): Promise<Sequential> {
  const base = new URL(`../models/${name}/`, location.href);
  const [json, bytes] = await Promise.all([
    fetch(new URL("model.json", base)).then((r) => (r.ok ? r.json() : Promise.reject(new Error(`models/${name}/model.json: HTTP ${r.status}`)))),
    fetch(new URL("model.safetensors", base)).then((r) =>
      r.ok ? r.arrayBuffer() : Promise.reject(new Error(`models/${name}/model.safetensors: HTTP ${r.status}`)),
    ),
  ]);
  return decodeModelAs(json, new Uint8Array(bytes), Sequential);
}

function clearPad(): void {
  padCtx.fillStyle = "#000";
  padCtx.fillRect(0, 0, pad.width, pad.height);
}

/** The pad's ink in [0, 1] (its red channel: white on black). */
function readInk(): Float32Array {
  const { data } = padCtx.getImageData(0, 0, pad.width, pad.height);
  return Float32Array.from({ length: pad.width * pad.height }, (_, i) => data[4 * i] / 255);
}

/** A grey image of `values` (min → black, max → white) drawn into a new canvas `zoom` times larger. */
function greyCanvas(values: ArrayLike<number>, w: number, h: number, zoom: number, range?: [number, number]): HTMLCanvasElement {
  let [lo, hi] = range ?? [Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY];
  if (range === undefined) for (let i = 0; i < w * h; i++) [lo, hi] = [Math.min(lo, values[i]), Math.max(hi, values[i])];
  const img = new ImageData(w, h);
  for (let i = 0; i < w * h; i++) {
    const g = hi > lo ? Math.round((255 * (values[i] - lo)) / (hi - lo)) : 0;
    img.data.set([g, g, g, 255], 4 * i);
  }
  const small = document.createElement("canvas");
  [small.width, small.height] = [w, h];
  small.getContext("2d")?.putImageData(img, 0, 0);
  const big = document.createElement("canvas");
  [big.width, big.height] = [w * zoom, h * zoom];
  const ctx = big.getContext("2d") as CanvasRenderingContext2D;
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(small, 0, 0, big.width, big.height);
  return big;
}

function showBars(id: string, probs: ArrayLike<number>): void {
  const box = $(`${id}-bars`);
  let top = 0;
  for (let k = 1; k < probs.length; k++) if (probs[k] > probs[top]) top = k;
  box.replaceChildren(
    ...Array.from(probs).flatMap((p, k) => {
      const label = document.createElement("span");
      label.textContent = String(k);
      const bar = document.createElement("div");
      bar.className = k === top ? "bar top" : "bar";
      bar.style.width = `${(100 * p).toFixed(1)}%`;
      const value = document.createElement("span");
      value.textContent = `${(100 * p).toFixed(1)} %`;
      return [label, bar, value];
    }),
  );
  $(`${id}-top`).textContent = `says ${top} (${(100 * probs[top]).toFixed(0)} %)`;
}

/** Runs LeNet layer by layer, picturing each convolution's maps (NHWC: channel k of pixel p at p·C + k). */
function lenetWithMaps(lenet: Sequential, x: Tensor): Float32Array {
  let h = x;
  for (const layer of lenet.layers) {
    h = layer.forward(h, false);
    if (!(layer instanceof Conv2D)) continue;
    const [, height, width, channels] = h.shape;
    if (height * width <= 1) continue; // C5's 1×1 maps show nothing
    const holder = document.getElementById(`maps-${layer.name}`);
    if (holder === null) continue;
    const zoom = Math.max(2, Math.round(84 / width));
    holder.replaceChildren(
      ...Array.from({ length: channels }, (_, k) => {
        const map = Float32Array.from({ length: height * width }, (_, p) => h.data[p * channels + k]);
        return greyCanvas(map, width, height, zoom, [-1, 1]);
      }),
    );
    state.mapsDrawn++;
  }
  return Float32Array.from(h.data);
}

function classify(mlp: Sequential, lenet: Sequential): void {
  const pixels = toMnist(readInk(), pad.width, pad.height);
  const input = $<HTMLCanvasElement>("input");
  input.getContext("2d")?.drawImage(greyCanvas(pixels, SIDE, SIDE, 2, [0, 1]), 0, 0);
  const row = tensor([Array.from(pixels)]);
  state.mlp = Array.from(mlp.predict(row).data);
  state.lenet = Array.from(lenetWithMaps(lenet, row.reshape(1, SIDE, SIDE, 1)));
  state.input = Array.from(pixels);
  showBars("mlp", state.mlp);
  showBars("lenet", state.lenet);
  state.updates++;
}

/** Freehand strokes with mouse, pen or finger (pointer events); predictions at most once a frame while drawing. */
function enableDrawing(onInk: () => void): void {
  let last: [number, number] | null = null;
  let pending = false;
  const at = (e: PointerEvent): [number, number] => {
    const r = pad.getBoundingClientRect();
    return [((e.clientX - r.left) * pad.width) / r.width, ((e.clientY - r.top) * pad.height) / r.height];
  };
  const schedule = () => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => {
      pending = false;
      onInk();
    });
  };
  const stroke = (to: [number, number]) => {
    padCtx.strokeStyle = "#fff";
    padCtx.lineWidth = PEN;
    padCtx.lineCap = "round";
    padCtx.lineJoin = "round";
    padCtx.beginPath();
    padCtx.moveTo(...(last ?? to));
    padCtx.lineTo(...to);
    padCtx.stroke();
    last = to;
    schedule();
  };
  pad.addEventListener("pointerdown", (e) => {
    pad.setPointerCapture(e.pointerId);
    last = null;
    stroke(at(e));
  });
  pad.addEventListener("pointermove", (e) => {
    if (last !== null) stroke(at(e));
  });
  const end = () => {
    if (last !== null) schedule();
    last = null;
  };
  pad.addEventListener("pointerup", end);
  pad.addEventListener("pointercancel", end);
}

async function start(): Promise<void> {
  linkDocs();
  clearPad();
  try {
    const [mlp, lenet] = await Promise.all([loadNet("mlp"), loadNet("lenet")]);
    const size = (net: Sequential) =>
      net
        .params()
        .reduce((n, p) => n + p.value.size, 0)
        .toLocaleString("en-US");
    $("models-note").textContent =
      `Weights: models/mlp (${size(mlp)} parameters), models/lenet (${size(lenet)} parameters); how they were trained: models/README.md.`;
    enableDrawing(() => classify(mlp, lenet));
    $("clear").addEventListener("click", () => {
      clearPad();
      classify(mlp, lenet);
    });
    classify(mlp, lenet);
    state.ready = true;
  } catch (e) {
    $("error").textContent = `could not load the nets: ${(e as Error).message}`;
    throw e;
  }
}

void start();
