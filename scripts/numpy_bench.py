#!/usr/bin/env python3
"""The NumPy side of `make bench`: the same training epoch and the lesson's quiz step, in NumPy.

One epoch of Fashion-MNIST through a 784-256-128-10 network (ReLU, softmax with cross-entropy,
Adam, batch 128, float64), written plainly as a NumPy user would: whole-array expressions,
matrix products through `@`, which NumPy hands to the BLAS it ships with. Run at the BLAS's default
thread count and at one thread; the faster is reported. And the lesson's quiz
step (quiz_solution.py plus applying the weight steps), timed with timeit.

Prints a JSON object on its last line of standard output; `backprop-bench` reads it.
Usage: numpy_bench.py [--quick] [--data DIR]
"""
import argparse
import gzip
import json
import os
import statistics
import sys
import time
import timeit

import numpy as np


def load_idx(path, offset):
    with gzip.open(path, "rb") as f:
        return np.frombuffer(f.read(), dtype=np.uint8, offset=offset)


def blas_info():
    """Which BLAS NumPy runs, its kernel family and threads (threadpoolctl, when installed)."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return {"note": "threadpoolctl not installed"}
    for pool in threadpool_info():
        if pool.get("user_api") == "blas":
            return {k: pool.get(k) for k in ("internal_api", "version", "architecture", "num_threads", "filepath")}
    return {"note": "no BLAS pool found"}


def epoch(X, T, rng, batch=128, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    """One epoch of mini-batch Adam; returns (seconds, mean training loss)."""
    sizes = [X.shape[1], 256, 128, 10]
    W = [rng.normal(0, np.sqrt(2 / m), (m, n)) for m, n in zip(sizes[:-1], sizes[1:])]  # He initialisation
    b = [np.zeros(n) for n in sizes[1:]]
    params = W + b
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    t = 0
    total_loss = 0.0
    start = time.perf_counter()
    order = rng.permutation(len(X))
    for first in range(0, len(X), batch):
        rows = order[first:first + batch]
        x, target = X[rows], T[rows]
        n = len(rows)
        # Forward.
        h1 = x @ W[0] + b[0]
        a1 = np.maximum(h1, 0)
        h2 = a1 @ W[1] + b[1]
        a2 = np.maximum(h2, 0)
        h3 = a2 @ W[2] + b[2]
        shifted = h3 - h3.max(axis=1, keepdims=True)
        log_y = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        total_loss += -(target * log_y).sum()
        # Backward: d = ∂L/∂h for the batch-mean loss.
        d3 = (np.exp(log_y) - target) / n
        d2 = (d3 @ W[2].T) * (h2 > 0)
        d1 = (d2 @ W[1].T) * (h1 > 0)
        grads = [x.T @ d1, a1.T @ d2, a2.T @ d3, d1.sum(axis=0), d2.sum(axis=0), d3.sum(axis=0)]
        # Adam.
        t += 1
        for i, g in enumerate(grads):
            m[i] = beta1 * m[i] + (1 - beta1) * g
            v[i] = beta2 * v[i] + (1 - beta2) * g * g
            m_hat = m[i] / (1 - beta1 ** t)
            v_hat = v[i] / (1 - beta2 ** t)
            params[i] -= lr * m_hat / (np.sqrt(v_hat) + eps)
    return time.perf_counter() - start, total_loss / len(X)


def quiz_step_seconds(repeats):
    """The lesson's quiz step (quiz_solution.py), with the weight steps applied: median seconds."""
    def sigmoid(x):
        return 1 / (1 + np.exp(-x))

    x = np.array([0.5, 0.1, -0.2])
    target = 0.6
    learnrate = 0.5
    weights_input_hidden = np.array([[0.5, -0.6], [0.1, -0.2], [0.1, 0.7]])
    weights_hidden_output = np.array([0.1, -0.3])

    def step():
        nonlocal weights_input_hidden, weights_hidden_output
        hidden_layer_input = np.dot(x, weights_input_hidden)
        hidden_layer_output = sigmoid(hidden_layer_input)
        output_layer_in = np.dot(hidden_layer_output, weights_hidden_output)
        output = sigmoid(output_layer_in)
        error = target - output
        output_error_term = error * output * (1 - output)
        hidden_error_term = np.dot(output_error_term, weights_hidden_output) * \
            hidden_layer_output * (1 - hidden_layer_output)
        delta_w_h_o = learnrate * output_error_term * hidden_layer_output
        delta_w_i_h = learnrate * hidden_error_term * x[:, None]
        weights_hidden_output += delta_w_h_o
        weights_input_hidden += delta_w_i_h

    number = 2000
    times = timeit.repeat(step, number=number, repeat=repeats)
    return statistics.median(times) / number


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a 10,000-sample epoch and fewer quiz repeats")
    parser.add_argument("--data", default="/usr/share/datasets/fashion-mnist", help="folder of the IDX .gz files")
    args = parser.parse_args()

    images = load_idx(os.path.join(args.data, "train-images-idx3-ubyte.gz"), 16).reshape(-1, 784)
    labels = load_idx(os.path.join(args.data, "train-labels-idx1-ubyte.gz"), 8)
    if args.quick:
        images, labels = images[:10000], labels[:10000]
    # Standardise each pixel as the Swift trainer does (fitted on these samples; σ = 0 → unscaled).
    X = images.astype(np.float64)
    mean = X.mean(axis=0)
    std = X.std(axis=0)
    std[std == 0] = 1
    X = (X - mean) / std
    T = np.eye(10)[labels]

    # The epoch with NumPy's BLAS at its default threads, and at one thread (through threadpoolctl,
    # when installed): on a shared machine a threaded OpenBLAS can lose badly to other work, so
    # the comparison takes NumPy's faster run.
    runs = {}
    seconds, loss = epoch(X, T, np.random.default_rng(1))
    runs["default"] = seconds
    try:
        from threadpoolctl import threadpool_limits
        with threadpool_limits(limits=1, user_api="blas"):
            runs["1"], _ = epoch(X, T, np.random.default_rng(1))
    except ImportError:
        pass
    best = min(runs, key=runs.get)
    quiz = quiz_step_seconds(5 if args.quick else 15)
    print(json.dumps({
        "numpyVersion": np.__version__,
        "pythonVersion": sys.version.split()[0],
        "blas": blas_info(),
        "network": "784-256-128-10 relu",
        "batch": 128,
        "samples": len(X),
        "epochSeconds": runs[best],
        "samplesPerSecond": len(X) / runs[best],
        "blasThreads": best,
        "epochSecondsByThreads": runs,
        "trainingLoss": loss,
        "quizStepSeconds": quiz,
    }))


if __name__ == "__main__":
    main()
