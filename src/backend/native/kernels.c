/*
 * The native backend's kernels besides GEMM. Plain loops over contiguous floats that the
 * compiler vectorises; DISPATCH compiles each hot loop three times (AVX-512, AVX2 + FMA, SSE2)
 * and the loader picks the widest the CPU runs (GCC/Clang function multi-versioning).
 *
 * Agreement with the other backends, by construction:
 * - built with -ffp-contract=off (no fused multiply-add), so every clone rounds the same
 *   operations the same way: the results do not depend on the CPU;
 * - what the TypeScript backend computes in double (axpby, scalar ops, activation gradients,
 *   the averaging in pooling) is computed in double here and rounded once: the same bits;
 * - the transcendentals (exp, sigmoid, tanh) are the Cephes polynomials of the WebAssembly
 *   kernels (src/backend/wasm/kernels.c), operation for operation, so they match that
 *   backend's bits and stay within ~2 ulp of Math.exp / Math.tanh.
 */
#include "kernels.h"

#include <math.h>
#include <string.h>

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define DISPATCH __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define DISPATCH
#endif

static inline uint32_t bits_of(float f) {
  uint32_t u;
  memcpy(&u, &f, 4);
  return u;
}

static inline float float_of(uint32_t u) {
  float f;
  memcpy(&f, &u, 4);
  return f;
}

/*
 * e^x: x = n ln2 + r with |r| <= ln2/2 (ln2 in two parts so r is exact), e^r by a degree-6
 * polynomial, times 2^n built in the exponent bits as 2^(n/2) 2^(n - n/2) so that both factors
 * are normal: overflow to inf and underflow through the subnormals to 0 happen where expf's do.
 */
static inline float exp_f(float x) {
  x = x < -104.0f ? -104.0f : x; /* NaN passes both clamps */
  x = 89.0f < x ? 89.0f : x;
  const float magic = 12582912.0f; /* 1.5 * 2^23: adding it rounds to an integer, left in the low bits */
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
  float e = exp_f(-fabsf(x));
  float s = 1.0f / (1.0f + e);
  return x < 0.0f ? e * s : s;
}

/* An odd polynomial for |x| < 0.625 (no cancellation near 0), else (1 - e^-2|x|) / (1 + e^-2|x|) with x's sign. */
static inline float tanh_f(float x) {
  float ax = fabsf(x), z = x * x;
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

#define MAP(expr)                                     \
  for (size_t i = 0; i < n; i++) {                    \
    float v = x[i];                                   \
    out[i] = (expr);                                  \
  }

DISPATCH void lw_unary(int op, const float* x, float* out, size_t n) {
  switch (op) {
    case U_SIGMOID: MAP(sigmoid_f(v)) break;
    case U_TANH: MAP(tanh_f(v)) break;
    case U_EXP: MAP(exp_f(v)) break;
    case U_RELU: MAP(v > 0.0f ? v : 0.0f) break;
    case U_STEP: MAP(v > 0.0f ? 1.0f : 0.0f) break;
    case U_SQUARE: MAP(v * v) break;
    case U_SQRT: MAP(sqrtf(v)) break;
    case U_ABS: MAP(fabsf(v)) break;
    case U_NEG: MAP(-v) break;
    default: break;
  }
}
#undef MAP

/* One row (or the whole array) of a ∘ b. */
#define ZIP(expr)                                     \
  for (size_t j = 0; j < len; j++) {                  \
    float p = a[j], q = b[j];                         \
    out[j] = (expr);                                  \
  }

static inline void binary_run(int op, const float* restrict a, const float* restrict b, float* out, size_t len) {
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

/* b has n elements, or is a row of `cols` repeated over a's rows. */
DISPATCH void lw_binary(int op, const float* a, const float* b, float* out, size_t n, size_t cols) {
  if (cols >= n) {
    binary_run(op, a, b, out, n);
    return;
  }
  for (size_t r = 0; r < n; r += cols) binary_run(op, a + r, b, out + r, cols);
}

#define MAP_D(expr)                                   \
  for (size_t i = 0; i < n; i++) {                    \
    double v = x[i];                                  \
    out[i] = (float)(expr);                           \
  }

/* In double and rounded once, as JavaScript arithmetic on a float and a number is. */
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

DISPATCH void lw_axpby(double alpha, const float* x, double beta, float* y, size_t n) {
  if (beta == 1.0) {
    for (size_t i = 0; i < n; i++) y[i] = (float)((double)y[i] + alpha * (double)x[i]);
  } else {
    for (size_t i = 0; i < n; i++) y[i] = (float)(alpha * (double)x[i] + beta * (double)y[i]);
  }
}

/* out = dy f'(x) through y = f(x), in double: sigmoid (dy y)(1 - y), tanh dy (1 - y²), relu y > 0 ? dy : 0. */
DISPATCH void lw_activation_grad(int op, const float* y, const float* dy, float* out, size_t n) {
  switch (op) {
    case G_SIGMOID:
      for (size_t i = 0; i < n; i++) out[i] = (float)((double)dy[i] * (double)y[i] * (1.0 - (double)y[i]));
      break;
    case G_TANH:
      for (size_t i = 0; i < n; i++) out[i] = (float)((double)dy[i] * (1.0 - (double)y[i] * (double)y[i]));
      break;
    case G_RELU:
      for (size_t i = 0; i < n; i++) out[i] = y[i] > 0.0f ? dy[i] : 0.0f;
      break;
    default: break;
  }
}

/* Row-wise softmax: e = exp(x - max) in float32, the sum in double, out = e / sum (NaNs skipped by the max, as in TypeScript). */
DISPATCH void lw_softmax_rows(const float* x, size_t rows, size_t cols, float* out) {
  for (size_t r = 0; r < rows; r++) {
    const float* xr = x + r * cols;
    float* o = out + r * cols;
    float max = -INFINITY;
    for (size_t j = 0; j < cols; j++) max = max < xr[j] ? xr[j] : max;
    double sum = 0;
    for (size_t j = 0; j < cols; j++) {
      float e = exp_f(xr[j] - max);
      o[j] = e;
      sum += e;
    }
    double inv = 1.0 / sum;
    for (size_t j = 0; j < cols; j++) o[j] = (float)((double)o[j] * inv);
  }
}

/* out[j] = Σ_i x[i, j], each column in row order with float32 adds: TypeScript's exact sequence. */
DISPATCH void lw_sum_rows(const float* x, size_t rows, size_t cols, float* out) {
  for (size_t j = 0; j < cols; j++) out[j] = 0.0f;
  for (size_t r = 0; r < rows; r++) {
    const float* xr = x + r * cols;
    for (size_t j = 0; j < cols; j++) out[j] += xr[j];
  }
}

/* out[i] = Σ_j x[i, j] in double, in order, rounded once: TypeScript's exact sequence. */
void lw_sum_cols(const float* x, size_t rows, size_t cols, float* out) {
  for (size_t r = 0; r < rows; r++) {
    const float* xr = x + r * cols;
    double s = 0;
    for (size_t j = 0; j < cols; j++) s += xr[j];
    out[r] = (float)s;
  }
}

void lw_argmax_rows(const float* x, size_t rows, size_t cols, int32_t* out) {
  for (size_t r = 0; r < rows; r++) {
    const float* xr = x + r * cols;
    size_t best = 0;
    for (size_t j = 1; j < cols; j++)
      if (xr[j] > xr[best]) best = j;
    out[r] = (int32_t)best;
  }
}

/* ---- Sampling: xoshiro128** exactly as src/tensor/random.ts; (x >> 8) 2^-24 is exact in float32. ---- */

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
  memcpy(state, s, sizeof s);
}

void lw_bernoulli(const float* p, float* out, size_t n, uint32_t state[4]) {
  uint32_t s[4] = {state[0], state[1], state[2], state[3]};
  for (size_t i = 0; i < n; i++) out[i] = next_float(s) < p[i] ? 1.0f : 0.0f;
  memcpy(state, s, sizeof s);
}

/* ---- Convolution data movement and pooling over NHWC batches, in src/backend/js's order. ---- */

/* The part [lo, hi) of a kernel row (kW·C floats) that lies on the image, for a window starting at column iw0. */
static inline void window_columns(int iw0, int kW, int inW, int C, int* lo, int* hi) {
  int kw_start = iw0 < 0 ? (-iw0 < kW ? -iw0 : kW) : 0;
  int kw_end = iw0 + kW > inW ? inW - iw0 : kW;
  *lo = kw_start * C;
  *hi = kw_end > kw_start ? kw_end * C : *lo;
}

DISPATCH void lw_im2col(const float* x, const int32_t* g, float* cols) {
  const int C = g[G_C], kH = g[G_KH], kW = g[G_KW], inH = g[G_INH], inW = g[G_INW];
  const ptrdiff_t span = (ptrdiff_t)kW * C, row_len = kH * span;
  float* dst_row = cols;
  for (int n = 0; n < g[G_BATCH]; n++) {
    const float* image = x + (ptrdiff_t)n * inH * inW * C;
    for (int oh = 0; oh < g[G_OUTH]; oh++) {
      int ih0 = oh * g[G_SH] - g[G_PT];
      for (int ow = 0; ow < g[G_OUTW]; ow++, dst_row += row_len) {
        int iw0 = ow * g[G_SW] - g[G_PL], lo, hi;
        window_columns(iw0, kW, inW, C, &lo, &hi);
        for (int kh = 0; kh < kH; kh++) {
          int ih = ih0 + kh;
          float* dst = dst_row + kh * span;
          if (ih < 0 || ih >= inH) {
            memset(dst, 0, (size_t)span * 4);
            continue;
          }
          const float* src = image + ((ptrdiff_t)ih * inW + iw0) * C; /* only [lo, hi) is read */
          memset(dst, 0, (size_t)lo * 4);
          memcpy(dst + lo, src + lo, (size_t)(hi - lo) * 4);
          memset(dst + hi, 0, (size_t)(span - hi) * 4);
        }
      }
    }
  }
}

DISPATCH void lw_col2im(const float* cols, const int32_t* g, float* dx) {
  const int C = g[G_C], kH = g[G_KH], kW = g[G_KW], inH = g[G_INH], inW = g[G_INW];
  const ptrdiff_t span = (ptrdiff_t)kW * C, row_len = kH * span;
  memset(dx, 0, (size_t)g[G_BATCH] * inH * inW * C * 4);
  const float* src_row = cols;
  for (int n = 0; n < g[G_BATCH]; n++) {
    float* image = dx + (ptrdiff_t)n * inH * inW * C;
    for (int oh = 0; oh < g[G_OUTH]; oh++) {
      int ih0 = oh * g[G_SH] - g[G_PT];
      for (int ow = 0; ow < g[G_OUTW]; ow++, src_row += row_len) {
        int iw0 = ow * g[G_SW] - g[G_PL], lo, hi;
        window_columns(iw0, kW, inW, C, &lo, &hi);
        for (int kh = 0; kh < kH; kh++) {
          int ih = ih0 + kh;
          if (ih < 0 || ih >= inH) continue;
          const float* restrict src = src_row + kh * span;
          float* restrict dst = image + ((ptrdiff_t)ih * inW + iw0) * C;
          for (int j = lo; j < hi; j++) dst[j] += src[j];
        }
      }
    }
  }
}

/* The window of output (oh, ow) clipped to the image: rows [h0, h1), columns [w0, w1). */
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

/* Calls BODY with o (the output offset), image (the input offset) and win for every output pixel. */
#define FOR_EACH_WINDOW(g, BODY)                                                  \
  do {                                                                            \
    const int C_ = g[G_C];                                                        \
    ptrdiff_t o = 0;                                                              \
    for (int n_ = 0; n_ < g[G_BATCH]; n_++) {                                     \
      ptrdiff_t image = (ptrdiff_t)n_ * g[G_INH] * g[G_INW] * C_;                 \
      for (int oh_ = 0; oh_ < g[G_OUTH]; oh_++)                                   \
        for (int ow_ = 0; ow_ < g[G_OUTW]; ow_++, o += C_) {                      \
          Window win = window_at(g, oh_, ow_);                                    \
          BODY                                                                    \
        }                                                                         \
    }                                                                             \
  } while (0)

void lw_max_pool(const float* x, const int32_t* g, float* y, int32_t* argmax) {
  const int C = g[G_C];
  FOR_EACH_WINDOW(g, {
    for (int c = 0; c < C; c++) {
      y[o + c] = -INFINITY;
      argmax[o + c] = -1;
    }
    for (int h = win.h0; h < win.h1; h++)
      for (int w = win.w0; w < win.w1; w++) {
        ptrdiff_t p = image + ((ptrdiff_t)h * g[G_INW] + w) * C;
        for (int c = 0; c < C; c++)
          if (x[p + c] > y[o + c]) {
            y[o + c] = x[p + c];
            argmax[o + c] = (int32_t)(p + c);
          }
      }
  });
}

void lw_max_pool_grad(const float* dy, const int32_t* argmax, size_t n, float* dx, size_t dxn) {
  memset(dx, 0, dxn * 4);
  for (size_t i = 0; i < n; i++)
    if (argmax[i] >= 0) dx[argmax[i]] += dy[i];
}

void lw_avg_pool(const float* x, const int32_t* g, float* y) {
  const int C = g[G_C];
  FOR_EACH_WINDOW(g, {
    for (int c = 0; c < C; c++) y[o + c] = 0.0f;
    for (int h = win.h0; h < win.h1; h++)
      for (int w = win.w0; w < win.w1; w++) {
        const float* px = x + image + ((ptrdiff_t)h * g[G_INW] + w) * C;
        for (int c = 0; c < C; c++) y[o + c] += px[c];
      }
    double inv = window_share(win);
    for (int c = 0; c < C; c++) y[o + c] = (float)((double)y[o + c] * inv);
  });
}

void lw_avg_pool_grad(const float* dy, const int32_t* g, float* dx) {
  const int C = g[G_C];
  memset(dx, 0, (size_t)g[G_BATCH] * g[G_INH] * g[G_INW] * C * 4);
  FOR_EACH_WINDOW(g, {
    double inv = window_share(win);
    for (int h = win.h0; h < win.h1; h++)
      for (int w = win.w0; w < win.w1; w++) {
        float* pdx = dx + image + ((ptrdiff_t)h * g[G_INW] + w) * C;
        for (int c = 0; c < C; c++) pdx[c] = (float)((double)pdx[c] + (double)dy[o + c] * inv);
      }
  });
}

/* ---- The recurrent cells' elementwise steps (src/backend/js/cells.ts has the equations), in float32. ---- */

DISPATCH void lw_lstm_cell(const float* ax, const float* ah, const float* c_prev, float* c, float* h, float* cache, size_t n, size_t u) {
  for (size_t b = 0; b < n; b++) {
    const float *xa = ax + b * 4 * u, *ha = ah + b * 4 * u, *cp = c_prev + b * u;
    float *cb = c + b * u, *hb = h + b * u, *k = cache + b * 5 * u;
    for (size_t j = 0; j < u; j++) {
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

DISPATCH void lw_lstm_cell_grad(const float* cache, const float* c_prev, const float* dh, const float* dc, float* dax, float* dc_prev, size_t n, size_t u) {
  for (size_t b = 0; b < n; b++) {
    const float *k = cache + b * 5 * u, *cp = c_prev + b * u, *dhb = dh + b * u, *dcb = dc + b * u;
    float *d = dax + b * 4 * u, *dcp = dc_prev + b * u;
    for (size_t j = 0; j < u; j++) {
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

DISPATCH void lw_gru_cell(const float* ax, const float* ah, const float* h_prev, float* h, float* cache, size_t n, size_t u) {
  for (size_t b = 0; b < n; b++) {
    const float *xa = ax + b * 3 * u, *ha = ah + b * 3 * u, *hp = h_prev + b * u;
    float *hb = h + b * u, *k = cache + b * 4 * u;
    for (size_t j = 0; j < u; j++) {
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

DISPATCH void lw_gru_cell_grad(const float* cache, const float* h_prev, const float* dh, float* dax, float* dah, float* dh_prev, size_t n, size_t u) {
  for (size_t b = 0; b < n; b++) {
    const float *k = cache + b * 4 * u, *hp = h_prev + b * u, *dhb = dh + b * u;
    float *dx = dax + b * 3 * u, *dhh = dah + b * 3 * u, *dhp = dh_prev + b * u;
    for (size_t j = 0; j < u; j++) {
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
