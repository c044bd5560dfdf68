/*
 * The kernels besides GEMM for both compiled backends (see kernels.h): clang vectorises these
 * loops for wasm32 SIMD128, GCC for x86-64, where DISPATCH compiles the hot ones three times
 * (AVX-512, AVX2, SSE2) and the loader picks the widest the CPU runs.
 *
 * Agreement between the backends, by construction:
 * - no fused multiply-add (native: -ffp-contract=off; SIMD128 has none), so every build and
 *   clone rounds the same operations the same way;
 * - what the TypeScript backend computes in double (axpby, scalar ops, activation gradients,
 *   the averaging in pooling) is computed in double here and rounded once: the same bits;
 * - a reduction adds in one fixed order (the order of four SIMD lanes where it says so), never
 *   one the compiler or the thread count picks;
 * - the transcendentals are Cephes' polynomials, each written once, within ~2 ulp of
 *   Math.exp / Math.tanh / Math.log.
 * No libc: the WebAssembly build has none (-nostdlib), so fabsf, sqrtf and the bit casts are
 * builtins, and copies are loops (which GCC turns back into memcpy/memset calls).
 */
#include "kernels.h"

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define DISPATCH __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define DISPATCH
#endif

#define INF __builtin_inff()

/* Before a loop whose iterations are independent where the compiler cannot prove it, or thinks a
   vector loop does not pay: vectorise it, with no run-time overlap check. The element-wise loops
   run in place (out = x) as often as not, which such a check takes for an overlap, sending the
   call to the scalar loop (3.5x slower for sigmoid in WebAssembly); element i reads only index i,
   so in place is safe. Likewise a row's gate slices k[j], k[u + j], ... never overlap (j < u),
   and clang judges a pooling window's channel loop not worth vectorising. */
#if defined(__clang__)
#define VECTOR_LOOP _Pragma("clang loop vectorize(assume_safety)")
#elif defined(__GNUC__)
#define VECTOR_LOOP _Pragma("GCC ivdep")
#else
#define VECTOR_LOOP
#endif

/* Before a loop of long dependency chains (the polynomials): two vectors per iteration, two
   independent chains for the CPU to overlap (GCC unrolls by itself). */
#if defined(__clang__)
#define TWO_CHAINS _Pragma("clang loop interleave_count(2)")
#else
#define TWO_CHAINS
#endif

static inline uint32_t bits_of(float f) {
  uint32_t u;
  __builtin_memcpy(&u, &f, 4);
  return u;
}

static inline float float_of(uint32_t u) {
  float f;
  __builtin_memcpy(&f, &u, 4);
  return f;
}

/* ======================================================================================
 * Transcendentals, one value at a time (the compilers vectorise the loops that call them).
 * ====================================================================================== */

/*
 * e^x: x = n ln2 + r with |r| <= ln2/2 (ln2 in two parts so r is exact), e^r by a degree-6
 * polynomial, times 2^n built in the exponent bits as 2^(n/2) 2^(n - n/2) so that both factors
 * are normal: overflow to inf and underflow through the subnormals to 0 happen where expf's do.
 */
static inline float exp_f(float x) {
  x = x < -104.0f ? -104.0f : x; /* where the result is 0 or inf anyway; NaN passes both clamps */
  x = 89.0f < x ? 89.0f : x;
  /* n = round(x / ln2) by adding 1.5 * 2^23, which rounds to an integer and leaves it in the
     low mantissa bits: no float-to-int conversion (V8 expands a vector one into a long sequence) */
  const float magic = 12582912.0f;
  float t = x * 1.44269504088896341f + magic;
  float fn = t - magic;
  float r = x - fn * 0.693359375f;
  r = r - fn * -2.12194440e-4f;
  float y = 1.9875691500e-4f;
  y = y * r + 1.3981999507e-3f;
  y = y * r + 8.3334519073e-3f;
  y = y * r + 4.1665795894e-2f;
  y = y * r + 1.6666665459e-1f;
  y = y * r + 5.0000001201e-1f;
  y = y * (r * r) + (r + 1.0f);
  int32_t n = (int32_t)(bits_of(t) - bits_of(magic));
  int32_t n1 = n >> 1, n2 = n - n1;
  float s1 = float_of((uint32_t)(n1 + 127) << 23), s2 = float_of((uint32_t)(n2 + 127) << 23);
  return y * s1 * s2;
}

/* 1 / (1 + e^-x) through e = e^-|x|, so the negative side (e / (1 + e)) keeps its relative accuracy. */
static inline float sigmoid_f(float x) {
  float e = exp_f(-__builtin_fabsf(x));
  float s = 1.0f / (1.0f + e);
  return x < 0.0f ? e * s : s;
}

/* An odd polynomial for |x| < 0.625 (no cancellation near 0), else (1 - e^-2|x|) / (1 + e^-2|x|) with x's sign. */
static inline float tanh_f(float x) {
  float ax = __builtin_fabsf(x), z = x * x;
  float p = -5.70498872745e-3f;
  p = p * z + 2.06390887954e-2f;
  p = p * z + -5.37397155531e-2f;
  p = p * z + 1.33314422036e-1f;
  p = p * z + -3.33332819422e-1f;
  float small = p * z * x + x;
  float e = exp_f(ax * -2.0f);
  float big = float_of(bits_of((1.0f - e) / (1.0f + e)) | (bits_of(x) & 0x80000000u));
  return ax < 0.625f ? small : big;
}

/* log(1 + r) + fe ln2 for r in [sqrt(1/2) - 1, sqrt(2) - 1]: the Cephes logf polynomial (~1 ulp), ln2 in two parts. */
static inline float log1p_poly(float r, float fe) {
  float z = r * r;
  float y = 7.0376836292e-2f;
  y = y * r + -1.1514610310e-1f;
  y = y * r + 1.1676998740e-1f;
  y = y * r + -1.2420140846e-1f;
  y = y * r + 1.4249322787e-1f;
  y = y * r + -1.6668057665e-1f;
  y = y * r + 2.0000714765e-1f;
  y = y * r + -2.4999993993e-1f;
  y = y * r + 3.3333331174e-1f;
  y = y * r * z;
  y = y + fe * -2.12194440e-4f;
  y = y - z * 0.5f;
  return (r + y) + fe * 0.693359375f;
}

/*
 * Natural log: x = m 2^e with m in [sqrt(1/2), sqrt(2)), log(m) by the polynomial in m - 1, e ln2
 * added in two parts. Subnormals are scaled by 2^23 first; x < 0 and NaN give NaN, 0 gives -inf,
 * +inf gives +inf.
 */
static inline float log_f(float x) {
  int tiny = x < 1.17549435e-38f;
  float xs = tiny ? x * 8388608.0f : x;
  int32_t e = (int32_t)(bits_of(xs) >> 23) - 126 - (tiny ? 23 : 0);
  float m = float_of((bits_of(xs) & 0x007fffffu) | 0x3f000000u); /* in [0.5, 1) */
  int below = m < 0.707106781186547524f; /* then 2m - 1 and e - 1, else m - 1 */
  e -= below;
  float r = (m + (below ? m : 0.0f)) - 1.0f;
  float res = log1p_poly(r, (float)e);
  res = x == INF ? INF : res;
  res = x == 0.0f ? -INF : res;
  return x < 0.0f || x != x ? __builtin_nanf("") : res;
}

/*
 * softplus(x) = log(1 + e^x) = max(x, 0) + log1p(u), u = e^-|x| in (0, 1]: never overflows, and
 * for x << 0 it is e^x to full relative accuracy. log1p(u) needs no division or exponent split:
 * for u <= sqrt(2) - 1 it is the log polynomial at r = u itself; above, 1 + u = 2 (1 + r) with
 * r = (u - 1) / 2 in (-0.3, 0], plus ln2.
 */
static inline float softplus_f(float x) {
  float u = exp_f(-__builtin_fabsf(x));
  int big = u > 0.414213562373095f;
  float r = big ? (u - 1.0f) * 0.5f : u;
  return (x < 0.0f ? 0.0f : x) + log1p_poly(r, big ? 1.0f : 0.0f);
}

/* ======================================================================================
 * Element-wise kernels.
 * ====================================================================================== */

#define MAP(expr)                                     \
  VECTOR_LOOP TWO_CHAINS for (size_t i = 0; i < n; i++) { \
    float v = x[i];                                   \
    out[i] = (expr);                                  \
  }

/* x > 0 tests are false for NaN and -0: relu and step give +0 there, as the TypeScript backend. */
DISPATCH void lw_unary(int op, const float* x, float* out, size_t n) {
  switch (op) {
    case U_SIGMOID: MAP(sigmoid_f(v)) break;
    case U_TANH: MAP(tanh_f(v)) break;
    case U_EXP: MAP(exp_f(v)) break;
    case U_RELU: MAP(v > 0.0f ? v : 0.0f) break;
    case U_STEP: MAP(v > 0.0f ? 1.0f : 0.0f) break;
    case U_SQUARE: MAP(v * v) break;
    case U_SQRT: MAP(__builtin_sqrtf(v)) break;
    case U_ABS: MAP(__builtin_fabsf(v)) break;
    case U_NEG: MAP(-v) break;
    case U_LOG: MAP(log_f(v)) break;
    case U_SOFTPLUS: MAP(softplus_f(v)) break;
    default: break;
  }
}
#undef MAP

/* One row (or the whole array) of a ∘ b; max and min as a > b ? a : b (NaN in a gives b). */
#define ZIP(expr)                        \
  VECTOR_LOOP for (size_t j = 0; j < len; j++) { \
    float p = a[j], q = b[j];            \
    out[j] = (expr);                     \
  }

static inline void binary_run(int op, const float* a, const float* b, float* out, size_t len) {
  switch (op) {
    case B_ADD: ZIP(p + q) break;
    case B_SUB: ZIP(p - q) break;
    case B_MUL: ZIP(p * q) break;
    case B_DIV: ZIP(p / q) break;
    case B_MAX: ZIP(p > q ? p : q) break;
    case B_MIN: ZIP(p < q ? p : q) break;
    default: break;
  }
}
#undef ZIP

DISPATCH void lw_binary(int op, const float* a, const float* b, float* out, size_t n, size_t cols) {
  if (cols >= n) {
    binary_run(op, a, b, out, n);
    return;
  }
  for (size_t r = 0; r < n; r += cols) binary_run(op, a + r, b, out + r, cols);
}

#define MAP_D(expr)                    \
  VECTOR_LOOP for (size_t i = 0; i < n; i++) { \
    double v = x[i];                   \
    out[i] = (float)(expr);            \
  }

/* x op s with s a double (a learning rate like 0.01 is not a float), rounded once: JavaScript's arithmetic. */
DISPATCH void lw_scalar(int op, const float* x, double s, float* out, size_t n) {
  switch (op) {
    case S_ADD: MAP_D(v + s) break;
    case S_MUL: MAP_D(v * s) break;
    case S_RSUB: MAP_D(s - v) break;
    case S_MAX: MAP_D(v > s ? v : s) break;
    case S_MIN: MAP_D(v < s ? v : s) break;
    default: break;
  }
}
#undef MAP_D

/* y = alpha x + beta y in double, rounded once (y + alpha x when beta is 1, as the TypeScript backend). */
DISPATCH void lw_axpby(double alpha, const float* x, double beta, float* y, size_t n) {
  if (beta == 1.0) {
    VECTOR_LOOP for (size_t i = 0; i < n; i++) y[i] = (float)((double)y[i] + alpha * (double)x[i]);
  } else {
    VECTOR_LOOP for (size_t i = 0; i < n; i++) y[i] = (float)(alpha * (double)x[i] + beta * (double)y[i]);
  }
}

/* out = dy f'(x) through y = f(x), in double: sigmoid (dy y)(1 - y), tanh dy (1 - y²), relu y > 0 ? dy : 0. */
DISPATCH void lw_activation_grad(int op, const float* y, const float* dy, float* out, size_t n) {
  switch (op) {
    case G_SIGMOID:
      VECTOR_LOOP for (size_t i = 0; i < n; i++) out[i] = (float)((double)dy[i] * (double)y[i] * (1.0 - (double)y[i]));
      break;
    case G_TANH:
      VECTOR_LOOP for (size_t i = 0; i < n; i++) out[i] = (float)((double)dy[i] * (1.0 - (double)y[i] * (double)y[i]));
      break;
    case G_RELU:
      VECTOR_LOOP for (size_t i = 0; i < n; i++) {
        float d = dy[i]; /* loaded either way, so the select vectorises */
        out[i] = y[i] > 0.0f ? d : 0.0f;
      }
      break;
    default: break;
  }
}

/* ======================================================================================
 * Row reductions and softmax.
 * ====================================================================================== */

/*
 * Σ_j x[j] in double over four lanes (x[j] goes to lane j mod 4, the lanes add as
 * (l0 + l2) + (l1 + l3), then the tail in order): a fixed order, as two f64x2 accumulators add.
 */
static inline double sum4_f64(const float* x, size_t n) {
  double l0 = 0, l1 = 0, l2 = 0, l3 = 0;
  size_t j = 0;
  for (; j + 4 <= n; j += 4) {
    l0 += x[j];
    l1 += x[j + 1];
    l2 += x[j + 2];
    l3 += x[j + 3];
  }
  double sum = (l0 + l2) + (l1 + l3);
  for (; j < n; j++) sum += x[j];
  return sum;
}

/* Row-wise softmax: e = exp(x - max) in float32, the sum in double, out = e / sum (the max skips NaNs, as in TypeScript). */
DISPATCH void lw_softmax_rows(const float* x, size_t rows, size_t cols, float* out) {
  for (size_t r = 0; r < rows; r++) {
    const float* restrict xr = x + r * cols;
    float* restrict o = out + r * cols;
    float max = -INF;
    for (size_t j = 0; j < cols; j++) max = max < xr[j] ? xr[j] : max;
    for (size_t j = 0; j < cols; j++) o[j] = exp_f(xr[j] - max);
    double inv = 1.0 / sum4_f64(o, cols);
    for (size_t j = 0; j < cols; j++) o[j] = (float)((double)o[j] * inv);
  }
}

/* out[j] = Σ_i x[i, j], each column in row order with float32 adds: the TypeScript backend's sequence. */
DISPATCH void lw_sum_rows(const float* x, size_t rows, size_t cols, size_t ld, float* restrict out) {
  for (size_t j = 0; j < cols; j++) out[j] = 0.0f;
  for (size_t r = 0; r < rows; r++) {
    const float* restrict xr = x + r * ld;
    for (size_t j = 0; j < cols; j++) out[j] += xr[j];
  }
}

/* out[i] = Σ_j x[i, j] in double (as the TypeScript backend), over four lanes, rounded once. */
DISPATCH void lw_sum_cols(const float* x, size_t rows, size_t cols, float* out) {
  for (size_t r = 0; r < rows; r++) out[r] = (float)sum4_f64(x + r * cols, cols);
}

/* The first largest value's column (NaNs never win). */
void lw_argmax_rows(const float* x, size_t rows, size_t cols, int32_t* out) {
  for (size_t r = 0; r < rows; r++) {
    const float* xr = x + r * cols;
    size_t best = 0;
    for (size_t j = 1; j < cols; j++)
      if (xr[j] > xr[best]) best = j;
    out[r] = (int32_t)best;
  }
}

/* ======================================================================================
 * Sampling: xoshiro128** exactly as src/tensor/random.ts, the state in four words the caller
 * passes in and gets back; (x >> 8) 2^-24 is exact in float32, so the streams are bit-identical
 * to the TypeScript backend's. A stream is sequential, hence one thread.
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

void lw_uniform(float* out, size_t n, uint32_t state[4]) {
  uint32_t s[4] = {state[0], state[1], state[2], state[3]};
  for (size_t i = 0; i < n; i++) out[i] = next_float(s);
  for (int i = 0; i < 4; i++) state[i] = s[i];
}

void lw_bernoulli(const float* p, float* out, size_t n, uint32_t state[4]) {
  uint32_t s[4] = {state[0], state[1], state[2], state[3]};
  /* the bits of 1.0f or 0.0f, stored as an integer: a float select would be a branch in V8 (no
     conditional move for float registers), an unpredictable one, and clang turns a mask built in
     integers back into one if the value is stored as a float */
  uint32_t* bits = (uint32_t*)out;
  for (size_t i = 0; i < n; i++) bits[i] = -(uint32_t)(next_float(s) < p[i]) & 0x3f800000u;
  for (int i = 0; i < 4; i++) state[i] = s[i];
}

/* ======================================================================================
 * Convolution data movement and pooling over NHWC batches, each value computed in the
 * TypeScript backend's order: the same bits.
 * ====================================================================================== */

static inline void copy_f32(float* restrict dst, const float* restrict src, size_t n) {
  for (size_t j = 0; j < n; j++) dst[j] = src[j];
}

static inline void zero_f32(float* dst, size_t n) {
  for (size_t j = 0; j < n; j++) dst[j] = 0.0f;
}

static inline size_t image_floats(const int32_t* g) { return (size_t)g[G_INH] * g[G_INW] * g[G_C]; }

/* The part [lo, hi) of a kernel row (kW·C floats) that lies on the image, for a window starting at column iw0. */
static inline void window_columns(int iw0, int kW, int inW, int C, int* lo, int* hi) {
  int kw_start = iw0 < 0 ? (-iw0 < kW ? -iw0 : kW) : 0;
  int kw_end = iw0 + kW > inW ? inW - iw0 : kW;
  *lo = kw_start * C;
  *hi = kw_end > kw_start ? kw_end * C : *lo;
}

/* The window of output (oh, ow) clipped to the image: rows [h0, h1), columns [w0, w1), and 1 / its pixels. */
typedef struct {
  int h0, h1, w0, w1;
} Window;

static inline Window window_at(const int32_t* g, int oh, int ow) {
  int h = oh * g[G_SH] - g[G_PT], w = ow * g[G_SW] - g[G_PL];
  Window win = {h < 0 ? 0 : h, h + g[G_KH] < g[G_INH] ? h + g[G_KH] : g[G_INH], w < 0 ? 0 : w, w + g[G_KW] < g[G_INW] ? w + g[G_KW] : g[G_INW]};
  return win;
}

static inline double window_share(Window w) {
  int count = (w.h1 - w.h0) * (w.w1 - w.w0);
  return 1.0 / (count > 1 ? count : 1);
}

DISPATCH void lw_im2col(const float* x, const int32_t* g, float* cols, size_t u0, size_t u1) {
  const int C = g[G_C], kH = g[G_KH], kW = g[G_KW], inH = g[G_INH], inW = g[G_INW], outH = g[G_OUTH], outW = g[G_OUTW];
  const size_t span = (size_t)kW * C, row_len = kH * span;
  for (size_t u = u0; u < u1; u++) {
    const float* image = x + (u / outH) * image_floats(g);
    float* row = cols + u * outW * row_len;
    int ih0 = (int)(u % outH) * g[G_SH] - g[G_PT];
    for (int ow = 0; ow < outW; ow++, row += row_len) {
      int iw0 = ow * g[G_SW] - g[G_PL], lo, hi;
      window_columns(iw0, kW, inW, C, &lo, &hi);
      if (span == 5 && lo == 0 && hi == 5 && ih0 >= 0 && ih0 + kH <= inH) {
        /* 5-wide kernels on one channel (LeNet's first layer) inside the image: five floats per
           kernel row in a loop of fixed length (a vector and a float), 3x the general path */
        const float* src = image + ((ptrdiff_t)ih0 * inW + iw0) * C;
        for (int kh = 0; kh < kH; kh++) {
          const float* restrict from = src + (ptrdiff_t)kh * inW * C;
          float* restrict to = row + kh * 5;
          for (int l = 0; l < 5; l++) to[l] = from[l];
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
        const float* src = image + ((ptrdiff_t)ih * inW + iw0) * C; /* only [lo, hi) is read */
        zero_f32(dst, (size_t)lo);
        copy_f32(dst + lo, src + lo, (size_t)(hi - lo));
        zero_f32(dst + hi, span - (size_t)hi);
      }
    }
  }
}

/* dx of images [n0, n1) (overwritten): each column's values added back onto the pixels it came from, in im2col's order. */
DISPATCH void lw_col2im(const float* cols, const int32_t* g, float* dx, size_t n0, size_t n1) {
  const int C = g[G_C], kH = g[G_KH], kW = g[G_KW], inH = g[G_INH], inW = g[G_INW], outH = g[G_OUTH], outW = g[G_OUTW];
  const size_t span = (size_t)kW * C, row_len = kH * span;
  for (size_t n = n0; n < n1; n++) {
    float* image = dx + n * image_floats(g);
    zero_f32(image, image_floats(g));
    const float* src_row = cols + n * outH * outW * row_len;
    for (int oh = 0; oh < outH; oh++) {
      int ih0 = oh * g[G_SH] - g[G_PT];
      for (int ow = 0; ow < outW; ow++, src_row += row_len) {
        int iw0 = ow * g[G_SW] - g[G_PL], lo, hi;
        window_columns(iw0, kW, inW, C, &lo, &hi);
        for (int kh = 0; kh < kH; kh++) {
          int ih = ih0 + kh;
          if (ih < 0 || ih >= inH) continue;
          const float* restrict src = src_row + kh * span;
          float* restrict dst = image + ((ptrdiff_t)ih * inW + iw0) * C;
          if (span == 5 && lo == 0 && hi == 5) /* as in im2col: a loop of fixed length */
            for (int l = 0; l < 5; l++) dst[l] += src[l];
          else
            for (int j = lo; j < hi; j++) dst[j] += src[j];
        }
      }
    }
  }
}

/* Runs the body (the last argument) for each output pixel of output rows [u0, u1) with o (its output offset), image (its image's input offset) and win. */
#define FOR_EACH_WINDOW(g, u0, u1, ...)                                                  \
  for (size_t u_ = u0; u_ < u1; u_++) {                                                 \
    size_t image = (u_ / g[G_OUTH]) * image_floats(g);                                  \
    for (int ow_ = 0; ow_ < g[G_OUTW]; ow_++) {                                         \
      size_t o = (u_ * g[G_OUTW] + ow_) * g[G_C];                                       \
      Window win = window_at(g, (int)(u_ % g[G_OUTH]), ow_);                             \
      __VA_ARGS__                                                                       \
    }                                                                                   \
  }

/* y = each window's largest value per channel, argmax = its flat input index (the first on ties;
   -inf and -1 for an empty window; NaNs never win). The loop over channels is the vector loop. */
DISPATCH void lw_max_pool(const float* restrict x, const int32_t* restrict g, float* restrict y, int32_t* restrict argmax, size_t u0, size_t u1) {
  const int C = g[G_C];
  FOR_EACH_WINDOW(g, u0, u1, {
    for (int c = 0; c < C; c++) {
      y[o + c] = -INF;
      argmax[o + c] = -1;
    }
    for (int h = win.h0; h < win.h1; h++)
      for (int w = win.w0; w < win.w1; w++) {
        int32_t p = (int32_t)(image + ((size_t)h * g[G_INW] + w) * C);
        VECTOR_LOOP for (int c = 0; c < C; c++) {
          float v = x[p + c], best = y[o + c]; /* all loaded either way, so the selects vectorise */
          int32_t at = argmax[o + c];
          int gt = v > best;
          y[o + c] = gt ? v : best;
          argmax[o + c] = gt ? p + c : at;
        }
      }
  });
}

/* dx (all dxn values overwritten) = dy routed to each window's winner, in output order. */
void lw_max_pool_grad(const float* dy, const int32_t* argmax, size_t n, float* dx, size_t dxn) {
  zero_f32(dx, dxn);
  for (size_t i = 0; i < n; i++)
    if (argmax[i] >= 0) dx[argmax[i]] += dy[i];
}

/* y = each window's mean over the pixels it covers: float32 sums, then times 1/count in double, rounded once. */
DISPATCH void lw_avg_pool(const float* restrict x, const int32_t* restrict g, float* restrict y, size_t u0, size_t u1) {
  const int C = g[G_C];
  FOR_EACH_WINDOW(g, u0, u1, {
    for (int c = 0; c < C; c++) y[o + c] = 0.0f;
    for (int h = win.h0; h < win.h1; h++)
      for (int w = win.w0; w < win.w1; w++) {
        const float* restrict px = x + image + ((size_t)h * g[G_INW] + w) * C;
        for (int c = 0; c < C; c++) y[o + c] += px[c];
      }
    double inv = window_share(win);
    for (int c = 0; c < C; c++) y[o + c] = (float)((double)y[o + c] * inv);
  });
}

/* dx of images [n0, n1) (overwritten) = each window's dy times 1/count added onto its pixels, in double, rounded once per add. */
DISPATCH void lw_avg_pool_grad(const float* dy, const int32_t* g, float* dx, size_t n0, size_t n1) {
  const int C = g[G_C];
  for (size_t n = n0; n < n1; n++) zero_f32(dx + n * image_floats(g), image_floats(g));
  FOR_EACH_WINDOW(g, n0 * g[G_OUTH], n1 * g[G_OUTH], {
    double inv = window_share(win);
    const float* restrict d = dy + o;
    for (int h = win.h0; h < win.h1; h++)
      for (int w = win.w0; w < win.w1; w++) {
        float* restrict p = dx + image + ((size_t)h * g[G_INW] + w) * C;
        for (int c = 0; c < C; c++) p[c] = (float)((double)p[c] + (double)d[c] * inv);
      }
  });
}

/* ======================================================================================
 * The recurrent cells' element-wise steps, fused: one pass over a step's gates instead of a
 * loop of five (three) transcendentals per unit. Rows as the recurrent base packs them: LSTM
 * pre-activations ax, ah [n, 4u] in gate order i, f, g, o, the cache [n, 5u] = i, f, g, o,
 * tanh(c_t); GRU ax, ah [n, 3u] (r, z, n; ah with b_h added), the cache [n, 4u] = r, z, n, q.
 * ====================================================================================== */

/* Forward: the four gates, c_t = f_t ∘ c_{t−1} + i_t ∘ g_t, h_t = o_t ∘ tanh(c_t), and the cache. */
DISPATCH void lw_lstm_cell(const float* ax, const float* ah, const float* c_prev, float* c, float* h, float* cache, size_t n, size_t u) {
  for (size_t b = 0; b < n; b++) {
    const float *restrict xa = ax + b * 4 * u, *restrict ha = ah + b * 4 * u, *restrict cp = c_prev + b * u;
    float *restrict cb = c + b * u, *restrict hb = h + b * u, *restrict k = cache + b * 5 * u;
    VECTOR_LOOP for (size_t j = 0; j < u; j++) {
      float i_t = sigmoid_f(xa[j] + ha[j]);
      float f_t = sigmoid_f(xa[u + j] + ha[u + j]);
      float g_t = tanh_f(xa[2 * u + j] + ha[2 * u + j]);
      float o_t = sigmoid_f(xa[3 * u + j] + ha[3 * u + j]);
      float c_t = f_t * cp[j] + i_t * g_t;
      float tc = tanh_f(c_t);
      cb[j] = c_t;
      hb[j] = o_t * tc;
      k[j] = i_t;
      k[u + j] = f_t;
      k[2 * u + j] = g_t;
      k[3 * u + j] = o_t;
      k[4 * u + j] = tc;
    }
  }
}

/* Backward: δ of the four gates, and dL/dc_{t−1} = dc_t ∘ f_t, with dc_t ← dc_t + dh_t ∘ o_t ∘ (1 − tanh²(c_t)). */
DISPATCH void lw_lstm_cell_grad(const float* cache, const float* c_prev, const float* dh, const float* dc, float* dax, float* dc_prev, size_t n, size_t u) {
  for (size_t b = 0; b < n; b++) {
    const float *restrict k = cache + b * 5 * u, *restrict cp = c_prev + b * u, *restrict dhb = dh + b * u, *restrict dcb = dc + b * u;
    float *restrict d = dax + b * 4 * u, *restrict dcp = dc_prev + b * u;
    VECTOR_LOOP for (size_t j = 0; j < u; j++) {
      float i_t = k[j], f_t = k[u + j], g_t = k[2 * u + j], o_t = k[3 * u + j], tc = k[4 * u + j];
      float dh_t = dhb[j];
      float dc_t = dcb[j] + (dh_t * o_t) * (1.0f - tc * tc);
      d[j] = (dc_t * g_t) * (i_t * (1.0f - i_t));
      d[u + j] = (dc_t * cp[j]) * (f_t * (1.0f - f_t));
      d[2 * u + j] = (dc_t * i_t) * (1.0f - g_t * g_t);
      d[3 * u + j] = (dh_t * tc) * (o_t * (1.0f - o_t));
      dcp[j] = dc_t * f_t;
    }
  }
}

/* GRU forward ("reset after"): h_t = (1 − z) n + z h_{t−1}, n = tanh(ax_n + r ∘ q), q = h_{t−1} U_n + b_hn. */
DISPATCH void lw_gru_cell(const float* ax, const float* ah, const float* h_prev, float* h, float* cache, size_t n, size_t u) {
  for (size_t b = 0; b < n; b++) {
    const float *restrict xa = ax + b * 3 * u, *restrict ha = ah + b * 3 * u, *restrict hp = h_prev + b * u;
    float *restrict hb = h + b * u, *restrict k = cache + b * 4 * u;
    VECTOR_LOOP for (size_t j = 0; j < u; j++) {
      float r_t = sigmoid_f(xa[j] + ha[j]);
      float z_t = sigmoid_f(xa[u + j] + ha[u + j]);
      float q_t = ha[2 * u + j];
      float n_t = tanh_f(xa[2 * u + j] + r_t * q_t);
      hb[j] = (1.0f - z_t) * n_t + z_t * hp[j];
      k[j] = r_t;
      k[u + j] = z_t;
      k[2 * u + j] = n_t;
      k[3 * u + j] = q_t;
    }
  }
}

/* GRU backward: δ of the input part (dax) and of the recurrent part (dah: the reset gate scales the candidate's), and dL/dh_{t−1} = dh ∘ z. */
DISPATCH void lw_gru_cell_grad(const float* cache, const float* h_prev, const float* dh, float* dax, float* dah, float* dh_prev, size_t n, size_t u) {
  for (size_t b = 0; b < n; b++) {
    const float *restrict k = cache + b * 4 * u, *restrict hp = h_prev + b * u, *restrict dhb = dh + b * u;
    float *restrict dx = dax + b * 3 * u, *restrict dhh = dah + b * 3 * u, *restrict dhp = dh_prev + b * u;
    VECTOR_LOOP for (size_t j = 0; j < u; j++) {
      float r_t = k[j], z_t = k[u + j], n_t = k[2 * u + j], q_t = k[3 * u + j];
      float dh_t = dhb[j];
      float dn = (dh_t * (1.0f - z_t)) * (1.0f - n_t * n_t);
      float dz = (dh_t * (hp[j] - n_t)) * (z_t * (1.0f - z_t));
      float dr = (dn * q_t) * (r_t * (1.0f - r_t));
      dx[j] = dr;
      dhh[j] = dr;
      dx[u + j] = dz;
      dhh[u + j] = dz;
      dx[2 * u + j] = dn;
      dhh[2 * u + j] = dn * r_t;
      dhp[j] = dh_t * z_t;
    }
  }
}
