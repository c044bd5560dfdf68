"""Deep autoencoder epoch peer (PyTorch): one epoch of plain mini-batch SGD on the digits
bench/ae-epoch.ts wrote to a file, the same net: Linear layers each followed by a sigmoid,
binary cross-entropy against the input itself, batches in order (as ours)."""
from timing import read_digits, run, settings, torch_threads
import numpy as np
import torch

s = settings()
torch.manual_seed(1)
threads = torch_threads(torch, s)


def make_step(w):
    layers, batch = w["layers"], w["batch"]
    x, _ = read_digits(torch, np, w, (layers[0],))
    modules = []
    for i in range(len(layers) - 1):
        modules += [torch.nn.Linear(layers[i], layers[i + 1]), torch.nn.Sigmoid()]
    model = torch.nn.Sequential(*modules)
    loss_fn = torch.nn.BCELoss()
    opt = torch.optim.SGD(model.parameters(), lr=w["learningRate"])

    def epoch():
        for start in range(0, x.shape[0], batch):
            xb = x[start : start + batch]
            opt.zero_grad(set_to_none=False)
            loss_fn(model(xb), xb).backward()
            opt.step()

    return epoch


run(s, make_step, threads, f"torch {torch.__version__}, torch.get_num_threads()={threads}, autograd + BCELoss + torch.optim.SGD")
