/*
 * layerwise WebAssembly SIMD128 kernels.
 *
 * GEMM is written here in SIMD128 intrinsics; every other kernel is the shared C of
 * src/backend/c/kernels.c (the native backend's too), which this file shares out between the
 * threads. build.sh compiles both for shared memory (atomics, run by a pool of worker instances
 * on one WebAssembly.Memory) and for plain memory (one thread), each with and without relaxed
 * SIMD. All memory management lives in JavaScript (src/backend/wasm/heap.ts), so these
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

#include "../c/kernels.h"

#define EXPORT(name) __attribute__((export_name(#name)))

static inline int min_i(int a, int b) { return a < b ? a : b; }

/*
 * a*b + c on four lanes. build.sh compiles this file a second time with -mrelaxed-simd, where
 * it is one f32x4.relaxed_madd: V8 emits a fused multiply-add (one rounding) on a CPU with FMA,
 * mul then add on one without; either way the same on every call on one machine, so results
 * stay deterministic for a given build. The plain SIMD128 build has no FMA: mul, then add.
 * Used in the GEMM micro-kernels, where FMA doubles the multiply-add issue rate. (The shared
 * kernels are plain C, and clang does not contract a*b + c into relaxed_madd: their
 * polynomials are mul then add in both builds.)
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
 * Everything besides GEMM: the shared kernels (src/backend/c/kernels.c, the native backend's
 * too), shared out here between the threads. Each call's threads claim pieces (elements, rows,
 * column blocks, output rows or images) from a counter in shared memory that JS zeroes before
 * the call, and run the shared kernel on their piece; every value is computed by the same
 * instructions whoever claims it, so the results are the same for any thread count.
 * ====================================================================================== */

#define CHUNK 8192

/* Claims block q of `per` items out of `total`: returns 0 when none is left. */
static inline int next_block(int* counter, int total, int per, int* lo, int* hi) {
  int q = claim(counter);
  if ((long long)q * per >= total) return 0;
  *lo = q * per;
  *hi = min_i(total, *lo + per);
  return 1;
}

#define UNARY_KERNEL(name, op)                                                         \
  EXPORT(name) void name(const float* x, float* out, int n, int* counter) {           \
    for (int lo, hi; next_block(counter, n, CHUNK, &lo, &hi);) lw_unary(op, x + lo, out + lo, hi - lo); \
  }

UNARY_KERNEL(sigmoid, U_SIGMOID)
UNARY_KERNEL(tanh_, U_TANH)
UNARY_KERNEL(exp_, U_EXP)
UNARY_KERNEL(relu, U_RELU)
UNARY_KERNEL(step, U_STEP)
UNARY_KERNEL(square, U_SQUARE)
UNARY_KERNEL(sqrt_, U_SQRT)
UNARY_KERNEL(abs_, U_ABS)
UNARY_KERNEL(neg, U_NEG)
UNARY_KERNEL(log_, U_LOG)
UNARY_KERNEL(softplus, U_SOFTPLUS)

/* out = a ∘ b; b has n elements or is one row of `cols` repeated over a's rows: then pieces are whole rows. */
#define BINARY_KERNEL(name, op)                                                        \
  EXPORT(name) void name(const float* a, const float* b, float* out, int n, int cols, int* counter) { \
    if (cols >= n) {                                                                   \
      for (int lo, hi; next_block(counter, n, CHUNK, &lo, &hi);) lw_binary(op, a + lo, b + lo, out + lo, hi - lo, hi - lo); \
      return;                                                                          \
    }                                                                                  \
    int per = cols >= CHUNK ? 1 : CHUNK / cols;                                        \
    for (int r0, r1; next_block(counter, n / cols, per, &r0, &r1);)                    \
      lw_binary(op, a + (long)r0 * cols, b, out + (long)r0 * cols, (r1 - r0) * cols, cols); \
  }

BINARY_KERNEL(add, B_ADD)
BINARY_KERNEL(sub, B_SUB)
BINARY_KERNEL(mul, B_MUL)
BINARY_KERNEL(div_, B_DIV)
BINARY_KERNEL(max_, B_MAX)
BINARY_KERNEL(min_, B_MIN)

/* op as kernels.h's S_ codes: add, mul, rsub (s - x), max, min; s a double. */
EXPORT(scalar_op) void scalar_op(int op, const float* x, double s, float* out, int n, int* counter) {
  for (int lo, hi; next_block(counter, n, CHUNK, &lo, &hi);) lw_scalar(op, x + lo, s, out + lo, hi - lo);
}

EXPORT(axpby) void axpby(double alpha, const float* x, double beta, float* y, int n, int* counter) {
  for (int lo, hi; next_block(counter, n, CHUNK, &lo, &hi);) lw_axpby(alpha, x + lo, beta, y + lo, hi - lo);
}

/* op as kernels.h's G_ codes: sigmoid, tanh, relu. */
EXPORT(activation_grad) void activation_grad(int op, const float* y, const float* dy, float* out, int n, int* counter) {
  for (int lo, hi; next_block(counter, n, CHUNK, &lo, &hi);) lw_activation_grad(op, y + lo, dy + lo, out + lo, hi - lo);
}

/* The generator's state: four u32 words that JS copies in and back out. One thread. */
EXPORT(uniform) void uniform(float* out, int n, uint32_t* state) { lw_uniform(out, n, state); }
EXPORT(bernoulli) void bernoulli(const float* p, float* out, int n, uint32_t* state) { lw_bernoulli(p, out, n, state); }

/* By blocks of columns (sumRows) or of rows (sumCols, softmax). */
#define SUM_ROWS_BLOCK 512
#define ROW_BLOCK 16

EXPORT(sum_rows) void sum_rows(const float* x, int rows, int cols, float* out, int* counter) {
  for (int j0, j1; next_block(counter, cols, SUM_ROWS_BLOCK, &j0, &j1);) lw_sum_rows(x + j0, rows, j1 - j0, cols, out + j0);
}

EXPORT(sum_cols) void sum_cols(const float* x, int rows, int cols, float* out, int* counter) {
  for (int r0, r1; next_block(counter, rows, ROW_BLOCK, &r0, &r1);) lw_sum_cols(x + (long)r0 * cols, r1 - r0, cols, out + r0);
}

EXPORT(softmax_rows) void softmax_rows(const float* x, int rows, int cols, float* out, int* counter) {
  for (int r0, r1; next_block(counter, rows, ROW_BLOCK, &r0, &r1);)
    lw_softmax_rows(x + (long)r0 * cols, r1 - r0, cols, out + (long)r0 * cols);
}

EXPORT(argmax_rows) void argmax_rows(const float* x, int rows, int cols, int32_t* out, int* counter) {
  for (int r0, r1; next_block(counter, rows, ROW_BLOCK, &r0, &r1);) lw_argmax_rows(x + (long)r0 * cols, r1 - r0, cols, out + r0);
}

/* Convolution and pooling, `g` the geometry as 12 ints (kernels.h): shared out by output rows
   (about 16k floats of output per piece) or by images (col2im, avgPool backward). */
static inline int rows_per_piece(int floats_per_row) {
  int per = 16384 / (floats_per_row > 0 ? floats_per_row : 1);
  return per < 1 ? 1 : per;
}

EXPORT(im2col) void im2col(const float* x, const int* g, float* cols, int* counter) {
  int per = rows_per_piece(g[G_OUTW] * g[G_KH] * g[G_KW] * g[G_C]);
  for (int u0, u1; next_block(counter, g[G_BATCH] * g[G_OUTH], per, &u0, &u1);) lw_im2col(x, g, cols, u0, u1);
}

EXPORT(col2im) void col2im(const float* cols, const int* g, float* dx, int* counter) {
  for (int n0, n1; next_block(counter, g[G_BATCH], 1, &n0, &n1);) lw_col2im(cols, g, dx, n0, n1);
}

EXPORT(max_pool) void max_pool(const float* x, const int* g, float* y, int32_t* argmax, int* counter) {
  int per = rows_per_piece(g[G_OUTW] * g[G_C] * 4);
  for (int u0, u1; next_block(counter, g[G_BATCH] * g[G_OUTH], per, &u0, &u1);) lw_max_pool(x, g, y, argmax, u0, u1);
}

EXPORT(max_pool_grad) void max_pool_grad(const float* dy, const int32_t* argmax, int n, float* dx, int dxn) {
  lw_max_pool_grad(dy, argmax, n, dx, dxn);
}

EXPORT(avg_pool) void avg_pool(const float* x, const int* g, float* y, int* counter) {
  int per = rows_per_piece(g[G_OUTW] * g[G_C] * 4);
  for (int u0, u1; next_block(counter, g[G_BATCH] * g[G_OUTH], per, &u0, &u1);) lw_avg_pool(x, g, y, u0, u1);
}

EXPORT(avg_pool_grad) void avg_pool_grad(const float* dy, const int* g, float* dx, int* counter) {
  for (int n0, n1; next_block(counter, g[G_BATCH], 1, &n0, &n1);) lw_avg_pool_grad(dy, g, dx, n0, n1);
}

/* The recurrent cells, by blocks of rows of about 2k units. */
static inline int cell_rows_per_block(int u) { return u >= 2048 ? 1 : 2048 / u; }

EXPORT(lstm_cell) void lstm_cell(const float* ax, const float* ah, const float* c_prev, float* c, float* h, float* cache, int n, int u, int* counter) {
  for (int r0, r1; next_block(counter, n, cell_rows_per_block(u), &r0, &r1);) {
    long b = r0;
    lw_lstm_cell(ax + b * 4 * u, ah + b * 4 * u, c_prev + b * u, c + b * u, h + b * u, cache + b * 5 * u, r1 - r0, u);
  }
}

EXPORT(lstm_cell_grad) void lstm_cell_grad(const float* cache, const float* c_prev, const float* dh, const float* dc, float* dax, float* dc_prev, int n, int u, int* counter) {
  for (int r0, r1; next_block(counter, n, cell_rows_per_block(u), &r0, &r1);) {
    long b = r0;
    lw_lstm_cell_grad(cache + b * 5 * u, c_prev + b * u, dh + b * u, dc + b * u, dax + b * 4 * u, dc_prev + b * u, r1 - r0, u);
  }
}

EXPORT(gru_cell) void gru_cell(const float* ax, const float* ah, const float* h_prev, float* h, float* cache, int n, int u, int* counter) {
  for (int r0, r1; next_block(counter, n, cell_rows_per_block(u), &r0, &r1);) {
    long b = r0;
    lw_gru_cell(ax + b * 3 * u, ah + b * 3 * u, h_prev + b * u, h + b * u, cache + b * 4 * u, r1 - r0, u);
  }
}

EXPORT(gru_cell_grad) void gru_cell_grad(const float* cache, const float* h_prev, const float* dh, float* dax, float* dah, float* dh_prev, int n, int u, int* counter) {
  for (int r0, r1; next_block(counter, n, cell_rows_per_block(u), &r0, &r1);) {
    long b = r0;
    lw_gru_cell_grad(cache + b * 4 * u, h_prev + b * u, dh + b * u, dax + b * 3 * u, dah + b * 3 * u, dh_prev + b * u, r1 - r0, u);
  }
}
