#!/usr/bin/env python3
"""Plots from backprop-bench's results: GFLOP/s against size for both backends (and C), and
training samples per second against batch size.

Usage: plot_bench.py results/bench.json OUTPUT_DIR   (writes kernels.png and training.png)
"""
import json
import os
import sys

try:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
except ImportError:
    print("plot_bench.py: matplotlib is not installed; no plots", file=sys.stderr)
    sys.exit(1)


def kernels_plot(results, path):
    families = ["gemm", "gemv", "ger"]
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.5))
    for ax, family in zip(axes, families):
        rows = sorted((k for k in results["kernels"] if k["kernel"] == family and k.get("squareSize")),
                      key=lambda k: k["squareSize"])
        for key, label, style in [("blas1GFLOPS", "BLAS backend, 1 thread", "o-"),
                                  ("blas2GFLOPS", "BLAS backend, 2 threads", "s-"),
                                  ("c1GFLOPS", "C cblas, 1 thread", "x--"),
                                  ("referenceGFLOPS", "reference (pure Swift)", "^-")]:
            points = [(k["squareSize"], k[key]) for k in rows if k.get(key)]
            if points:
                ax.plot(*zip(*points), style, label=label)
        ax.set_xscale("log", base=2)
        ax.set_yscale("log")
        ax.set_xlabel("n (square: n×n×n for gemm, n×n for gemv and ger)")
        ax.set_ylabel("GFLOP/s")
        ax.set_title(family)
        ax.grid(True, which="both", alpha=0.3)
        wins = results.get("blasWinsFrom", {}).get(family)
        if wins:
            ax.axvline(wins, color="grey", linestyle=":", label=f"BLAS faster from n = {wins}")
        ax.legend(fontsize=8)
    env = results["environment"]
    fig.suptitle(f"Kernels through the Swift API — {env['cpuModel']}, {env['cores']} cores, "
                 f"OpenBLAS core {env['openBLASCore']}", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


def training_plot(results, path):
    steps = [s for s in results["steps"] if s["path"] == "trainer"]
    networks = sorted({s["network"] for s in steps})
    fig, axes = plt.subplots(1, max(1, len(networks)), figsize=(7 * max(1, len(networks)), 4.5), squeeze=False)
    for ax, network in zip(axes[0], networks):
        for backend, precision in [("blas", "float32"), ("blas", "float64"), ("reference", "float64")]:
            for mode in ["1 thread", "2 BLAS threads", "2 workers"]:
                points = sorted((s["batch"], s["samplesPerSecond"]) for s in steps
                                if s["network"] == network and s["backend"] == backend and s["mode"] == mode
                                and s.get("precision", "float64") == precision)
                if points:
                    style = "^--" if backend == "reference" else ("o-" if precision == "float32" else "s-")
                    ax.plot(*zip(*points), style, label=f"{backend} {precision}, {mode}")
        for precision in ["float32", "float64"]:
            floors = sorted((s["batch"], s["batch"] / s["floorSeconds"]) for s in steps
                            if s["network"] == network and s["backend"] == "blas" and s["mode"] == "2 workers"
                            and s.get("precision", "float64") == precision)
            if floors:
                ax.plot(*zip(*floors), ":", color="grey" if precision == "float64" else "black",
                        label=f"gemm floor, {precision}, 2 workers")
        numpy = results.get("numpy")
        if numpy and network == numpy["network"]:
            ax.scatter([numpy["batch"]], [numpy["samplesPerSecond"]], marker="*", s=150, color="black",
                       label="NumPy epoch", zorder=5)
        ax.set_xscale("log", base=2)
        ax.set_yscale("log")
        ax.set_xlabel("batch size")
        ax.set_ylabel("training samples per second")
        ax.set_title(network)
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8)
    fig.suptitle("Training steps through Trainer.train (forward, backward, optimiser, data conversion)", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    with open(sys.argv[1]) as f:
        results = json.load(f)
    os.makedirs(sys.argv[2], exist_ok=True)
    written = []
    if results.get("kernels"):
        kernels_plot(results, os.path.join(sys.argv[2], "kernels.png"))
        written.append("kernels.png")
    if results.get("steps"):
        training_plot(results, os.path.join(sys.argv[2], "training.png"))
        written.append("training.png")
    print(f"plot_bench.py: wrote {', '.join(written) or 'nothing'} in {sys.argv[2]}")


if __name__ == "__main__":
    main()
