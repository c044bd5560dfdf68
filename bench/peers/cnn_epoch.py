"""CNN epoch peer (PyTorch): one epoch of plain mini-batch SGD of the LeNet-like net of
bench/cnn-epoch.ts (conv 5x5x20 -> maxpool 2 -> conv 5x5x50 -> maxpool 2 -> dense 500 ReLU ->
dense 10, softmax cross-entropy) on the digits it wrote to a file (float32 images, then uint8
labels). PyTorch is NCHW; the digits are one channel, so the same bytes serve. Batches in order."""
from timing import read_digits, run, settings, sgd_epoch, torch_threads
import numpy as np
import torch

s = settings()
torch.manual_seed(1)
threads = torch_threads(torch, s)


def make_step(w):
    batch, side = w["batch"], w["side"]
    x, y = read_digits(torch, np, w, (1, side, side))
    c1, c2, hidden, classes = w["conv1"], w["conv2"], w["hidden"], w["classes"]
    p = ((side - 4) // 2 - 4) // 2  # side of the maps after the second pooling
    flat = c2 * p * p
    model = torch.nn.Sequential(
        torch.nn.Conv2d(1, c1, 5), torch.nn.MaxPool2d(2),
        torch.nn.Conv2d(c1, c2, 5), torch.nn.MaxPool2d(2),
        torch.nn.Flatten(), torch.nn.Linear(flat, hidden), torch.nn.ReLU(), torch.nn.Linear(hidden, classes),
    )
    return sgd_epoch(torch, model, x, y, batch, w["learningRate"])


run(s, make_step, threads, f"torch {torch.__version__}, torch.get_num_threads()={threads}, autograd + torch.optim.SGD")
