"""MLP epoch peer (PyTorch): one epoch of plain mini-batch SGD on the digits bench/mlp-epoch.ts
wrote to a file (float32 images, then uint8 labels), with the same architecture: Linear layers
with ReLU between them and softmax cross-entropy on the last one. Batches in order, as ours."""
from timing import run, settings, torch_threads
import numpy as np
import torch

s = settings()
torch.manual_seed(1)
threads = torch_threads(torch, s)


def make_step(w):
    n, layers, batch = w["n"], w["layers"], w["batch"]
    raw = np.fromfile(w["dataFile"], dtype=np.uint8)
    x = torch.from_numpy(raw[: n * layers[0] * 4].view(np.float32).reshape(n, layers[0]).copy())
    y = torch.from_numpy(raw[n * layers[0] * 4 :].astype(np.int64))
    modules = []
    for i in range(len(layers) - 1):
        modules.append(torch.nn.Linear(layers[i], layers[i + 1]))
        if i < len(layers) - 2:
            modules.append(torch.nn.ReLU())
    model = torch.nn.Sequential(*modules)
    loss_fn = torch.nn.CrossEntropyLoss()
    opt = torch.optim.SGD(model.parameters(), lr=w["learningRate"])

    def epoch():
        for start in range(0, n, batch):
            opt.zero_grad(set_to_none=False)
            loss = loss_fn(model(x[start : start + batch]), y[start : start + batch])
            loss.backward()
            opt.step()

    return epoch


run(s, make_step, threads, f"torch {torch.__version__}, torch.get_num_threads()={threads}, autograd + torch.optim.SGD")
