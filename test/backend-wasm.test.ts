// The WebAssembly backend's plumbing: the committed binaries, wasm-memory allocation (reuse,
// growth, garbage collection), and `layerwise info`.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { sizeClass, WasmHeap } from "../src/backend/wasm/heap.js";
import { decodeBase64, WasmBackend } from "../src/backend/wasm/index.js";
import { kernelsSharedBase64, kernelsSingleBase64 } from "../src/backend/wasm/kernels.generated.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const wasmDir = join(root, "src/backend/wasm");

describe("committed kernels", () => {
  it("kernels.generated.ts decodes to exactly the committed .wasm files", () => {
    assert.deepEqual(decodeBase64(kernelsSharedBase64), new Uint8Array(readFileSync(join(wasmDir, "kernels-shared.wasm"))));
    assert.deepEqual(decodeBase64(kernelsSingleBase64), new Uint8Array(readFileSync(join(wasmDir, "kernels-single.wasm"))));
  });
  it("both modules validate and export the kernels", () => {
    for (const text of [kernelsSharedBase64, kernelsSingleBase64]) {
      const names = WebAssembly.Module.exports(new WebAssembly.Module(decodeBase64(text))).map((e) => e.name);
      for (const k of ["gemm", "sigmoid", "tanh_", "exp_", "add", "mul", "axpby", "uniform", "bernoulli", "__stack_pointer", "__heap_base"]) {
        assert.ok(names.includes(k), `missing export ${k}`);
      }
    }
  });
});

describe("wasm heap", () => {
  it("size classes are 16-byte multiples that waste at most a quarter", () => {
    for (const bytes of [1, 63, 64, 65, 100, 4096, 4097, 1e6, 3e8]) {
      const c = sizeClass(bytes);
      assert.ok(c >= bytes && c % 16 === 0 && c <= Math.max(64, bytes * 1.25 + 16), `${bytes} -> ${c}`);
    }
  });
  it("a freed region is reused and comes back zero-filled", () => {
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 100, shared: true });
    const heap = new WasmHeap(memory, 1024, true);
    const offset = heap.allocBytes(400);
    new Float32Array(memory.buffer, offset, 100).fill(7);
    heap.release(offset, sizeClass(400));
    const x = heap.allocArray(100);
    assert.equal(x.byteOffset, offset);
    assert.ok(x.every((v) => v === 0));
    assert.equal(heap.offsetOf(x), offset);
    assert.equal(heap.offsetOf(new Float32Array(4)), -1);
  });
  it("tensor storage past the resident budget is ordinary memory, so the wasm memory stops growing", () => {
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 100, shared: true });
    const heap = new WasmHeap(memory, 1024, true, 8192);
    const held = [heap.allocArray(1000), heap.allocArray(1000)]; // 4000 bytes each: the budget is full
    assert.ok(held.every((x) => heap.offsetOf(x) >= 0));
    assert.equal(heap.residentBytes, 2 * sizeClass(4000));
    const bytes = memory.buffer.byteLength;
    for (let i = 0; i < 1000; i++) assert.equal(heap.offsetOf(heap.allocArray(1000)), -1);
    assert.equal(memory.buffer.byteLength, bytes);
    assert.equal(heap.residentBytes, 2 * sizeClass(4000));
  });
  it("staging copies in and out past 2 GiB (byte offsets are unsigned)", () => {
    // the pages are reserved, not touched: only the few written here take real memory
    const memory = new WebAssembly.Memory({ initial: 32769, maximum: 32769, shared: true });
    const heap = new WasmHeap(memory, 2 ** 31, true);
    const offset = heap.allocBytes(16);
    assert.ok(offset >= 2 ** 31, `offset ${offset}`);
    heap.copyIn(Float32Array.of(1, 2, 3, 4), offset);
    const out = new Float32Array(4);
    heap.copyOut(offset, out);
    assert.deepEqual(Array.from(out), [1, 2, 3, 4]);
  });
  it("memory growth keeps old arrays valid and resident; workers see the grown memory", async () => {
    const backend = new WasmBackend({ threads: 2 });
    await backend.ready();
    const first = backend.alloc(300 * 300);
    first.fill(1);
    const start = backend.memoryBytes;
    const arrays = Array.from({ length: 6 }, () => backend.alloc(2_000_000)); // 48 MB
    assert.ok(backend.memoryBytes > start, "the memory grew");
    assert.notEqual(arrays[5].buffer, first.buffer, "the newest array is on a newer buffer object");
    const c = arrays[5].subarray(0, 300 * 300);
    backend.gemm(false, false, 300, 300, 300, 1, first, 300, first, 300, 0, c, 300);
    assert.ok(c.every((v) => v === 300));
    const ones = arrays[0].subarray(0, 300 * 300).fill(1);
    backend.gemm(false, false, 300, 300, 300, 1, c, 300, ones, 300, 0, first, 300);
    assert.ok(
      first.every((v) => v === 90000),
      "old view written in place after growth",
    );
    backend.dispose();
  });
  it("a loop that never yields to the event loop still gets its workers (they flag ready in shared memory)", () => {
    const backend = new WasmBackend({ threads: 2 });
    const a = backend.alloc(200 * 200).fill(1);
    const c = backend.alloc(200 * 200);
    // no await anywhere: the workers' "ready" messages cannot be delivered meanwhile
    const until = performance.now() + 20_000;
    while (backend.workerJoins === 0 && performance.now() < until) {
      backend.gemm(false, false, 200, 200, 200, 1, a, 200, a, 200, 0, c, 200);
    }
    assert.equal(backend.activeThreads, 2, "the worker was taken in without a message");
    assert.ok(backend.workerJoins > 0, "the worker joined a GEMM");
    assert.ok(c.every((v) => v === 200));
    backend.dispose();
  });
  it("storage of garbage-collected arrays is reused (no unbounded growth)", () => {
    const script = `
      const { WasmBackend } = await import("./src/backend/wasm/index.ts");
      const b = new WasmBackend({ threads: 1 });
      for (let round = 0; round < 40; round++) {
        for (let i = 0; i < 10; i++) b.alloc(1_000_000).fill(1); // 4 MB each, dropped at once
        globalThis.gc();
        await new Promise((r) => setTimeout(r, 0)); // let the finalizers run
      }
      console.log(b.memoryBytes);`;
    const out = execFileSync(process.execPath, ["--expose-gc", "--import", "tsx", "--input-type=module", "-e", script], { cwd: root, encoding: "utf8" });
    const bytes = Number(out.trim());
    // 1.6 GB allocated in total; with reuse the memory stays near one round's worth
    assert.ok(bytes < 300e6, `memory grew to ${bytes} bytes`);
  });
});

describe("layerwise info", () => {
  const forced = process.env.LAYERWISE_BACKEND;
  const skip = forced !== undefined && forced !== "" && forced !== "wasm" && forced !== "auto" ? `LAYERWISE_BACKEND=${forced} is set` : false;
  it("prints the backend (native where its addon loads, else wasm), SIMD and threads", { skip }, async () => {
    const { main } = await import("../src/cli/main.js");
    const lines: string[] = [];
    const log = console.log;
    console.log = (...args: unknown[]) => {
      lines.push(args.join(" "));
    };
    try {
      assert.equal(await main(["info"]), 0);
    } finally {
      console.log = log;
    }
    const text = lines.join("\n");
    assert.match(text, forced === "wasm" ? /backend: wasm/ : /backend: (native|wasm)/);
    assert.match(text, /simd: +yes/);
    assert.match(text, /threads: +\d+/);
  });
});
