/**
 * The Hopfield page: store patterns and watch asynchronous recall unit by unit with the energy
 * falling; the capacity curve of the Hebbian rule; the Hopfield–Tank TSP net annealing.
 * Recall is the library's FieldState stepped a few units per animation frame (the same update
 * Hopfield.recall runs in a loop), so the page can show every visit. window.labHopfield
 * exposes the state for tests.
 */
import {
  distanceMatrix,
  FieldState,
  flipUnits,
  fromArray,
  Hopfield,
  hammingDistance,
  heldKarp,
  parsePatternText,
  Rng,
  randomCities,
  randomPatterns,
  type StorageRule,
  shuffleOrder,
  solveTspHopfield,
  type Tensor,
  unitIndices,
} from "layerwise";
import { linkDocs } from "../shared/docs.js";
import { drawLineChart } from "../shared/line-chart.js";
import { PRESET_NAMES, PRESET_TEXT } from "./presets.js";

const presets = parsePatternText(PRESET_TEXT);
const SIDE = presets.width;
const N = SIDE * presets.height;

interface HopfieldPageState {
  stored: number[][];
  selected: number;
  probe: number[];
  state: number[];
  /** E after every unit visit of the current recall, starting with the probe's. */
  energies: number[];
  recalling: boolean;
  /** Set when the last recall reached a fixed point. */
  done: boolean;
  sweeps: number;
  /** Index of the stored pattern the state equals, or −1. */
  recalledIndex: number;
  capacity: { units: number; alphas: number[]; overlap: number[]; exact: number[]; done: boolean };
  tsp: { frames: number; done: boolean; valid: boolean; length: number; optimum: number };
}

const page: HopfieldPageState = {
  stored: [],
  selected: -1,
  probe: [],
  state: [],
  energies: [],
  recalling: false,
  done: false,
  sweeps: 0,
  recalledIndex: -1,
  capacity: { units: 200, alphas: [], overlap: [], exact: [], done: false },
  tsp: { frames: 0, done: false, valid: false, length: Number.NaN, optimum: Number.NaN },
};
(globalThis as { labHopfield?: HopfieldPageState }).labHopfield = page;

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const nextFrame = () => new Promise<void>((done) => requestAnimationFrame(() => done()));

// ---- drawing -------------------------------------------------------------------------------

/** ±1 units as dark/light cells; `visit` outlines one unit. */
function drawUnits(canvas: HTMLCanvasElement, x: ArrayLike<number>, visit = -1): void {
  const ctx = canvas.getContext("2d") as CanvasRenderingContext2D;
  const cell = canvas.width / SIDE;
  for (let i = 0; i < N; i++) {
    ctx.fillStyle = x[i] > 0 ? "#1d2330" : "#eef1f6";
    ctx.fillRect((i % SIDE) * cell, Math.floor(i / SIDE) * cell, cell - 1, cell - 1);
  }
  if (visit >= 0) {
    ctx.strokeStyle = "#d67626";
    ctx.lineWidth = 3;
    ctx.strokeRect((visit % SIDE) * cell + 1.5, Math.floor(visit / SIDE) * cell + 1.5, cell - 4, cell - 4);
    ctx.lineWidth = 1;
  }
}

function thumbnail(x: ArrayLike<number>, title: string, onClick: () => void): HTMLCanvasElement {
  const c = document.createElement("canvas");
  c.width = c.height = 4 * SIDE;
  c.title = title;
  drawUnits(c, x);
  c.addEventListener("click", onClick);
  return c;
}

// ---- store, corrupt, recall ----------------------------------------------------------------

const editor = $<HTMLCanvasElement>("editor");
const editorUnits = new Float32Array(N).fill(-1);
const stateCanvas = $<HTMLCanvasElement>("state");
let net = new Hopfield({ size: N });
let corruptions = 0;
let recalls = 0;

function storeAll(): void {
  net = new Hopfield({ size: N });
  if (page.stored.length > 0) net.store(page.stored, { rule: $<HTMLSelectElement>("rule").value as StorageRule });
}

function showStored(): void {
  const box = $("stored");
  if (page.stored.length === 0) {
    box.innerHTML = '<span class="status">none yet</span>';
    return;
  }
  box.replaceChildren(
    ...page.stored.map((p, k) => {
      const t = thumbnail(p, `stored pattern ${k + 1}`, () => select(k));
      if (k === page.selected) t.className = "selected";
      return t;
    }),
  );
}

function select(k: number): void {
  page.selected = k;
  page.recalling = false;
  page.state = [...page.stored[k]];
  page.energies = [net.energy(page.state)];
  drawUnits(stateCanvas, page.state);
  showEnergy();
  showStored();
  $("recall-note").textContent = `stored pattern ${k + 1}: E = ${page.energies[0].toFixed(2)}; corrupt it, then recall`;
}

function corrupt(): void {
  if (page.selected < 0) {
    $("recall-note").textContent = "choose a stored pattern first (store one, then click it)";
    return;
  }
  const noise = Number($<HTMLInputElement>("noise").value) / 100;
  const probe = flipUnits(fromArray(page.stored[page.selected]), noise, new Rng(1000 + corruptions++));
  page.recalling = false;
  page.done = false;
  page.probe = Array.from(probe.data);
  page.state = [...page.probe];
  page.energies = [net.energy(page.state)];
  drawUnits(stateCanvas, page.state);
  showEnergy();
  $("recall-note").textContent = `${Math.round(noise * N)} of ${N} units flipped; E = ${page.energies[0].toFixed(2)}; now recall`;
}

function showEnergy(): void {
  drawLineChart($<HTMLCanvasElement>("energy"), [{ values: page.energies, color: "#2c6fbb" }], { title: "energy E after each unit visit" });
}

function describeResult(): string {
  const matches = page.stored.map((p) => hammingDistance(p, page.state));
  page.recalledIndex = matches.indexOf(0);
  const nearest = matches.indexOf(Math.min(...matches));
  const overlap = 1 - (2 * matches[nearest]) / N;
  const what =
    page.recalledIndex >= 0
      ? `recalled stored pattern ${page.recalledIndex + 1} exactly`
      : `a spurious state: nearest stored pattern ${nearest + 1}, overlap m = ${overlap.toFixed(2)}`;
  return `fixed point after ${page.sweeps} sweeps: ${what}; E = ${page.energies[page.energies.length - 1].toFixed(2)}`;
}

/** Asynchronous recall, `speed` unit visits a frame, each sweep in a fresh random order, until a sweep changes nothing. */
async function recall(): Promise<void> {
  if (page.state.length !== N || page.stored.length === 0) {
    $("recall-note").textContent = "store a pattern and corrupt it first";
    return;
  }
  const run = ++recalls;
  const rng = new Rng(run);
  const field = new FieldState(net.weights, net.thresholds, "bipolar").load(page.state);
  const order = shuffleOrder(unitIndices(N), rng);
  page.recalling = true;
  page.done = false;
  page.sweeps = 0;
  page.energies = [field.energy];
  let position = 0;
  let changes = 0;
  while (page.recalling && run === recalls) {
    const speed = Number($<HTMLInputElement>("speed").value);
    let visit = -1;
    for (let k = 0; k < speed && !page.done; k++) {
      visit = order[position];
      if (field.settle(visit)) changes++;
      page.energies.push(field.energy);
      if (++position < N) continue;
      page.sweeps++;
      if (changes === 0) page.done = true;
      position = 0;
      changes = 0;
      shuffleOrder(order, rng);
    }
    page.state = Array.from(field.x);
    drawUnits(stateCanvas, page.state, page.done ? -1 : visit);
    showEnergy();
    if (page.done) {
      page.recalling = false;
      $("recall-note").textContent = describeResult();
      return;
    }
    $("recall-note").textContent = `sweep ${page.sweeps + 1}, unit ${position} of ${N}: E = ${field.energy.toFixed(2)}`;
    await nextFrame();
  }
}

function enableEditor(): void {
  let paint: number | null = null;
  const cellAt = (e: PointerEvent) => {
    const r = editor.getBoundingClientRect();
    const col = Math.floor(((e.clientX - r.left) / r.width) * SIDE);
    const row = Math.floor(((e.clientY - r.top) / r.height) * SIDE);
    return col >= 0 && col < SIDE && row >= 0 && row < SIDE ? row * SIDE + col : -1;
  };
  editor.addEventListener("pointerdown", (e) => {
    const i = cellAt(e);
    if (i < 0) return;
    editor.setPointerCapture(e.pointerId);
    paint = -editorUnits[i];
    editorUnits[i] = paint;
    drawUnits(editor, editorUnits);
  });
  editor.addEventListener("pointermove", (e) => {
    const i = cellAt(e);
    if (paint === null || i < 0) return;
    editorUnits[i] = paint;
    drawUnits(editor, editorUnits);
  });
  editor.addEventListener("pointerup", () => void (paint = null));
}

function setupMemory(): void {
  $("presets").replaceChildren(
    ...PRESET_NAMES.map((name, k) =>
      thumbnail(presets.patterns.row(k).data, name, () => {
        editorUnits.set(presets.patterns.row(k).data);
        drawUnits(editor, editorUnits);
      }),
    ),
  );
  enableEditor();
  drawUnits(editor, editorUnits);
  drawUnits(stateCanvas, new Float32Array(N).fill(-1));
  showEnergy();
  $("store").addEventListener("click", () => {
    page.stored.push(Array.from(editorUnits));
    storeAll();
    select(page.stored.length - 1);
  });
  $("clear-editor").addEventListener("click", () => {
    editorUnits.fill(-1);
    drawUnits(editor, editorUnits);
  });
  $("forget").addEventListener("click", () => {
    page.stored = [];
    page.selected = -1;
    page.recalling = false;
    storeAll();
    showStored();
    $("recall-note").textContent = "store a pattern, then corrupt it";
  });
  $("rule").addEventListener("change", () => {
    storeAll();
    if (page.selected >= 0) select(page.selected);
  });
  $("noise").addEventListener("input", () => void ($("noise-value").textContent = `${$<HTMLInputElement>("noise").value} %`));
  $("corrupt").addEventListener("click", corrupt);
  $("recall").addEventListener("click", () => void recall());
}

// ---- capacity ------------------------------------------------------------------------------

const CAPACITY_NOISE = 0.1;
const CAPACITY_SEEDS = 2;

/** Mean overlap and fraction recalled exactly, P = αN random patterns, probes with 10 % noise. */
function recallAtLoad(alpha: number): { overlap: number; exact: number } {
  const n = page.capacity.units;
  let overlap = 0;
  let exact = 0;
  let total = 0;
  for (let seed = 1; seed <= CAPACITY_SEEDS; seed++) {
    const rng = new Rng(seed);
    const p = Math.max(1, Math.round(alpha * n));
    const patterns = randomPatterns(p, n, rng);
    const memory = new Hopfield({ size: n }).store(patterns);
    const probes = flipUnits(patterns, CAPACITY_NOISE, rng);
    for (let k = 0; k < p; k++) {
      const d = hammingDistance(memory.recall(probes.row(k), { seed: k, record: "none" }).state.data, patterns.row(k).data);
      overlap += 1 - (2 * d) / n;
      if (d === 0) exact++;
      total++;
    }
  }
  return { overlap: overlap / total, exact: exact / total };
}

function showCapacity(): void {
  const alpha = Number($<HTMLInputElement>("alpha").value);
  $("alpha-value").textContent = alpha.toFixed(2);
  const c = page.capacity;
  const k = c.alphas.findIndex((a) => Math.abs(a - alpha) < 1e-9);
  $("capacity-note").textContent =
    k < 0
      ? `P = ${Math.round(alpha * c.units)} patterns: computing…`
      : `P = ${Math.round(alpha * c.units)} patterns: mean overlap after recall m = ${c.overlap[k].toFixed(3)}, ${(100 * c.exact[k]).toFixed(0)} % recalled exactly`;
  drawLineChart(
    $<HTMLCanvasElement>("capacity"),
    [
      { values: c.overlap, color: "#2c6fbb", label: "overlap" },
      { values: c.exact, color: "#1f9d55", label: "exact" },
    ],
    {
      x: c.alphas,
      yRange: [0, 1],
      title: "blue: mean overlap m after recall · green: fraction recalled exactly · against α = P/N",
      markers: [
        { x: 0.138, color: "#888", label: "0.138" },
        { x: alpha, color: "#d67626" },
      ],
    },
  );
}

/** One load a frame, so the page stays responsive while the curve fills in. */
async function computeCapacity(): Promise<void> {
  const slider = $<HTMLInputElement>("alpha");
  const [lo, hi, step] = [Number(slider.min), Number(slider.max), Number(slider.step)];
  $("capacity-units").textContent = `N = ${page.capacity.units}`;
  for (let k = 0; lo + k * step <= hi + 1e-9; k++) {
    const alpha = Number((lo + k * step).toFixed(2));
    const r = recallAtLoad(alpha);
    page.capacity.alphas.push(alpha);
    page.capacity.overlap.push(r.overlap);
    page.capacity.exact.push(r.exact);
    showCapacity();
    await nextFrame();
  }
  page.capacity.done = true;
}

// ---- the Hopfield–Tank TSP -----------------------------------------------------------------

const CITIES = 10;
/** Sweeps between the frames kept for the animation. */
const FRAME_EVERY = 10;
let tspSeed = 1;
/** Solves started for the current cities. */
let attempts = 0;
let tspRun = 0;

function drawTsp(cities: Tensor, v: ArrayLike<number>, tour: ArrayLike<number> | null, optimum: ArrayLike<number>): void {
  const map = $<HTMLCanvasElement>("tsp-map");
  const ctx = map.getContext("2d") as CanvasRenderingContext2D;
  const px = (c: number) => [20 + cities.data[2 * c] * (map.width - 40), 20 + cities.data[2 * c + 1] * (map.height - 40)] as const;
  ctx.clearRect(0, 0, map.width, map.height);
  const path = (order: ArrayLike<number>, color: string, dash: number[], width: number) => {
    ctx.strokeStyle = color;
    ctx.setLineDash(dash);
    ctx.lineWidth = width;
    ctx.beginPath();
    for (let i = 0; i <= order.length; i++) ctx[i === 0 ? "moveTo" : "lineTo"](...px(order[i % order.length]));
    ctx.stroke();
    ctx.setLineDash([]);
    ctx.lineWidth = 1;
  };
  path(optimum, "#1f9d55", [2, 4], 1.5);
  // while annealing: for each position, the city most active there
  const likely = Array.from({ length: CITIES }, (_, i) => {
    let best = 0;
    for (let x = 1; x < CITIES; x++) if (v[x * CITIES + i] > v[best * CITIES + i]) best = x;
    return best;
  });
  path(tour ?? likely, tour === null ? "#9aa3b5" : "#d67626", tour === null ? [6, 4] : [], tour === null ? 1.5 : 2.5);
  for (let c = 0; c < CITIES; c++) {
    ctx.fillStyle = "#1d2330";
    ctx.beginPath();
    ctx.arc(...px(c), 5, 0, 2 * Math.PI);
    ctx.fill();
    ctx.fillText(String(c), px(c)[0] + 7, px(c)[1] - 6);
  }
  const grid = $<HTMLCanvasElement>("tsp-grid");
  const g = grid.getContext("2d") as CanvasRenderingContext2D;
  const cell = grid.width / CITIES;
  for (let a = 0; a < CITIES * CITIES; a++) {
    const shade = Math.round(238 - 220 * Math.min(1, Math.max(0, v[a])));
    g.fillStyle = `rgb(${shade}, ${shade}, ${shade + 8})`;
    g.fillRect((a % CITIES) * cell, Math.floor(a / CITIES) * cell, cell - 1, cell - 1);
  }
}

function newCities(): { cities: Tensor; dist: Float64Array; optimum: { length: number; tour: Int32Array } } {
  const cities = randomCities(CITIES, new Rng(tspSeed));
  const dist = distanceMatrix(cities);
  return { cities, dist, optimum: heldKarp(dist) };
}

/** Anneals once, keeping the grid every FRAME_EVERY sweeps, then plays the frames back. */
async function solveTsp(): Promise<void> {
  const run = ++tspRun;
  const { cities, dist, optimum } = newCities();
  const frames: { v: Float32Array; t: number }[] = [];
  const solution = solveTspHopfield(dist, {
    seed: tspSeed * 1000 + attempts++, // runTspExperiment's seeds for these cities

    onSweep: (step, t, v) => {
      if (step % FRAME_EVERY === 0) frames.push({ v: Float32Array.from(v), t });
    },
  });
  Object.assign(page.tsp, { frames: 0, done: false, valid: solution.valid, length: solution.length, optimum: optimum.length });
  for (const [k, f] of frames.entries()) {
    if (run !== tspRun) return;
    drawTsp(cities, f.v, null, optimum.tour);
    page.tsp.frames++;
    $("tsp-note").textContent = `annealing: sweep ${k * FRAME_EVERY} of ${frames.length * FRAME_EVERY}, temperature ${f.t.toFixed(3)}`;
    if (k % 2 === 1) await nextFrame();
  }
  drawTsp(cities, solution.state, solution.tour, optimum.tour);
  $("tsp-note").textContent = solution.valid
    ? `a valid tour of length ${solution.length.toFixed(3)}; the optimum (Held–Karp, dotted) is ${optimum.length.toFixed(3)}: ratio ${(solution.length / optimum.length).toFixed(3)}`
    : "no valid tour this time (the grid is not a permutation matrix): a known weakness of the Hopfield–Tank energy; solve again";
  page.tsp.done = true;
}

function showCities(): void {
  const { cities, optimum } = newCities();
  drawTsp(cities, new Float32Array(CITIES * CITIES).fill(1 / CITIES), null, optimum.tour);
  $("tsp-note").textContent = `optimum tour (Held–Karp, dotted): ${optimum.length.toFixed(3)}`;
}

function setupTsp(): void {
  showCities();
  $("tsp-solve").addEventListener("click", () => void solveTsp());
  $("tsp-new").addEventListener("click", () => {
    tspSeed++;
    tspRun++;
    attempts = 0;
    showCities();
  });
}

linkDocs();
setupMemory();
setupTsp();
$("alpha").addEventListener("input", showCapacity);
void computeCapacity();
