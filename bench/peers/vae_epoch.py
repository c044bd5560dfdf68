"""VAE epoch peer (PyTorch): one Adam epoch of the 784-400-20 VAE on the digits bench/vae-epoch.ts
wrote to a file: Linear + tanh encoder to [mu, log sigma^2], z = mu + sigma * eps with fresh eps
each batch, Linear + tanh decoder to logits; loss = BCE summed over pixels + analytic KL, averaged
over the batch (as ours); batches in order."""
from timing import read_digits, run, settings, torch_threads
import numpy as np
import torch

s = settings()
torch.manual_seed(1)
threads = torch_threads(torch, s)


def make_step(w):
    (inputs, hidden, latent), batch = w["layers"], w["batch"]
    x, _ = read_digits(torch, np, w, (inputs,))
    encoder = torch.nn.Sequential(torch.nn.Linear(inputs, hidden), torch.nn.Tanh(), torch.nn.Linear(hidden, 2 * latent))
    decoder = torch.nn.Sequential(torch.nn.Linear(latent, hidden), torch.nn.Tanh(), torch.nn.Linear(hidden, inputs))
    params = list(encoder.parameters()) + list(decoder.parameters())
    opt = torch.optim.Adam(params, lr=w["learningRate"])
    bce = torch.nn.functional.binary_cross_entropy_with_logits

    def epoch():
        for start in range(0, x.shape[0], batch):
            xb = x[start : start + batch]
            opt.zero_grad(set_to_none=False)
            mu, log_var = encoder(xb).chunk(2, dim=1)
            z = mu + torch.exp(0.5 * log_var) * torch.randn_like(mu)
            kl = -0.5 * torch.sum(1 + log_var - mu * mu - log_var.exp())
            loss = (bce(decoder(z), xb, reduction="sum") + kl) / xb.shape[0]
            loss.backward()
            opt.step()

    return epoch


run(s, make_step, threads, f"torch {torch.__version__}, torch.get_num_threads()={threads}, autograd + BCE with logits + KL + torch.optim.Adam")
