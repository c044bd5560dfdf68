/**
 * The playground: a perceptron or an MLP learns a 2-D toy set while the page redraws the
 * region each class gets. The MLP trains one epoch per animation frame (Sequential.fit on the
 * 200 points); the perceptron's fit is instant, so the page keeps its weights after every
 * epoch and replays them, one epoch a frame. window.labPerceptron exposes the state for tests.
 */
import { Adam, Dense, oneHot, ops, Perceptron, Sequential, type Tensor, zeros } from "layerwise";
import { linkDocs } from "../shared/docs.js";
import { drawLineChart } from "../shared/line-chart.js";
import { TOY_SETS, type ToyData, type ToySet, toyData } from "./toy-data.js";

const POINTS = 200;
const SEED = 7;
const MAX_EPOCHS = 1000;
/** Grid cells per side of the decision-region picture. */
const GRID = 72;
/** The picture spans [−EXTENT, EXTENT]² in data coordinates. */
const EXTENT = 1.15;
const CLASS_RGB: [number, number, number][] = [
  [44, 111, 187],
  [214, 118, 38],
];

type Activation = "tanh" | "relu" | "sigmoid";

interface PlaygroundState {
  dataset: ToySet;
  model: "mlp" | "perceptron";
  epoch: number;
  accuracy: number;
  training: boolean;
  /** Times the decision region has been drawn (the test waits for it). */
  regionDrawn: number;
  history: number[];
}

const state: PlaygroundState = { dataset: "xor", model: "mlp", epoch: 0, accuracy: Number.NaN, training: false, regionDrawn: 0, history: [] };
(globalThis as { labPerceptron?: PlaygroundState }).labPerceptron = state;

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const region = $<HTMLCanvasElement>("region");
const curve = $<HTMLCanvasElement>("curve");

/** The grid's centres as [GRID², 2] points, row by row from the top. */
const gridPoints: Tensor = (() => {
  const g = zeros([GRID * GRID, 2]);
  for (let r = 0; r < GRID; r++) {
    for (let c = 0; c < GRID; c++) {
      g.data[2 * (r * GRID + c)] = -EXTENT + ((c + 0.5) / GRID) * 2 * EXTENT;
      g.data[2 * (r * GRID + c) + 1] = EXTENT - ((r + 0.5) / GRID) * 2 * EXTENT;
    }
  }
  return g;
})();

/** Draws p(class 1) on the grid as a blend of the two class colours, then the points on top. */
function drawRegion(pClass1: ArrayLike<number>, data: ToyData): void {
  const ctx = region.getContext("2d");
  if (ctx === null) return;
  const cell = region.width / GRID;
  for (let i = 0; i < GRID * GRID; i++) {
    const p = pClass1[i];
    const [r, g, b] = CLASS_RGB[0].map((v, k) => v + p * (CLASS_RGB[1][k] - v));
    // pale far from the boundary's uncertainty, so the points stay visible
    ctx.fillStyle = `rgba(${r | 0}, ${g | 0}, ${b | 0}, ${0.18 + 0.35 * Math.abs(2 * p - 1)})`;
    ctx.clearRect((i % GRID) * cell, Math.floor(i / GRID) * cell, cell, cell);
    ctx.fillRect((i % GRID) * cell, Math.floor(i / GRID) * cell, cell, cell);
  }
  const toPx = (v: number) => ((v + EXTENT) / (2 * EXTENT)) * region.width;
  for (let i = 0; i < data.labels.length; i++) {
    const [r, g, b] = CLASS_RGB[data.labels[i]];
    ctx.fillStyle = `rgb(${r}, ${g}, ${b})`;
    ctx.strokeStyle = "#fff";
    ctx.beginPath();
    ctx.arc(toPx(data.x.data[2 * i]), region.height - toPx(data.x.data[2 * i + 1]), 3.5, 0, 2 * Math.PI);
    ctx.fill();
    ctx.stroke();
  }
  state.regionDrawn++;
}

function showProgress(note: string): void {
  $("accuracy").textContent = Number.isNaN(state.accuracy) ? "–" : `${(100 * state.accuracy).toFixed(1)} %`;
  $("epoch").textContent = String(state.epoch);
  $("note").textContent = note;
  drawLineChart(curve, [{ values: state.history, color: "#2c6fbb" }], { yRange: [0, 1], title: "training accuracy per epoch" });
}

/** Reads and checks the controls; throws a message naming the control and its allowed values. */
function readControls(): { dataset: ToySet; model: "mlp" | "perceptron"; hidden: number[]; activation: Activation; lr: number } {
  const dataset = $<HTMLSelectElement>("dataset").value as ToySet;
  if (!TOY_SETS.includes(dataset)) throw new RangeError(`data must be one of ${TOY_SETS.join(", ")}`);
  const lr = Number($<HTMLInputElement>("lr").value);
  if (!(lr > 0 && lr <= 10)) throw new RangeError(`learning rate must be a number in (0, 10]; got "${$<HTMLInputElement>("lr").value}"`);
  const spec = $<HTMLInputElement>("layers").value.trim();
  const hidden = spec === "" ? [] : spec.split("-").map(Number);
  if (hidden.some((h) => !Number.isInteger(h) || h < 1 || h > 64) || hidden.length > 4)
    throw new RangeError(`hidden layers must be up to 4 sizes in 1..64 joined by "-", e.g. 8-8; got "${spec}"`);
  return {
    dataset,
    model: $<HTMLSelectElement>("model").value === "perceptron" ? "perceptron" : "mlp",
    hidden,
    activation: $<HTMLSelectElement>("activation").value as Activation,
    lr,
  };
}

function accuracyOf(predicted: ArrayLike<number>, labels: ArrayLike<number>): number {
  let right = 0;
  for (let i = 0; i < labels.length; i++) if (predicted[i] === labels[i]) right++;
  return right / labels.length;
}

/** The MLP: hidden Dense layers of the chosen activation, a 2-way softmax, Adam on the cross-entropy. */
function newMlp(hidden: number[], activation: Activation, lr: number): Sequential {
  const init = activation === "relu" ? "heNormal" : "glorotUniform";
  const layers = [...hidden.map((units) => new Dense(units, { activation, kernelInitializer: init })), new Dense(2, { activation: "softmax" })];
  return new Sequential(layers, { inputShape: [2], seed: SEED, name: "playground" }).compile({
    loss: "categoricalCrossentropy",
    optimizer: new Adam({ learningRate: lr }),
    metrics: ["accuracy"],
  });
}

let generation = 0;
const nextFrame = () => new Promise<void>((done) => requestAnimationFrame(() => done()));

/** The MLP being trained since the last reset (kept across pause and resume). */
let mlp: Sequential | null = null;

async function trainMlp(data: ToyData, hidden: number[], activation: Activation, lr: number, run: number): Promise<void> {
  mlp ??= newMlp(hidden, activation, lr);
  const model = mlp;
  const y = oneHot(data.labels, 2);
  while (run === generation && state.training && state.epoch < MAX_EPOCHS) {
    await model.fit(data.x, y, { epochs: 1, batchSize: 10, seed: SEED + state.epoch });
    const p = model.predict(data.x);
    state.epoch++;
    state.accuracy = accuracyOf(ops.argmax(p), data.labels);
    state.history.push(state.accuracy);
    const grid = model.predict(gridPoints, { batchSize: GRID * GRID });
    drawRegion(
      Float32Array.from({ length: GRID * GRID }, (_, i) => grid.data[2 * i + 1]),
      data,
    );
    showProgress(`loss ${(model.evaluate(data.x, y).loss ?? Number.NaN).toFixed(3)}`);
    await nextFrame();
  }
  if (run === generation) state.training = false;
}

/** Fits the perceptron (online rule, zero start), keeping W and b after each epoch, then replays them. */
async function trainPerceptron(data: ToyData, lr: number, run: number): Promise<void> {
  const perceptron = new Perceptron({ classes: 2, learningRate: lr, maxEpochs: 100, seed: SEED });
  const snapshots: Tensor[][] = [];
  const result = perceptron.fit(data.x, data.labels, { callbacks: [{ onEpochEnd: () => void snapshots.push(perceptron.getWeights()) }] });
  for (const weights of snapshots.slice(state.epoch)) {
    if (run !== generation || !state.training) return;
    perceptron.setWeights(weights);
    state.epoch++;
    state.accuracy = perceptron.score(data.x, data.labels);
    state.history.push(state.accuracy);
    const fired = perceptron.predict(gridPoints);
    drawRegion(fired, data);
    showProgress(state.epoch === snapshots.length ? result.message : "replaying the perceptron rule, one epoch a frame");
    await nextFrame();
    await new Promise((done) => setTimeout(done, 25));
  }
  state.training = false;
  $("train").textContent = "train";
}

function reset(): void {
  generation++;
  mlp = null;
  state.training = false;
  state.epoch = 0;
  state.accuracy = Number.NaN;
  state.history = [];
  $("train").textContent = "train";
  $("error").textContent = "";
  try {
    const c = readControls();
    state.dataset = c.dataset;
    state.model = c.model;
    drawRegion(new Float32Array(GRID * GRID).fill(0.5), toyData(c.dataset, POINTS, SEED));
    showProgress("");
  } catch (e) {
    $("error").textContent = (e as Error).message;
  }
}

async function toggleTraining(): Promise<void> {
  if (state.training) {
    state.training = false;
    $("train").textContent = "train";
    return;
  }
  let c: ReturnType<typeof readControls>;
  try {
    c = readControls();
  } catch (e) {
    $("error").textContent = (e as Error).message;
    return;
  }
  $("error").textContent = "";
  state.training = true;
  $("train").textContent = "pause";
  const data = toyData(c.dataset, POINTS, SEED);
  const run = ++generation; // a resumed run replaces the paused one
  try {
    if (c.model === "mlp") await trainMlp(data, c.hidden, c.activation, c.lr, run);
    else await trainPerceptron(data, c.lr, run);
  } catch (e) {
    $("error").textContent = (e as Error).message;
    state.training = false;
  }
}

$("train").addEventListener("click", () => void toggleTraining());
$("reset").addEventListener("click", reset);
for (const id of ["dataset", "model", "layers", "activation", "lr"]) $(id).addEventListener("change", reset);
linkDocs();
reset();
