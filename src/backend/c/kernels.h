/*
 * The kernels besides GEMM, one C source for both compiled backends: clang builds kernels.c for
 * wasm32 with SIMD128 (src/backend/wasm/build.sh), GCC for x86-64 with one clone per instruction
 * set (src/backend/native/binding.gyp). Plain loops that both compilers vectorise; no intrinsics.
 *
 * Every function computes a slice its caller names (elements, rows, columns, images or output
 * rows), so each backend shares a call out between its threads its own way (the WebAssembly
 * workers claim pieces from a counter in shared memory; the addon's pool splits ranges) and a
 * value never depends on which thread computed it.
 */
#ifndef LAYERWISE_KERNELS_H
#define LAYERWISE_KERNELS_H

#include <stddef.h>
#include <stdint.h>

/* Internal to the native addon: not exported from its shared object. */
#pragma GCC visibility push(hidden)

/* Op codes: src/backend/native/index.ts uses the same numbers. */
enum { U_SIGMOID, U_TANH, U_EXP, U_RELU, U_STEP, U_SQUARE, U_SQRT, U_ABS, U_NEG, U_LOG, U_SOFTPLUS };
enum { B_ADD, B_SUB, B_MUL, B_DIV, B_MAX, B_MIN };
enum { S_ADD, S_MUL, S_RSUB, S_MAX, S_MIN };
enum { G_SIGMOID, G_TANH, G_RELU };

/* A ConvGeometry as 12 ints, in src/backend/backend.ts's field order (CONV_GEOMETRY_FIELDS). */
enum { G_BATCH, G_INH, G_INW, G_C, G_KH, G_KW, G_SH, G_SW, G_PT, G_PL, G_OUTH, G_OUTW, G_FIELDS };

/* Element-wise: n elements (binary: b has n, or is one row of `cols` repeated over a's rows). The
   output may be an input itself (in place) or apart from it, never partly overlapping it. */
void lw_unary(int op, const float* x, float* out, size_t n);
void lw_binary(int op, const float* a, const float* b, float* out, size_t n, size_t cols);
void lw_scalar(int op, const float* x, double s, float* out, size_t n);
void lw_axpby(double alpha, const float* x, double beta, float* y, size_t n);
void lw_activation_grad(int op, const float* y, const float* dy, float* out, size_t n);

/* Rows of x (rows x cols); sum_rows: `cols` columns of a matrix whose rows lie `ld` floats apart. */
void lw_softmax_rows(const float* x, size_t rows, size_t cols, float* out);
void lw_sum_rows(const float* x, size_t rows, size_t cols, size_t ld, float* out);
void lw_sum_cols(const float* x, size_t rows, size_t cols, float* out);
void lw_argmax_rows(const float* x, size_t rows, size_t cols, int32_t* out);

/* xoshiro128** streams: sequential, one thread. */
void lw_uniform(float* out, size_t n, uint32_t state[4]);
void lw_bernoulli(const float* p, float* out, size_t n, uint32_t state[4]);

/*
 * Convolution data movement and pooling over NHWC batches. "Output rows" u in [u0, u1) are
 * (image u / outH, output row u % outH); images [n0, n1) are whole images of dx. Each writes only
 * its own part of the output; argmax holds flat indices into the whole x.
 */
void lw_im2col(const float* x, const int32_t* g, float* cols, size_t u0, size_t u1);
void lw_col2im(const float* cols, const int32_t* g, float* dx, size_t n0, size_t n1);
void lw_max_pool(const float* x, const int32_t* g, float* y, int32_t* argmax, size_t u0, size_t u1);
void lw_max_pool_grad(const float* dy, const int32_t* argmax, size_t n, float* dx, size_t dxn);
void lw_avg_pool(const float* x, const int32_t* g, float* y, size_t u0, size_t u1);
void lw_avg_pool_grad(const float* dy, const int32_t* g, float* dx, size_t n0, size_t n1);

/* The recurrent cells' element-wise steps, n rows of u units (src/backend/js/cells.ts has the equations). */
void lw_lstm_cell(const float* ax, const float* ah, const float* c_prev, float* c, float* h, float* cache, size_t n, size_t u);
void lw_lstm_cell_grad(const float* cache, const float* c_prev, const float* dh, const float* dc, float* dax, float* dc_prev, size_t n, size_t u);
void lw_gru_cell(const float* ax, const float* ah, const float* h_prev, float* h, float* cache, size_t n, size_t u);
void lw_gru_cell_grad(const float* cache, const float* h_prev, const float* dh, float* dax, float* dah, float* dh_prev, size_t n, size_t u);

#pragma GCC visibility pop

#endif
