/*
 * The native backend's own kernels (everything but GEMM, which OpenBLAS does): portable C that
 * GCC/Clang vectorise, one clone per instruction set picked at load time (see DISPATCH in
 * kernels.c). Each computes what the TypeScript backend (src/backend/js) computes, in the same
 * order where it is one rounded operation or a fixed sequence of them, so those agree bit for
 * bit; the transcendentals use the WebAssembly kernels' Cephes polynomials (kernels.c there).
 */
#ifndef LAYERWISE_NATIVE_KERNELS_H
#define LAYERWISE_NATIVE_KERNELS_H

#include <stddef.h>
#include <stdint.h>

/* Internal to the addon: not exported from the shared object (OpenBLAS's symbols are hidden too). */
#pragma GCC visibility push(hidden)

/* Op codes shared with src/backend/native/index.ts. */
enum { U_SIGMOID, U_TANH, U_EXP, U_RELU, U_STEP, U_SQUARE, U_SQRT, U_ABS, U_NEG };
enum { B_ADD, B_SUB, B_MUL, B_DIV, B_MAX, B_MIN };
enum { S_ADD, S_MUL, S_RSUB, S_MAX, S_MIN };
enum { G_SIGMOID, G_TANH, G_RELU };

/* A ConvGeometry as 12 ints, in src/backend/backend.ts's field order. */
enum { G_BATCH, G_INH, G_INW, G_C, G_KH, G_KW, G_SH, G_SW, G_PT, G_PL, G_OUTH, G_OUTW, G_FIELDS };

void lw_unary(int op, const float* x, float* out, size_t n);
void lw_binary(int op, const float* a, const float* b, float* out, size_t n, size_t cols);
void lw_scalar(int op, const float* x, double s, float* out, size_t n);
void lw_axpby(double alpha, const float* x, double beta, float* y, size_t n);
void lw_activation_grad(int op, const float* y, const float* dy, float* out, size_t n);

void lw_softmax_rows(const float* x, size_t rows, size_t cols, float* out);
void lw_sum_rows(const float* x, size_t rows, size_t cols, float* out);
void lw_sum_cols(const float* x, size_t rows, size_t cols, float* out);
void lw_argmax_rows(const float* x, size_t rows, size_t cols, int32_t* out);

void lw_uniform(float* out, size_t n, uint32_t state[4]);
void lw_bernoulli(const float* p, float* out, size_t n, uint32_t state[4]);

void lw_im2col(const float* x, const int32_t* g, float* cols);
void lw_col2im(const float* cols, const int32_t* g, float* dx);
void lw_max_pool(const float* x, const int32_t* g, float* y, int32_t* argmax);
void lw_max_pool_grad(const float* dy, const int32_t* argmax, size_t n, float* dx, size_t dxn);
void lw_avg_pool(const float* x, const int32_t* g, float* y);
void lw_avg_pool_grad(const float* dy, const int32_t* g, float* dx);

void lw_lstm_cell(const float* ax, const float* ah, const float* c_prev, float* c, float* h, float* cache, size_t n, size_t u);
void lw_lstm_cell_grad(const float* cache, const float* c_prev, const float* dh, const float* dc, float* dax, float* dc_prev, size_t n, size_t u);
void lw_gru_cell(const float* ax, const float* ah, const float* h_prev, float* h, float* cache, size_t n, size_t u);
void lw_gru_cell_grad(const float* cache, const float* h_prev, const float* dh, float* dax, float* dah, float* dh_prev, size_t n, size_t u);

#pragma GCC visibility pop

#endif
