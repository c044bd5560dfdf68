"""RBM CD-1 peer (PyTorch): the same step as bench/rbm-cd1.ts, without autograd."""
from timing import run, settings, torch_threads
import torch

s = settings()
torch.manual_seed(3)
threads = torch_threads(torch, s)


def make_step(w):
    v0 = (torch.rand(w["batch"], w["visible"]) < 0.5).float()
    W = torch.randn(w["visible"], w["hidden"]) * 0.01
    a, b = torch.zeros(w["visible"]), torch.zeros(w["hidden"])

    @torch.no_grad()
    def step():
        hp0 = torch.sigmoid(torch.addmm(b, v0, W))
        h0 = torch.bernoulli(hp0)
        vp1 = torch.sigmoid(torch.addmm(a, h0, W.t()))
        hp1 = torch.sigmoid(torch.addmm(b, vp1, W))
        return v0.t() @ hp0 - vp1.t() @ hp1

    return step


run(s, make_step, threads, f"torch {torch.__version__}, torch.get_num_threads()={threads}")
