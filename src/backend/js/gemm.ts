/**
 * Cache-blocked GEMM in plain TypeScript: the portable reference kernel.
 *
 * op(A) and op(B) are packed block by block into contiguous row-major panels, so the
 * transposes cost one copy per block instead of strided access in the inner loop. The
 * micro-kernel updates four rows of C at once from one row of the B panel, reusing each
 * loaded B value four times.
 */

const MC = 64;
const KC = 256;
const NC = 1024;

let aPanel = new Float32Array(MC * KC);
let bPanel = new Float32Array(KC * NC);

export function gemmJs(
  transA: boolean,
  transB: boolean,
  m: number,
  n: number,
  k: number,
  alpha: number,
  a: Float32Array,
  lda: number,
  b: Float32Array,
  ldb: number,
  beta: number,
  c: Float32Array,
  ldc: number,
): void {
  scaleC(m, n, beta, c, ldc);
  if (alpha === 0 || k === 0) return;
  if (bPanel.length < KC * NC) bPanel = new Float32Array(KC * NC);
  if (aPanel.length < MC * KC) aPanel = new Float32Array(MC * KC);
  for (let jc = 0; jc < n; jc += NC) {
    const nc = Math.min(NC, n - jc);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = Math.min(KC, k - pc);
      packB(transB, b, ldb, pc, jc, kc, nc, bPanel);
      for (let ic = 0; ic < m; ic += MC) {
        const mc = Math.min(MC, m - ic);
        packA(transA, a, lda, ic, pc, mc, kc, alpha, aPanel);
        macroKernel(mc, nc, kc, aPanel, bPanel, c, ic * ldc + jc, ldc);
      }
    }
  }
}

function scaleC(m: number, n: number, beta: number, c: Float32Array, ldc: number): void {
  if (beta === 1) return;
  for (let i = 0; i < m; i++) {
    const row = i * ldc;
    if (beta === 0) c.fill(0, row, row + n);
    else for (let j = 0; j < n; j++) c[row + j] *= beta;
  }
}

/** Panel of op(A)[ic:ic+mc, pc:pc+kc] times alpha, row-major mc×kc. */
function packA(trans: boolean, a: Float32Array, lda: number, ic: number, pc: number, mc: number, kc: number, alpha: number, out: Float32Array): void {
  for (let i = 0; i < mc; i++) {
    const o = i * kc;
    if (trans) for (let p = 0; p < kc; p++) out[o + p] = alpha * a[(pc + p) * lda + ic + i];
    else {
      const base = (ic + i) * lda + pc;
      for (let p = 0; p < kc; p++) out[o + p] = alpha * a[base + p];
    }
  }
}

/** Panel of op(B)[pc:pc+kc, jc:jc+nc], row-major kc×nc. */
function packB(trans: boolean, b: Float32Array, ldb: number, pc: number, jc: number, kc: number, nc: number, out: Float32Array): void {
  for (let p = 0; p < kc; p++) {
    const o = p * nc;
    if (trans) for (let j = 0; j < nc; j++) out[o + j] = b[(jc + j) * ldb + pc + p];
    else {
      const base = (pc + p) * ldb + jc;
      for (let j = 0; j < nc; j++) out[o + j] = b[base + j];
    }
  }
}

function macroKernel(mc: number, nc: number, kc: number, ap: Float32Array, bp: Float32Array, c: Float32Array, c0: number, ldc: number): void {
  let i = 0;
  for (; i + 4 <= mc; i += 4) {
    const r0 = c0 + i * ldc,
      r1 = r0 + ldc,
      r2 = r1 + ldc,
      r3 = r2 + ldc;
    const a0 = i * kc,
      a1 = a0 + kc,
      a2 = a1 + kc,
      a3 = a2 + kc;
    for (let p = 0; p < kc; p++) {
      const x0 = ap[a0 + p],
        x1 = ap[a1 + p],
        x2 = ap[a2 + p],
        x3 = ap[a3 + p];
      const bo = p * nc;
      for (let j = 0; j < nc; j++) {
        const y = bp[bo + j];
        c[r0 + j] += x0 * y;
        c[r1 + j] += x1 * y;
        c[r2 + j] += x2 * y;
        c[r3 + j] += x3 * y;
      }
    }
  }
  for (; i < mc; i++) {
    const r = c0 + i * ldc;
    const ar = i * kc;
    for (let p = 0; p < kc; p++) {
      const x = ap[ar + p];
      const bo = p * nc;
      for (let j = 0; j < nc; j++) c[r + j] += x * bp[bo + j];
    }
  }
}
