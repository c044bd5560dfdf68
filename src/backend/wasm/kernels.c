/*
 * layerwise WebAssembly SIMD128 kernels.
 *
 * Compiled twice by build.sh: once for shared memory (atomics, run by a pool of worker
 * instances on one WebAssembly.Memory) and once for plain memory (one thread). The code is
 * the same; all memory management lives in JavaScript (src/backend/wasm/heap.ts), so these
 * functions only ever touch the pointers they are given plus their own per-thread scratch.
 *
 * No kernel keeps arrays on the shadow stack (everything is in wasm locals), and JS gives every
 * instance its own stack region anyway, so instances on other threads never collide.
 *
 * Multi-threaded kernels take a pointer to work counters in shared memory: every thread that
 * joins a call claims pieces of work (GEMM panels and chunks, elementwise ranges) until none
 * are left. Pieces fall on whole register blocks and every output element is computed by the
 * same instruction sequence whoever claims it, so results are bit-identical for any thread
 * count, and a thread the OS deschedules just claims fewer pieces.
 */
#include <stdint.h>
#include <wasm_simd128.h>

#define EXPORT(name) __attribute__((export_name(#name)))

static inline int min_i(int a, int b) { return a < b ? a : b; }

/*
 * a*b + c on four lanes. build.sh compiles this file a second time with -mrelaxed-simd, where
 * it is one f32x4.relaxed_madd: V8 emits a fused multiply-add (one rounding) on a CPU with FMA,
 * mul then add on one without; either way the same on every call on one machine, so results
 * stay deterministic for a given build. The plain SIMD128 build has no FMA: mul, then add.
 * Used in the GEMM micro-kernels (where FMA doubles the multiply-add issue rate) and the
 * polynomial chains of exp/tanh/log (latency-bound: one instruction instead of two).
 */
#ifdef __wasm_relaxed_simd__
#define MADD(a, b, c) wasm_f32x4_relaxed_madd(a, b, c)
/* one lane of MADD, so a scalar tail is rounded as the vector lanes are */
static inline float madd_f32(float a, float b, float c) {
  return wasm_f32x4_extract_lane(MADD(wasm_f32x4_splat(a), wasm_f32x4_splat(b), wasm_f32x4_splat(c)), 0);
}
#else
#define MADD(a, b, c) wasm_f32x4_add(wasm_f32x4_mul(a, b), c)
static inline float madd_f32(float a, float b, float c) { return c + a * b; }
#endif

/* ======================================================================================
 * GEMM: C = alpha op(A) op(B) + beta C, row-major.
 *
 * Two phases, both shared out dynamically between the threads through atomic counters
 * (a thread that is descheduled by the OS simply takes fewer pieces):
 *
 *   1. pack: op(A) into MR-tall micro-panels and op(B) into NR-wide micro-panels, for each
 *      k block, into buffers every thread reads (each panel packed by whoever claims it; see
 *      ensure_packed for a panel still being packed when a thread needs it: no barrier).
 *   2. compute: C is cut into chunks (RC rows x CC columns); per chunk and k block, for each
 *      NR micro-panel of B (kc x NR = 8 KiB: stays in L1) and each MR micro-panel of A (the
 *      chunk's A block, rows x kc <= 128 KiB, stays in L2): the micro-kernel.
 *
 * k is split into equal blocks of at most KC (784 -> 4 x 196, not 3 x 256 + 16) and every C
 * element is computed as: for each k block in order, C = alpha (sum over the block in k order)
 * + beta_k C, with beta_k = beta for the first block and 1 after. Nothing in that depends on
 * which thread computes which chunk, so results are bit-identical for any thread count.
 *
 * Register blocking: the micro-kernel holds an MR x NR tile of C in MR*NR/4 f32x4
 * accumulators. Each k step loads NR/4 vectors of B once and one broadcast A value per row
 * (v128.load32_splat, a single vbroadcastss on x86), so every load feeds NR/4 or MR
 * multiply-adds. V8 gives wasm 15 usable xmm registers on x64 (xmm15 is its scratch):
 * 4 x 8 uses 8 accumulators + 2 B vectors + 1 broadcast + 1 product temporary. Measured on
 * Zen 4 (CPU time, one thread): 4x8 ~40 GFLOP/s, 2x16 ~37, 6x8 ~25, 5x8 ~22, 3x12 ~25 (the
 * larger tiles make V8 spill accumulators).
 * There is no fused multiply-add in SIMD128, so the plain build does mul + add, which Zen 4 issues
 * on separate pipes; the relaxed-SIMD build (MADD) does one f32x4.relaxed_madd.
 * ====================================================================================== */

#ifndef MR
#define MR 4
#endif
#ifndef NR
#define NR 8
#endif
#define NV (NR / 4)
#ifndef KC
#define KC 256
#endif
/* chunk of C: at most RC_MAX rows (rows split evenly, whole MR panels) x CC columns */
#define RC_MAX 128
#define CC 32

/* Per-thread scratch: one spilled tile for partial micro-kernel stores. */
#define SCRATCH_FLOATS (MR * NR)

EXPORT(gemm_scratch_floats) int gemm_scratch_floats(void) { return SCRATCH_FLOATS; }
/* The packed buffers hold op(A) as round_up(m, MR) x k and op(B) as k x round_up(n, NR). */
EXPORT(gemm_mr) int gemm_mr(void) { return MR; }
EXPORT(gemm_nr) int gemm_nr(void) { return NR; }

/* Transposes four rows r0..r3 (4 floats each) and stores the columns at out + t*stride. */
static inline void store_transposed4(v128_t r0, v128_t r1, v128_t r2, v128_t r3, float* out, int stride) {
  v128_t t0 = wasm_i32x4_shuffle(r0, r1, 0, 4, 1, 5);
  v128_t t1 = wasm_i32x4_shuffle(r0, r1, 2, 6, 3, 7);
  v128_t t2 = wasm_i32x4_shuffle(r2, r3, 0, 4, 1, 5);
  v128_t t3 = wasm_i32x4_shuffle(r2, r3, 2, 6, 3, 7);
  wasm_v128_store(out, wasm_i32x4_shuffle(t0, t2, 0, 1, 4, 5));
  wasm_v128_store(out + stride, wasm_i32x4_shuffle(t0, t2, 2, 3, 6, 7));
  wasm_v128_store(out + 2 * stride, wasm_i32x4_shuffle(t1, t3, 0, 1, 4, 5));
  wasm_v128_store(out + 3 * stride, wasm_i32x4_shuffle(t1, t3, 2, 3, 6, 7));
}

/*
 * Packs op(A)[i0:i0+mc, p0:p0+kc] as MR-row micro-panels: panel r holds, for each p, the MR
 * values op(A)[i0+r*MR+i, p0+p] contiguously, so the micro-kernel reads A strictly forwards.
 * Rows past mc are zero, so edge tiles run the same full-size kernel.
 */
static void pack_a(int trans, const float* a, int lda, int i0, int p0, int mc, int kc, float* out) {
  for (int ir = 0; ir < mc; ir += MR) {
    int mr = min_i(MR, mc - ir);
    if (trans) {
      /* op(A)[i, p] = a[p*lda + i]: the MR values for one p are contiguous in memory */
      const float* src = a + (long)p0 * lda + i0 + ir;
#if MR == 4
      if (mr == MR) {
        for (int p = 0; p < kc; p++, src += lda, out += MR) wasm_v128_store(out, wasm_v128_load(src));
        continue;
      }
#endif
      for (int p = 0; p < kc; p++, src += lda, out += MR)
        for (int i = 0; i < MR; i++) out[i] = i < mr ? src[i] : 0.0f;
    } else {
      /* op(A)[i, p] = a[i*lda + p]: MR row streams, interleaved; with MR = 4 a full panel is
         a sequence of 4x4 register transposes */
      const float* src = a + (long)(i0 + ir) * lda + p0;
      int p = 0;
#if MR == 4
      if (mr == MR)
        for (; p + 4 <= kc; p += 4, out += 4 * MR)
          store_transposed4(wasm_v128_load(src + p), wasm_v128_load(src + lda + p), wasm_v128_load(src + 2 * lda + p),
                            wasm_v128_load(src + 3 * lda + p), out, MR);
#endif
      for (; p < kc; p++, out += MR)
        for (int i = 0; i < MR; i++) out[i] = i < mr ? src[(long)i * lda + p] : 0.0f;
    }
  }
}

/*
 * Packs op(B)[p0:p0+kc, j0:j0+nc] as NR-column micro-panels: panel c holds, for each p, the NR
 * values op(B)[p0+p, j0+c*NR+j] contiguously. Columns past nc are zero.
 */
static void pack_b(int trans, const float* b, int ldb, int p0, int j0, int kc, int nc, float* out) {
  for (int jr = 0; jr < nc; jr += NR, out += NR * kc) {
    int nr = min_i(NR, nc - jr);
    if (!trans) {
      /* op(B)[p, j] = b[p*ldb + j]: rows are contiguous, copy NR-wide strips */
      const float* src = b + (long)p0 * ldb + j0 + jr;
      float* o = out;
      if (nr == NR) {
        for (int p = 0; p < kc; p++, src += ldb, o += NR)
          for (int v = 0; v < NV; v++) wasm_v128_store(o + 4 * v, wasm_v128_load(src + 4 * v));
      } else {
        for (int p = 0; p < kc; p++, src += ldb, o += NR)
          for (int j = 0; j < NR; j++) o[j] = j < nr ? src[j] : 0.0f;
      }
    } else {
      /* op(B)[p, j] = b[j*ldb + p]: NR row streams of b become the columns of the panel;
         full panels transpose 4x4 blocks in registers */
      const float* src = b + (long)(j0 + jr) * ldb + p0;
      int p = 0;
      if (nr == NR) {
        for (; p + 4 <= kc; p += 4)
          for (int v = 0; v < NV; v++) {
            const float* s = src + (long)(4 * v) * ldb + p;
            store_transposed4(wasm_v128_load(s), wasm_v128_load(s + ldb), wasm_v128_load(s + 2 * ldb),
                              wasm_v128_load(s + 3 * ldb), out + p * NR + 4 * v, NR);
          }
      }
      for (; p < kc; p++)
        for (int j = 0; j < NR; j++) out[p * NR + j] = j < nr ? src[(long)j * ldb + p] : 0.0f;
    }
  }
}

/*
 * Finishes a partial tile (mr < MR or nr < NR) from its accumulators spilled to `tile`:
 * C = alpha tile + beta C for the mr x nr corner, whole vectors as vectors and the rest lane
 * by lane, with the same float operations as the full-tile path. Kept out of line: inlined, it
 * makes V8 spill the micro-kernel's accumulators.
 */
static __attribute__((noinline)) void store_partial_tile(const float* tile, float* c, int ldc, float alpha, float beta,
                                                         int mr, int nr) {
  v128_t alphav = wasm_f32x4_splat(alpha), betav = wasm_f32x4_splat(beta);
  for (int i = 0; i < mr; i++) {
    float* crow = c + (long)i * ldc;
    const float* t = tile + i * NR;
    int j = 0;
    for (; j + 4 <= nr; j += 4) {
      v128_t r = alpha == 1.0f ? wasm_v128_load(t + j) : wasm_f32x4_mul(alphav, wasm_v128_load(t + j));
      if (beta == 0.0f) wasm_v128_store(crow + j, r);
      else if (beta == 1.0f) wasm_v128_store(crow + j, wasm_f32x4_add(r, wasm_v128_load(crow + j)));
      else wasm_v128_store(crow + j, wasm_f32x4_add(r, wasm_f32x4_mul(betav, wasm_v128_load(crow + j))));
    }
    for (; j < nr; j++) {
      float r = alpha == 1.0f ? t[j] : alpha * t[j];
      if (beta == 0.0f) crow[j] = r;
      else if (beta == 1.0f) crow[j] = r + crow[j];
      else crow[j] = r + beta * crow[j];
    }
  }
}

/*
 * One MR x NR tile: C = alpha (A-panel x B-panel) + beta C (beta = 0: overwrite, C not read).
 * Partial tiles (mr < MR or nr < NR) spill the accumulators to `tile` and finish in
 * store_partial_tile.
 */
static inline void micro_kernel(int kc, const float* restrict ap, const float* restrict bp, float* c, int ldc,
                                float alpha, float beta, int mr, int nr, float* tile) {
  v128_t acc[MR][NV];
#pragma clang loop unroll(full)
  for (int i = 0; i < MR; i++)
#pragma clang loop unroll(full)
    for (int v = 0; v < NV; v++) acc[i][v] = wasm_f32x4_const_splat(0.0f);

  for (int p = 0; p < kc; p++) {
    v128_t bv[NV];
#pragma clang loop unroll(full)
    for (int v = 0; v < NV; v++) bv[v] = wasm_v128_load(bp + 4 * v);
#pragma clang loop unroll(full)
    for (int i = 0; i < MR; i++) {
      v128_t ai = wasm_v128_load32_splat(ap + i);
#pragma clang loop unroll(full)
      for (int v = 0; v < NV; v++) acc[i][v] = MADD(ai, bv[v], acc[i][v]);
    }
    ap += MR;
    bp += NR;
  }

  v128_t alphav = wasm_f32x4_splat(alpha), betav = wasm_f32x4_splat(beta);
  if (mr == MR && nr == NR) {
#pragma clang loop unroll(full)
    for (int i = 0; i < MR; i++)
#pragma clang loop unroll(full)
      for (int v = 0; v < NV; v++) {
        float* cp = c + (long)i * ldc + 4 * v;
        v128_t r = alpha == 1.0f ? acc[i][v] : wasm_f32x4_mul(alphav, acc[i][v]);
        if (beta == 0.0f) wasm_v128_store(cp, r);
        else if (beta == 1.0f) wasm_v128_store(cp, wasm_f32x4_add(r, wasm_v128_load(cp)));
        else wasm_v128_store(cp, wasm_f32x4_add(r, wasm_f32x4_mul(betav, wasm_v128_load(cp))));
      }
    return;
  }
#pragma clang loop unroll(full)
  for (int i = 0; i < MR; i++)
#pragma clang loop unroll(full)
    for (int v = 0; v < NV; v++) wasm_v128_store(tile + i * NR + 4 * v, acc[i][v]);
  store_partial_tile(tile, c, ldc, alpha, beta, mr, nr);
}

/* C[i0:i1, j0:j1] *= beta (beta = 0 writes zeros, so NaNs in C do not survive). */
static void scale_c(float* c, int ldc, int i0, int i1, int j0, int j1, float beta) {
  if (beta == 1.0f) return;
  for (int i = i0; i < i1; i++) {
    float* row = c + (long)i * ldc;
    for (int j = j0; j < j1; j++) row[j] = beta == 0.0f ? 0.0f : beta * row[j];
  }
}

/* Work counters shared by the threads of one call (JS zeroes them before each call). In the
   single-threaded build these atomics compile to plain loads and stores. */
enum { NEXT_PACK, NEXT_CHUNK };

static inline int claim(int* counter) { return __atomic_fetch_add(counter, 1, __ATOMIC_SEQ_CST); }

/*
 * One or two rows (m <= 2) with B not transposed (a batch of one: single samples, recurrent
 * steps, Hopfield recall): packing B would cost as much as the arithmetic and MR-row tiles
 * would be mostly zero rows, so each row of C is computed straight from B, 32 columns at a time
 * in 8 accumulators (1x784@784x500: 16 GFLOP/s vs 6.6 tiled; from m = 3 on, tiling wins). Per element the operations are exactly the tiled path's
 * (same k blocks, acc += a*b in k order, same epilogue), so the bits are the same too.
 */
static void gemm_rows_chunk(const float* arow, int astride, const float* b, int ldb, int k, int kstep, float alpha,
                            float beta, float* crow, int j0, int j1) {
  v128_t alphav = wasm_f32x4_splat(alpha), betav = wasm_f32x4_splat(beta);
  int j = j0;
  for (; j + 32 <= j1; j += 32)
    for (int pc = 0; pc < k; pc += kstep) {
      int kc = min_i(kstep, k - pc);
      v128_t acc[8];
#pragma clang loop unroll(full)
      for (int v = 0; v < 8; v++) acc[v] = wasm_f32x4_const_splat(0.0f);
      const float* ap = arow + (long)pc * astride;
      const float* bp = b + (long)pc * ldb + j;
      for (int p = 0; p < kc; p++, ap += astride, bp += ldb) {
        v128_t av = wasm_v128_load32_splat(ap);
#pragma clang loop unroll(full)
        for (int v = 0; v < 8; v++) acc[v] = MADD(av, wasm_v128_load(bp + 4 * v), acc[v]);
      }
      float beta_k = pc == 0 ? beta : 1.0f;
#pragma clang loop unroll(full)
      for (int v = 0; v < 8; v++) {
        float* cp = crow + j + 4 * v;
        v128_t r = alpha == 1.0f ? acc[v] : wasm_f32x4_mul(alphav, acc[v]);
        if (beta_k == 0.0f) wasm_v128_store(cp, r);
        else if (beta_k == 1.0f) wasm_v128_store(cp, wasm_f32x4_add(r, wasm_v128_load(cp)));
        else wasm_v128_store(cp, wasm_f32x4_add(r, wasm_f32x4_mul(betav, wasm_v128_load(cp))));
      }
    }
  for (; j < j1; j++)
    for (int pc = 0; pc < k; pc += kstep) {
      int kc = min_i(kstep, k - pc);
      float acc = 0.0f;
      for (int p = pc; p < pc + kc; p++) acc = madd_f32(arow[(long)p * astride], b[(long)p * ldb + j], acc);
      float r = alpha == 1.0f ? acc : alpha * acc;
      float beta_k = pc == 0 ? beta : 1.0f;
      if (beta_k == 0.0f) crow[j] = r;
      else if (beta_k == 1.0f) crow[j] = r + crow[j];
      else crow[j] = r + beta_k * crow[j];
    }
}

/* How a product is cut: rchunks chunks of rc rows (whole MR panels), cchunks of CC columns,
   kblocks blocks of kstep along k (none when there is nothing to multiply). */
typedef struct {
  int mpad, npad, rc, rchunks, cchunks, kblocks, kstep;
} Blocking;

static Blocking blocking(int m, int n, int k, int trivial) {
  Blocking g;
  g.mpad = (m + MR - 1) / MR * MR;
  g.npad = (n + NR - 1) / NR * NR;
  int rchunks = (m + RC_MAX - 1) / RC_MAX;
  g.rc = ((g.mpad / MR) + rchunks - 1) / rchunks * MR;
  g.rchunks = (m + g.rc - 1) / g.rc;
  g.cchunks = (n + CC - 1) / CC;
  g.kblocks = trivial ? 0 : (k + KC - 1) / KC;
  g.kstep = trivial ? 0 : (k + g.kblocks - 1) / g.kblocks;
  return g;
}

/*
 * Packing is shared out as tasks (k block, row chunk of A or column chunk of B), each with a
 * state word after the packed B (JS zeroes them before each call): FREE, BUSY (a thread is
 * packing it), PACKED. Threads first claim tasks in order; a thread about to compute with a
 * panel that is not PACKED yet packs it itself if it is FREE, and if it is BUSY waits a bounded
 * spin, then packs it again itself: the bytes are the same whoever writes them, so a thread
 * never waits on a descheduled one for longer than about one task's time (the OS may take
 * milliseconds to run it again), and there is no barrier between packing and computing.
 */
enum { FREE, BUSY, PACKED };
/* Spins (atomic loads) before packing a BUSY task again: several times one task's packing. */
#define PACK_WAIT_SPINS (1 << 14)

EXPORT(gemm_pack_tasks) int gemm_pack_tasks(int m, int n, int k) {
  if (m <= 0 || n <= 0 || k <= 0) return 0;
  Blocking g = blocking(m, n, k, 0);
  return g.kblocks * (g.rchunks + g.cchunks);
}

/* Packs task t (k block q = t / (rchunks + cchunks), then A row chunks, then B column chunks). */
static void pack_task(int t, Blocking g, int transA, int transB, int m, int n, int k, const float* a, int lda,
                      const float* b, int ldb, float* apack, float* bpack) {
  int q = t / (g.rchunks + g.cchunks), r = t % (g.rchunks + g.cchunks);
  int pc = q * g.kstep, kc = min_i(g.kstep, k - pc);
  if (r < g.rchunks) {
    int i0 = r * g.rc;
    pack_a(transA, a, lda, i0, pc, min_i(g.rc, m - i0), kc, apack + (long)pc * g.mpad + (long)i0 * kc);
  } else {
    int j0 = (r - g.rchunks) * CC;
    pack_b(transB, b, ldb, pc, j0, kc, min_i(CC, n - j0), bpack + (long)pc * g.npad + (long)j0 * kc);
  }
}

/* Claims task t if it is FREE; returns whether this thread now owns it. */
static inline int take_task(int* state) {
  int expected = FREE;
  return __atomic_compare_exchange_n(state, &expected, BUSY, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
}

/* Returns once task t is packed: by another thread, or (FREE, or BUSY past the spin) by this one. */
static void ensure_packed(int* state, int t, Blocking g, int transA, int transB, int m, int n, int k, const float* a,
                          int lda, const float* b, int ldb, float* apack, float* bpack) {
  if (__atomic_load_n(&state[t], __ATOMIC_SEQ_CST) == PACKED) return;
  if (!take_task(&state[t]))
    for (int spins = 0; __atomic_load_n(&state[t], __ATOMIC_SEQ_CST) != PACKED; spins++)
      if (spins == PACK_WAIT_SPINS) break;
  if (__atomic_load_n(&state[t], __ATOMIC_SEQ_CST) == PACKED) return;
  pack_task(t, g, transA, transB, m, n, k, a, lda, b, ldb, apack, bpack);
  __atomic_store_n(&state[t], PACKED, __ATOMIC_SEQ_CST);
}

EXPORT(gemm)
void gemm(int transA, int transB, int m, int n, int k, float alpha, const float* a, int lda, const float* b,
          int ldb, float beta, float* c, int ldc, float* apack, float* bpack, int* sync, float* scratch) {
  if (m <= 0 || n <= 0) return;
  int trivial = k <= 0 || alpha == 0.0f;
  Blocking g = blocking(m, n, k, trivial);
  int rc = g.rc, rchunks = g.rchunks, cchunks = g.cchunks, kstep = g.kstep;
  int mpad = g.mpad, npad = g.npad;

  if (!trivial && !transB && m <= 2) {
    /* chunks of CC columns of one row, claimed like the tiled path's chunks */
    int per_row = (n + CC - 1) / CC;
    for (int t; (t = claim(&sync[NEXT_CHUNK])) < m * per_row;) {
      int i = t / per_row, j0 = (t % per_row) * CC;
      const float* arow = transA ? a + i : a + (long)i * lda;
      gemm_rows_chunk(arow, transA ? lda : 1, b, ldb, k, kstep, alpha, beta, c + (long)i * ldc, j0, min_i(n, j0 + CC));
    }
    return;
  }


  /* phase 1: pack the tasks nobody has taken yet */
  int tasks = g.kblocks * (rchunks + cchunks);
  int* state = (int*)(bpack + (long)k * npad);
  for (int t; (t = claim(&sync[NEXT_PACK])) < tasks;)
    if (take_task(&state[t])) {
      pack_task(t, g, transA, transB, m, n, k, a, lda, b, ldb, apack, bpack);
      __atomic_store_n(&state[t], PACKED, __ATOMIC_SEQ_CST);
    }

  /* phase 2: compute, chunk by chunk (columns fastest, so a chunk's A block is reused from L2) */
  int chunks = rchunks * cchunks;
  for (int t; (t = claim(&sync[NEXT_CHUNK])) < chunks;) {
    int i0 = (t / cchunks) * rc, j0 = (t % cchunks) * CC;
    int mc = min_i(rc, m - i0), nc = min_i(CC, n - j0);
    if (trivial) {
      scale_c(c, ldc, i0, i0 + mc, j0, j0 + nc, beta);
      continue;
    }
    for (int pc = 0; pc < k; pc += kstep) {
      int kc = min_i(kstep, k - pc);
      int q = pc / kstep;
      ensure_packed(state, q * (rchunks + cchunks) + i0 / rc, g, transA, transB, m, n, k, a, lda, b, ldb, apack, bpack);
      ensure_packed(state, q * (rchunks + cchunks) + rchunks + j0 / CC, g, transA, transB, m, n, k, a, lda, b, ldb, apack,
                    bpack);
      const float* ablock = apack + (long)pc * mpad + (long)i0 * kc;
      const float* bblock = bpack + (long)pc * npad + (long)j0 * kc;
      float beta_k = pc == 0 ? beta : 1.0f;
      for (int jr = 0; jr < nc; jr += NR) {
        int nr = min_i(NR, nc - jr);
        for (int ir = 0; ir < mc; ir += MR)
          micro_kernel(kc, ablock + ir * kc, bblock + jr * kc, c + (long)(i0 + ir) * ldc + j0 + jr, ldc, alpha, beta_k,
                       min_i(MR, mc - ir), nr, scratch);
      }
    }
  }
}

/* ======================================================================================
 * Elementwise kernels. Threads claim chunks of CHUNK elements from a shared counter (JS
 * zeroes it before each call), so they can run on the pool for large n; per-element results
 * never depend on who computed them.
 * ====================================================================================== */

#define CHUNK 8192

/* Claims the next chunk of [0, n): returns 0 when none is left. */
static inline int next_range(int* counter, int n, int* lo, int* hi) {
  int start = claim(counter) * CHUNK;
  if (start >= n) return 0;
  *lo = start;
  *hi = min_i(n, start + CHUNK);
  return 1;
}

/*
 * e^x for four lanes, Cephes expf: x = n ln2 + r with |r| <= ln2/2 (ln2 in two parts so r
 * is exact), e^r by a degree-6 polynomial (rel. error ~1e-7), times 2^n built in the exponent
 * bits. 2^n is applied as 2^(n/2) 2^(n - n/2) so both factors are normal floats: results
 * overflow to +inf and underflow through the subnormals to 0 exactly where expf would.
 */
static inline v128_t exp_f32x4(v128_t x) {
  /* clamp where the result is inf / 0 anyway (pmin/pmax keep NaN: it flows through) */
  x = wasm_f32x4_pmin(wasm_f32x4_pmax(x, wasm_f32x4_splat(-104.0f)), wasm_f32x4_splat(89.0f));
  /* n = round(x / ln2) by the 1.5 * 2^23 trick: adding it rounds to an integer (to nearest
     even, like f32x4.nearest) and leaves n in the low mantissa bits, so no float-to-int
     conversion is needed (V8 expands i32x4.trunc_sat_f32x4 into a long sequence on x64) */
  v128_t magic = wasm_f32x4_splat(12582912.0f);
  v128_t t = wasm_f32x4_add(wasm_f32x4_mul(x, wasm_f32x4_splat(1.44269504088896341f)), magic);
  v128_t fn = wasm_f32x4_sub(t, magic);
  v128_t r = wasm_f32x4_sub(x, wasm_f32x4_mul(fn, wasm_f32x4_splat(0.693359375f)));
  r = wasm_f32x4_sub(r, wasm_f32x4_mul(fn, wasm_f32x4_splat(-2.12194440e-4f)));
  v128_t y = wasm_f32x4_splat(1.9875691500e-4f);
  y = MADD(y, r, wasm_f32x4_splat(1.3981999507e-3f));
  y = MADD(y, r, wasm_f32x4_splat(8.3334519073e-3f));
  y = MADD(y, r, wasm_f32x4_splat(4.1665795894e-2f));
  y = MADD(y, r, wasm_f32x4_splat(1.6666665459e-1f));
  y = MADD(y, r, wasm_f32x4_splat(5.0000001201e-1f));
  y = wasm_f32x4_add(wasm_f32x4_mul(y, wasm_f32x4_mul(r, r)), wasm_f32x4_add(r, wasm_f32x4_splat(1.0f)));
  v128_t n = wasm_i32x4_sub(t, magic);
  v128_t n1 = wasm_i32x4_shr(n, 1);
  v128_t n2 = wasm_i32x4_sub(n, n1);
  v128_t bias = wasm_i32x4_splat(127);
  v128_t s1 = wasm_i32x4_shl(wasm_i32x4_add(n1, bias), 23);
  v128_t s2 = wasm_i32x4_shl(wasm_i32x4_add(n2, bias), 23);
  return wasm_f32x4_mul(wasm_f32x4_mul(y, s1), s2);
}

/* Scalar tails reuse the vector code on a one-lane vector, so a tail element is computed
   exactly like the same value inside a vector. */
#define TAIL_1(fn, xp, op)                                                             \
  do {                                                                                 \
    v128_t _r = fn(wasm_f32x4_splat(*(xp)));                                           \
    *(op) = wasm_f32x4_extract_lane(_r, 0);                                            \
  } while (0)

/* 1 / (1 + e^-x), via e = e^-|x| so the negative side (e / (1 + e)) keeps its relative accuracy. */
static inline v128_t sigmoid_f32x4(v128_t x) {
  v128_t e = exp_f32x4(wasm_f32x4_neg(wasm_f32x4_abs(x)));
  v128_t s = wasm_f32x4_div(wasm_f32x4_splat(1.0f), wasm_f32x4_add(wasm_f32x4_splat(1.0f), e));
  return wasm_v128_bitselect(wasm_f32x4_mul(e, s), s, wasm_f32x4_lt(x, wasm_f32x4_splat(0.0f)));
}

/* Cephes tanhf: an odd polynomial for |x| < 0.625 (no cancellation near 0), else
   (1 - e^-2|x|) / (1 + e^-2|x|) with the sign of x. */
static inline v128_t tanh_f32x4(v128_t x) {
  v128_t ax = wasm_f32x4_abs(x);
  v128_t z = wasm_f32x4_mul(x, x);
  v128_t p = wasm_f32x4_splat(-5.70498872745e-3f);
  p = MADD(p, z, wasm_f32x4_splat(2.06390887954e-2f));
  p = MADD(p, z, wasm_f32x4_splat(-5.37397155531e-2f));
  p = MADD(p, z, wasm_f32x4_splat(1.33314422036e-1f));
  p = MADD(p, z, wasm_f32x4_splat(-3.33332819422e-1f));
  v128_t small = wasm_f32x4_add(wasm_f32x4_mul(wasm_f32x4_mul(p, z), x), x);
  v128_t e = exp_f32x4(wasm_f32x4_mul(ax, wasm_f32x4_splat(-2.0f)));
  v128_t big = wasm_f32x4_div(wasm_f32x4_sub(wasm_f32x4_splat(1.0f), e), wasm_f32x4_add(wasm_f32x4_splat(1.0f), e));
  /* copy the sign of x onto the large-|x| branch */
  v128_t sign = wasm_v128_and(x, wasm_i32x4_splat((int)0x80000000u));
  big = wasm_v128_or(big, sign);
  return wasm_v128_bitselect(small, big, wasm_f32x4_lt(ax, wasm_f32x4_splat(0.625f)));
}

/* Two vectors per iteration: two independent polynomial chains for the CPU to overlap. */
#define UNARY_KERNEL(name, fn)                                                         \
  EXPORT(name) void name(const float* x, float* out, int n, int* counter) {           \
    for (int i, hi; next_range(counter, n, &i, &hi);) {                                \
      for (; i + 8 <= hi; i += 8) {                                                    \
        v128_t _a = fn(wasm_v128_load(x + i)), _b = fn(wasm_v128_load(x + i + 4));     \
        wasm_v128_store(out + i, _a);                                                  \
        wasm_v128_store(out + i + 4, _b);                                              \
      }                                                                                \
      for (; i + 4 <= hi; i += 4) wasm_v128_store(out + i, fn(wasm_v128_load(x + i))); \
      for (; i < hi; i++) TAIL_1(fn, x + i, out + i);                                  \
    }                                                                                  \
  }

UNARY_KERNEL(sigmoid, sigmoid_f32x4)
UNARY_KERNEL(tanh_, tanh_f32x4)
UNARY_KERNEL(exp_, exp_f32x4)

/*
 * out = a ∘ b elementwise (vop on four lanes, sop on the scalar tail); b has n elements or is
 * a row vector of `cols` elements repeated over the rows of a. Chunks are whole rows when
 * broadcasting.
 */
#define BINARY_KERNEL(name, vop, sop)                                                  \
  EXPORT(name) void name(const float* a, const float* b, float* out, int n, int cols, int* counter) { \
    if (cols >= n) {                                                                   \
      for (int i, hi; next_range(counter, n, &i, &hi);) {                              \
        for (; i + 4 <= hi; i += 4)                                                    \
          wasm_v128_store(out + i, vop(wasm_v128_load(a + i), wasm_v128_load(b + i))); \
        for (; i < hi; i++) out[i] = sop(a[i], b[i]);                                  \
      }                                                                                \
      return;                                                                          \
    }                                                                                  \
    int rows = n / cols, per = cols >= CHUNK ? 1 : CHUNK / cols;                       \
    int blocks = (rows + per - 1) / per;                                               \
    for (int q; (q = claim(counter)) < blocks;)                                        \
    for (int r = q * per; r < min_i(rows, (q + 1) * per); r++) {                       \
      const float* ar = a + (long)r * cols;                                            \
      float* o = out + (long)r * cols;                                                 \
      int j = 0;                                                                       \
      for (; j + 4 <= cols; j += 4)                                                    \
        wasm_v128_store(o + j, vop(wasm_v128_load(ar + j), wasm_v128_load(b + j)));    \
      for (; j < cols; j++) o[j] = sop(ar[j], b[j]);                                   \
    }                                                                                  \
  }

static inline float plus_f32(float a, float b) { return a + b; }
static inline float times_f32(float a, float b) { return a * b; }

BINARY_KERNEL(add, wasm_f32x4_add, plus_f32)
BINARY_KERNEL(mul, wasm_f32x4_mul, times_f32)

/*
 * y = alpha x + beta y, computed in double precision and rounded once, exactly as the
 * TypeScript backend does (JS arithmetic is double): the two backends agree bit for bit.
 */
static void axpby_range(double alpha, const float* x, double beta, float* y, int i, int hi) {
  v128_t av = wasm_f64x2_splat(alpha), bv = wasm_f64x2_splat(beta);
  int accumulate = beta == 1.0;
  for (; i + 4 <= hi; i += 4) {
    v128_t xv = wasm_v128_load(x + i), yv = wasm_v128_load(y + i);
    v128_t xlo = wasm_f64x2_promote_low_f32x4(xv), ylo = wasm_f64x2_promote_low_f32x4(yv);
    v128_t xhi = wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(xv, xv, 2, 3, 2, 3));
    v128_t yhi = wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(yv, yv, 2, 3, 2, 3));
    v128_t lo, hi2;
    if (accumulate) {
      lo = wasm_f64x2_add(ylo, wasm_f64x2_mul(av, xlo));
      hi2 = wasm_f64x2_add(yhi, wasm_f64x2_mul(av, xhi));
    } else {
      lo = wasm_f64x2_add(wasm_f64x2_mul(av, xlo), wasm_f64x2_mul(bv, ylo));
      hi2 = wasm_f64x2_add(wasm_f64x2_mul(av, xhi), wasm_f64x2_mul(bv, yhi));
    }
    v128_t flo = wasm_f32x4_demote_f64x2_zero(lo), fhi = wasm_f32x4_demote_f64x2_zero(hi2);
    wasm_v128_store(y + i, wasm_i32x4_shuffle(flo, fhi, 0, 1, 4, 5));
  }
  for (; i < hi; i++) y[i] = accumulate ? (float)((double)y[i] + alpha * (double)x[i])
                                        : (float)(alpha * (double)x[i] + beta * (double)y[i]);
}

EXPORT(axpby) void axpby(double alpha, const float* x, double beta, float* y, int n, int* counter) {
  for (int i, hi; next_range(counter, n, &i, &hi);) axpby_range(alpha, x, beta, y, i, hi);
}

/* ======================================================================================
 * Sampling: xoshiro128** exactly as src/tensor/random.ts, state in four u32 words that JS
 * copies in and back out. uniform = (x >> 8) * 2^-24 is exact in float32, so the streams are
 * bit-identical to the TypeScript backend. The stream is sequential, hence one thread.
 * ====================================================================================== */

static inline uint32_t rotl(uint32_t x, int k) { return (x << k) | (x >> (32 - k)); }

static inline float next_float(uint32_t* s) {
  uint32_t result = rotl(s[1] * 5, 7) * 9;
  uint32_t t = s[1] << 9;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl(s[3], 11);
  return (float)(result >> 8) * 0x1p-24f;
}

EXPORT(uniform) void uniform(float* out, int n, uint32_t* state) {
  uint32_t s[4] = {state[0], state[1], state[2], state[3]};
  for (int i = 0; i < n; i++) out[i] = next_float(s);
  for (int i = 0; i < 4; i++) state[i] = s[i];
}

EXPORT(bernoulli) void bernoulli(const float* p, float* out, int n, uint32_t* state) {
  uint32_t s[4] = {state[0], state[1], state[2], state[3]};
  /* 1.0f or 0.0f through an integer mask: a float select would compile to an unpredictable
     branch (V8 has no conditional move for float registers) */
  uint32_t* bits = (uint32_t*)out;
  for (int i = 0; i < n; i++) bits[i] = -(uint32_t)(next_float(s) < p[i]) & 0x3f800000u;
  for (int i = 0; i < 4; i++) state[i] = s[i];
}

/* ======================================================================================
 * More elementwise kernels: the rest of the unary ops, activation gradients, scalar ops and
 * the remaining binary ops. Where the TypeScript backend's result is exact (one JavaScript
 * double operation rounded to float32), these compute the same operations in f64x2 and round
 * once, so the bits are the same; float32 + - * / sqrt give the same bits directly (a double
 * result of one such operation on floats, rounded to float, is the correctly rounded float
 * result). Transcendentals (log, softplus) are float polynomials, ~1e-6 relative.
 * ====================================================================================== */

static inline v128_t f64_lo(v128_t v) { return wasm_f64x2_promote_low_f32x4(v); }
static inline v128_t f64_hi(v128_t v) { return wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(v, v, 2, 3, 2, 3)); }
static inline v128_t f32_join(v128_t lo, v128_t hi) {
  return wasm_i32x4_shuffle(wasm_f32x4_demote_f64x2_zero(lo), wasm_f32x4_demote_f64x2_zero(hi), 0, 1, 4, 5);
}

/* x > 0 ? x : 0 (NaN and -0 give +0), as a mask: no float select needed */
static inline v128_t relu_f32x4(v128_t x) { return wasm_v128_and(x, wasm_f32x4_gt(x, wasm_f32x4_const_splat(0.0f))); }
static inline v128_t step_f32x4(v128_t x) {
  return wasm_v128_and(wasm_f32x4_const_splat(1.0f), wasm_f32x4_gt(x, wasm_f32x4_const_splat(0.0f)));
}
static inline v128_t square_f32x4(v128_t x) { return wasm_f32x4_mul(x, x); }
static inline v128_t sqrt_f32x4(v128_t x) { return wasm_f32x4_sqrt(x); }
static inline v128_t abs_f32x4(v128_t x) { return wasm_f32x4_abs(x); }
static inline v128_t neg_f32x4(v128_t x) { return wasm_f32x4_neg(x); }

/* log(1 + r) + fe ln2 for r in [sqrt(1/2) - 1, sqrt(2) - 1]: the Cephes logf polynomial
   (~1 ulp), with ln2 in two parts. */
static inline v128_t log1p_poly(v128_t r, v128_t fe) {
  v128_t z = wasm_f32x4_mul(r, r);
  v128_t y = wasm_f32x4_const_splat(7.0376836292e-2f);
  y = MADD(y, r, wasm_f32x4_const_splat(-1.1514610310e-1f));
  y = MADD(y, r, wasm_f32x4_const_splat(1.1676998740e-1f));
  y = MADD(y, r, wasm_f32x4_const_splat(-1.2420140846e-1f));
  y = MADD(y, r, wasm_f32x4_const_splat(1.4249322787e-1f));
  y = MADD(y, r, wasm_f32x4_const_splat(-1.6668057665e-1f));
  y = MADD(y, r, wasm_f32x4_const_splat(2.0000714765e-1f));
  y = MADD(y, r, wasm_f32x4_const_splat(-2.4999993993e-1f));
  y = MADD(y, r, wasm_f32x4_const_splat(3.3333331174e-1f));
  y = wasm_f32x4_mul(wasm_f32x4_mul(y, r), z);
  y = wasm_f32x4_add(y, wasm_f32x4_mul(fe, wasm_f32x4_const_splat(-2.12194440e-4f)));
  y = wasm_f32x4_sub(y, wasm_f32x4_mul(z, wasm_f32x4_const_splat(0.5f)));
  return wasm_f32x4_add(wasm_f32x4_add(r, y), wasm_f32x4_mul(fe, wasm_f32x4_const_splat(0.693359375f)));
}

/*
 * Natural log, Cephes logf: x = m 2^e with m in [sqrt(1/2), sqrt(2)), log(m) by a degree-9
 * polynomial in m - 1 (~1 ulp), e ln2 added in two parts. Subnormals are scaled by 2^23 first;
 * x < 0 and NaN give NaN, 0 gives -inf, +inf gives +inf.
 */
static inline v128_t log_f32x4(v128_t x) {
  v128_t tiny = wasm_f32x4_lt(x, wasm_f32x4_const_splat(1.17549435e-38f));
  v128_t xs = wasm_v128_bitselect(wasm_f32x4_mul(x, wasm_f32x4_const_splat(8388608.0f)), x, tiny);
  v128_t ebias = wasm_v128_and(tiny, wasm_i32x4_const_splat(23));
  v128_t e = wasm_i32x4_sub(wasm_i32x4_sub(wasm_u32x4_shr(xs, 23), wasm_i32x4_const_splat(126)), ebias);
  v128_t m = wasm_v128_or(wasm_v128_and(xs, wasm_i32x4_const_splat(0x007fffff)), wasm_i32x4_const_splat(0x3f000000));
  /* m in [0.5, 1): below sqrt(1/2) use 2m - 1 and e - 1, else m - 1 */
  v128_t below = wasm_f32x4_lt(m, wasm_f32x4_const_splat(0.707106781186547524f));
  e = wasm_i32x4_add(e, below); /* the mask is -1 where below */
  v128_t one = wasm_f32x4_const_splat(1.0f);
  v128_t r = wasm_f32x4_sub(wasm_f32x4_add(m, wasm_v128_and(m, below)), one);
  v128_t res = log1p_poly(r, wasm_f32x4_convert_i32x4(e));
  /* special values */
  v128_t inf = wasm_f32x4_const_splat(__builtin_inff());
  res = wasm_v128_bitselect(inf, res, wasm_f32x4_eq(x, inf));
  res = wasm_v128_bitselect(wasm_f32x4_neg(inf), res, wasm_f32x4_eq(x, wasm_f32x4_const_splat(0.0f)));
  v128_t bad = wasm_v128_or(wasm_f32x4_lt(x, wasm_f32x4_const_splat(0.0f)), wasm_f32x4_ne(x, x));
  return wasm_v128_bitselect(wasm_f32x4_const_splat(__builtin_nanf("")), res, bad);
}

/*
 * softplus(x) = log(1 + e^x) = max(x, 0) + log1p(u), u = e^-|x| in (0, 1]: never overflows,
 * and for x << 0 it is e^x to full relative accuracy. log1p(u) needs no division or exponent
 * split here: for u <= sqrt(2) - 1 it is the log polynomial at r = u itself (exact input); above,
 * 1 + u = 2 (1 + r) with r = (u - 1) / 2 in (-0.3, 0], plus ln2.
 */
static inline v128_t softplus_f32x4(v128_t x) {
  v128_t u = exp_f32x4(wasm_f32x4_neg(wasm_f32x4_abs(x)));
  v128_t big = wasm_f32x4_gt(u, wasm_f32x4_const_splat(0.414213562373095f));
  v128_t r = wasm_v128_bitselect(wasm_f32x4_mul(wasm_f32x4_sub(u, wasm_f32x4_const_splat(1.0f)), wasm_f32x4_const_splat(0.5f)), u, big);
  v128_t fe = wasm_v128_and(big, wasm_f32x4_const_splat(1.0f));
  return wasm_f32x4_add(wasm_f32x4_pmax(x, wasm_f32x4_const_splat(0.0f)), log1p_poly(r, fe));
}

UNARY_KERNEL(relu, relu_f32x4)
UNARY_KERNEL(step, step_f32x4)
UNARY_KERNEL(square, square_f32x4)
UNARY_KERNEL(sqrt_, sqrt_f32x4)
UNARY_KERNEL(abs_, abs_f32x4)
UNARY_KERNEL(neg, neg_f32x4)
UNARY_KERNEL(log_, log_f32x4)
UNARY_KERNEL(softplus, softplus_f32x4)

static inline v128_t sub_f32x4(v128_t a, v128_t b) { return wasm_f32x4_sub(a, b); }
static inline v128_t div_f32x4(v128_t a, v128_t b) { return wasm_f32x4_div(a, b); }
/* a > b ? a : b and a < b ? a : b, as the TypeScript backend (NaN in a gives b) */
static inline v128_t max_f32x4(v128_t a, v128_t b) { return wasm_v128_bitselect(a, b, wasm_f32x4_gt(a, b)); }
static inline v128_t min_f32x4(v128_t a, v128_t b) { return wasm_v128_bitselect(a, b, wasm_f32x4_lt(a, b)); }
static inline float sub_f32(float a, float b) { return a - b; }
static inline float div_f32(float a, float b) { return a / b; }
static inline float max_f32(float a, float b) { return a > b ? a : b; }
static inline float min_f32(float a, float b) { return a < b ? a : b; }

BINARY_KERNEL(sub, sub_f32x4, sub_f32)
BINARY_KERNEL(div_, div_f32x4, div_f32)
BINARY_KERNEL(max_, max_f32x4, max_f32)
BINARY_KERNEL(min_, min_f32x4, min_f32)

/*
 * out = x op s with s a double (a learning rate like 0.01 is not a float): in f64 and rounded
 * once, exactly the TypeScript backend's arithmetic. op: 0 add, 1 mul, 2 rsub (s - x),
 * 3 max (x > s ? x : s), 4 min.
 */
#define SCALAR_LOOP(vexpr, sexpr)                                                      \
  for (int i, hi; next_range(counter, n, &i, &hi);) {                                  \
    for (; i + 4 <= hi; i += 4) {                                                      \
      v128_t xv = wasm_v128_load(x + i);                                               \
      v128_t lo = f64_lo(xv), hi2 = f64_hi(xv);                                        \
      v128_t rlo, rhi;                                                                 \
      { v128_t xd = lo; rlo = (vexpr); }                                               \
      { v128_t xd = hi2; rhi = (vexpr); }                                              \
      wasm_v128_store(out + i, f32_join(rlo, rhi));                                    \
    }                                                                                  \
    for (; i < hi; i++) {                                                              \
      double xd = x[i];                                                                \
      out[i] = (float)(sexpr);                                                         \
    }                                                                                  \
  }

EXPORT(scalar_op) void scalar_op(int op, const float* x, double s, float* out, int n, int* counter) {
  v128_t sv = wasm_f64x2_splat(s);
  switch (op) {
    case 0: SCALAR_LOOP(wasm_f64x2_add(xd, sv), xd + s) break;
    case 1: SCALAR_LOOP(wasm_f64x2_mul(xd, sv), xd * s) break;
    case 2: SCALAR_LOOP(wasm_f64x2_sub(sv, xd), s - xd) break;
    case 3: SCALAR_LOOP(wasm_v128_bitselect(xd, sv, wasm_f64x2_gt(xd, sv)), xd > s ? xd : s) break;
    case 4: SCALAR_LOOP(wasm_v128_bitselect(xd, sv, wasm_f64x2_lt(xd, sv)), xd < s ? xd : s) break;
    default: break;
  }
}

/*
 * out = dy f'(x) through y = f(x), in f64 like the TypeScript backend (bit-identical):
 * sigmoid (dy y)(1 - y), tanh dy (1 - y^2), relu y > 0 ? dy : 0. op: 0 sigmoid, 1 tanh, 2 relu.
 */
EXPORT(activation_grad) void activation_grad(int op, const float* y, const float* dy, float* out, int n, int* counter) {
  v128_t one = wasm_f64x2_const_splat(1.0);
  for (int i, hi; next_range(counter, n, &i, &hi);) {
    if (op == 2) {
      for (; i + 4 <= hi; i += 4)
        wasm_v128_store(out + i, wasm_v128_and(wasm_v128_load(dy + i), wasm_f32x4_gt(wasm_v128_load(y + i), wasm_f32x4_const_splat(0.0f))));
      for (; i < hi; i++) out[i] = y[i] > 0.0f ? dy[i] : 0.0f;
    } else if (op == 0) {
      for (; i + 4 <= hi; i += 4) {
        v128_t yv = wasm_v128_load(y + i), dv = wasm_v128_load(dy + i);
        v128_t ylo = f64_lo(yv), yhi = f64_hi(yv);
        v128_t lo = wasm_f64x2_mul(wasm_f64x2_mul(f64_lo(dv), ylo), wasm_f64x2_sub(one, ylo));
        v128_t h = wasm_f64x2_mul(wasm_f64x2_mul(f64_hi(dv), yhi), wasm_f64x2_sub(one, yhi));
        wasm_v128_store(out + i, f32_join(lo, h));
      }
      for (; i < hi; i++) out[i] = (float)((double)dy[i] * (double)y[i] * (1.0 - (double)y[i]));
    } else {
      for (; i + 4 <= hi; i += 4) {
        v128_t yv = wasm_v128_load(y + i), dv = wasm_v128_load(dy + i);
        v128_t ylo = f64_lo(yv), yhi = f64_hi(yv);
        v128_t lo = wasm_f64x2_mul(f64_lo(dv), wasm_f64x2_sub(one, wasm_f64x2_mul(ylo, ylo)));
        v128_t h = wasm_f64x2_mul(f64_hi(dv), wasm_f64x2_sub(one, wasm_f64x2_mul(yhi, yhi)));
        wasm_v128_store(out + i, f32_join(lo, h));
      }
      for (; i < hi; i++) out[i] = (float)((double)dy[i] * (1.0 - (double)y[i] * (double)y[i]));
    }
  }
}

/* ======================================================================================
 * Row reductions and softmax. Work is shared by column blocks (sumRows) or row blocks
 * (sumCols, softmax): each output element is computed by one thread in a fixed order.
 * ====================================================================================== */

/* Claims block q of `per` items out of `total`: returns 0 when none is left. */
static inline int next_block(int* counter, int total, int per, int* lo, int* hi) {
  int q = claim(counter);
  if ((long)q * per >= total) return 0;
  *lo = q * per;
  *hi = min_i(total, *lo + per);
  return 1;
}

#define SUM_ROWS_BLOCK 512

/* out[j] = sum_i x[i, j], each column in row order with float32 adds: the TypeScript
   backend's exact sequence, so the same bits. */
EXPORT(sum_rows) void sum_rows(const float* x, int rows, int cols, float* out, int* counter) {
  for (int j0, j1; next_block(counter, cols, SUM_ROWS_BLOCK, &j0, &j1);) {
    for (int j = j0; j < j1; j++) out[j] = 0.0f;
    for (int r = 0; r < rows; r++) {
      const float* xr = x + (long)r * cols;
      int j = j0;
      for (; j + 16 <= j1; j += 16) {
        wasm_v128_store(out + j, wasm_f32x4_add(wasm_v128_load(out + j), wasm_v128_load(xr + j)));
        wasm_v128_store(out + j + 4, wasm_f32x4_add(wasm_v128_load(out + j + 4), wasm_v128_load(xr + j + 4)));
        wasm_v128_store(out + j + 8, wasm_f32x4_add(wasm_v128_load(out + j + 8), wasm_v128_load(xr + j + 8)));
        wasm_v128_store(out + j + 12, wasm_f32x4_add(wasm_v128_load(out + j + 12), wasm_v128_load(xr + j + 12)));
      }
      for (; j + 4 <= j1; j += 4) wasm_v128_store(out + j, wasm_f32x4_add(wasm_v128_load(out + j), wasm_v128_load(xr + j)));
      for (; j < j1; j++) out[j] += xr[j];
    }
  }
}

#define ROW_BLOCK 16

/* out[i] = sum_j x[i, j], accumulated in double (as the TypeScript backend) over four f64
   lanes, rounded once: equal to the sequential double sum within double rounding. */
EXPORT(sum_cols) void sum_cols(const float* x, int rows, int cols, float* out, int* counter) {
  for (int r0, r1; next_block(counter, rows, ROW_BLOCK, &r0, &r1);)
    for (int r = r0; r < r1; r++) {
      const float* xr = x + (long)r * cols;
      v128_t s0 = wasm_f64x2_const_splat(0.0), s1 = s0;
      int j = 0;
      for (; j + 4 <= cols; j += 4) {
        v128_t v = wasm_v128_load(xr + j);
        s0 = wasm_f64x2_add(s0, f64_lo(v));
        s1 = wasm_f64x2_add(s1, f64_hi(v));
      }
      v128_t s = wasm_f64x2_add(s0, s1);
      double sum = wasm_f64x2_extract_lane(s, 0) + wasm_f64x2_extract_lane(s, 1);
      for (; j < cols; j++) sum += xr[j];
      out[r] = (float)sum;
    }
}

/* Row-wise softmax: e = exp(x - max) in float32 (~1e-7), the sum in double, out = e / sum. */
EXPORT(softmax_rows) void softmax_rows(const float* x, int rows, int cols, float* out, int* counter) {
  for (int r0, r1; next_block(counter, rows, ROW_BLOCK, &r0, &r1);)
    for (int r = r0; r < r1; r++) {
      const float* xr = x + (long)r * cols;
      float* o = out + (long)r * cols;
      /* pmax(m, x) = m < x ? x : m: NaNs are skipped, as in the TypeScript backend */
      v128_t mv = wasm_f32x4_const_splat(-__builtin_inff());
      int j = 0;
      for (; j + 4 <= cols; j += 4) mv = wasm_f32x4_pmax(mv, wasm_v128_load(xr + j));
      float max = -__builtin_inff();
      for (int l = 0; l < 4; l++) {
        float v = ((float*)&mv)[l];
        if (v > max) max = v;
      }
      for (; j < cols; j++)
        if (xr[j] > max) max = xr[j];
      v128_t maxv = wasm_f32x4_splat(max);
      v128_t s0 = wasm_f64x2_const_splat(0.0), s1 = s0;
      for (j = 0; j + 4 <= cols; j += 4) {
        v128_t e = exp_f32x4(wasm_f32x4_sub(wasm_v128_load(xr + j), maxv));
        wasm_v128_store(o + j, e);
        s0 = wasm_f64x2_add(s0, f64_lo(e));
        s1 = wasm_f64x2_add(s1, f64_hi(e));
      }
      v128_t s = wasm_f64x2_add(s0, s1);
      double sum = wasm_f64x2_extract_lane(s, 0) + wasm_f64x2_extract_lane(s, 1);
      for (; j < cols; j++) {
        float e = wasm_f32x4_extract_lane(exp_f32x4(wasm_f32x4_splat(xr[j] - max)), 0);
        o[j] = e;
        sum += e;
      }
      v128_t inv = wasm_f64x2_splat(1.0 / sum);
      for (j = 0; j + 4 <= cols; j += 4) {
        v128_t e = wasm_v128_load(o + j);
        wasm_v128_store(o + j, f32_join(wasm_f64x2_mul(f64_lo(e), inv), wasm_f64x2_mul(f64_hi(e), inv)));
      }
      for (; j < cols; j++) o[j] = (float)((double)o[j] * (1.0 / sum));
    }
}

/* ======================================================================================
 * Convolution data movement and pooling over NHWC batches. `g` points at the geometry as 12
 * ints: batch, inH, inW, channels, kH, kW, strideH, strideW, padTop, padLeft, outH, outW.
 * Work is shared by output rows (one image row of output pixels: im2col, pooling forward) or
 * by images (col2im, avgPool backward: every image's dx is its own), and each output value is
 * computed the way the TypeScript backend computes it, in the same order: the same bits.
 * ====================================================================================== */

enum { G_BATCH, G_INH, G_INW, G_C, G_KH, G_KW, G_SH, G_SW, G_PT, G_PL, G_OUTH, G_OUTW };

static inline void copy_f32(float* restrict dst, const float* restrict src, int n) {
  int j = 0;
  for (; j + 4 <= n; j += 4) wasm_v128_store(dst + j, wasm_v128_load(src + j));
  for (; j < n; j++) dst[j] = src[j];
}

static inline void zero_f32(float* dst, int n) {
  int j = 0;
  for (; j + 4 <= n; j += 4) wasm_v128_store(dst + j, wasm_f32x4_const_splat(0.0f));
  for (; j < n; j++) dst[j] = 0.0f;
}

static inline void add_f32(float* restrict dst, const float* restrict src, int n) {
  int j = 0;
  for (; j + 4 <= n; j += 4) wasm_v128_store(dst + j, wasm_f32x4_add(wasm_v128_load(dst + j), wasm_v128_load(src + j)));
  for (; j < n; j++) dst[j] += src[j];
}

/* Output rows per claimed piece: about 16k floats of output. */
static inline int rows_per_piece(int floats_per_row) {
  int per = 16384 / (floats_per_row > 0 ? floats_per_row : 1);
  return per < 1 ? 1 : per;
}

EXPORT(im2col) void im2col(const float* x, const int* g, float* cols, int* counter) {
  int inH = g[G_INH], inW = g[G_INW], C = g[G_C], kH = g[G_KH], kW = g[G_KW];
  int outH = g[G_OUTH], outW = g[G_OUTW];
  int span = kW * C, rowLen = kH * span;
  int units = g[G_BATCH] * outH;
  for (int u0, u1; next_block(counter, units, rows_per_piece(outW * rowLen), &u0, &u1);)
    for (int u = u0; u < u1; u++) {
      int n = u / outH, oh = u % outH;
      const float* image = x + (long)n * inH * inW * C;
      float* row = cols + (long)u * outW * rowLen;
      int ih0 = oh * g[G_SH] - g[G_PT];
      for (int ow = 0; ow < outW; ow++, row += rowLen) {
        int iw0 = ow * g[G_SW] - g[G_PL];
        int kwStart = iw0 < 0 ? min_i(-iw0, kW) : 0;
        int kwEnd = iw0 + kW > inW ? inW - iw0 : kW;
        int lo = kwStart * C, hi = kwEnd > kwStart ? kwEnd * C : lo;
        if (span == 5 && lo == 0 && hi == span && ih0 >= 0 && ih0 + kH <= inH) {
          /* 5-wide kernels on one channel (LeNet's first layer), window inside the image: one
             vector and one float per kernel row (also 1-wide kernels on 5 channels) instead of the general loops (3x faster; for
             wider spans the general path measured faster than a copy-only loop) */
          const float* src = image + ((long)ih0 * inW + iw0) * C;
          for (int kh = 0; kh < kH; kh++, src += (long)inW * C) {
            wasm_v128_store(row + kh * 5, wasm_v128_load(src));
            row[kh * 5 + 4] = src[4];
          }
          continue;
        }
        for (int kh = 0; kh < kH; kh++) {
          int ih = ih0 + kh;
          float* dst = row + kh * span;
          if (ih < 0 || ih >= inH) {
            zero_f32(dst, span);
            continue;
          }
          const float* src = image + ((long)ih * inW + iw0) * C;
          zero_f32(dst, lo);
          copy_f32(dst + lo, src + lo, hi - lo);
          zero_f32(dst + hi, span - hi);
        }
      }
    }
}

EXPORT(col2im) void col2im(const float* cols, const int* g, float* dx, int* counter) {
  int inH = g[G_INH], inW = g[G_INW], C = g[G_C], kH = g[G_KH], kW = g[G_KW];
  int outH = g[G_OUTH], outW = g[G_OUTW];
  int span = kW * C, rowLen = kH * span;
  long imageSize = (long)inH * inW * C;
  for (int n; (n = claim(counter)) < g[G_BATCH];) {
    float* image = dx + n * imageSize;
    zero_f32(image, (int)imageSize);
    const float* row = cols + (long)n * outH * outW * rowLen;
    for (int oh = 0; oh < outH; oh++) {
      int ih0 = oh * g[G_SH] - g[G_PT];
      for (int ow = 0; ow < outW; ow++, row += rowLen) {
        int iw0 = ow * g[G_SW] - g[G_PL];
        int kwStart = iw0 < 0 ? -iw0 : 0;
        int kwEnd = iw0 + kW > inW ? inW - iw0 : kW;
        if (kwEnd <= kwStart) continue;
        int lo = kwStart * C, hi = kwEnd * C;
        for (int kh = 0; kh < kH; kh++) {
          int ih = ih0 + kh;
          if (ih < 0 || ih >= inH) continue;
          add_f32(image + ((long)ih * inW + iw0) * C + lo, row + kh * span + lo, hi - lo);
        }
      }
    }
  }
}

/* The window of output (oh, ow) clipped to the image: rows [h0, h1), columns [w0, w1). */
#define WINDOW(g, oh, ow, h0, h1, w0, w1)                                              \
  int h0 = oh * g[G_SH] - g[G_PT], w0 = ow * g[G_SW] - g[G_PL];                        \
  int h1 = min_i(h0 + g[G_KH], g[G_INH]), w1 = min_i(w0 + g[G_KW], g[G_INW]);          \
  if (h0 < 0) h0 = 0;                                                                  \
  if (w0 < 0) w0 = 0;

/* y = the largest value of each window and channel, argmax = its flat input index (the first
   on ties; -inf and -1 for an empty window; NaNs never win), as the TypeScript backend. */
EXPORT(max_pool) void max_pool(const float* x, const int* g, float* y, int32_t* argmax, int* counter) {
  int inW = g[G_INW], C = g[G_C], outH = g[G_OUTH], outW = g[G_OUTW];
  long imageSize = (long)g[G_INH] * inW * C;
  int units = g[G_BATCH] * outH;
  v128_t ninf = wasm_f32x4_const_splat(-__builtin_inff()), lanes = wasm_i32x4_make(0, 1, 2, 3);
  for (int u0, u1; next_block(counter, units, rows_per_piece(outW * C * 4), &u0, &u1);)
    for (int u = u0; u < u1; u++) {
      int n = u / outH, oh = u % outH;
      int image = (int)(n * imageSize);
      for (int ow = 0; ow < outW; ow++) {
        long o = ((long)u * outW + ow) * C;
        WINDOW(g, oh, ow, h0, h1, w0, w1)
        int c = 0;
        for (; c + 4 <= C; c += 4) {
          v128_t best = ninf, at = wasm_i32x4_const_splat(-1);
          for (int h = h0; h < h1; h++)
            for (int w = w0; w < w1; w++) {
              int p = image + (h * inW + w) * C + c;
              v128_t v = wasm_v128_load(x + p);
              v128_t gt = wasm_f32x4_gt(v, best);
              best = wasm_v128_bitselect(v, best, gt);
              at = wasm_v128_bitselect(wasm_i32x4_add(wasm_i32x4_splat(p), lanes), at, gt);
            }
          wasm_v128_store(y + o + c, best);
          wasm_v128_store(argmax + o + c, at);
        }
        for (; c < C; c++) {
          float best = -__builtin_inff();
          int at = -1;
          for (int h = h0; h < h1; h++)
            for (int w = w0; w < w1; w++) {
              int p = image + (h * inW + w) * C + c;
              if (x[p] > best) {
                best = x[p];
                at = p;
              }
            }
          y[o + c] = best;
          argmax[o + c] = at;
        }
      }
    }
}

/* dx (all dxn values overwritten) = dy routed to each window's winner, in output order. */
EXPORT(max_pool_grad) void max_pool_grad(const float* dy, const int32_t* argmax, int n, float* dx, int dxn) {
  zero_f32(dx, dxn);
  for (int i = 0; i < n; i++) {
    int j = argmax[i];
    if (j >= 0) dx[j] += dy[i];
  }
}

/* y = the mean of each window over the pixels it covers: float32 sums, then times 1/count in
   double and rounded once, as the TypeScript backend. */
EXPORT(avg_pool) void avg_pool(const float* x, const int* g, float* y, int* counter) {
  int inW = g[G_INW], C = g[G_C], outH = g[G_OUTH], outW = g[G_OUTW];
  long imageSize = (long)g[G_INH] * inW * C;
  int units = g[G_BATCH] * outH;
  for (int u0, u1; next_block(counter, units, rows_per_piece(outW * C * 4), &u0, &u1);)
    for (int u = u0; u < u1; u++) {
      int n = u / outH, oh = u % outH;
      const float* image = x + n * imageSize;
      for (int ow = 0; ow < outW; ow++) {
        float* o = y + ((long)u * outW + ow) * C;
        WINDOW(g, oh, ow, h0, h1, w0, w1)
        int count = (h1 - h0) * (w1 - w0);
        double inv = 1.0 / (count > 1 ? count : 1);
        v128_t invv = wasm_f64x2_splat(inv);
        int c = 0;
        for (; c + 4 <= C; c += 4) {
          v128_t s = wasm_f32x4_const_splat(0.0f);
          for (int h = h0; h < h1; h++)
            for (int w = w0; w < w1; w++) s = wasm_f32x4_add(s, wasm_v128_load(image + (h * inW + w) * C + c));
          wasm_v128_store(o + c, f32_join(wasm_f64x2_mul(f64_lo(s), invv), wasm_f64x2_mul(f64_hi(s), invv)));
        }
        for (; c < C; c++) {
          float s = 0.0f;
          for (int h = h0; h < h1; h++)
            for (int w = w0; w < w1; w++) s += image[(h * inW + w) * C + c];
          o[c] = (float)((double)s * inv);
        }
      }
    }
}

/* dx (overwritten) = each window's dy times 1/count added onto its pixels, in double and
   rounded once per add, as the TypeScript backend; shared out by images. */
EXPORT(avg_pool_grad) void avg_pool_grad(const float* dy, const int* g, float* dx, int* counter) {
  int inW = g[G_INW], C = g[G_C], outH = g[G_OUTH], outW = g[G_OUTW];
  long imageSize = (long)g[G_INH] * inW * C;
  for (int n; (n = claim(counter)) < g[G_BATCH];) {
    float* image = dx + n * imageSize;
    zero_f32(image, (int)imageSize);
    for (int oh = 0; oh < outH; oh++)
      for (int ow = 0; ow < outW; ow++) {
        const float* d = dy + (((long)n * outH + oh) * outW + ow) * C;
        WINDOW(g, oh, ow, h0, h1, w0, w1)
        int count = (h1 - h0) * (w1 - w0);
        double inv = 1.0 / (count > 1 ? count : 1);
        v128_t invv = wasm_f64x2_splat(inv);
        for (int h = h0; h < h1; h++)
          for (int w = w0; w < w1; w++) {
            float* p = image + (h * inW + w) * C;
            int c = 0;
            for (; c + 4 <= C; c += 4) {
              v128_t dv = wasm_v128_load(d + c), pv = wasm_v128_load(p + c);
              v128_t lo = wasm_f64x2_add(f64_lo(pv), wasm_f64x2_mul(f64_lo(dv), invv));
              v128_t hi = wasm_f64x2_add(f64_hi(pv), wasm_f64x2_mul(f64_hi(dv), invv));
              wasm_v128_store(p + c, f32_join(lo, hi));
            }
            for (; c < C; c++) p[c] = (float)((double)p[c] + (double)d[c] * inv);
          }
      }
  }
}

/* ======================================================================================
 * The LSTM and GRU cells' elementwise steps (src/nn/lstm.ts, gru.ts have the equations),
 * fused: one pass over the gates of a step instead of a JavaScript loop of five (three)
 * transcendentals per unit. GRU rows: ax, ah [n, 3u] (r, z, n), the cache [n, 4u] = r, z, n, q. Rows
 * are laid out as the recurrent base packs them: pre-activations ax, ah [n, 4u] in gate order
 * i, f, g, o; states [n, u]; the cache [n, 5u] = i, f, g, o, tanh(c_t). Threads claim blocks
 * of rows; every value is computed by the same instructions whoever claims it (a tail of u
 * mod 4 units runs the vector code on one lane), so results are the same for any thread count.
 * ====================================================================================== */

/* Rows per claimed block: about 2k units of work. */
static inline int cell_rows_per_block(int u) { return u >= 2048 ? 1 : 2048 / u; }

/* Four units j..j+3 of a row, or one (`lanes` 1: the tail, in lane 0 of the same vector code). */
#define LOAD(p) (lanes == 4 ? wasm_v128_load(p) : wasm_f32x4_splat(*(p)))
#define STORE(p, v)                           \
  do {                                        \
    if (lanes == 4)                           \
      wasm_v128_store(p, v);                  \
    else                                      \
      *(p) = wasm_f32x4_extract_lane(v, 0);   \
  } while (0)

/* Forward: the four gates, c_t = f_t ∘ c_{t−1} + i_t ∘ g_t, h_t = o_t ∘ tanh(c_t), and the cache. */
static inline void lstm_cell4(const float* ax, const float* ah, const float* c_prev, float* c, float* h, float* cache, int u, int j, int lanes) {
  v128_t i_t = sigmoid_f32x4(wasm_f32x4_add(LOAD(ax + j), LOAD(ah + j)));
  v128_t f_t = sigmoid_f32x4(wasm_f32x4_add(LOAD(ax + u + j), LOAD(ah + u + j)));
  v128_t g_t = tanh_f32x4(wasm_f32x4_add(LOAD(ax + 2 * u + j), LOAD(ah + 2 * u + j)));
  v128_t o_t = sigmoid_f32x4(wasm_f32x4_add(LOAD(ax + 3 * u + j), LOAD(ah + 3 * u + j)));
  v128_t c_t = wasm_f32x4_add(wasm_f32x4_mul(f_t, LOAD(c_prev + j)), wasm_f32x4_mul(i_t, g_t));
  v128_t tc = tanh_f32x4(c_t);
  STORE(c + j, c_t);
  STORE(h + j, wasm_f32x4_mul(o_t, tc));
  STORE(cache + j, i_t);
  STORE(cache + u + j, f_t);
  STORE(cache + 2 * u + j, g_t);
  STORE(cache + 3 * u + j, o_t);
  STORE(cache + 4 * u + j, tc);
}

/* GRU forward (src/nn/gru.ts, "reset after"): gates r, z, n in ax, ah [n, 3u] (ah with b_h
   added); h_t = (1 − z) n + z h_{t−1}; the cache [n, 4u] = r, z, n, q = h_{t−1} U_n + b_hn. */
static inline void gru_cell4(const float* ax, const float* ah, const float* h_prev, float* h, float* cache, int u, int j, int lanes) {
  v128_t one = wasm_f32x4_const_splat(1.0f);
  v128_t r_t = sigmoid_f32x4(wasm_f32x4_add(LOAD(ax + j), LOAD(ah + j)));
  v128_t z_t = sigmoid_f32x4(wasm_f32x4_add(LOAD(ax + u + j), LOAD(ah + u + j)));
  v128_t q_t = LOAD(ah + 2 * u + j);
  v128_t n_t = tanh_f32x4(wasm_f32x4_add(LOAD(ax + 2 * u + j), wasm_f32x4_mul(r_t, q_t)));
  STORE(h + j, wasm_f32x4_add(wasm_f32x4_mul(wasm_f32x4_sub(one, z_t), n_t), wasm_f32x4_mul(z_t, LOAD(h_prev + j))));
  STORE(cache + j, r_t);
  STORE(cache + u + j, z_t);
  STORE(cache + 2 * u + j, n_t);
  STORE(cache + 3 * u + j, q_t);
}

/* GRU backward: δ of the input part (dax) and of the recurrent part (dah: the reset gate
   scales the candidate's), and the direct dL/dh_{t−1} = dh ∘ z. */
static inline void gru_cell_grad4(const float* cache, const float* h_prev, const float* dh, float* dax, float* dah, float* dh_prev, int u, int j, int lanes) {
  v128_t one = wasm_f32x4_const_splat(1.0f);
  v128_t r_t = LOAD(cache + j), z_t = LOAD(cache + u + j), n_t = LOAD(cache + 2 * u + j), q_t = LOAD(cache + 3 * u + j);
  v128_t dh_t = LOAD(dh + j);
  v128_t dn = wasm_f32x4_mul(wasm_f32x4_mul(dh_t, wasm_f32x4_sub(one, z_t)), wasm_f32x4_sub(one, wasm_f32x4_mul(n_t, n_t)));
  v128_t dz = wasm_f32x4_mul(wasm_f32x4_mul(dh_t, wasm_f32x4_sub(LOAD(h_prev + j), n_t)), wasm_f32x4_mul(z_t, wasm_f32x4_sub(one, z_t)));
  v128_t dr = wasm_f32x4_mul(wasm_f32x4_mul(dn, q_t), wasm_f32x4_mul(r_t, wasm_f32x4_sub(one, r_t)));
  STORE(dax + j, dr);
  STORE(dah + j, dr);
  STORE(dax + u + j, dz);
  STORE(dah + u + j, dz);
  STORE(dax + 2 * u + j, dn);
  STORE(dah + 2 * u + j, wasm_f32x4_mul(dn, r_t));
  STORE(dh_prev + j, wasm_f32x4_mul(dh_t, z_t));
}

/* Backward of four units: δ of the four gates, and dL/dc_{t−1} = dc_t ∘ f_t. */
static inline void lstm_cell_grad4(const float* cache, const float* c_prev, const float* dh, const float* dc, float* dax, float* dc_prev, int u, int j, int lanes) {
  v128_t one = wasm_f32x4_const_splat(1.0f);
  v128_t i_t = LOAD(cache + j), f_t = LOAD(cache + u + j), g_t = LOAD(cache + 2 * u + j);
  v128_t o_t = LOAD(cache + 3 * u + j), tc = LOAD(cache + 4 * u + j);
  v128_t dh_t = LOAD(dh + j);
  /* dc_t ← dc_t + dh_t ∘ o_t ∘ (1 − tanh²(c_t)) */
  v128_t dc_t = wasm_f32x4_add(LOAD(dc + j), wasm_f32x4_mul(wasm_f32x4_mul(dh_t, o_t), wasm_f32x4_sub(one, wasm_f32x4_mul(tc, tc))));
  STORE(dax + j, wasm_f32x4_mul(wasm_f32x4_mul(dc_t, g_t), wasm_f32x4_mul(i_t, wasm_f32x4_sub(one, i_t))));
  STORE(dax + u + j, wasm_f32x4_mul(wasm_f32x4_mul(dc_t, LOAD(c_prev + j)), wasm_f32x4_mul(f_t, wasm_f32x4_sub(one, f_t))));
  STORE(dax + 2 * u + j, wasm_f32x4_mul(wasm_f32x4_mul(dc_t, i_t), wasm_f32x4_sub(one, wasm_f32x4_mul(g_t, g_t))));
  STORE(dax + 3 * u + j, wasm_f32x4_mul(wasm_f32x4_mul(dh_t, tc), wasm_f32x4_mul(o_t, wasm_f32x4_sub(one, o_t))));
  STORE(dc_prev + j, wasm_f32x4_mul(dc_t, f_t));
}
#undef LOAD
#undef STORE

EXPORT(lstm_cell) void lstm_cell(const float* ax, const float* ah, const float* c_prev, float* c, float* h, float* cache, int n, int u, int* counter) {
  for (int r0, r1; next_block(counter, n, cell_rows_per_block(u), &r0, &r1);)
    for (int b = r0; b < r1; b++) {
      const float *axb = ax + (long)b * 4 * u, *ahb = ah + (long)b * 4 * u, *cpb = c_prev + (long)b * u;
      float *cb = c + (long)b * u, *hb = h + (long)b * u, *kb = cache + (long)b * 5 * u;
      int j = 0;
      for (; j + 4 <= u; j += 4) lstm_cell4(axb, ahb, cpb, cb, hb, kb, u, j, 4);
      for (; j < u; j++) lstm_cell4(axb, ahb, cpb, cb, hb, kb, u, j, 1);
    }
}

EXPORT(lstm_cell_grad) void lstm_cell_grad(const float* cache, const float* c_prev, const float* dh, const float* dc, float* dax, float* dc_prev, int n, int u, int* counter) {
  for (int r0, r1; next_block(counter, n, cell_rows_per_block(u), &r0, &r1);)
    for (int b = r0; b < r1; b++) {
      const float *kb = cache + (long)b * 5 * u, *cpb = c_prev + (long)b * u, *dhb = dh + (long)b * u, *dcb = dc + (long)b * u;
      float *db = dax + (long)b * 4 * u, *dcp = dc_prev + (long)b * u;
      int j = 0;
      for (; j + 4 <= u; j += 4) lstm_cell_grad4(kb, cpb, dhb, dcb, db, dcp, u, j, 4);
      for (; j < u; j++) lstm_cell_grad4(kb, cpb, dhb, dcb, db, dcp, u, j, 1);
    }
}

EXPORT(gru_cell) void gru_cell(const float* ax, const float* ah, const float* h_prev, float* h, float* cache, int n, int u, int* counter) {
  for (int r0, r1; next_block(counter, n, cell_rows_per_block(u), &r0, &r1);)
    for (int b = r0; b < r1; b++) {
      const float *axb = ax + (long)b * 3 * u, *ahb = ah + (long)b * 3 * u, *hpb = h_prev + (long)b * u;
      float *hb = h + (long)b * u, *kb = cache + (long)b * 4 * u;
      int j = 0;
      for (; j + 4 <= u; j += 4) gru_cell4(axb, ahb, hpb, hb, kb, u, j, 4);
      for (; j < u; j++) gru_cell4(axb, ahb, hpb, hb, kb, u, j, 1);
    }
}

EXPORT(gru_cell_grad) void gru_cell_grad(const float* cache, const float* h_prev, const float* dh, float* dax, float* dah, float* dh_prev, int n, int u, int* counter) {
  for (int r0, r1; next_block(counter, n, cell_rows_per_block(u), &r0, &r1);)
    for (int b = r0; b < r1; b++) {
      const float *kb = cache + (long)b * 4 * u, *hpb = h_prev + (long)b * u, *dhb = dh + (long)b * u;
      float *dxb = dax + (long)b * 3 * u, *dhh = dah + (long)b * 3 * u, *dpb = dh_prev + (long)b * u;
      int j = 0;
      for (; j + 4 <= u; j += 4) gru_cell_grad4(kb, hpb, dhb, dxb, dhh, dpb, u, j, 4);
      for (; j < u; j++) gru_cell_grad4(kb, hpb, dhb, dxb, dhh, dpb, u, j, 1);
    }
}
