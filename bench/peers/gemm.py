"""GEMM peer: C = op(A) B with PyTorch or NumPy on the workloads bench/gemm.ts sends."""
from timing import run, settings, torch_threads

s = settings()

if s["impl"] == "pytorch":
    import torch

    torch.manual_seed(1)
    threads = torch_threads(torch, s)

    def make_step(w):
        a = torch.randn(w["k"], w["m"]) if w["transA"] else torch.randn(w["m"], w["k"])
        b, c = torch.randn(w["k"], w["n"]), torch.empty(w["m"], w["n"])
        op_a = a.t() if w["transA"] else a
        return lambda: torch.matmul(op_a, b, out=c)

    run(s, make_step, threads, f"torch {torch.__version__}, torch.get_num_threads()={threads}")
else:
    import numpy as np

    rng = np.random.default_rng(1)

    def make_step(w):
        a = rng.standard_normal((w["k"], w["m"]) if w["transA"] else (w["m"], w["k"]), dtype=np.float32)
        b, c = rng.standard_normal((w["k"], w["n"]), dtype=np.float32), np.empty((w["m"], w["n"]), np.float32)
        op_a = a.T if w["transA"] else a
        return lambda: np.matmul(op_a, b, out=c)

    run(s, make_step, s["threads"], f"numpy {np.__version__}")
