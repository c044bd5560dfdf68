/**
 * The worker pool: W workers, each instantiating the same kernel module on the same shared
 * WebAssembly.Memory, driven through a control block in that memory with Atomics.
 *
 * A call writes the kernel id and its arguments into the control block, opens the call
 * (STATE = generation, no one joined) and posts the generation to each worker's mailbox (its
 * own cache line). A worker that wakes up joins by incrementing STATE's joined count, but
 * only while that generation is still open. The calling thread runs the kernel too; the
 * kernels share their work out through atomic counters, so whoever joins takes pieces. When
 * the caller runs out of work it closes the call and waits only for the workers that joined:
 * a worker that has not woken up in time never holds the caller up. Waiting spins briefly, then
 * blocks with Atomics.wait where the thread may (a browser main thread only spins). The API
 * stays synchronous.
 *
 * Workers start asynchronously; until one is ready it is not signalled at all. A worker says
 * it is ready twice: by a flag in its mailbox line, which the next call sees at once, and by a
 * message, which settles whenReady(). The flag matters: a training loop that never yields to
 * the event loop would never receive the message, and would run on one thread throughout.
 * Node workers are unref'd once started: an idle pool never keeps the process alive.
 */

import type { WorkerHandle } from "../../platform/index.js";
import { platform } from "../../platform/index.js";

/** Kernels the pool can run, by index (the worker source lists the same names in order). */
export const POOL_KERNELS = [
  "gemm",
  "sigmoid",
  "tanh_",
  "exp_",
  "add",
  "mul",
  "axpby",
  "relu",
  "step",
  "square",
  "sqrt_",
  "abs_",
  "neg",
  "log_",
  "softplus",
  "sub",
  "div_",
  "max_",
  "min_",
  "scalar_op",
  "activation_grad",
  "sum_rows",
  "sum_cols",
  "softmax_rows",
  "argmax_rows",
  "im2col",
  "col2im",
  "max_pool",
  "avg_pool",
  "avg_pool_grad",
  "lstm_cell",
  "lstm_cell_grad",
  "gru_cell",
  "gru_cell_grad",
] as const;
export type PoolKernel = (typeof POOL_KERNELS)[number];

export const MAX_THREADS = 64;
const MAX_ARGS = 24;

// Control block layout, in 32-bit words. Line 0: header; bytes 64..255: f64 arguments;
// then one 64-byte line per worker holding its mailbox.
const STATE = 0; // generation << 8 | CLOSED | joined count
const DONE = 1;
const ERROR = 2;
const QUIT = 3;
const KERNEL = 4;
const NARGS = 5;
const CLOSED = 0x80;
const JOINED_MASK = 0x7f;
const ARGS_BYTE = 64;
const WORKER_LINE_WORD = 64;
const WORDS_PER_LINE = 16;
/** Word in a worker's line (after its mailbox) that the worker sets to 1 once it listens. */
const READY_WORD = 1;

export function controlBytes(workers: number): number {
  return 4 * (WORKER_LINE_WORD + WORDS_PER_LINE * workers);
}

/** Iterations of the wait loops before blocking: long enough to catch back-to-back calls. */
const WORKER_SPINS = 2000;
const CALLER_SPINS = 4000;

const WORKER_SOURCE = `
const NAMES = ${JSON.stringify(POOL_KERNELS)};
__port.on((msg) => {
  const { module, memory, control, scratch, stackTop, slot, words } = msg;
  let E;
  try {
    E = new WebAssembly.Instance(module, { env: { memory } }).exports;
    // a private shadow stack, so this instance never touches another thread's
    E.__stack_pointer.value = stackTop;
  } catch (e) {
    __port.post({ type: "error", message: String((e && e.message) || e) });
    return;
  }
  const I = new Int32Array(memory.buffer, control, words);
  const F = new Float64Array(memory.buffer, control + ${ARGS_BYTE}, ${MAX_ARGS});
  const kernels = NAMES.map((n) => E[n]);
  const box = ${WORKER_LINE_WORD} + ${WORDS_PER_LINE} * slot;
  let seen = Atomics.load(I, box);
  Atomics.store(I, box + ${READY_WORD}, 1);
  __port.post({ type: "ready", slot });
  for (;;) {
    let spins = 0;
    while (Atomics.load(I, box) === seen) {
      if (++spins > ${WORKER_SPINS}) Atomics.wait(I, box, seen);
    }
    const gen = Atomics.load(I, box);
    seen = gen;
    if (Atomics.load(I, ${QUIT}) !== 0) break;
    let joined = false;
    for (;;) {
      const s = Atomics.load(I, ${STATE});
      if (s >>> 8 !== gen || (s & ${CLOSED}) !== 0) break;
      if (Atomics.compareExchange(I, ${STATE}, s, s + 1) === s) {
        joined = true;
        break;
      }
    }
    if (!joined) continue;
    const id = I[${KERNEL}], nargs = I[${NARGS}];
    const args = [];
    for (let i = 0; i < nargs; i++) args.push(F[i]);
    if (id === 0) args.push(scratch);
    try {
      kernels[id](...args);
    } catch (e) {
      Atomics.store(I, ${ERROR}, 1);
    }
    Atomics.add(I, ${DONE}, 1);
    Atomics.notify(I, ${DONE});
  }
});
`;

export interface WorkerSetup {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  /** Byte offset of the control block (controlBytes(workers) long). */
  control: number;
  /** Per worker: GEMM scratch pointer and the top of its private stack. */
  regions: { scratch: number; stackTop: number }[];
}

export class ThreadPool {
  /** Threads including the calling one, as configured. */
  readonly threads: number;
  private readonly workers: WorkerHandle[] = [];
  /** Slots (1-based worker numbers) of the workers that reported ready, in order. */
  private readonly ready: number[] = [];
  private readonly I: Int32Array;
  private readonly F: Float64Array;
  private readonly readyPromise: Promise<void>;
  private canBlock = true;
  private generation = 0;
  /** Calls dispatched to the pool, and worker joins summed over them (a diagnostic). */
  calls = 0;
  joins = 0;
  /** Tests: each call waits until the signalled workers have joined before starting. */
  awaitHelpers = false;
  private disposed = false;
  readonly failures: string[] = [];
  /** Workers that have not reported ready (or failed) yet. */
  private readonly starting = new Set<WorkerHandle>();
  /** Per slot: ready() already counted it (by its flag or its message). */
  private readonly counted: boolean[] = [];

  constructor(setup: WorkerSetup) {
    const workers = setup.regions.length;
    this.threads = workers + 1;
    const words = controlBytes(workers) / 4;
    this.I = new Int32Array(setup.memory.buffer, setup.control, words);
    this.F = new Float64Array(setup.memory.buffer, setup.control + ARGS_BYTE, MAX_ARGS);
    let settled = 0;
    let resolve: () => void = () => {};
    this.readyPromise = new Promise<void>((r) => {
      resolve = r;
    });
    const settle = (): void => {
      settled++;
      if (settled === workers) resolve();
    };
    if (workers === 0) resolve();
    for (let w = 0; w < workers; w++) {
      const slot = w;
      const handle = platform.spawnWorker(WORKER_SOURCE);
      let done = false;
      const finish = (failure: string | null): void => {
        if (done) return;
        done = true;
        this.starting.delete(handle);
        handle.unref();
        if (failure === null) this.adopt(slot);
        else this.failures.push(failure);
        settle();
      };
      handle.onMessage((m) => {
        const msg = m as { type: string; message?: string };
        if (msg.type === "ready") finish(null);
        else if (msg.type === "error") finish(`worker ${slot + 1} failed to start: ${msg.message}`);
      });
      handle.onError((e) => finish(`worker ${slot + 1} failed: ${e.message}`));
      const { scratch, stackTop } = setup.regions[w];
      handle.postMessage({ module: setup.module, memory: setup.memory, control: setup.control, scratch, stackTop, slot, words });
      this.workers.push(handle);
      this.starting.add(handle);
    }
  }

  /** Resolves once every worker has started (or failed to; see `failures`). */
  whenReady(): Promise<void> {
    // someone is waiting: keep the process alive until the workers have started (an idle,
    // started worker never keeps it alive)
    for (const handle of this.starting) handle.ref();
    return this.readyPromise;
  }

  /** Threads that can take a share right now, counting the calling thread. */
  get active(): number {
    this.adoptFlagged();
    return this.disposed ? 1 : 1 + this.ready.length;
  }

  private adopt(slot: number): void {
    if (this.counted[slot] === true) return;
    this.counted[slot] = true;
    this.ready.push(slot);
  }

  /** Takes in the workers whose ready flag is up, though their message has not arrived. */
  private adoptFlagged(): void {
    if (this.ready.length + this.failures.length === this.workers.length) return;
    for (let slot = 0; slot < this.workers.length; slot++) {
      if (Atomics.load(this.I, WORKER_LINE_WORD + WORDS_PER_LINE * slot + READY_WORD) === 1) this.adopt(slot);
    }
  }

  /**
   * Runs `kernel` with `args` on the calling thread (`runSelf`) and on up to `helpers` ready
   * workers, which join if they wake up in time. Returns when every joined worker is done.
   */
  run(kernel: PoolKernel, args: number[], helpers: number, runSelf: () => void): void {
    const I = this.I;
    this.adoptFlagged();
    const n = Math.min(helpers, this.ready.length);
    if (n <= 0 || this.disposed) {
      runSelf();
      return;
    }
    for (let i = 0; i < args.length; i++) this.F[i] = args[i];
    I[KERNEL] = POOL_KERNELS.indexOf(kernel);
    I[NARGS] = args.length;
    I[ERROR] = 0;
    I[DONE] = 0;
    this.generation = (this.generation + 1) & 0x7fffff;
    const gen = this.generation;
    Atomics.store(I, STATE, gen << 8);
    for (let t = 0; t < n; t++) {
      const box = WORKER_LINE_WORD + WORDS_PER_LINE * this.ready[t];
      Atomics.store(I, box, gen);
      Atomics.notify(I, box);
    }
    if (this.awaitHelpers) {
      // tests: make sure the work really is shared (give up after a second on a stalled machine)
      const until = performance.now() + 1000;
      while ((Atomics.load(I, STATE) & JOINED_MASK) < n && performance.now() < until) {}
    }
    try {
      runSelf();
    } finally {
      const joined = Atomics.or(I, STATE, CLOSED) & JOINED_MASK;
      this.calls++;
      this.joins += joined;
      this.waitFor(joined);
    }
    if (I[ERROR] !== 0) throw new Error(`wasm backend: kernel ${kernel} failed on a worker thread`);
  }

  /** Waits until `joined` workers have finished the current call. */
  private waitFor(joined: number): void {
    const I = this.I;
    let spins = 0;
    for (;;) {
      const done = Atomics.load(I, DONE);
      if (done >= joined) return;
      if (++spins > CALLER_SPINS && this.canBlock) {
        try {
          Atomics.wait(I, DONE, done);
        } catch {
          // a browser main thread may not block: keep spinning
          this.canBlock = false;
        }
      }
    }
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    Atomics.store(this.I, QUIT, 1);
    for (let w = 0; w < this.workers.length; w++) {
      const box = WORKER_LINE_WORD + WORDS_PER_LINE * w;
      Atomics.store(this.I, box, -1);
      Atomics.notify(this.I, box);
    }
    for (const handle of this.workers) handle.terminate();
  }
}
