// Diagnostic: two builds of the WebAssembly kernels side by side in one process (the single-thread
// .wasm files, A and B), each kernel timed alternately A, B, A, B... and the fastest call of each
// reported in µs with the ratio B/A. This VM's timing noise (±30 % between runs) hides a 20 %
// change; alternating in one process does not.
// Usage: node notes/wasm-kernel-ab.mjs A.wasm B.wasm
// Liftoff is off: V8 would otherwise run a small kernel called a few dozen times in its baseline
// code, up to 2x slower, until it tiers up; training calls each kernel thousands of times.
import { readFileSync } from "node:fs";
import { setFlagsFromString } from "node:v8";

setFlagsFromString("--no-liftoff");

const [fileA, fileB] = process.argv.slice(2);
const n = 1 << 20;
function instance(file) {
  const memory = new WebAssembly.Memory({ initial: 1024, maximum: 65536 }); // 64 MiB
  const { exports } = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(file)), { env: { memory } });
  const f32 = new Float32Array(memory.buffer);
  const base = exports.__heap_base.value + 1024; // stack below __heap_base; the counter at base
  let next = base + 64;
  const alloc = (floats) => {
    const p = next;
    next += floats * 4 + 64;
    return p;
  };
  let seed = 1;
  const fill = (p, count, scale) => {
    for (let i = 0; i < count; i++) {
      seed = (seed * 1103515245 + 12345) >>> 0;
      f32[(p >> 2) + i] = ((seed / 2 ** 32) * 2 - 1) * scale;
    }
  };
  const [x, y, o, pos] = [alloc(n), alloc(n), alloc(n), alloc(n)];
  fill(x, n, 4);
  fill(y, n, 4);
  fill(pos, n, 4);
  for (let i = 0; i < n; i++) f32[(pos >> 2) + i] = Math.abs(f32[(pos >> 2) + i]);
  const u32 = new Uint32Array(memory.buffer);
  const i32 = new Int32Array(memory.buffer);
  const counter = base;
  const state = alloc(4);
  const geometry = (g) => {
    const p = alloc(12);
    i32.set(g, p >> 2);
    return p;
  };
  const lenet1 = geometry([100, 28, 28, 1, 5, 5, 1, 1, 0, 0, 24, 24]);
  const lenet2 = geometry([100, 12, 12, 20, 5, 5, 1, 1, 0, 0, 8, 8]);
  const pool = geometry([90, 24, 24, 20, 2, 2, 2, 2, 0, 0, 12, 12]);
  const cols = alloc(100 * 24 * 24 * 25 * 2);
  const argmax = alloc(90 * 12 * 12 * 20);
  const k = exports;
  const c = () => {
    u32[counter >> 2] = 0;
    return counter;
  };
  const u = 128;
  const rows = 100;
  const cells = [4, 4, 1, 1, 1, 5, 1, 1, 4, 1].map((w) => alloc(rows * u * w));
  for (const p of cells) fill(p, rows * u * 5, 2);
  return {
    "sigmoid 1M": () => k.sigmoid(x, o, n, c()),
    "tanh 1M": () => k.tanh_(x, o, n, c()),
    "exp 1M": () => k.exp_(x, o, n, c()),
    "log 1M": () => k.log_(pos, o, n, c()),
    "softplus 1M": () => k.softplus(x, o, n, c()),
    "relu 1M": () => k.relu(x, o, n, c()),
    "sigmoid 1M in place": () => k.sigmoid(o, o, n, c()),
    "add 1M in place": () => k.add(o, y, o, n, n, c()),
    "scalar mul 1M in place": () => k.scalar_op(1, o, 0.999, o, n, c()),
    "add 1M": () => k.add(x, y, o, n, n, c()),
    "add row 2000x500": () => k.add(x, y, o, 1_000_000, 500, c()),
    "scalar mul 1M": () => k.scalar_op(1, x, 0.1, o, n, c()),
    "axpby 1M": () => k.axpby(0.1, x, 0.9, o, n, c()),
    "activation_grad sigmoid 1M": () => k.activation_grad(0, y, x, o, n, c()),
    "activation_grad relu 1M": () => k.activation_grad(2, y, x, o, n, c()),
    "softmax 1000x10": () => k.softmax_rows(x, 1000, 10, o, c()),
    "softmax 100x1000": () => k.softmax_rows(x, 100, 1000, o, c()),
    "sum_rows 100x500": () => k.sum_rows(x, 100, 500, o, c()),
    "sum_cols 1000x784": () => k.sum_cols(x, 1000, 784, o, c()),
    "lstm_cell 100x128": () => k.lstm_cell(...cells.slice(0, 6), rows, u, c()),
    "lstm_cell_grad 100x128": () => k.lstm_cell_grad(cells[5], cells[2], cells[6], cells[7], cells[8], cells[9], rows, u, c()),
    "im2col lenet1": () => k.im2col(x, lenet1, cols, c()),
    "col2im lenet1": () => k.col2im(cols, lenet1, o, c()),
    "im2col lenet2": () => k.im2col(x, lenet2, cols, c()),
    "col2im lenet2": () => k.col2im(cols, lenet2, o, c()),
    "max_pool 90x24x24x20 /2": () => k.max_pool(x, pool, o, argmax, c()),
    "avg_pool 90x24x24x20 /2": () => k.avg_pool(x, pool, o, c()),
    "avg_pool_grad": () => k.avg_pool_grad(y, pool, o, c()),
    "bernoulli 1M": () => {
      u32.set([1, 2, 3, 4], state >> 2);
      k.bernoulli(pos, o, n, state);
    },
  };
}

const [a, b] = [instance(fileA), instance(fileB)];
const time = (f) => {
  const s = process.hrtime.bigint();
  f();
  return Number(process.hrtime.bigint() - s) / 1e3;
};
console.log(`${"kernel".padEnd(28)} ${"A µs".padStart(8)} ${"B µs".padStart(8)}   B/A`);
for (const name of Object.keys(a)) {
  let [ta, tb] = [Infinity, Infinity];
  for (let i = 0; i < 25; i++) {
    ta = Math.min(ta, time(a[name]));
    tb = Math.min(tb, time(b[name]));
  }
  console.log(`${name.padEnd(28)} ${ta.toFixed(0).padStart(8)} ${tb.toFixed(0).padStart(8)}   ${(tb / ta).toFixed(2)}`);
}
