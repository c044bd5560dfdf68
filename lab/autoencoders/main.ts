/**
 * The autoencoders page: the 2-D code map of the test digits (a shipped autoencoder with a
 * 2-unit code; hover shows the digit), the latent plane of a shipped 2-D VAE (a click decodes
 * a digit), and a shipped denoising autoencoder cleaning corrupted test digits. Exposes
 * window.labAutoencoders for the end-to-end test.
 */
import { Autoencoder, COLOURS, corrupt, decodeModelAs, EncoderDecoder, fromArray, type NoiseKind, ops, Rng, type Tensor, tileImages, VAE } from "layerwise";
import { type DigitSplit, loadDigits } from "../shared/digit-data.js";
import { linkDocs } from "../shared/docs.js";
import { drawGray, fetchSaved } from "../shared/gray-canvas.js";

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
linkDocs();

const MAP_DIGITS = 500;
const DIGIT_SCALE = 4;

/** The canvas point of a code and back, for a plane spanning [lo, hi] on both axes (y up). */
class PlaneView {
  constructor(
    readonly canvas: HTMLCanvasElement,
    readonly lo: [number, number],
    readonly hi: [number, number],
  ) {}

  toPixel(x: number, y: number): [number, number] {
    const { width, height } = this.canvas;
    return [((x - this.lo[0]) / (this.hi[0] - this.lo[0])) * width, (1 - (y - this.lo[1]) / (this.hi[1] - this.lo[1])) * height];
  }

  fromPixel(px: number, py: number): [number, number] {
    const { width, height } = this.canvas;
    return [this.lo[0] + (px / width) * (this.hi[0] - this.lo[0]), this.lo[1] + (1 - py / height) * (this.hi[1] - this.lo[1])];
  }

  /** The canvas pixel of a mouse event (the canvas may be drawn at another size than its pixels). */
  eventPixel(e: MouseEvent): [number, number] {
    const r = this.canvas.getBoundingClientRect();
    return [((e.clientX - r.left) / r.width) * this.canvas.width, ((e.clientY - r.top) / r.height) * this.canvas.height];
  }
}

/** The view that holds every 2-D code with a margin. */
function fitView(canvas: HTMLCanvasElement, codes: Tensor): PlaneView {
  const lo: [number, number] = [Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY];
  const hi: [number, number] = [Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY];
  for (let r = 0; r < codes.rows; r++)
    for (const a of [0, 1]) {
      lo[a] = Math.min(lo[a], codes.data[2 * r + a]);
      hi[a] = Math.max(hi[a], codes.data[2 * r + a]);
    }
  for (const a of [0, 1]) {
    const pad = 0.05 * (hi[a] - lo[a] || 1);
    lo[a] -= pad;
    hi[a] += pad;
  }
  return new PlaneView(canvas, lo, hi);
}

/** Dots for the codes, coloured by class (the library's plot palette), on a white plane. */
function drawCodes(view: PlaneView, codes: Tensor, labels: Uint8Array, alpha = 1): void {
  const ctx = view.canvas.getContext("2d");
  if (ctx === null) return;
  ctx.fillStyle = "#fff";
  ctx.fillRect(0, 0, view.canvas.width, view.canvas.height);
  ctx.globalAlpha = alpha;
  for (let r = 0; r < codes.rows; r++) {
    const [x, y] = view.toPixel(codes.data[2 * r], codes.data[2 * r + 1]);
    ctx.fillStyle = COLOURS[labels[r]];
    ctx.beginPath();
    ctx.arc(x, y, 3, 0, 2 * Math.PI);
    ctx.fill();
  }
  ctx.globalAlpha = 1;
}

function legend(): string {
  return COLOURS.map((c, digit) => `<span style="color:${c}">● ${digit}</span>`).join(" ");
}

function drawDigit(canvas: HTMLCanvasElement, image: Tensor): void {
  drawGray(canvas, tileImages(image.reshape(1, 784), { height: 28, width: 28, scale: DIGIT_SCALE }));
}

// ---- the 2-D code map -------------------------------------------------------------------

function showCodeMap(ae: EncoderDecoder, test: DigitSplit): { view: PlaneView; codes: Tensor } {
  const images = test.images.sliceRows(0, MAP_DIGITS);
  const codes = ae.encode(images);
  const view = fitView($("ae-map"), codes);
  drawCodes(view, codes, test.labels);
  $("ae-legend").innerHTML = legend();
  view.canvas.dataset.points = String(codes.rows);
  view.canvas.addEventListener("mousemove", (e) => {
    const [px, py] = view.eventPixel(e);
    let best = -1;
    let bestD = 10 * 10; // within 10 pixels of a dot
    for (let r = 0; r < codes.rows; r++) {
      const [x, y] = view.toPixel(codes.data[2 * r], codes.data[2 * r + 1]);
      const d = (x - px) ** 2 + (y - py) ** 2;
      if (d < bestD) [best, bestD] = [r, d];
    }
    if (best < 0) return;
    drawDigit($("ae-digit"), images.row(best));
    const caption = $("ae-caption");
    caption.textContent = `test digit ${best}: a ${test.labels[best]} at code (${codes.data[2 * best].toFixed(2)}, ${codes.data[2 * best + 1].toFixed(2)})`;
    caption.dataset.digit = String(best);
  });
  return { view, codes };
}

// ---- the VAE's latent plane -------------------------------------------------------------

function showLatentPlane(vae: VAE, test: DigitSplit): PlaneView {
  const view = new PlaneView($("vae-plane"), [-3, -3], [3, 3]);
  const mu = vae.encode(test.images.sliceRows(0, MAP_DIGITS));
  const redraw = (mark?: [number, number]): void => {
    drawCodes(view, mu, test.labels, 0.35);
    const ctx = view.canvas.getContext("2d");
    if (ctx === null || mark === undefined) return;
    const [x, y] = view.toPixel(mark[0], mark[1]);
    ctx.strokeStyle = "#000";
    ctx.lineWidth = 2;
    ctx.strokeRect(x - 6, y - 6, 12, 12);
  };
  redraw();
  view.canvas.addEventListener("click", (e) => {
    const z = view.fromPixel(...view.eventPixel(e));
    const decoded = vae.decode(fromArray(z, [1, 2]));
    drawDigit($("vae-digit"), decoded);
    redraw(z);
    const caption = $("vae-caption");
    caption.textContent = `p(x | z) at z = (${z[0].toFixed(2)}, ${z[1].toFixed(2)})`;
    caption.dataset.z = z.join(",");
  });
  return view;
}

// ---- denoising --------------------------------------------------------------------------

const DENOISE_DIGITS = 10;
let denoiseOffset = 0;
const denoiseRng = new Rng(2008);

/** Ten test digits, corrupted and denoised; the squared error against the clean digit before and after. */
function denoise(dae: Autoencoder, test: DigitSplit): { corrupted: number; denoised: number } {
  const start = denoiseOffset;
  denoiseOffset = (denoiseOffset + DENOISE_DIGITS) % (test.labels.length - DENOISE_DIGITS);
  const clean = test.images.sliceRows(start, start + DENOISE_DIGITS);
  const noise = $<HTMLSelectElement>("dae-noise").value as NoiseKind;
  const level = Number($<HTMLInputElement>("dae-level").value);
  const noisy = corrupt(clean, { noise, level }, denoiseRng);
  const cleaned = dae.reconstruct(noisy);
  const rows = new Float32Array(3 * DENOISE_DIGITS * 784);
  rows.set(clean.data, 0);
  rows.set(noisy.data, DENOISE_DIGITS * 784);
  rows.set(cleaned.data, 2 * DENOISE_DIGITS * 784);
  drawGray($("dae-images"), tileImages(fromArray(rows, [3 * DENOISE_DIGITS, 784]), { height: 28, width: 28, cols: DENOISE_DIGITS, background: 0.3, scale: 2 }));
  const errors = { corrupted: ops.squaredErrorPerRow(noisy, clean), denoised: ops.squaredErrorPerRow(cleaned, clean) };
  const status = $("dae-status");
  status.textContent = `squared error against the clean digit, per digit: corrupted ${errors.corrupted.toFixed(1)}, denoised ${errors.denoised.toFixed(1)}`;
  status.dataset.corrupted = String(errors.corrupted);
  status.dataset.denoised = String(errors.denoised);
  return errors;
}

// ---- start ------------------------------------------------------------------------------

async function start(): Promise<void> {
  const [digits, ae2d, vae2d, dae] = await Promise.all([
    loadDigits(),
    fetchSaved("../models/ae2d").then((s) => decodeModelAs(s.json, s.weights, EncoderDecoder)),
    fetchSaved("../models/vae2d").then((s) => decodeModelAs(s.json, s.weights, VAE)),
    fetchSaved("../models/dae").then((s) => decodeModelAs(s.json, s.weights, Autoencoder)),
  ]);
  const map = showCodeMap(ae2d, digits.test);
  const plane = showLatentPlane(vae2d, digits.test);
  const level = $<HTMLInputElement>("dae-level");
  level.addEventListener("input", () => {
    $("dae-level-value").textContent = Number(level.value).toFixed(2);
  });
  $("dae-run").addEventListener("click", () => denoise(dae, digits.test));
  $<HTMLButtonElement>("dae-run").disabled = false;
  denoise(dae, digits.test);
  $("dae-status").dataset.ready = "true";
  /** For the end-to-end test: where a code-map dot and a latent point are on screen. */
  (globalThis as { labAutoencoders?: unknown }).labAutoencoders = {
    mapPixel: (i: number) => map.view.toPixel(map.codes.data[2 * i], map.codes.data[2 * i + 1]),
    planePixel: (z: [number, number]) => plane.toPixel(z[0], z[1]),
  };
}

start().catch((e: unknown) => {
  console.error(e);
  $("dae-status").textContent = `failed: ${e instanceof Error ? e.message : String(e)}`;
});
