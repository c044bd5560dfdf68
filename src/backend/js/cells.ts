/**
 * The LSTM and GRU cells' elementwise steps, forward and backward (src/nn/lstm.ts and gru.ts
 * have the equations). Rows as the recurrent base packs them: LSTM pre-activations [n, 4u] in
 * gate order i, f, g, o, states [n, u], the cache [n, 5u] = i, f, g, o, tanh(c_t); GRU
 * pre-activations [n, 3u] in order r, z, n, the cache [n, 4u] = r, z, n, q. The WebAssembly
 * and native backends fuse each into one vectorised pass (src/backend/c/kernels.c, lw_lstm_cell,
 * lw_gru_cell and their _grad).
 */

const sigmoid = (a: number): number => 1 / (1 + Math.exp(-a));

export function lstmCellJs(
  ax: Float32Array,
  ah: Float32Array,
  cPrev: Float32Array,
  c: Float32Array,
  h: Float32Array,
  cache: Float32Array,
  n: number,
  u: number,
): void {
  for (let b = 0; b < n; b++) {
    const a = b * 4 * u; // this row's gates in ax, ah
    const k = b * 5 * u; // and in the cache: i, f, g, o, tanh(c)
    for (let j = 0; j < u; j++) {
      const i_t = sigmoid(ax[a + j] + ah[a + j]);
      const f_t = sigmoid(ax[a + u + j] + ah[a + u + j]);
      const g_t = Math.tanh(ax[a + 2 * u + j] + ah[a + 2 * u + j]);
      const o_t = sigmoid(ax[a + 3 * u + j] + ah[a + 3 * u + j]);
      const c_t = f_t * cPrev[b * u + j] + i_t * g_t;
      const tc = Math.tanh(c_t);
      c[b * u + j] = c_t;
      h[b * u + j] = o_t * tc;
      cache[k + j] = i_t;
      cache[k + u + j] = f_t;
      cache[k + 2 * u + j] = g_t;
      cache[k + 3 * u + j] = o_t;
      cache[k + 4 * u + j] = tc;
    }
  }
}

export function lstmCellGradJs(
  cache: Float32Array,
  cPrev: Float32Array,
  dh: Float32Array,
  dc: Float32Array,
  dax: Float32Array,
  dcPrev: Float32Array,
  n: number,
  u: number,
): void {
  for (let b = 0; b < n; b++) {
    const a = b * 4 * u;
    const k = b * 5 * u;
    for (let j = 0; j < u; j++) {
      const i_t = cache[k + j];
      const f_t = cache[k + u + j];
      const g_t = cache[k + 2 * u + j];
      const o_t = cache[k + 3 * u + j];
      const tc = cache[k + 4 * u + j];
      const dh_t = dh[b * u + j];
      const dc_t = dc[b * u + j] + dh_t * o_t * (1 - tc * tc);
      dax[a + j] = dc_t * g_t * i_t * (1 - i_t);
      dax[a + u + j] = dc_t * cPrev[b * u + j] * f_t * (1 - f_t);
      dax[a + 2 * u + j] = dc_t * i_t * (1 - g_t * g_t);
      dax[a + 3 * u + j] = dh_t * tc * o_t * (1 - o_t);
      dcPrev[b * u + j] = dc_t * f_t;
    }
  }
}

export function gruCellJs(ax: Float32Array, ah: Float32Array, hPrev: Float32Array, h: Float32Array, cache: Float32Array, n: number, u: number): void {
  for (let b = 0; b < n; b++) {
    const a = b * 3 * u;
    const k = b * 4 * u; // cache: r, z, n, q
    for (let j = 0; j < u; j++) {
      const r_t = sigmoid(ax[a + j] + ah[a + j]);
      const z_t = sigmoid(ax[a + u + j] + ah[a + u + j]);
      const q_t = ah[a + 2 * u + j];
      const n_t = Math.tanh(ax[a + 2 * u + j] + r_t * q_t);
      h[b * u + j] = (1 - z_t) * n_t + z_t * hPrev[b * u + j];
      cache[k + j] = r_t;
      cache[k + u + j] = z_t;
      cache[k + 2 * u + j] = n_t;
      cache[k + 3 * u + j] = q_t;
    }
  }
}

export function gruCellGradJs(
  cache: Float32Array,
  hPrev: Float32Array,
  dh: Float32Array,
  dax: Float32Array,
  dah: Float32Array,
  dhPrev: Float32Array,
  n: number,
  u: number,
): void {
  for (let b = 0; b < n; b++) {
    const a = b * 3 * u;
    const k = b * 4 * u;
    for (let j = 0; j < u; j++) {
      const r_t = cache[k + j];
      const z_t = cache[k + u + j];
      const n_t = cache[k + 2 * u + j];
      const q_t = cache[k + 3 * u + j];
      const dh_t = dh[b * u + j];
      const dn = dh_t * (1 - z_t) * (1 - n_t * n_t);
      const dz = dh_t * (hPrev[b * u + j] - n_t) * z_t * (1 - z_t);
      const dr = dn * q_t * r_t * (1 - r_t);
      dax[a + j] = dr;
      dah[a + j] = dr;
      dax[a + u + j] = dz;
      dah[a + u + j] = dz;
      dax[a + 2 * u + j] = dn;
      dah[a + 2 * u + j] = dn * r_t;
      dhPrev[b * u + j] = dh_t * z_t;
    }
  }
}
