// The WebAssembly backend's threads on a shared machine: a GEMM whose packing task another
// thread claimed and never finished (a descheduled thread) still completes, with the same bits.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { decodeBase64 } from "../src/backend/wasm/index.js";
import { kernelsSharedBase64 } from "../src/backend/wasm/kernels.generated.js";

interface RawGemm {
  __heap_base: WebAssembly.Global;
  gemm_pack_tasks(m: number, n: number, k: number): number;
  gemm(...args: number[]): void;
}

/** The shared-memory kernel module on its own memory, with operands of an m×n×k product laid out. */
function rawGemm(m: number, n: number, k: number) {
  const memory = new WebAssembly.Memory({ initial: 256, maximum: 1024, shared: true });
  const E = new WebAssembly.Instance(new WebAssembly.Module(decodeBase64(kernelsSharedBase64)), { env: { memory } }).exports as unknown as RawGemm;
  let top = ((E.__heap_base.value as number) + 63) & ~63;
  const alloc = (floats: number) => {
    const at = top;
    top += (floats * 4 + 63) & ~63;
    return at;
  };
  const a = alloc(m * k);
  const b = alloc(k * n);
  const c = alloc(m * n);
  const apack = alloc((m + 8) * k);
  const bpack = alloc(k * (n + 8));
  const states = bpack + 4 * k * (Math.ceil(n / 8) * 8);
  alloc(E.gemm_pack_tasks(m, n, k) + 16);
  const sync = alloc(16);
  const scratch = alloc(64);
  const f32 = new Float32Array(memory.buffer);
  const i32 = new Int32Array(memory.buffer);
  let seed = 3;
  for (let i = a >>> 2; i < (b >>> 2) + k * n; i++) f32[i] = ((seed = (seed * 69069 + 1) >>> 0) / 2 ** 32) * 2 - 1;
  const tasks = E.gemm_pack_tasks(m, n, k);
  /** Runs C = A B on this thread with every packing task's state set to `state` first. */
  const run = (state: number): Float32Array => {
    i32.fill(0, sync >>> 2, (sync >>> 2) + 4);
    i32.fill(state, states >>> 2, (states >>> 2) + tasks);
    f32.fill(Number.NaN, apack >>> 2, states >>> 2); // no panel left over from the last call
    E.gemm(0, 0, m, n, k, 1, a, k, b, n, 0, c, n, apack, bpack, sync, scratch);
    return f32.slice(c >>> 2, (c >>> 2) + m * n);
  };
  return { run, tasks };
}

describe("GEMM packing on a shared machine", () => {
  it("packing tasks left BUSY by a stalled thread are packed again after a bounded wait: same bits", () => {
    const { run, tasks } = rawGemm(130, 70, 600); // 2 row chunks x 3 column chunks x 3 k blocks
    assert.equal(tasks, 3 * (2 + 3));
    const free = run(0);
    // 1 = BUSY: claimed by a thread that never comes back; the call must not hang
    const stalled = run(1);
    assert.deepEqual(stalled, free);
    assert.ok(free.some((v) => v !== 0));
    // the states are really consulted: panels marked PACKED are used as they are (here: NaN)
    assert.ok(run(2).some(Number.isNaN));
  });
});
