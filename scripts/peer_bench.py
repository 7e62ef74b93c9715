#!/usr/bin/env python3
"""The peers of `make bench`: a careful NumPy, PyTorch's CPU build and JAX on the Swift run's problems.

Two problems, each one epoch of Fashion-MNIST at batch 128 with softmax and cross-entropy (the
batch-mean loss), no dropout, no validation, biases at zero and weights drawn as the Swift package
draws them (He normal for ReLU layers, Glorot uniform for the others):
  relu-adam    784-256-128-10 ReLU, Adam (lr 1e-3, β 0.9/0.999, ε 1e-8)
  sigmoid-sgd  784-128-10 sigmoid, plain gradient descent (lr 0.1)
each in float64 and float32.

The NumPy side is written as a NumPy user who wants speed writes it: every buffer allocated once
before the epoch, every expression through `out=` or an in-place operator, the batch gathered with
`np.take(..., out=)`, the features standardised once before the epoch (as the Swift trainer does
per batch through its scaler). PyTorch's side is its ordinary idiom (nn.Linear, torch.optim,
F.cross_entropy, zero_grad(set_to_none=True)), which is what it is tuned for. JAX, when importable
(jax[cpu]; scripts/setup.sh --jax), runs the step as one jitted function (jax_peer.py), timed after
it is compiled, at XLA's default threads only.

Each peer runs at its library's default threads and at one thread; the faster counts (on a shared
machine a threaded BLAS can lose to other work). Prints one JSON object on its last line.
Usage: peer_bench.py [--quick] [--data DIR] [--no-torch] [--no-jax]
"""
import argparse
import gzip
import json
import os
import sys
import time

import numpy as np

PROBLEMS = {
    "relu-adam": {"sizes": [784, 256, 128, 10], "hidden": "relu", "optimizer": "adam", "lr": 1e-3},
    "sigmoid-sgd": {"sizes": [784, 128, 10], "hidden": "sigmoid", "optimizer": "sgd", "lr": 0.1},
}
BATCH = 128
BETA1, BETA2, EPS = 0.9, 0.999, 1e-8


def load_idx(path, offset):
    with gzip.open(path, "rb") as f:
        return np.frombuffer(f.read(), dtype=np.uint8, offset=offset)


def load_standardised(folder, quick):
    """Fashion-MNIST's training images (the first 10,000 when `quick`) as float64, each pixel
    standardised as the Swift trainer does (fitted on these samples; σ = 0 → unscaled), and labels."""
    images = load_idx(os.path.join(folder, "train-images-idx3-ubyte.gz"), 16).reshape(-1, 784)
    labels = load_idx(os.path.join(folder, "train-labels-idx1-ubyte.gz"), 8)
    if quick:
        images, labels = images[:10000], labels[:10000]
    X = images.astype(np.float64)
    mean, std = X.mean(axis=0), X.std(axis=0)
    std[std == 0] = 1
    return (X - mean) / std, labels


def initial_weights(sizes, hidden, rng, dtype):
    """He normal N(0, 2/fan_in) before ReLU, Glorot uniform U(±√(6/(fan_in+fan_out))) otherwise."""
    weights = []
    for l, (m, n) in enumerate(zip(sizes[:-1], sizes[1:])):
        last = l == len(sizes) - 2
        if hidden == "relu" and not last:
            w = rng.normal(0, np.sqrt(2 / m), (m, n))
        else:
            a = np.sqrt(6 / (m + n))
            w = rng.uniform(-a, a, (m, n))
        weights.append(w.astype(dtype))
    return weights


def numpy_epoch(X, labels, problem, dtype, seed=1):
    """One epoch with preallocated buffers and in-place updates; returns (seconds, mean loss)."""
    rng = np.random.default_rng(seed)
    spec = PROBLEMS[problem]
    sizes, hidden, lr = spec["sizes"], spec["hidden"], spec["lr"]
    L = len(sizes) - 1
    W = initial_weights(sizes, hidden, rng, dtype)
    b = [np.zeros(n, dtype) for n in sizes[1:]]
    params = W + b
    gW = [np.empty_like(w) for w in W]
    gb = [np.empty_like(v) for v in b]
    grads = gW + gb
    adam = spec["optimizer"] == "adam"
    m = [np.zeros_like(p) for p in params] if adam else []
    v = [np.zeros_like(p) for p in params] if adam else []
    tmp = [np.empty_like(p) for p in params]
    eye = np.eye(sizes[-1], dtype=dtype)

    def buffers(n):
        x = np.empty((n, sizes[0]), dtype)
        t = np.empty((n, sizes[-1]), dtype)
        h = [np.empty((n, k), dtype) for k in sizes[1:]]
        a = [np.empty((n, k), dtype) for k in sizes[1:]]
        d = [np.empty((n, k), dtype) for k in sizes[1:]]
        mask = [np.empty((n, k), bool) for k in sizes[1:]]
        col = np.empty((n, 1), dtype)
        return x, t, h, a, d, mask, col

    full = buffers(BATCH)
    tail = buffers(len(X) % BATCH) if len(X) % BATCH else None
    total_loss = 0.0
    step = 0
    start = time.perf_counter()
    order = rng.permutation(len(X))
    for first in range(0, len(X), BATCH):
        rows = order[first:first + BATCH]
        n = len(rows)
        x, t, h, a, d, mask, col = full if n == BATCH else tail
        np.take(X, rows, axis=0, out=x)
        np.take(eye, labels[rows], axis=0, out=t)
        # Forward.
        inputs = x
        for l in range(L):
            np.matmul(inputs, W[l], out=h[l])
            h[l] += b[l]
            if l < L - 1:
                if hidden == "relu":
                    np.maximum(h[l], 0, out=a[l])
                else:  # σ(h) = 1/(1 + e^−h)
                    np.negative(h[l], out=a[l])
                    np.exp(a[l], out=a[l])
                    a[l] += 1
                    np.reciprocal(a[l], out=a[l])
            inputs = a[l]
        # Softmax and cross-entropy from the logits: log y = h − max − log Σ e^(h − max).
        out = h[L - 1]
        np.max(out, axis=1, keepdims=True, out=col)
        out -= col
        np.exp(out, out=a[L - 1])
        np.sum(a[L - 1], axis=1, keepdims=True, out=col)
        a[L - 1] /= col                         # y
        np.log(col, out=col)
        out -= col                               # log y
        out *= t
        total_loss -= float(out.sum())
        # Backward: d = ∂L/∂h of the batch-mean loss.
        np.subtract(a[L - 1], t, out=d[L - 1])
        d[L - 1] /= n
        for l in range(L - 1, -1, -1):
            below = x if l == 0 else a[l - 1]
            np.matmul(below.T, d[l], out=gW[l])
            np.sum(d[l], axis=0, out=gb[l])
            if l > 0:
                np.matmul(d[l], W[l].T, out=d[l - 1])
                if hidden == "relu":
                    np.greater(h[l - 1], 0, out=mask[l - 1])
                    d[l - 1] *= mask[l - 1]
                else:  # σ′ = a(1 − a)
                    np.subtract(1, a[l - 1], out=h[l - 1])
                    h[l - 1] *= a[l - 1]
                    d[l - 1] *= h[l - 1]
        # Update.
        step += 1
        if adam:
            step_size = lr / (1 - BETA1 ** step)
            root_correction = np.sqrt(1 / (1 - BETA2 ** step))
            for i, g in enumerate(grads):
                m[i] *= BETA1
                np.multiply(g, 1 - BETA1, out=tmp[i])
                m[i] += tmp[i]
                v[i] *= BETA2
                np.multiply(g, g, out=tmp[i])
                tmp[i] *= 1 - BETA2
                v[i] += tmp[i]
                np.sqrt(v[i], out=tmp[i])        # √(v/(1 − β2ᵗ)) + ε
                tmp[i] *= root_correction
                tmp[i] += EPS
                np.divide(m[i], tmp[i], out=tmp[i])
                tmp[i] *= step_size
                params[i] -= tmp[i]
        else:
            for i, g in enumerate(grads):
                np.multiply(g, lr, out=tmp[i])
                params[i] -= tmp[i]
    return time.perf_counter() - start, total_loss / len(X)


def torch_epoch(torch, X, labels, problem, dtype, seed=1):
    """One epoch in PyTorch's usual idiom; returns (seconds, mean loss)."""
    spec = PROBLEMS[problem]
    sizes, hidden, lr = spec["sizes"], spec["hidden"], spec["lr"]
    rng = np.random.default_rng(seed)
    layers = []
    for l, w in enumerate(initial_weights(sizes, hidden, rng, np.float64)):
        linear = torch.nn.Linear(w.shape[0], w.shape[1], dtype=dtype)
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(w.T.copy()))
            linear.bias.zero_()
        layers.append(linear)
        if l < len(sizes) - 2:
            layers.append(torch.nn.ReLU() if hidden == "relu" else torch.nn.Sigmoid())
    model = torch.nn.Sequential(*layers)
    if spec["optimizer"] == "adam":
        optimizer = torch.optim.Adam(model.parameters(), lr=lr, betas=(BETA1, BETA2), eps=EPS)
    else:
        optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    Xt = torch.from_numpy(X).to(dtype)
    yt = torch.from_numpy(labels.astype(np.int64))
    total_loss = 0.0
    start = time.perf_counter()
    order = torch.from_numpy(rng.permutation(len(X)))
    for first in range(0, len(X), BATCH):
        rows = order[first:first + BATCH]
        x, y = Xt[rows], yt[rows]
        optimizer.zero_grad(set_to_none=True)
        loss = torch.nn.functional.cross_entropy(model(x), y)
        loss.backward()
        optimizer.step()
        total_loss += loss.item() * len(rows)
    return time.perf_counter() - start, total_loss / len(X)


def fastest(run, limit_threads):
    """(seconds, loss, threads) of the faster of the default-thread and the one-thread run."""
    runs = {"default": run()}
    one = limit_threads(run)
    if one is not None:
        runs["1"] = one
    best = min(runs, key=lambda k: runs[k][0])
    return runs[best][0], runs[best][1], best, {k: r[0] for k, r in runs.items()}


def numpy_one_thread(run):
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return None
    with threadpool_limits(limits=1, user_api="blas"):
        return run()


def blas_info():
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return {"note": "threadpoolctl not installed"}
    for pool in threadpool_info():
        if pool.get("user_api") == "blas":
            return {k: pool.get(k) for k in ("internal_api", "version", "architecture", "num_threads", "filepath")}
    return {"note": "no BLAS pool found"}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="the first 10,000 samples")
    parser.add_argument("--data", default="/usr/share/datasets/fashion-mnist", help="folder of the IDX .gz files")
    parser.add_argument("--no-torch", action="store_true", help="leave PyTorch out even when installed")
    parser.add_argument("--no-jax", action="store_true", help="leave JAX out even when installed")
    args = parser.parse_args()

    X, labels = load_standardised(args.data, args.quick)

    torch = None
    torch_note = None
    if args.no_torch:
        torch_note = "PyTorch left out (--no-torch)"
    else:
        try:
            import torch
        except ImportError:
            torch_note = "PyTorch is not installed (pip install torch==2.13.0+cpu); its columns are empty"

    jax_peer = None
    jax_note = None
    if args.no_jax:
        jax_note = "JAX left out (--no-jax)"
    else:
        try:
            sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
            import jax_peer
        except ImportError:
            jax_note = "JAX is not installed (pip install 'jax[cpu]', or scripts/setup.sh --jax); its columns are empty"

    runs = []
    for problem in PROBLEMS:
        for precision, np_dtype in (("float64", np.float64), ("float32", np.float32)):
            Xd = X.astype(np_dtype)
            seconds, loss, threads, by_threads = fastest(lambda: numpy_epoch(Xd, labels, problem, np_dtype), numpy_one_thread)
            runs.append({"framework": "numpy", "problem": problem, "precision": precision, "samples": len(X),
                         "epochSeconds": seconds, "samplesPerSecond": len(X) / seconds, "threads": threads,
                         "epochSecondsByThreads": by_threads, "trainingLoss": loss})
            if torch is not None:
                tdtype = torch.float64 if precision == "float64" else torch.float32
                default_threads = torch.get_num_threads()

                def torch_one_thread(run):
                    torch.set_num_threads(1)
                    try:
                        return run()
                    finally:
                        torch.set_num_threads(default_threads)

                seconds, loss, threads, by_threads = fastest(lambda: torch_epoch(torch, X, labels, problem, tdtype), torch_one_thread)
                runs.append({"framework": "torch", "problem": problem, "precision": precision, "samples": len(X),
                             "epochSeconds": seconds, "samplesPerSecond": len(X) / seconds, "threads": threads,
                             "epochSecondsByThreads": by_threads, "trainingLoss": loss})
            if jax_peer is not None:
                seconds, loss = jax_peer.jax_epoch(X, labels, PROBLEMS[problem], initial_weights, np_dtype, BATCH, BETA1, BETA2, EPS)
                runs.append({"framework": "jax", "problem": problem, "precision": precision, "samples": len(X),
                             "epochSeconds": seconds, "samplesPerSecond": len(X) / seconds, "threads": "default",
                             "epochSecondsByThreads": {"default": seconds}, "trainingLoss": loss})
            print(f"peer_bench: {problem} {precision} done", file=sys.stderr)

    print(json.dumps({
        "numpyVersion": np.__version__,
        "pythonVersion": sys.version.split()[0],
        "blas": blas_info(),
        "torchVersion": torch.__version__ if torch is not None else None,
        "torchThreads": torch.get_num_threads() if torch is not None else None,
        "torchNote": torch_note,
        "jaxVersion": jax_peer.VERSION if jax_peer is not None else None,
        "jaxNote": jax_note,
        "batch": BATCH,
        "runs": runs,
    }))


if __name__ == "__main__":
    main()
