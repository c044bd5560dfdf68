/**
 * Memory for the WebAssembly backend: one WebAssembly.Memory that every kernel instance
 * (main thread and workers) imports, managed from JavaScript.
 *
 * Two kinds of regions share it (docs/wasm-backend.md, "Memory model"):
 *
 * - Staging and scratch regions belong to the backend: taken for one kernel call (or kept,
 *   like GEMM's packed panels) and given back by the backend itself, so they are reused at once.
 * - Tensor storage: with shared memory, allocArray() hands out Float32Array views of wasm
 *   memory, so kernels read and write tensors in place. Such a region can only come back when
 *   V8 collects its view (FinalizationRegistry), and V8 neither sees wasm memory as memory
 *   pressure nor runs finalizers in a loop that never yields. So resident tensors get a fixed
 *   budget of live bytes; past it allocArray() returns ordinary Float32Arrays, which V8 owns
 *   and frees, and which the kernels stage. A loop of calls therefore never grows the memory
 *   past the budget plus one call's staging, and never fails for lack of it.
 *
 * Growing a shared memory never detaches old views (they keep their old SharedArrayBuffer,
 * which still maps the same bytes), so we remember every buffer object the memory has had and
 * treat any array on one of them as resident. Keep a resident array alive while any subarray
 * of it is in use (Tensor views do, through Tensor.base).
 *
 * Plain (non-shared) memory detaches its buffer on growth, so there allocArray() returns
 * ordinary Float32Arrays only.
 */

const PAGE = 65536;
const MIN_CLASS = 64;
/** Default budget of live resident tensor bytes: room for the weights, optimiser state and batch buffers of the classic nets. */
export const RESIDENT_BYTES = 128 * 2 ** 20;

/**
 * Size classes: 64 bytes, then four steps per power of two (2^e, 1.25 2^e, 1.5 2^e, 1.75 2^e),
 * so a reused region wastes at most 25% and every class is a multiple of 16 bytes (SIMD-aligned).
 */
export function sizeClass(bytes: number): number {
  if (bytes <= MIN_CLASS) return MIN_CLASS;
  const e = Math.floor(Math.log2(bytes - 1));
  const base = 2 ** e;
  const quarter = base / 4;
  return base + Math.ceil((bytes - base) / quarter) * quarter;
}

interface Region {
  offset: number;
  size: number;
}

export class WasmHeap {
  readonly memory: WebAssembly.Memory;
  readonly shared: boolean;
  /** Every buffer object the memory has had (shared memory only): arrays on them are resident. */
  private readonly buffers = new Set<ArrayBufferLike>();
  private f32view: Float32Array;
  private u32view: Uint32Array;
  private u8view: Uint8Array;
  /** First byte never handed out. */
  private top: number;
  private readonly freeLists = new Map<number, number[]>();
  private readonly registry: FinalizationRegistry<Region>;
  /** Budget for live resident tensor storage, in bytes (size classes counted whole). */
  readonly residentLimit: number;
  /** Resident tensor bytes handed out and not yet collected. */
  private live = 0;
  /** Whether the last allocBytes() reused a freed region (which holds stale data). */
  private lastReused = false;

  constructor(memory: WebAssembly.Memory, heapBase: number, shared: boolean, residentLimit = RESIDENT_BYTES) {
    this.memory = memory;
    this.shared = shared;
    this.residentLimit = residentLimit;
    this.top = Math.ceil(heapBase / 64) * 64;
    this.f32view = new Float32Array(memory.buffer);
    this.u32view = new Uint32Array(memory.buffer);
    this.u8view = new Uint8Array(memory.buffer);
    if (shared) this.buffers.add(memory.buffer);
    this.registry = new FinalizationRegistry((region) => {
      this.live -= region.size;
      this.release(region.offset, region.size);
    });
  }

  /** Bytes of resident tensor storage whose views have not been collected yet (at most residentLimit). */
  get residentBytes(): number {
    return this.live;
  }

  /** A view of the whole memory as it is now (refreshed after growth). */
  f32(): Float32Array {
    return this.f32view;
  }

  /** The same as 32-bit words (counters, generator state). */
  u32(): Uint32Array {
    return this.u32view;
  }

  /** Byte offset of `x` in wasm memory, or -1 when x lives elsewhere and must be staged. */
  offsetOf(x: Float32Array): number {
    return this.shared && this.buffers.has(x.buffer) ? x.byteOffset : -1;
  }

  /**
   * A region of at least `bytes` bytes, 16-byte aligned, not zeroed; -1 when the memory
   * cannot grow that far. Give it back with release(offset, sizeClass(bytes)).
   */
  allocBytes(bytes: number): number {
    const size = sizeClass(bytes);
    const list = this.freeLists.get(size);
    this.lastReused = list !== undefined && list.length > 0;
    if (this.lastReused) return (list as number[]).pop() as number;
    const end = this.top + size;
    if (end > this.memory.buffer.byteLength && !this.grow(end)) return -1;
    const offset = this.top;
    this.top = end;
    return offset;
  }

  release(offset: number, size: number): void {
    let list = this.freeLists.get(size);
    if (list === undefined) {
      list = [];
      this.freeLists.set(size, list);
    }
    list.push(offset);
  }

  /**
   * Zero-filled tensor storage: a view into wasm memory while the resident budget has room
   * (shared memory only), else an ordinary array, which the kernels stage.
   */
  allocArray(n: number): Float32Array {
    const size = sizeClass(n * 4);
    // written so that a size of NaN (n = Infinity) also takes the ordinary path, which refuses it
    if (!this.shared || n === 0 || !(this.live + size <= this.residentLimit)) return new Float32Array(n);
    const offset = this.allocBytes(n * 4);
    if (offset < 0) return new Float32Array(n); // the memory cannot grow: staging still can use what is free
    const view = new Float32Array(this.memory.buffer, offset, n);
    // reused regions hold old data; fresh memory is already zero (and stays untouched until used)
    if (this.lastReused) view.fill(0);
    this.live += size;
    this.registry.register(view, { offset, size });
    return view;
  }

  /** Copies bytes [offset, offset + n*4) into a fresh view; used to copy staged results back. */
  copyOut(offset: number, out: Float32Array): void {
    out.set(this.f32view.subarray(offset >>> 2, (offset >>> 2) + out.length));
  }

  copyIn(x: Float32Array, offset: number): void {
    this.f32view.set(x, offset >>> 2);
  }

  /** Sets `bytes` bytes at `offset` to zero. */
  zero(offset: number, bytes: number): void {
    this.u8view.fill(0, offset, offset + bytes);
  }

  /** Grows the memory to hold at least `end` bytes (by at least a quarter, to grow rarely). */
  private grow(end: number): boolean {
    const have = this.memory.buffer.byteLength;
    const need = Math.ceil((end - have) / PAGE);
    const extra = Math.max(need, Math.ceil(have / PAGE / 4));
    for (const pages of [extra, need]) {
      try {
        this.memory.grow(pages);
        this.refresh();
        return true;
      } catch {
        // maximum reached or the allocation failed: try the bare minimum, then give up
      }
    }
    return false;
  }

  private refresh(): void {
    const buffer = this.memory.buffer;
    if (this.shared) this.buffers.add(buffer);
    this.f32view = new Float32Array(buffer);
    this.u32view = new Uint32Array(buffer);
    this.u8view = new Uint8Array(buffer);
  }
}
