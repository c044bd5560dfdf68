"""CNN epoch peer (PyTorch): one epoch of plain mini-batch SGD of the LeNet-like net of
bench/cnn-epoch.ts (conv 5x5x20 -> maxpool 2 -> conv 5x5x50 -> maxpool 2 -> dense 500 ReLU ->
dense 10, softmax cross-entropy) on the digits it wrote to a file (float32 images, then uint8
labels). PyTorch is NCHW; the digits are one channel, so the same bytes serve. Batches in order."""
from timing import run, settings, torch_threads
import numpy as np
import torch

s = settings()
torch.manual_seed(1)
threads = torch_threads(torch, s)


def make_step(w):
    n, batch, side = w["n"], w["batch"], w["side"]
    raw = np.fromfile(w["dataFile"], dtype=np.uint8)
    pixels = n * side * side
    x = torch.from_numpy(raw[: pixels * 4].view(np.float32).reshape(n, 1, side, side).copy())
    y = torch.from_numpy(raw[pixels * 4 :].astype(np.int64))
    c1, c2, hidden, classes = w["conv1"], w["conv2"], w["hidden"], w["classes"]
    p = ((side - 4) // 2 - 4) // 2  # side of the maps after the second pooling
    flat = c2 * p * p
    model = torch.nn.Sequential(
        torch.nn.Conv2d(1, c1, 5), torch.nn.MaxPool2d(2),
        torch.nn.Conv2d(c1, c2, 5), torch.nn.MaxPool2d(2),
        torch.nn.Flatten(), torch.nn.Linear(flat, hidden), torch.nn.ReLU(), torch.nn.Linear(hidden, classes),
    )
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
