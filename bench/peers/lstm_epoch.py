"""LSTM epoch peer (PyTorch): one Adam epoch of row-by-row MNIST on the digits bench/lstm-epoch.ts
wrote to a file: each image as 28 steps of 28 pixels, torch.nn.LSTM(28, 128, batch_first=True),
its last h_T into nn.Linear(128, 10), softmax cross-entropy, torch.optim.Adam; batches in order."""
from timing import read_digits, run, settings, torch_threads
import numpy as np
import torch

s = settings()
torch.manual_seed(1)
threads = torch_threads(torch, s)


def make_step(w):
    steps, features, units, batch = w["steps"], w["features"], w["units"], w["batch"]
    x, y = read_digits(torch, np, w, (steps, features))
    lstm = torch.nn.LSTM(features, units, batch_first=True)
    dense = torch.nn.Linear(units, w["classes"])
    opt = torch.optim.Adam(list(lstm.parameters()) + list(dense.parameters()), lr=w["learningRate"])
    loss_fn = torch.nn.CrossEntropyLoss()

    def epoch():
        for start in range(0, x.shape[0], batch):
            opt.zero_grad(set_to_none=False)
            _, (h_last, _) = lstm(x[start : start + batch])
            loss = loss_fn(dense(h_last[0]), y[start : start + batch])
            loss.backward()
            opt.step()

    return epoch


run(s, make_step, threads, f"torch {torch.__version__}, torch.get_num_threads()={threads}, nn.LSTM + autograd + torch.optim.Adam")
