/*
 * The Node-API face of the native backend: one function per Backend kernel, each reading its
 * typed arrays in place (napi_get_typedarray_info gives the data pointer: no copies), checking
 * that every array is long enough for the sizes given (a short array would otherwise be read
 * or written past its end), then calling OpenBLAS (GEMM) or the shared kernels
 * (src/backend/c/kernels.c, which the WebAssembly backend builds too). Node-API version 8, so
 * one binary serves every Node from 20 on.
 */
#define NAPI_VERSION 8
#include <node_api.h>
#include <stdio.h>

#include <cblas.h> /* OpenBLAS's: also declares openblas_set_num_threads, _get_corename, _get_config */

#include "kernels.h"
#include "pool.h"

#define MAX_ARGS 13

/* One call's arguments, and whether an error is already pending (then every getter is a no-op). */
typedef struct {
  napi_env env;
  napi_value argv[MAX_ARGS];
  size_t argc;
  int failed;
} Args;

static int fail(Args* a, const char* message) {
  if (!a->failed) napi_throw_range_error(a->env, NULL, message);
  a->failed = 1;
  return 0;
}

static void args_of(napi_env env, napi_callback_info info, Args* a, size_t want) {
  a->env = env;
  a->argc = MAX_ARGS;
  a->failed = 0;
  napi_get_cb_info(env, info, &a->argc, a->argv, NULL, NULL);
  if (a->argc < want) fail(a, "native backend: too few arguments");
}

static double num(Args* a, size_t i) {
  double v = 0;
  if (a->failed) return 0;
  if (napi_get_value_double(a->env, a->argv[i], &v) != napi_ok) fail(a, "native backend: expected a number");
  return v;
}

/* A non-negative integer size (m, n, rows, a leading dimension...). */
static size_t size_arg(Args* a, size_t i, const char* name) {
  double v = num(a, i);
  if (!a->failed && !(v >= 0 && v <= 9007199254740991.0 && v == (double)(size_t)v)) {
    char message[128];
    snprintf(message, sizeof message, "native backend: %s must be an integer >= 0, got %g", name, v);
    fail(a, message);
  }
  return a->failed ? 0 : (size_t)v;
}

static int flag(Args* a, size_t i) {
  bool v = false;
  if (!a->failed && napi_get_value_bool(a->env, a->argv[i], &v) != napi_ok) fail(a, "native backend: expected a boolean");
  return v;
}

/* The data of a typed array of `type` with at least `need` elements. */
static void* typed(Args* a, size_t i, napi_typedarray_type type, size_t need, const char* name) {
  napi_typedarray_type got;
  size_t length = 0;
  void* data = NULL;
  bool is = false;
  if (a->failed) return NULL;
  napi_is_typedarray(a->env, a->argv[i], &is);
  if (!is || napi_get_typedarray_info(a->env, a->argv[i], &got, &length, &data, NULL, NULL) != napi_ok || got != type) {
    char message[128];
    const char* want = type == napi_float32_array ? "Float32Array" : type == napi_int32_array ? "Int32Array" : "Uint32Array";
    snprintf(message, sizeof message, "native backend: %s must be a %s", name, want);
    fail(a, message);
    return NULL;
  }
  if (length < need) {
    char message[160];
    snprintf(message, sizeof message, "native backend: %s has %zu elements, the sizes given need %zu", name, length, need);
    fail(a, message);
    return NULL;
  }
  return data;
}

static float* f32(Args* a, size_t i, size_t need, const char* name) { return (float*)typed(a, i, napi_float32_array, need, name); }

static size_t f32_length(Args* a, size_t i, const char* name) {
  napi_typedarray_type got;
  size_t length = 0;
  bool is = false;
  if (a->failed) return 0;
  napi_is_typedarray(a->env, a->argv[i], &is);
  if (!is || napi_get_typedarray_info(a->env, a->argv[i], &got, &length, NULL, NULL, NULL) != napi_ok || got != napi_float32_array) {
    char message[96];
    snprintf(message, sizeof message, "native backend: %s must be a Float32Array", name);
    fail(a, message);
  }
  return length;
}

/* Elements a rows×cols matrix with row stride ld spans. */
static size_t span(size_t rows, size_t cols, size_t ld) { return rows == 0 || cols == 0 ? 0 : (rows - 1) * ld + cols; }

/* A row stride OpenBLAS accepts: it insists on ld >= max(1, cols) even where one row makes ld unused. */
static size_t blas_ld(size_t rows, size_t cols, size_t ld) {
  if (rows <= 1 && ld < cols) return cols;
  return ld < 1 ? 1 : ld;
}

#define FN(name) static napi_value name(napi_env env, napi_callback_info info)

/*
 * One kernel call as the pool shares it out: the operands, and how to compute items [lo, hi)
 * (elements, rows or images) by calling the kernel on that slice. Below about 2^15 floats of
 * work (2^13 for the transcendentals) a call stays on the calling thread: waking a worker
 * costs more.
 */
typedef struct {
  int op;
  const float *x, *y;
  float* out;
  double s, t;
  size_t cols;
  const int32_t* g;
  int32_t* idx;
  size_t rows;  /* sumRows: the rows each column adds */
  float* q[6];  /* a cell's arrays, */
  const int* w; /* their widths in units of u */
  size_t u;
} Task;

#define STREAMING_GRAIN ((size_t)1 << 15)
#define TRANSCENDENTAL_GRAIN ((size_t)1 << 13)

/* At least `floats` of work per chunk, in items of `per_item` floats. */
static size_t grain_of(size_t floats, size_t per_item) { return per_item >= floats ? 1 : floats / (per_item ? per_item : 1); }

static void unary_range(const void* t, size_t lo, size_t hi) {
  const Task* k = t;
  lw_unary(k->op, k->x + lo, k->out + lo, hi - lo);
}
static void binary_range(const void* t, size_t lo, size_t hi) { /* elements */
  const Task* k = t;
  lw_binary(k->op, k->x + lo, k->y + lo, k->out + lo, hi - lo, hi - lo);
}
static void binary_rows_range(const void* t, size_t lo, size_t hi) { /* rows of a, b one row */
  const Task* k = t;
  lw_binary(k->op, k->x + lo * k->cols, k->y, k->out + lo * k->cols, (hi - lo) * k->cols, k->cols);
}
static void scalar_range(const void* t, size_t lo, size_t hi) {
  const Task* k = t;
  lw_scalar(k->op, k->x + lo, k->s, k->out + lo, hi - lo);
}
static void axpby_range(const void* t, size_t lo, size_t hi) {
  const Task* k = t;
  lw_axpby(k->s, k->x + lo, k->t, k->out + lo, hi - lo);
}
static void activation_grad_range(const void* t, size_t lo, size_t hi) {
  const Task* k = t;
  lw_activation_grad(k->op, k->x + lo, k->y + lo, k->out + lo, hi - lo);
}
static void softmax_range(const void* t, size_t lo, size_t hi) {
  const Task* k = t;
  lw_softmax_rows(k->x + lo * k->cols, hi - lo, k->cols, k->out + lo * k->cols);
}
static void sum_rows_range(const void* t, size_t lo, size_t hi) { /* columns */
  const Task* k = t;
  lw_sum_rows(k->x + lo, k->rows, hi - lo, k->cols, k->out + lo);
}
static void sum_cols_range(const void* t, size_t lo, size_t hi) {
  const Task* k = t;
  lw_sum_cols(k->x + lo * k->cols, hi - lo, k->cols, k->out + lo);
}

/* Output rows (im2col, pooling forward) or images (col2im, avgPool backward) [lo, hi). */
static void im2col_range(const void* t, size_t lo, size_t hi) {
  const Task* k = t;
  lw_im2col(k->x, k->g, k->out, lo, hi);
}
static void col2im_range(const void* t, size_t lo, size_t hi) {
  const Task* k = t;
  lw_col2im(k->x, k->g, k->out, lo, hi);
}
static void max_pool_range(const void* t, size_t lo, size_t hi) {
  const Task* k = t;
  lw_max_pool(k->x, k->g, k->out, k->idx, lo, hi);
}
static void avg_pool_range(const void* t, size_t lo, size_t hi) {
  const Task* k = t;
  lw_avg_pool(k->x, k->g, k->out, lo, hi);
}
static void avg_pool_grad_range(const void* t, size_t lo, size_t hi) {
  const Task* k = t;
  lw_avg_pool_grad(k->x, k->g, k->out, lo, hi);
}

/* gemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc): C = alpha op(A) op(B) + beta C. */
FN(gemm) {
  Args a;
  args_of(env, info, &a, 13);
  int ta = flag(&a, 0), tb = flag(&a, 1);
  size_t m = size_arg(&a, 2, "m"), n = size_arg(&a, 3, "n"), k = size_arg(&a, 4, "k");
  double alpha = num(&a, 5), beta = num(&a, 10);
  size_t lda = size_arg(&a, 7, "lda"), ldb = size_arg(&a, 9, "ldb"), ldc = size_arg(&a, 12, "ldc");
  size_t ar = ta ? k : m, ac = ta ? m : k, br = tb ? n : k, bc = tb ? k : n;
  if (!a.failed && ((ar > 1 && lda < ac) || (br > 1 && ldb < bc) || (m > 1 && ldc < n))) fail(&a, "native backend: gemm: a leading dimension is smaller than its row");
  const float* pa = f32(&a, 6, span(ar, ac, lda), "a");
  const float* pb = f32(&a, 8, span(br, bc, ldb), "b");
  float* pc = f32(&a, 11, span(m, n, ldc), "c");
  if (a.failed || m == 0 || n == 0) return NULL;
  if (k == 0 || alpha == 0) {
    /* no product to add: C = beta C, with beta 0 overwriting (NaNs in old C do not leak) */
    for (size_t i = 0; i < m; i++)
      for (size_t j = 0; j < n; j++) pc[i * ldc + j] = beta == 0 ? 0.0f : (float)(beta * pc[i * ldc + j]);
    return NULL;
  }
  cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, (blasint)m, (blasint)n, (blasint)k, (float)alpha, pa,
              (blasint)blas_ld(ar, ac, lda), pb, (blasint)blas_ld(br, bc, ldb), (float)beta, pc, (blasint)blas_ld(m, n, ldc));
  return NULL;
}

/* unary(op, x, out) */
FN(unary) {
  Args a;
  args_of(env, info, &a, 3);
  int op = (int)num(&a, 0);
  size_t n = f32_length(&a, 1, "x");
  const float* x = f32(&a, 1, n, "x");
  float* out = f32(&a, 2, n, "out");
  if (a.failed) return NULL;
  Task k = {.op = op, .x = x, .out = out};
  int transcendental = op == U_SIGMOID || op == U_TANH || op == U_EXP || op == U_LOG || op == U_SOFTPLUS;
  lw_parallel_for(n, transcendental ? TRANSCENDENTAL_GRAIN : STREAMING_GRAIN, unary_range, &k);
  return NULL;
}

/* binary(op, a, b, out): b as long as a, or a row repeated over a's rows. */
FN(binary) {
  Args a;
  args_of(env, info, &a, 4);
  int op = (int)num(&a, 0);
  size_t n = f32_length(&a, 1, "a"), cols = f32_length(&a, 2, "b");
  if (!a.failed && (cols == 0 ? n != 0 : n % cols != 0)) fail(&a, "native backend: binary: b's length must divide a's");
  const float* pa = f32(&a, 1, n, "a");
  const float* pb = f32(&a, 2, cols, "b");
  float* out = f32(&a, 3, n, "out");
  if (a.failed || n == 0) return NULL;
  Task k = {.op = op, .x = pa, .y = pb, .out = out, .cols = cols};
  if (cols >= n) lw_parallel_for(n, STREAMING_GRAIN, binary_range, &k);
  else lw_parallel_for(n / cols, grain_of(STREAMING_GRAIN, cols), binary_rows_range, &k);
  return NULL;
}

/* scalar(op, x, s, out) */
FN(scalar) {
  Args a;
  args_of(env, info, &a, 4);
  int op = (int)num(&a, 0);
  double s = num(&a, 2);
  size_t n = f32_length(&a, 1, "x");
  const float* x = f32(&a, 1, n, "x");
  float* out = f32(&a, 3, n, "out");
  if (a.failed) return NULL;
  Task k = {.op = op, .x = x, .s = s, .out = out};
  lw_parallel_for(n, STREAMING_GRAIN, scalar_range, &k);
  return NULL;
}

/* axpby(alpha, x, beta, y) */
FN(axpby) {
  Args a;
  args_of(env, info, &a, 4);
  double alpha = num(&a, 0), beta = num(&a, 2);
  size_t n = f32_length(&a, 1, "x");
  const float* x = f32(&a, 1, n, "x");
  float* y = f32(&a, 3, n, "y");
  if (a.failed) return NULL;
  Task k = {.x = x, .s = alpha, .t = beta, .out = y};
  lw_parallel_for(n, STREAMING_GRAIN, axpby_range, &k);
  return NULL;
}

/* activationGrad(op, y, dy, out) */
FN(activation_grad) {
  Args a;
  args_of(env, info, &a, 4);
  int op = (int)num(&a, 0);
  size_t n = f32_length(&a, 1, "y");
  const float* y = f32(&a, 1, n, "y");
  const float* dy = f32(&a, 2, n, "dy");
  float* out = f32(&a, 3, n, "out");
  if (a.failed) return NULL;
  Task k = {.op = op, .x = y, .y = dy, .out = out};
  lw_parallel_for(n, STREAMING_GRAIN, activation_grad_range, &k);
  return NULL;
}

/* The row kernels: (x, rows, cols, out) with out rows×cols, cols or rows long. */
enum { OUT_MATRIX, OUT_COLS, OUT_ROWS };

static int rows_args(Args* a, napi_env env, napi_callback_info info, int shape, const float** x, size_t* rows, size_t* cols, void** out, napi_typedarray_type type) {
  args_of(env, info, a, 4);
  *rows = size_arg(a, 1, "rows");
  *cols = size_arg(a, 2, "cols");
  *x = f32(a, 0, *rows * *cols, "x");
  size_t need = shape == OUT_MATRIX ? *rows * *cols : shape == OUT_COLS ? *cols : *rows;
  *out = typed(a, 3, type, need, "out");
  return !a->failed;
}

#define ROW_KERNEL(name, shape, type, T, call)                                      \
  FN(name) {                                                                        \
    Args a;                                                                         \
    const float* x;                                                                 \
    size_t rows, cols;                                                              \
    void* out;                                                                      \
    if (rows_args(&a, env, info, shape, &x, &rows, &cols, &out, type)) call(x, rows, cols, (T*)out); \
    return NULL;                                                                    \
  }

/* By rows on the pool. */
static void softmax_parallel(const float* x, size_t rows, size_t cols, float* out) {
  Task k = {.x = x, .cols = cols, .out = out};
  lw_parallel_for(rows, grain_of(TRANSCENDENTAL_GRAIN, cols), softmax_range, &k);
}
/* By blocks of columns: each column is summed down the rows by one thread. */
static void sum_rows_parallel(const float* x, size_t rows, size_t cols, float* out) {
  Task k = {.x = x, .rows = rows, .cols = cols, .out = out};
  lw_parallel_for(cols, grain_of(STREAMING_GRAIN, rows), sum_rows_range, &k);
}
static void sum_cols_parallel(const float* x, size_t rows, size_t cols, float* out) {
  Task k = {.x = x, .cols = cols, .out = out};
  lw_parallel_for(rows, grain_of(STREAMING_GRAIN, cols), sum_cols_range, &k);
}

ROW_KERNEL(softmax_rows, OUT_MATRIX, napi_float32_array, float, softmax_parallel)
ROW_KERNEL(sum_rows, OUT_COLS, napi_float32_array, float, sum_rows_parallel)
ROW_KERNEL(sum_cols, OUT_ROWS, napi_float32_array, float, sum_cols_parallel)
ROW_KERNEL(argmax_rows, OUT_ROWS, napi_int32_array, int32_t, lw_argmax_rows)

/* bernoulli(p, out, state): state is the generator's four xoshiro128** words, advanced in place. */
FN(bernoulli) {
  Args a;
  args_of(env, info, &a, 3);
  size_t n = f32_length(&a, 0, "p");
  const float* p = f32(&a, 0, n, "p");
  float* out = f32(&a, 1, n, "out");
  uint32_t* state = (uint32_t*)typed(&a, 2, napi_uint32_array, 4, "state");
  if (!a.failed) lw_bernoulli(p, out, n, state);
  return NULL;
}

/* uniform(out, state) */
FN(uniform) {
  Args a;
  args_of(env, info, &a, 2);
  size_t n = f32_length(&a, 0, "out");
  float* out = f32(&a, 0, n, "out");
  uint32_t* state = (uint32_t*)typed(&a, 1, napi_uint32_array, 4, "state");
  if (!a.failed) lw_uniform(out, n, state);
  return NULL;
}

/* The geometry (12 ints) at argument i, with the input, window-row and output sizes it implies. */
typedef struct {
  const int32_t* g;
  size_t in, cols, out;
  size_t batch; /* images, and the floats of one image's input, im2col rows and output */
  size_t image_in, image_cols, image_out;
  size_t out_rows, row_cols; /* output rows (batch · outH), and the floats of one output row's windows in cols */
} Geometry;

static Geometry geometry_arg(Args* a, size_t i) {
  Geometry geo = {0};
  const int32_t* g = (const int32_t*)typed(a, i, napi_int32_array, G_FIELDS, "geometry");
  if (a->failed) return geo;
  for (int f = 0; f < G_FIELDS; f++)
    if (g[f] < 0 || (f != G_PT && f != G_PL && f != G_BATCH && f != G_OUTH && f != G_OUTW && g[f] < 1)) {
      fail(a, "native backend: a geometry field is out of range");
      return geo;
    }
  size_t pixels = (size_t)g[G_OUTH] * g[G_OUTW];
  geo.g = g;
  geo.batch = (size_t)g[G_BATCH];
  geo.image_in = (size_t)g[G_INH] * g[G_INW] * g[G_C];
  geo.image_cols = pixels * g[G_KH] * g[G_KW] * g[G_C];
  geo.image_out = pixels * g[G_C];
  geo.in = geo.batch * geo.image_in;
  geo.cols = geo.batch * geo.image_cols;
  geo.out = geo.batch * geo.image_out;
  geo.out_rows = geo.batch * g[G_OUTH];
  geo.row_cols = (size_t)g[G_OUTW] * g[G_KH] * g[G_KW] * g[G_C];
  return geo;
}

FN(im2col) {
  Args a;
  args_of(env, info, &a, 3);
  Geometry geo = geometry_arg(&a, 1);
  const float* x = f32(&a, 0, geo.in, "x");
  float* cols = f32(&a, 2, geo.cols, "cols");
  if (a.failed) return NULL;
  Task k = {.x = x, .g = geo.g, .out = cols};
  lw_parallel_for(geo.out_rows, grain_of(STREAMING_GRAIN, geo.row_cols), im2col_range, &k);
  return NULL;
}

FN(col2im) {
  Args a;
  args_of(env, info, &a, 3);
  Geometry geo = geometry_arg(&a, 1);
  const float* cols = f32(&a, 0, geo.cols, "cols");
  float* dx = f32(&a, 2, geo.in, "dx");
  if (a.failed) return NULL;
  Task k = {.x = cols, .g = geo.g, .out = dx};
  lw_parallel_for(geo.batch, grain_of(STREAMING_GRAIN, geo.image_cols), col2im_range, &k);
  return NULL;
}

/* maxPool(x, geometry, out, argmax) */
FN(max_pool) {
  Args a;
  args_of(env, info, &a, 4);
  Geometry geo = geometry_arg(&a, 1);
  const float* x = f32(&a, 0, geo.in, "x");
  float* y = f32(&a, 2, geo.out, "out");
  int32_t* argmax = (int32_t*)typed(&a, 3, napi_int32_array, geo.out, "argmax");
  if (a.failed) return NULL;
  Task k = {.x = x, .g = geo.g, .out = y, .idx = argmax};
  lw_parallel_for(geo.out_rows, grain_of(STREAMING_GRAIN, geo.row_cols), max_pool_range, &k);
  return NULL;
}

/* maxPoolGrad(dy, argmax, dx): every argmax must index dx. */
FN(max_pool_grad) {
  Args a;
  args_of(env, info, &a, 3);
  size_t n = f32_length(&a, 0, "dy"), dxn = f32_length(&a, 2, "dx");
  const float* dy = f32(&a, 0, n, "dy");
  const int32_t* argmax = (const int32_t*)typed(&a, 1, napi_int32_array, n, "argmax");
  float* dx = f32(&a, 2, dxn, "dx");
  if (a.failed) return NULL;
  for (size_t i = 0; i < n; i++)
    if (argmax[i] >= 0 && (size_t)argmax[i] >= dxn) {
      fail(&a, "native backend: maxPoolGrad: an argmax lies outside dx");
      return NULL;
    }
  lw_max_pool_grad(dy, argmax, n, dx, dxn);
  return NULL;
}

FN(avg_pool) {
  Args a;
  args_of(env, info, &a, 3);
  Geometry geo = geometry_arg(&a, 1);
  const float* x = f32(&a, 0, geo.in, "x");
  float* y = f32(&a, 2, geo.out, "out");
  if (a.failed) return NULL;
  Task k = {.x = x, .g = geo.g, .out = y};
  lw_parallel_for(geo.out_rows, grain_of(STREAMING_GRAIN, geo.row_cols), avg_pool_range, &k);
  return NULL;
}

FN(avg_pool_grad) {
  Args a;
  args_of(env, info, &a, 3);
  Geometry geo = geometry_arg(&a, 1);
  const float* dy = f32(&a, 0, geo.out, "dy");
  float* dx = f32(&a, 2, geo.in, "dx");
  if (a.failed) return NULL;
  Task k = {.x = dy, .g = geo.g, .out = dx};
  lw_parallel_for(geo.batch, grain_of(STREAMING_GRAIN, geo.image_in), avg_pool_grad_range, &k);
  return NULL;
}

/* The cells: `count` float arrays, each of (n·u)·width[i] elements, then n and u. */
static int cell_args(Args* a, napi_env env, napi_callback_info info, int count, const int* width, const char* const* names, float** p, size_t* n, size_t* u) {
  args_of(env, info, a, (size_t)count + 2);
  *n = size_arg(a, (size_t)count, "n");
  *u = size_arg(a, (size_t)count + 1, "u");
  for (int i = 0; i < count; i++) p[i] = f32(a, (size_t)i, *n * *u * (size_t)width[i], names[i]);
  return !a->failed;
}

enum { LSTM_CELL, LSTM_CELL_GRAD, GRU_CELL, GRU_CELL_GRAD };

/* Rows [lo, hi) of a cell step. */
static void cell_range(const void* t, size_t lo, size_t hi) {
  const Task* k = t;
  float* q[6];
  for (int i = 0; i < 6; i++) q[i] = k->q[i] == NULL ? NULL : k->q[i] + lo * k->u * (size_t)k->w[i];
  size_t n = hi - lo, u = k->u;
  switch (k->op) {
    case LSTM_CELL: lw_lstm_cell(q[0], q[1], q[2], q[3], q[4], q[5], n, u); break;
    case LSTM_CELL_GRAD: lw_lstm_cell_grad(q[0], q[1], q[2], q[3], q[4], q[5], n, u); break;
    case GRU_CELL: lw_gru_cell(q[0], q[1], q[2], q[3], q[4], n, u); break;
    case GRU_CELL_GRAD: lw_gru_cell_grad(q[0], q[1], q[2], q[3], q[4], q[5], n, u); break;
    default: break;
  }
}

/* A cell step by rows on the pool: five (LSTM) or three (GRU) transcendentals per unit. */
static void cell_parallel(int op, const int* width, float** p, int count, size_t n, size_t u) {
  Task k = {.op = op, .w = width, .u = u};
  for (int i = 0; i < count; i++) k.q[i] = p[i];
  lw_parallel_for(n, grain_of(TRANSCENDENTAL_GRAIN / 4, u), cell_range, &k);
}

/* lstmCell(ax, ah, cPrev, c, h, cache, n, u) */
FN(lstm_cell) {
  Args a;
  static const int width[] = {4, 4, 1, 1, 1, 5};
  static const char* const names[] = {"ax", "ah", "cPrev", "c", "h", "cache"};
  float* p[6];
  size_t n, u;
  if (cell_args(&a, env, info, 6, width, names, p, &n, &u)) cell_parallel(LSTM_CELL, width, p, 6, n, u);
  return NULL;
}

/* lstmCellGrad(cache, cPrev, dh, dc, dax, dcPrev, n, u) */
FN(lstm_cell_grad) {
  Args a;
  static const int width[] = {5, 1, 1, 1, 4, 1};
  static const char* const names[] = {"cache", "cPrev", "dh", "dc", "dax", "dcPrev"};
  float* p[6];
  size_t n, u;
  if (cell_args(&a, env, info, 6, width, names, p, &n, &u)) cell_parallel(LSTM_CELL_GRAD, width, p, 6, n, u);
  return NULL;
}

/* gruCell(ax, ah, hPrev, h, cache, n, u) */
FN(gru_cell) {
  Args a;
  static const int width[] = {3, 3, 1, 1, 4};
  static const char* const names[] = {"ax", "ah", "hPrev", "h", "cache"};
  float* p[6] = {NULL};
  size_t n, u;
  if (cell_args(&a, env, info, 5, width, names, p, &n, &u)) cell_parallel(GRU_CELL, width, p, 5, n, u);
  return NULL;
}

/* gruCellGrad(cache, hPrev, dh, dax, dah, dhPrev, n, u) */
FN(gru_cell_grad) {
  Args a;
  static const int width[] = {4, 1, 1, 3, 3, 1};
  static const char* const names[] = {"cache", "hPrev", "dh", "dax", "dah", "dhPrev"};
  float* p[6];
  size_t n, u;
  if (cell_args(&a, env, info, 6, width, names, p, &n, &u)) cell_parallel(GRU_CELL_GRAD, width, p, 6, n, u);
  return NULL;
}

/* setThreads(n): the one thread budget of this backend, OpenBLAS's and the pool's (pool.c). */
FN(set_threads) {
  Args a;
  args_of(env, info, &a, 1);
  size_t t = size_arg(&a, 0, "threads");
  if (!a.failed && t < 1) fail(&a, "native backend: threads must be >= 1");
  if (!a.failed) {
    openblas_set_num_threads((int)t);
    /* our kernels get what OpenBLAS took (it cannot exceed the threads it started with) */
    lw_pool_set_threads(openblas_get_num_threads());
  }
  napi_value out;
  napi_create_int32(env, openblas_get_num_threads(), &out);
  return out;
}

static void set_string(napi_env env, napi_value obj, const char* key, const char* value) {
  napi_value v;
  napi_create_string_utf8(env, value, NAPI_AUTO_LENGTH, &v);
  napi_set_named_property(env, obj, key, v);
}

/* The CPU-dependent choices: OpenBLAS's core (OPENBLAS_CORETYPE or its detection) and the kernels' clone. */
static const char* kernel_isa(void) {
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("x86-64-v4")) return "avx512";
  if (__builtin_cpu_supports("x86-64-v3")) return "avx2";
  return "sse2";
#else
  return "portable";
#endif
}

FN(config) {
  napi_value obj, threads;
  napi_create_object(env, &obj);
  set_string(env, obj, "blasCore", openblas_get_corename());
  set_string(env, obj, "blasConfig", openblas_get_config());
  set_string(env, obj, "kernels", kernel_isa());
  napi_create_int32(env, lw_pool_threads(), &threads);
  napi_set_named_property(env, obj, "threads", threads);
  napi_value joins;
  napi_create_double(env, lw_pool_joins(), &joins);
  napi_set_named_property(env, obj, "poolJoins", joins);
  (void)info;
  return obj;
}

NAPI_MODULE_INIT() {
  static const struct {
    const char* name;
    napi_callback fn;
  } table[] = {
      {"gemm", gemm},
      {"unary", unary},
      {"binary", binary},
      {"scalar", scalar},
      {"axpby", axpby},
      {"activationGrad", activation_grad},
      {"softmaxRows", softmax_rows},
      {"sumRows", sum_rows},
      {"sumCols", sum_cols},
      {"argmaxRows", argmax_rows},
      {"bernoulli", bernoulli},
      {"uniform", uniform},
      {"im2col", im2col},
      {"col2im", col2im},
      {"maxPool", max_pool},
      {"maxPoolGrad", max_pool_grad},
      {"avgPool", avg_pool},
      {"avgPoolGrad", avg_pool_grad},
      {"lstmCell", lstm_cell},
      {"lstmCellGrad", lstm_cell_grad},
      {"gruCell", gru_cell},
      {"gruCellGrad", gru_cell_grad},
      {"setThreads", set_threads},
      {"config", config},
  };
  for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
    napi_value fn;
    napi_create_function(env, table[i].name, NAPI_AUTO_LENGTH, table[i].fn, NULL, &fn);
    napi_set_named_property(env, exports, table[i].name, fn);
  }
  return exports;
}
