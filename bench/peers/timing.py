"""Timing for Python peers, the same protocol as bench/harness.ts (measure): warm-up, then
samples of `inner` calls each; per-call median and min. Settings arrive as JSON in argv[1];
records leave as JSON lines on stdout, so process start-up and imports are never timed."""
import ctypes
import json
import math
import os
import sys
import time


def settings():
    return json.loads(sys.argv[1])


def measure(fn, s):
    calls, start = 0, time.perf_counter()
    while True:
        fn()
        calls += 1
        if time.perf_counter() - start >= s["warmupSeconds"]:
            break
    per_call = (time.perf_counter() - start) / calls
    inner = max(1, math.ceil(s["minSampleSeconds"] / per_call))
    n = max(min(3, s["repeats"]), min(s["repeats"], int(s["maxSeconds"] // (per_call * inner))))
    samples = []
    for _ in range(n):
        t0 = time.perf_counter()
        for _ in range(inner):
            fn()
        samples.append((time.perf_counter() - t0) / inner)
    samples.sort()
    mid = n // 2
    median = samples[mid] if n % 2 else (samples[mid - 1] + samples[mid]) / 2
    return n, median, samples[0]


def blas_note():
    """OpenBLAS version and the core type it picked (or OPENBLAS_CORETYPE pinned)."""
    with open("/proc/self/maps") as maps:
        libs = sorted({line.split()[-1] for line in maps if "openblas" in line.lower() and ".so" in line})
    pinned = os.environ.get("OPENBLAS_CORETYPE")
    pin = f"OPENBLAS_CORETYPE={pinned}" if pinned else "OPENBLAS_CORETYPE unset"
    for path in libs:
        lib = ctypes.CDLL(path)
        # Debian's libopenblas exports openblas_*; the scipy-openblas in numpy wheels prefixes and suffixes them
        for prefix, suffix in (("openblas_", ""), ("scipy_openblas_", "64_"), ("scipy_openblas_", "")):
            corename = getattr(lib, f"{prefix}get_corename{suffix}", None)
            if corename is None:
                continue
            corename.restype = ctypes.c_char_p
            config = getattr(lib, f"{prefix}get_config{suffix}")
            config.restype = ctypes.c_char_p
            threads = getattr(lib, f"{prefix}get_num_threads{suffix}")()
            version = " ".join(config().decode().split()[:2])
            return f"{version} core={corename().decode()} threads={threads} ({pin})"
    return f"BLAS is not OpenBLAS or not loaded ({pin})"


def run(s, make_step, threads, note_extra=""):
    """Times make_step(workload)() for each workload and prints one record per workload.
    The note is read after the first call, when the BLAS library is surely loaded."""
    for w in s["workloads"]:
        step = make_step(w)
        n, median, minimum = measure(step, s)
        note = blas_note() + (f"; {note_extra}" if note_extra else "")
        record = {"bench": s["bench"], "workload": w["workload"], "impl": s["impl"], "threads": threads,
                  "n": n, "median_s": float(f"{median:.4g}"), "min_s": float(f"{minimum:.4g}"), "note": note}
        if "flops" in w:
            record["gflops"] = float(f"{w['flops'] / median / 1e9:.3g}")
        print(json.dumps(record), flush=True)


def torch_threads(torch, s):
    torch.set_num_threads(s["threads"])
    return torch.get_num_threads()


def read_digits(torch, np, w, shape):
    """The digits bench/digits.ts wrote: float32 pixels reshaped to (n, *shape), then uint8 labels."""
    n = w["n"]
    pixels = n * int(np.prod(shape))
    raw = np.fromfile(w["dataFile"], dtype=np.uint8)
    x = torch.from_numpy(raw[: pixels * 4].view(np.float32).reshape(n, *shape).copy())
    y = torch.from_numpy(raw[pixels * 4 :].astype(np.int64))
    return x, y


def sgd_epoch(torch, model, x, y, batch, learning_rate):
    """One epoch of plain mini-batch SGD on softmax cross-entropy, batches in order (as ours)."""
    loss_fn = torch.nn.CrossEntropyLoss()
    opt = torch.optim.SGD(model.parameters(), lr=learning_rate)

    def epoch():
        for start in range(0, x.shape[0], batch):
            opt.zero_grad(set_to_none=False)
            loss = loss_fn(model(x[start : start + batch]), y[start : start + batch])
            loss.backward()
            opt.step()

    return epoch
