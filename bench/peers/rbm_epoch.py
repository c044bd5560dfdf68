"""RBM epoch peer: the same CD-1 epoch as bench/rbm-epoch.ts (shuffle, 100-digit batches,
five matmuls, sampling, momentum, weight decay, step) in PyTorch or NumPy, and scikit-learn's
BernoulliRBM.fit with n_iter=1 (PCD-1, its only algorithm) on the same digits."""
import numpy as np
from timing import run, settings, torch_threads

s = settings()
impl = s["impl"]


def load(w):
    return np.fromfile(w["dataPath"], dtype=np.float32).reshape(w["n"], w["visible"])


if impl == "pytorch":
    import torch

    torch.manual_seed(1)
    threads = torch_threads(torch, s)

    def make_step(w):
        X = torch.from_numpy(load(w))
        V, H, B, eps, m, wd = w["visible"], w["hidden"], w["batch"], w["learningRate"], w["momentum"], w["weightDecay"]
        W = torch.randn(V, H) * 0.01
        a, b = torch.zeros(V), torch.zeros(H)
        vW, va, vb = torch.zeros(V, H), torch.zeros(V), torch.zeros(H)
        k = eps / B

        @torch.no_grad()
        def epoch():
            err = 0.0
            perm = torch.randperm(w["n"])
            for i in range(0, w["n"], B):
                v0 = X[perm[i:i + B]]
                hp0 = torch.sigmoid(torch.addmm(b, v0, W))
                h0 = torch.bernoulli(hp0)
                vp1 = torch.sigmoid(torch.addmm(a, h0, W.t()))
                hp1 = torch.sigmoid(torch.addmm(b, vp1, W))
                vW.mul_(m).addmm_(v0.t(), hp0, alpha=k).addmm_(vp1.t(), hp1, alpha=-k).add_(W, alpha=-eps * wd)
                va.mul_(m).add_(v0.sum(0) - vp1.sum(0), alpha=k)
                vb.mul_(m).add_(hp0.sum(0) - hp1.sum(0), alpha=k)
                W.add_(vW)
                a.add_(va)
                b.add_(vb)
                err += float(((v0 - vp1) ** 2).sum())
            return err

        return epoch

    run(s, make_step, threads, f"torch {torch.__version__}, torch.get_num_threads()={threads}")

elif impl == "numpy":
    rng = np.random.default_rng(1)

    def sigmoid(x, out):
        np.negative(x, out=out)
        np.exp(out, out=out)
        out += 1
        np.reciprocal(out, out=out)
        return out

    def make_step(w):
        X = load(w)
        V, H, B, eps, m, wd = w["visible"], w["hidden"], w["batch"], w["learningRate"], w["momentum"], w["weightDecay"]
        W = (rng.standard_normal((V, H)) * 0.01).astype(np.float32)
        a, b = np.zeros(V, np.float32), np.zeros(H, np.float32)
        vW, va, vb = np.zeros_like(W), np.zeros_like(a), np.zeros_like(b)
        k = np.float32(eps / B)

        def epoch():
            nonlocal W, a, b, vW, va, vb
            err = 0.0
            perm = rng.permutation(w["n"])
            for i in range(0, w["n"], B):
                v0 = X[perm[i:i + B]]
                hp0 = sigmoid(v0 @ W + b, np.empty((len(v0), H), np.float32))
                h0 = (rng.random(hp0.shape, dtype=np.float32) < hp0).astype(np.float32)
                vp1 = sigmoid(h0 @ W.T + a, np.empty_like(v0))
                hp1 = sigmoid(vp1 @ W + b, np.empty_like(hp0))
                vW *= m
                vW += k * (v0.T @ hp0 - vp1.T @ hp1) - np.float32(eps * wd) * W
                va *= m
                va += k * (v0.sum(0) - vp1.sum(0))
                vb *= m
                vb += k * (hp0.sum(0) - hp1.sum(0))
                W += vW
                a += va
                b += vb
                err += float(((v0 - vp1) ** 2).sum())
            return err

        return epoch

    run(s, make_step, s["threads"], f"numpy {np.__version__}")

else:
    import sklearn
    from sklearn.neural_network import BernoulliRBM

    def make_step(w):
        X = load(w)
        rbm = BernoulliRBM(n_components=w["hidden"], learning_rate=w["learningRate"], batch_size=w["batch"], n_iter=1, random_state=0)
        return lambda: rbm.fit(X)

    run(s, make_step, s["threads"], f"scikit-learn {sklearn.__version__} BernoulliRBM (PCD-1, no momentum or weight decay; fit includes its initialisation)")
