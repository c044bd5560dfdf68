"""hopfield-recall peer: the same asynchronous sweeps in a plain NumPy loop.
"numpy": incremental fields (u += W[i] * delta on a flip), the algorithm layerwise uses;
"numpy-dot": the textbook loop, u_i = W[i] @ x - theta_i recomputed for every unit."""
import numpy as np

from timing import run, settings

s = settings()
incremental = s["impl"] == "numpy"


def make_step(w):
    n, p, sweeps, temp = w["units"], w["patterns"], w["sweeps"], w["temperature"]
    rng = np.random.default_rng(1)
    pats = np.where(rng.random((p, n)) < 0.5, -1.0, 1.0).astype(np.float32)
    W = pats.T @ pats
    np.fill_diagonal(W, 0)
    probe = np.where(rng.random(n) < 0.5, -1.0, 1.0).astype(np.float32)

    def step():
        x = probe.copy()
        u = W @ x
        for _ in range(sweeps):
            order = rng.permutation(n)
            noise = rng.random(n) if temp > 0 else None
            for k in range(n):
                i = order[k]
                ui = u[i] if incremental else W[i] @ x
                if temp > 0:
                    new = 1.0 if noise[k] < 1.0 / (1.0 + np.exp(-2.0 * ui / temp)) else -1.0
                else:
                    new = 1.0 if ui > 0 else (-1.0 if ui < 0 else x[i])
                if new != x[i]:
                    if incremental:
                        u += W[i] * (new - x[i])
                    x[i] = new

    return step


run(s, make_step, 1, f"numpy {np.__version__}, {'incremental fields' if incremental else 'W[i] @ x per unit'}")
