"""MLP epoch peer (PyTorch): one epoch of plain mini-batch SGD on the digits bench/mlp-epoch.ts
wrote to a file (float32 images, then uint8 labels), with the same architecture: Linear layers
with ReLU between them and softmax cross-entropy on the last one. Batches in order, as ours."""
from timing import read_digits, run, settings, sgd_epoch, torch_threads
import numpy as np
import torch

s = settings()
torch.manual_seed(1)
threads = torch_threads(torch, s)


def make_step(w):
    layers, batch = w["layers"], w["batch"]
    x, y = read_digits(torch, np, w, (layers[0],))
    modules = []
    for i in range(len(layers) - 1):
        modules.append(torch.nn.Linear(layers[i], layers[i + 1]))
        if i < len(layers) - 2:
            modules.append(torch.nn.ReLU())
    model = torch.nn.Sequential(*modules)
    return sgd_epoch(torch, model, x, y, batch, w["learningRate"])


run(s, make_step, threads, f"torch {torch.__version__}, torch.get_num_threads()={threads}, autograd + torch.optim.SGD")
