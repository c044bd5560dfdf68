/**
 * What SimpleRNN, LSTM and GRU share: the loop over time and backpropagation through time.
 *
 * A layer reads x of shape [batch, time, features] and keeps a state h_t (and c_t for the
 * LSTM) of `units` values per sequence. Every cell's pre-activations are an input part and a
 * recurrent part, with the G gates packed side by side (G = 1, 4, 3):
 *   a_t = x_t W + b  +  h_{t−1} U        W: [features, G·units], U: [units, G·units]
 * The input part does not depend on the state, so it is one GEMM over all steps at once; the
 * recurrent part is one GEMM per step for all the gates together. The cells (simple-rnn.ts,
 * lstm.ts, gru.ts) write only the elementwise step, forward and backward side by side.
 *
 * Backward (BPTT) walks the steps in reverse, carrying dL/dh_t (and dL/dc_t) down:
 *   dL/dh_{t−1} = (direct part of the cell) + δ_t Uᵀ,   δ_t = dL/da_t from the cell's step
 * and then, with the δ_t of all steps stacked: dL/dW = Xᵀ δ, dL/db = Σ δ, dL/dU = H_{prev}ᵀ δ,
 * dL/dX = δ Wᵀ (three GEMMs over all steps). Everything is stored time-major ([time·batch, …],
 * in the order the steps are processed) so that each step's rows are contiguous.
 *
 * Options: returnSequences (output every h_t, [batch, time, units], else the last h,
 * [batch, units]); goBackwards (read the steps last to first; the output sequence is then in
 * that reversed order, as in Keras); stateful (the final state of a batch is the initial state
 * of the next one, so a long sequence fed in chunks of k steps is truncated BPTT: gradients
 * stop at the chunk boundary; resetStates() starts afresh); masks of padded steps (setMask,
 * or a Masking layer below in a Sequential): at a masked step the state is carried over
 * unchanged and the output is zero, so a padded sequence ends in the state it would reach alone.
 *
 * One output fits the Layer interface, so the final state is not a second output: finalStates()
 * returns [h_T] or [h_T, c_T] after a forward, setInitialState() sets h_0 (and c_0), and
 * after backward initialStateGrads() gives dL/dh_0 (and dL/dc_0); setFinalStateGrads() adds a
 * gradient arriving at the final state from elsewhere (an encoder-decoder's decoder).
 * With keepStateGrads set, backward also keeps the dL/dh_t it carries down at every step
 * (stateGrads()): the lecture's picture of vanishing and exploding gradients is their norm
 * against the distance from the loss.
 *
 * The LSTM's and GRU's steps are backend kernels (Backend.lstmCell, gruCell and their grads:
 * on the WebAssembly backend one fused SIMD pass over the gates, beside the per-step GEMM);
 * SimpleRNN's step (one tanh or ReLU) loops in TypeScript.
 */
import * as ops from "../ops/index.js";
import type { Rng } from "../tensor/random.js";
import { checkTensorSize, formatShape, type Shape, ShapeError } from "../tensor/shape.js";
import { type Tensor, zeros } from "../tensor/tensor.js";
import { BatchBuffers } from "./buffers.js";
import { assertInitializer, INITIALIZER_NAMES, type InitializerName, initialize, orthogonal } from "./initializers.js";
import type { Layer, LayerConfig, Param } from "./layer.js";
import { makeParam } from "./param.js";
import { configValue, isBoolean, isNumber, isShape, isString } from "./registry.js";

export const RECURRENT_INITIALIZER_NAMES = ["orthogonal", "identity", ...INITIALIZER_NAMES] as const;
export type RecurrentInitializerName = (typeof RECURRENT_INITIALIZER_NAMES)[number];

export interface RecurrentOptions {
  /** Output h_t at every step, [batch, time, units] (default false: the last h, [batch, units]). */
  returnSequences?: boolean;
  /** Process the steps from last to first (default false). */
  goBackwards?: boolean;
  /** Carry the final state of each batch into the next (truncated BPTT over chunks; default false). */
  stateful?: boolean;
  /** Initialiser of W (default glorotUniform). */
  kernelInitializer?: InitializerName;
  /** Initialiser of U (default orthogonal; "identity" for the IRNN of Le, Jaitly & Hinton 2015). */
  recurrentInitializer?: RecurrentInitializerName;
  name?: string;
  /** [time, features]. */
  inputShape?: Shape;
}

/** The tensors of one step that a cell reads and writes, each [batch, …] rows of the stacked buffers. */
export interface StepViews {
  /** Rows in the batch. */
  n: number;
  /** x_t W + b, [n, G·units]. */
  ax: Float32Array;
  /** h_{t−1} U, [n, G·units] (forward only: a cell keeps in its cache what its backward needs of it). */
  ah: Float32Array;
  hPrev: Float32Array;
  h: Float32Array;
  /** c_{t−1} and c_t (LSTM only; empty otherwise). */
  cPrev: Float32Array;
  c: Float32Array;
  /** What the cell keeps for backward: its gate values (and more), [n, G·units + extra·units]. */
  cache: Float32Array;
}

/** Gradients of one step: dh and dc arrive, δ and the direct parts of dh_{t−1}, dc_{t−1} leave. */
export interface StepGrads {
  /** dL/dh_t (total: from the output and from step t + 1). */
  dh: Float32Array;
  /** dL/dc_t in, (LSTM only). */
  dc: Float32Array;
  /** dL/d(x_t W + b), [n, G·units]. */
  dax: Float32Array;
  /** dL/d(h_{t−1} U), [n, G·units]; the same array as dax for cells whose two parts add plainly. */
  dah: Float32Array;
  /** Out: dL/dh_{t−1} other than through U (GRU's z∘dh); arrives zeroed. */
  dhPrev: Float32Array;
  /** Out: dL/dc_{t−1} (LSTM only). */
  dcPrev: Float32Array;
}

export function assertRecurrentInitializer(name: unknown, where: string): RecurrentInitializerName {
  if (typeof name !== "string" || !(RECURRENT_INITIALIZER_NAMES as readonly string[]).includes(name)) {
    throw new RangeError(`${where}: recurrentInitializer must be one of ${RECURRENT_INITIALIZER_NAMES.join(", ")}; got ${JSON.stringify(name)}`);
  }
  return name as RecurrentInitializerName;
}

function assertUnits(units: number, where: string): number {
  if (!Number.isInteger(units) || units < 1) throw new RangeError(`${where}: units must be an integer >= 1; got ${units}`);
  return units;
}

/** Buffers of the last forward, time-major in processing order; the cells' backward reads them. */
interface Trace {
  n: number;
  steps: number;
  /** x in processing order, [steps·n, features]. */
  xs: Tensor;
  /** x_t W + b for all steps, [steps·n, G·units]. */
  ax: Tensor;
  /** h_0 … h_T, [(steps + 1)·n, units]. */
  h: Tensor;
  /** c_0 … c_T (LSTM), else an empty tensor. */
  c: Tensor;
  cache: Tensor;
  /** 1 where step s of row b is real, 0 where padded; time-major, null without a mask. */
  keep: Uint8Array | null;
}

export abstract class Recurrent implements Layer {
  name: string;
  readonly units: number;
  readonly returnSequences: boolean;
  readonly goBackwards: boolean;
  readonly stateful: boolean;
  readonly kernelInitializer: InitializerName;
  readonly recurrentInitializer: RecurrentInitializerName;
  readonly inputShape?: Shape;
  /** W, [features, G·units]. */
  kernel!: Param;
  /** U, [units, G·units]. */
  recurrentKernel!: Param;
  /** b, [G·units]. */
  bias!: Param;
  /** Gates packed side by side in W, U and b. */
  protected abstract readonly gates: number;
  /** 2 when the cell has a memory c_t besides h_t (LSTM). */
  protected abstract readonly stateCount: 1 | 2;
  /** Extra per-unit values a cell caches per step beyond its G gate values. */
  protected readonly cacheExtra: number = 0;
  protected features = 0;
  private steps = 0;
  private readonly buffers = new BatchBuffers();
  private trace: Trace | null = null;
  private mask: Tensor | null = null;
  private initial: Tensor[] | null = null;
  private carried: Tensor[] | null = null;
  private finalGrads: Tensor[] | null = null;
  private initialGrads: Tensor[] = [];
  /** Keep dL/dh_t of every step during backward, for stateGrads() (off by default: a copy per step). */
  keepStateGrads = false;
  private hGrads: Tensor | null = null;
  private dbScratch = zeros([0]);

  constructor(units: number, options: RecurrentOptions, where: string) {
    this.units = assertUnits(units, where);
    this.returnSequences = options.returnSequences ?? false;
    this.goBackwards = options.goBackwards ?? false;
    this.stateful = options.stateful ?? false;
    this.kernelInitializer = assertInitializer(options.kernelInitializer ?? "glorotUniform", where);
    this.recurrentInitializer = assertRecurrentInitializer(options.recurrentInitializer ?? "orthogonal", where);
    this.name = options.name ?? "";
    if (options.inputShape !== undefined) this.inputShape = [...options.inputShape];
  }

  /** The cell's step: h_t (and c_t) and its cache from ax, ah and the previous state. */
  protected abstract stepForward(v: StepViews): void;
  /** The cell's step backward: δ (dax, dah) and the direct parts of dh_{t−1}, dc_{t−1}. */
  protected abstract stepBackward(v: StepViews, g: StepGrads): void;
  /** Initial bias (LSTM: forget gate 1). */
  protected initialBias(): Tensor {
    return zeros([this.gates * this.units]);
  }
  /** Extra params of a cell (GRU's recurrent bias). */
  protected extraParams(): Param[] {
    return [];
  }
  /** Adds a cell's extra terms to ah = h_{t−1} U (GRU's recurrent bias) before its step. */
  protected addRecurrentBias(_ah: Float32Array, _n: number): void {}
  /** Accumulates the gradient of the extra params from all steps' dah. */
  protected extraGrads(_dah: Tensor): void {}
  protected abstract get className(): string;

  build(inputShape: Shape, rng: Rng): Shape {
    if (inputShape.length !== 2) {
      throw new ShapeError(
        `${this.className} ${this.name}: input shape must be [time, features]; got ${formatShape(inputShape)} (a recurrent layer reads sequences: reshape to [time, features], e.g. [steps, 1])`,
      );
    }
    [this.steps, this.features] = inputShape;
    const gu = this.gates * this.units;
    checkTensorSize(`${this.className} ${this.name}`, [
      ["features", this.features],
      ["units", this.units],
      ["gates·units", gu],
    ]);
    this.kernel = makeParam("kernel", initialize(this.kernelInitializer, [this.features, gu], this.features, gu, rng), true);
    this.recurrentKernel = makeParam("recurrentKernel", this.initialRecurrent(rng), true);
    this.bias = makeParam("bias", this.initialBias(), false);
    this.dbScratch = zeros([gu]);
    this.buildExtra();
    this.buffers.clear();
    this.trace = null;
    this.carried = null;
    return this.returnSequences ? [this.steps, this.units] : [this.units];
  }

  /** Creates a cell's extra params (called by build). */
  protected buildExtra(): void {}

  private initialRecurrent(rng: Rng): Tensor {
    const u = this.units;
    const gu = this.gates * u;
    switch (this.recurrentInitializer) {
      case "orthogonal":
        return orthogonal(u, gu, rng);
      case "identity": {
        // each gate's block of U is the identity (Le et al. 2015: the IRNN starts by copying h)
        const t = zeros([u, gu]);
        for (let g = 0; g < this.gates; g++) for (let i = 0; i < u; i++) t.data[i * gu + g * u + i] = 1;
        return t;
      }
      default:
        return initialize(this.recurrentInitializer, [u, gu], u, gu, rng);
    }
  }

  params(): Param[] {
    if (this.kernel === undefined) return [];
    return [this.kernel, this.recurrentKernel, this.bias, ...this.extraParams()];
  }

  /**
   * Loads the weights of PyTorch's nn.RNN / nn.LSTM / nn.GRU (one layer, one direction): its
   * weight_ih_l0 [G·units, features] and weight_hh_l0 [G·units, units] are Wᵀ and Uᵀ (the gate
   * orders agree: i, f, g, o and r, z, n); its two biases add into b, except the GRU's
   * recurrent one, which the reset gate scales (recurrentBias).
   */
  setTorchWeights(w: { weightIh: ArrayLike<number>; weightHh: ArrayLike<number>; biasIh: ArrayLike<number>; biasHh: ArrayLike<number> }): void {
    if (this.kernel === undefined) throw new Error(`${this.className} ${this.name}: setTorchWeights called before build`);
    const gu = this.gates * this.units;
    const expect = (a: ArrayLike<number>, size: number, what: string): void => {
      if (a.length !== size) throw new RangeError(`${this.className} ${this.name}.setTorchWeights: ${what} has ${a.length} values; expected ${size}`);
    };
    expect(w.weightIh, gu * this.features, "weightIh");
    expect(w.weightHh, gu * this.units, "weightHh");
    expect(w.biasIh, gu, "biasIh");
    expect(w.biasHh, gu, "biasHh");
    transposeInto(w.weightIh, gu, this.features, this.kernel.value.data);
    transposeInto(w.weightHh, gu, this.units, this.recurrentKernel.value.data);
    this.setBiases(w.biasIh, w.biasHh);
  }

  /** b = b_ih + b_hh (GRU keeps b_hh apart). */
  protected setBiases(biasIh: ArrayLike<number>, biasHh: ArrayLike<number>): void {
    const b = this.bias.value.data;
    for (let k = 0; k < b.length; k++) b[k] = biasIh[k] + biasHh[k];
  }

  // ---- state and masks ----------------------------------------------------------------

  /** The [batch, time] mask of real (non-zero) and padded (zero) steps for the following forwards; null: all real. */
  setMask(mask: Tensor | null): void {
    this.mask = mask;
  }

  /** With returnSequences the output keeps the mask of its steps; a last-step output has none. */
  outputMask(): Tensor | null {
    return this.returnSequences ? this.mask : null;
  }

  /** h_0 (and c_0), each [batch, units], for the following forwards; null: zeros. */
  setInitialState(states: Tensor[] | null): void {
    if (states !== null) this.checkStates(states, "setInitialState");
    this.initial = states;
  }

  /** Forget the carried state of a stateful layer (or set it to `states`). */
  resetStates(states?: Tensor[]): void {
    if (states !== undefined) this.checkStates(states, "resetStates");
    this.carried = states === undefined ? null : states.map((s) => s.clone());
  }

  /** [h_T] or [h_T, c_T] of the last forward (views, overwritten by the next forward). */
  finalStates(): Tensor[] {
    const t = this.requireTrace("finalStates");
    const last = (s: Tensor): Tensor => s.sliceRows(t.steps * t.n, (t.steps + 1) * t.n);
    return this.stateCount === 2 ? [last(t.h), last(t.c)] : [last(t.h)];
  }

  /** dL/dh_T (and dL/dc_T) arriving from outside this layer, added in the following backwards; null: none. */
  setFinalStateGrads(grads: Tensor[] | null): void {
    if (grads !== null) this.checkStates(grads, "setFinalStateGrads");
    this.finalGrads = grads;
  }

  /** dL/dh_0 (and dL/dc_0) of the last backward. */
  initialStateGrads(): Tensor[] {
    if (this.initialGrads.length === 0) throw new Error(`${this.className} ${this.name}: initialStateGrads called before backward`);
    return this.initialGrads;
  }

  /**
   * dL/dh_0 … dL/dh_T of the last backward, [steps + 1, batch, units] in processing order
   * (index t: dL/dh_t, total: through the output at t and through all later steps); needs keepStateGrads.
   */
  stateGrads(): Tensor {
    if (this.hGrads === null) throw new Error(`${this.className} ${this.name}: stateGrads needs keepStateGrads = true before backward`);
    return this.hGrads;
  }

  private checkStates(states: Tensor[], what: string): void {
    if (!Array.isArray(states) || states.length !== this.stateCount) {
      throw new RangeError(`${this.className} ${this.name}.${what}: needs ${this.stateCount === 2 ? "[h, c]" : "[h]"}; got ${states?.length} tensors`);
    }
    for (const s of states) {
      if (s.rank !== 2 || s.shape[1] !== this.units)
        throw new ShapeError(`${this.className} ${this.name}.${what}: a state must be [batch, ${this.units}]; got ${formatShape(s.shape)}`);
    }
  }

  // ---- forward ------------------------------------------------------------------------

  forward(x: Tensor, _training: boolean): Tensor {
    if (this.kernel === undefined) throw new Error(`${this.className} ${this.name}: forward called before build`);
    if (x.rank !== 3 || x.shape[2] !== this.features || x.shape[1] < 1) {
      throw new ShapeError(
        `${this.className} ${this.name}: expected input [batch, time, ${this.features}]; got ${formatShape(x.shape)}${x.rank === 2 ? " (a recurrent layer reads sequences: reshape to [batch, time, features])" : ""}`,
      );
    }
    const [n, steps] = x.shape;
    const u = this.units;
    const gu = this.gates * u;
    const keep = this.processingMask(n, steps);
    const xs = this.stacked("xs", n, steps, this.features);
    this.toProcessingOrder(x.data, xs.data, n, steps, this.features, false);
    // the input part of every step in one GEMM: x_t W + b
    const ax = ops.matmul(xs, this.kernel.value, { out: this.stacked("ax", n, steps, gu) });
    ops.add(ax, this.bias.value, ax);
    const h = this.stacked("h", n, steps + 1, u);
    const c = this.stateCount === 2 ? this.stacked("c", n, steps + 1, u) : zeros([0]);
    const cache = this.stacked("cache", n, steps, gu + this.cacheExtra * u);
    const ah = this.buffers.get("ah", [n, gu]);
    this.loadInitialState(h, c, n);
    for (let s = 0; s < steps; s++) {
      const hPrev = h.sliceRows(s * n, (s + 1) * n);
      ops.matmul(hPrev, this.recurrentKernel.value, { out: ah }); // h_{t−1} U, all gates: one GEMM
      this.addRecurrentBias(ah.data, n);
      const v = this.views(s, n, ax, ah, h, c, cache);
      this.stepForward(v);
      if (keep !== null) carryMasked(keep, s, n, u, v.hPrev, v.h, v.cPrev, v.c);
    }
    this.trace = { n, steps, xs, ax, h, c, cache, keep };
    if (this.stateful) this.carried = this.finalStates().map((t) => t.clone());
    return this.output(h, keep, n, steps);
  }

  /**
   * A time-major buffer [steps·n, cols] for a batch of n, kept under the batch size n like every
   * other buffer of the layer (BatchBuffers keeps a few sizes; keying these by steps·n would
   * crowd out the others and reallocate every batch).
   */
  private stacked(name: string, n: number, steps: number, cols: number): Tensor {
    return this.buffers.get(name, [n, steps * cols]).reshape([steps * n, cols]);
  }

  /** Step s's rows of the stacked buffers. */
  private views(s: number, n: number, ax: Tensor, ah: Tensor, h: Tensor, c: Tensor, cache: Tensor): StepViews {
    const rows = (t: Tensor, k: number): Float32Array => t.data.subarray(k * n * t.cols, (k + 1) * n * t.cols);
    const lstm = this.stateCount === 2;
    return {
      n,
      ax: rows(ax, s),
      ah: ah.data,
      hPrev: rows(h, s),
      h: rows(h, s + 1),
      cPrev: lstm ? rows(c, s) : c.data,
      c: lstm ? rows(c, s + 1) : c.data,
      cache: rows(cache, s),
    };
  }

  /** h_0 (c_0): the carried state of a stateful layer, else the initial state set, else zeros. */
  private loadInitialState(h: Tensor, c: Tensor, n: number): void {
    const states = this.stateful && this.carried !== null ? this.carried : this.initial;
    const targets = this.stateCount === 2 ? [h, c] : [h];
    for (const [i, t] of targets.entries()) {
      const first = t.data.subarray(0, n * this.units);
      if (states === null) {
        first.fill(0);
        continue;
      }
      if (states[i].shape[0] !== n) {
        const what = states === this.carried ? "the carried state of a stateful layer" : "the initial state";
        throw new ShapeError(
          `${this.className} ${this.name}: ${what} has ${states[i].shape[0]} rows but the batch has ${n}${states === this.carried ? " (keep the batch size fixed, or call resetStates())" : ""}`,
        );
      }
      first.set(states[i].data);
    }
  }

  /** The output: every h_t in processing order (zero at padded steps), or h_T. */
  private output(h: Tensor, keep: Uint8Array | null, n: number, steps: number): Tensor {
    const u = this.units;
    if (!this.returnSequences) {
      const y = this.buffers.get("y", [n, u]);
      y.data.set(h.data.subarray(steps * n * u, (steps + 1) * n * u));
      return y;
    }
    const y = this.buffers.get("y", [n, steps, u]);
    for (let s = 0; s < steps; s++) {
      for (let b = 0; b < n; b++) {
        const dst = (b * steps + s) * u;
        if (keep !== null && keep[s * n + b] === 0) y.data.fill(0, dst, dst + u);
        else y.data.set(h.data.subarray(((s + 1) * n + b) * u, ((s + 1) * n + b + 1) * u), dst);
      }
    }
    return y;
  }

  /**
   * Copies between batch-major [n, steps, f] (input time order) and time-major [steps·n, f]
   * (processing order: reversed in time with goBackwards); `back` copies time-major → batch-major.
   */
  private toProcessingOrder(batchMajor: Float32Array, timeMajor: Float32Array, n: number, steps: number, f: number, back: boolean): void {
    for (let s = 0; s < steps; s++) {
      const t = this.goBackwards ? steps - 1 - s : s;
      for (let b = 0; b < n; b++) {
        const src = (b * steps + t) * f;
        const dst = (s * n + b) * f;
        if (back) batchMajor.set(timeMajor.subarray(dst, dst + f), src);
        else timeMajor.set(batchMajor.subarray(src, src + f), dst);
      }
    }
  }

  /** The mask in processing order (1 real, 0 padded), checked against the batch; null without one. */
  private processingMask(n: number, steps: number): Uint8Array | null {
    const m = this.mask;
    if (m === null) return null;
    if (m.rank !== 2 || m.shape[0] !== n || m.shape[1] !== steps) {
      throw new ShapeError(`${this.className} ${this.name}: the mask must be [batch, time] = [${n}, ${steps}] for this input; got ${formatShape(m.shape)}`);
    }
    const keep = new Uint8Array(steps * n);
    for (let s = 0; s < steps; s++) {
      const t = this.goBackwards ? steps - 1 - s : s;
      for (let b = 0; b < n; b++) keep[s * n + b] = m.data[b * steps + t] !== 0 ? 1 : 0;
    }
    return keep;
  }

  // ---- backward (BPTT) ----------------------------------------------------------------

  backward(dy: Tensor, needInputGrad = true): Tensor {
    const t = this.requireTrace("backward");
    const { n, steps, keep } = t;
    const u = this.units;
    const gu = this.gates * u;
    const expected = this.returnSequences ? [n, steps, u] : [n, u];
    if (dy.size !== n * (this.returnSequences ? steps : 1) * u) {
      throw new ShapeError(`${this.className} ${this.name}: dy ${formatShape(dy.shape)} does not match the last output ${formatShape(expected)}`);
    }
    const dax = this.stacked("dax", n, steps, gu);
    const dah = this.separateRecurrentGrad() ? this.stacked("dah", n, steps, gu) : dax;
    const ah = this.buffers.get("ah", [n, gu]);
    let dh = this.buffers.get("dh", [n, u]);
    let dhPrev = this.buffers.get("dhPrev", [n, u]);
    let dc = this.buffers.get("dc", [n, this.stateCount === 2 ? u : 0]);
    let dcPrev = this.buffers.get("dcPrev", [n, this.stateCount === 2 ? u : 0]);
    this.startGrads(dh, dc, dy);
    const kept = this.keepStateGrads ? this.stacked("hGrads", n, steps + 1, u) : null;
    for (let s = steps - 1; s >= 0; s--) {
      if (this.returnSequences) addStepGrad(dy.data, dh.data, keep, s, n, steps, u);
      kept?.data.set(dh.data, (s + 1) * n * u); // dL/dh_{s+1}, now complete
      const v = this.views(s, n, t.ax, ah, t.h, t.c, t.cache);
      const rows = (x: Tensor): Float32Array => x.data.subarray(s * n * gu, (s + 1) * n * gu);
      const g: StepGrads = { dh: dh.data, dc: dc.data, dax: rows(dax), dah: rows(dah), dhPrev: dhPrev.data, dcPrev: dcPrev.data };
      dhPrev.data.fill(0);
      this.stepBackward(v, g);
      if (keep !== null) passMasked(keep, s, n, u, gu, g, dah !== dax);
      // dL/dh_{t−1} = direct part + δ_t Uᵀ
      ops.matmul(dah.sliceRows(s * n, (s + 1) * n), this.recurrentKernel.value, { transB: true, beta: 1, out: dhPrev });
      [dh, dhPrev] = [dhPrev, dh];
      [dc, dcPrev] = [dcPrev, dc];
    }
    this.initialGrads = this.stateCount === 2 ? [dh, dc] : [dh];
    kept?.data.set(dh.data, 0);
    this.hGrads = kept === null ? null : kept.reshape([steps + 1, n, u]);
    this.accumulateParamGrads(t, dax, dah);
    if (!needInputGrad) return dax;
    const dxs = ops.matmul(dax, this.kernel.value, { transB: true, out: this.stacked("dxs", n, steps, this.features) });
    const dx = this.buffers.get("dx", [n, steps, this.features]);
    this.toProcessingOrder(dx.data, dxs.data, n, steps, this.features, true);
    return dx;
  }

  /** dL/dh_T (dL/dc_T) at the top of the loop: the last output's dy, and any final-state grads set. */
  private startGrads(dh: Tensor, dc: Tensor, dy: Tensor): void {
    if (this.returnSequences) dh.data.fill(0);
    else dh.data.set(dy.data);
    dc.data.fill(0);
    if (this.finalGrads !== null) {
      ops.add(dh, this.finalGrads[0], dh);
      if (this.stateCount === 2) ops.add(dc, this.finalGrads[1], dc);
    }
  }

  /** GRU keeps the recurrent part of δ apart (its reset gate scales it); the others share one. */
  protected separateRecurrentGrad(): boolean {
    return false;
  }

  /** dL/dW = Xᵀ δ, dL/db = Σ δ, dL/dU = H_prevᵀ δ_h, each one GEMM over all steps. */
  private accumulateParamGrads(t: Trace, dax: Tensor, dah: Tensor): void {
    if (this.kernel.trainable) ops.matmul(t.xs, dax, { transA: true, beta: 1, out: this.kernel.grad });
    if (this.bias.trainable) ops.add(this.bias.grad, ops.sum(dax, 0, this.dbScratch), this.bias.grad);
    if (this.recurrentKernel.trainable) ops.matmul(t.h.sliceRows(0, t.steps * t.n), dah, { transA: true, beta: 1, out: this.recurrentKernel.grad });
    this.extraGrads(dah);
  }

  private requireTrace(what: string): Trace {
    if (this.trace === null) throw new Error(`${this.className} ${this.name}: ${what} called before forward`);
    return this.trace;
  }

  // ---- config -------------------------------------------------------------------------

  config(): LayerConfig {
    const c: LayerConfig = {
      className: this.className,
      name: this.name,
      units: this.units,
      returnSequences: this.returnSequences,
      goBackwards: this.goBackwards,
      stateful: this.stateful,
      kernelInitializer: this.kernelInitializer,
      recurrentInitializer: this.recurrentInitializer,
      ...this.extraConfig(),
    };
    if (this.inputShape !== undefined) c.inputShape = [...this.inputShape];
    return c;
  }

  protected extraConfig(): Record<string, unknown> {
    return {};
  }
}

/** out [cols, rows] = aᵀ for a [rows, cols], row-major. */
function transposeInto(a: ArrayLike<number>, rows: number, cols: number, out: Float32Array): void {
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = a[r * cols + c];
}

/** At padded steps the state carries over: h_t = h_{t−1} (and c_t = c_{t−1}) in the masked rows. */
function carryMasked(keep: Uint8Array, s: number, n: number, u: number, hPrev: Float32Array, h: Float32Array, cPrev: Float32Array, c: Float32Array): void {
  for (let b = 0; b < n; b++) {
    if (keep[s * n + b] !== 0) continue;
    h.set(hPrev.subarray(b * u, (b + 1) * u), b * u);
    if (c.length > 0) c.set(cPrev.subarray(b * u, (b + 1) * u), b * u);
  }
}

/** Backward of carryMasked: in masked rows δ = 0 and dh, dc pass straight to the step before. */
function passMasked(keep: Uint8Array, s: number, n: number, u: number, gu: number, g: StepGrads, separate: boolean): void {
  for (let b = 0; b < n; b++) {
    if (keep[s * n + b] !== 0) continue;
    g.dax.fill(0, b * gu, (b + 1) * gu);
    if (separate) g.dah.fill(0, b * gu, (b + 1) * gu);
    g.dhPrev.set(g.dh.subarray(b * u, (b + 1) * u), b * u);
    if (g.dc.length > 0) g.dcPrev.set(g.dc.subarray(b * u, (b + 1) * u), b * u);
  }
}

/** Adds dy of output step s to dh (padded steps output a constant zero: no gradient). */
function addStepGrad(dy: Float32Array, dh: Float32Array, keep: Uint8Array | null, s: number, n: number, steps: number, u: number): void {
  for (let b = 0; b < n; b++) {
    if (keep !== null && keep[s * n + b] === 0) continue;
    const src = (b * steps + s) * u;
    for (let j = 0; j < u; j++) dh[b * u + j] += dy[src + j];
  }
}

/** The options every recurrent layer's config has, read back for its constructor. */
export function recurrentOptionsFromConfig(c: LayerConfig): RecurrentOptions & { units: number } {
  const units = configValue(c, "units", isNumber, "an integer >= 1");
  if (units === undefined) throw new TypeError(`${c.className} config: "units" is required`);
  return {
    units,
    returnSequences: configValue(c, "returnSequences", isBoolean, "a boolean"),
    goBackwards: configValue(c, "goBackwards", isBoolean, "a boolean"),
    stateful: configValue(c, "stateful", isBoolean, "a boolean"),
    kernelInitializer: configValue(c, "kernelInitializer", isString, "an initializer name") as InitializerName | undefined,
    recurrentInitializer: configValue(c, "recurrentInitializer", isString, "an initializer name") as RecurrentInitializerName | undefined,
    name: configValue(c, "name", isString, "a string"),
    inputShape: configValue(c, "inputShape", isShape, "a shape"),
  };
}
