#!/usr/bin/env python3
"""Plots per-layer gradient norms from `backprop train --log-gradients` output files.

Each file is one run; its first line names the activation, and each epoch line ends in
`|∂L/∂W| n_1 n_2 ...` (layer 1 = the first layer after the input). The plot shows the first
epoch's norms against the layer, on a log scale, one line per run.

Usage: plot-gradient-norms.py RUN.txt... -o PLOT.png
"""
import argparse
import re

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt


def read(path):
    """The run's hidden activation and its per-epoch norm lists."""
    text = open(path, encoding="utf-8").read()
    activation = re.search(r"\((\w+), \w+ output", text).group(1)
    epochs = [[float(v) for v in line.split("|∂L/∂W|")[1].split()]
              for line in text.splitlines() if line.startswith("epoch ") and "|∂L/∂W|" in line]
    return activation, epochs


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("runs", nargs="+")
    parser.add_argument("-o", "--output", required=True)
    args = parser.parse_args()

    fig, ax = plt.subplots(figsize=(6.4, 3.6), dpi=100)
    for run, path in enumerate(args.runs):
        activation, epochs = read(path)
        layers = range(1, len(epochs[0]) + 1)
        color = f"C{run}"
        ax.plot(layers, epochs[0], marker="o", color=color, label=f"{activation}, epoch 1")
        ax.plot(layers, epochs[-1], marker="o", color=color, linestyle="--", alpha=0.5,
                label=f"{activation}, epoch {len(epochs)}")
    ax.set_yscale("log")
    ax.set_xlabel("layer (1 = next to the input, 6 = output)")
    ax.set_ylabel("mean ‖∂L/∂W‖ over the epoch's batches")
    ax.set_title("784-64-64-64-64-64-10 on 4,500 Fashion-MNIST images")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize="small")
    fig.tight_layout()
    fig.savefig(args.output)


if __name__ == "__main__":
    main()
