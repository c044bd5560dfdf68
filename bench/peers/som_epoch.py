"""som-epoch peer: the same batch-SOM epoch as bench/som-epoch.ts, vectorised in NumPy: the
winners by one distance GEMM, per-node sums (sort + reduceat), the fixed point W = (H S) / (H n),
then the quantisation and topographic errors from a second distance pass."""
import numpy as np
from timing import run, settings

s = settings()


def make_step(w):
    n, rows, cols, sigma = w["n"], w["rows"], w["cols"], w["radius"]
    X = np.fromfile(w["dataFile"], dtype=np.float32, count=n * 784).reshape(n, 784)
    m = rows * cols
    r, c = np.divmod(np.arange(m), cols)
    pos = np.stack([c, r], 1).astype(np.float32)
    G2 = ((pos[:, None, :] - pos[None, :, :]) ** 2).sum(-1)
    H = np.exp(-G2 / (2 * sigma * sigma)).astype(np.float32)
    rng = np.random.default_rng(1)
    start = X[rng.choice(n, m, replace=False)].copy()
    xx = (X * X).sum(1)[:, None]
    state = {"W": start}

    def distances(W):
        return np.maximum(xx - 2 * (X @ W.T) + (W * W).sum(1)[None, :], 0)

    def step():
        W = state["W"]
        win = distances(W).argmin(1)
        counts = np.bincount(win, minlength=m).astype(np.float32)
        order = np.argsort(win, kind="stable")
        starts = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)
        S = np.zeros((m, 784), np.float32)
        nz = counts > 0
        S[nz] = np.add.reduceat(X[order], starts[nz], axis=0)
        num = H @ S
        den = H @ counts
        W = np.where(den[:, None] > 1e-12, num / np.maximum(den, 1e-12)[:, None], W).astype(np.float32)
        state["W"] = W
        D = distances(W)
        two = np.argpartition(D, 1, axis=1)[:, :2]
        d2 = np.take_along_axis(D, two, 1)
        flip = d2[:, 1] < d2[:, 0]
        best = np.where(flip, two[:, 1], two[:, 0])
        second = np.where(flip, two[:, 0], two[:, 1])
        qe = np.sqrt(D[np.arange(n), best]).mean()
        te = (G2[best, second] > 1 + 1e-9).mean()
        return qe, te

    return step


run(s, make_step, s["threads"], f"numpy {np.__version__}, vectorised batch SOM")
