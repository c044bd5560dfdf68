/**
 * The Boltzmann page: an RBM trained here, batch by batch, on the shipped digits (filters and
 * reconstruction error redrawn after every update), and a shipped DBN's Gibbs chain dreaming
 * digits of a clamped class. Exposes window.labBoltzmann for the end-to-end test.
 */
import { DBN, decodeModelAs, filtersImage, imagesImage, RBM, reconstructionsImage, type Tensor, zeros } from "layerwise";
import { type DigitSplit, loadDigits } from "../shared/digit-data.js";
import { linkDocs } from "../shared/docs.js";
import { drawGray, fetchSaved, nextFrame, showPlot } from "../shared/gray-canvas.js";

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
linkDocs();

// ---- the RBM trained in the page ---------------------------------------------------------

const BATCH = 20;
/** Test digits whose reconstruction error the page reports (the training batches' error is the curve). */
const TEST_ROWS = 500;

interface RbmState {
  rbm: RBM;
  /** Mean squared reconstruction error of each update so far. */
  batchErrors: number[];
  /** Reconstruction error of the test digits after each epoch (index 0: before training). */
  testErrors: number[];
}

let digits: { train: DigitSplit; test: DigitSplit };
let state: RbmState;
let running = false;
let stopAsked = false;

function newRbm(): RbmState {
  const hidden = Number($<HTMLSelectElement>("rbm-hidden").value);
  const learningRate = Number($<HTMLInputElement>("rbm-lr").value);
  const rbm = new RBM({ visible: 784, hidden, learningRate, seed: 1 });
  rbm.initVisibleBiases(digits.train.images);
  const s = { rbm, batchErrors: [], testErrors: [testError(rbm)] };
  return s;
}

function testError(rbm: RBM): number {
  return rbm.reconstructionError(digits.test.images.sliceRows(0, TEST_ROWS));
}

function drawRbm(): void {
  const { rbm } = state;
  drawGray($("rbm-filters"), filtersImage(rbm, { count: rbm.hidden }), 2);
  drawGray($("rbm-recon"), reconstructionsImage(rbm, digits.test.images.sliceRows(0, 20), { cols: 10 }), 1);
  const batches = state.batchErrors;
  showPlot($("rbm-curve"), {
    title: "reconstruction error per digit",
    xLabel: "updates (batches of 20)",
    yLabel: "‖v − v̂‖²",
    width: 420,
    height: 260,
    series: [
      { name: "training batch", x: batches.map((_, i) => i + 1), y: batches },
      { name: "test digits", x: state.testErrors.map((_, e) => e * (digits.train.labels.length / BATCH)), y: state.testErrors },
    ],
  });
  const status = $("rbm-status");
  const epochs = state.testErrors.length - 1;
  const last = state.testErrors[epochs];
  status.textContent = `${epochs} epoch(s), ${batches.length} updates; test reconstruction error ${last.toFixed(2)} per digit (before training ${state.testErrors[0].toFixed(2)})`;
  status.dataset.epochs = String(epochs);
  status.dataset.testError = String(last);
}

/** One epoch over the training digits, drawing after every batch. */
async function trainEpoch(): Promise<void> {
  const { rbm } = state;
  await rbm.fit(digits.train.images, {
    epochs: 1,
    batchSize: BATCH,
    callbacks: [
      {
        onBatchEnd: async (_batch, logs) => {
          state.batchErrors.push(logs.reconstructionError as number);
          drawRbm();
          await nextFrame();
        },
      },
    ],
  });
  state.testErrors.push(testError(rbm));
  drawRbm();
}

async function train(epochs: number): Promise<void> {
  if (running) return;
  running = true;
  stopAsked = false;
  setRbmButtons();
  try {
    for (let e = 0; e < epochs && !stopAsked; e++) await trainEpoch();
  } finally {
    running = false;
    setRbmButtons();
  }
}

function setRbmButtons(): void {
  $<HTMLButtonElement>("rbm-epoch").disabled = running;
  $<HTMLButtonElement>("rbm-run").disabled = running;
  $<HTMLButtonElement>("rbm-reset").disabled = running;
  $<HTMLButtonElement>("rbm-stop").disabled = !running;
}

$("rbm-epoch").addEventListener("click", () => void train(1));
$("rbm-run").addEventListener("click", () => void train(Number.POSITIVE_INFINITY));
$("rbm-stop").addEventListener("click", () => {
  stopAsked = true;
});
/** A fresh RBM with the chosen size and ε (a bad ε is reported in the status line, the old RBM kept). */
function resetRbm(): void {
  if (running) return;
  try {
    state = newRbm();
    drawRbm();
  } catch (e) {
    $("rbm-status").textContent = e instanceof Error ? e.message : String(e);
  }
}

$("rbm-reset").addEventListener("click", resetRbm);
// ε and the size are the RBM's constructor options: a change starts a new one
$("rbm-hidden").addEventListener("change", resetRbm);
$("rbm-lr").addEventListener("change", resetRbm);

// ---- the DBN's dreams -------------------------------------------------------------------

const CHAINS = 10;
let dbn: DBN;
let dream: ReturnType<DBN["dream"]> | null = null;
let dreaming = false;

/** The first CHAINS test digits of a class, to start the chains from their up-pass. */
function testDigitsOf(label: number): Tensor {
  const rows: number[] = [];
  for (let i = 0; i < digits.test.labels.length && rows.length < CHAINS; i++) if (digits.test.labels[i] === label) rows.push(i);
  const out = zeros([rows.length, 784]);
  rows.forEach((r, k) => {
    out.data.set(digits.test.images.row(r).data, k * 784);
  });
  return out;
}

function newDream(): void {
  const label = Number($<HTMLSelectElement>("dbn-label").value);
  const init = $<HTMLSelectElement>("dbn-start").value === "digits" ? testDigitsOf(label) : undefined;
  dream = dbn.dream({ n: CHAINS, label, init, seed: label + 1 });
  drawDream();
}

function drawDream(): void {
  if (dream === null) return;
  const images: Tensor = dream.images("mean");
  drawGray($("dbn-dreams"), imagesImage(images, { size: { height: 28, width: 28 }, cols: CHAINS }), 3);
  const status = $("dbn-status");
  status.textContent = `${dream.steps} Gibbs steps in the top RBM, label clamped to ${$<HTMLSelectElement>("dbn-label").value}`;
  status.dataset.steps = String(dream.steps);
}

async function dreamLoop(): Promise<void> {
  if (dreaming) return;
  dreaming = true;
  $<HTMLButtonElement>("dbn-dream").disabled = true;
  $<HTMLButtonElement>("dbn-pause").disabled = false;
  while (dreaming && dream !== null) {
    dream.step(Number($<HTMLInputElement>("dbn-steps").value));
    drawDream();
    await nextFrame();
  }
  $<HTMLButtonElement>("dbn-dream").disabled = false;
  $<HTMLButtonElement>("dbn-pause").disabled = true;
}

$("dbn-dream").addEventListener("click", () => void dreamLoop());
$("dbn-pause").addEventListener("click", () => {
  dreaming = false;
});
$("dbn-label").addEventListener("change", newDream);
$("dbn-start").addEventListener("change", newDream);

// ---- start ------------------------------------------------------------------------------

async function start(): Promise<void> {
  digits = await loadDigits();
  state = newRbm();
  drawRbm();
  setRbmButtons();
  $("rbm-status").dataset.ready = "true";
  const saved = await fetchSaved("../models/dbn");
  dbn = decodeModelAs(saved.json, saved.weights, DBN);
  newDream();
  $<HTMLButtonElement>("dbn-dream").disabled = false;
  $("dbn-status").dataset.ready = "true";
}

/** For the end-to-end test: the page's models. */
(globalThis as { labBoltzmann?: unknown }).labBoltzmann = {
  get rbm() {
    return state?.rbm;
  },
  get dbn() {
    return dbn;
  },
};

start().catch((e: unknown) => {
  console.error(e);
  $("rbm-status").textContent = `failed: ${e instanceof Error ? e.message : String(e)}`;
});
