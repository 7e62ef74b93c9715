#!/usr/bin/env python3
"""The NumPy side of `make bench`: the same training epoch and the lesson's quiz step, in NumPy.

One epoch of Fashion-MNIST through a 784-256-128-10 network (ReLU, softmax with cross-entropy,
Adam, batch 128, float64), written as a careful NumPy user writes it: preallocated buffers and
in-place updates (peer_bench.numpy_epoch, the same code the peer comparison runs). Run at the BLAS's
default thread count and at one thread; the faster is reported. And the lesson's quiz
step (quiz_solution.py plus applying the weight steps), timed with timeit.

Prints a JSON object on its last line of standard output; `backprop-bench` reads it.
Usage: numpy_bench.py [--quick] [--data DIR]
"""
import argparse
import json
import os
import statistics
import sys
import timeit

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from peer_bench import blas_info, load_standardised, numpy_epoch  # noqa: E402


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

    X, labels = load_standardised(args.data, args.quick)

    # The epoch with NumPy's BLAS at its default threads, and at one thread (through threadpoolctl,
    # when installed): on a shared machine a threaded OpenBLAS can lose badly to other work, so
    # the comparison takes NumPy's faster run.
    runs = {}
    seconds, loss = numpy_epoch(X, labels, "relu-adam", np.float64)
    runs["default"] = seconds
    try:
        from threadpoolctl import threadpool_limits
        with threadpool_limits(limits=1, user_api="blas"):
            runs["1"], _ = numpy_epoch(X, labels, "relu-adam", np.float64)
    except ImportError:
        pass
    best = min(runs, key=runs.get)
    quiz = quiz_step_seconds(5 if args.quick else 15)
    print(json.dumps({
        "numpyVersion": np.__version__,
        "pythonVersion": sys.version.split()[0],
        "blas": blas_info(),
        "network": "784-256-128-10 relu (careful NumPy)",
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
