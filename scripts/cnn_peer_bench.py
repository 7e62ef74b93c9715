#!/usr/bin/env python3
"""`make bench`'s PyTorch side of the convolution epoch: one epoch of `make run-cnn`'s network.

conv 32 3x3 same, relu, maxpool 2, conv 64 3x3 same, relu, maxpool 2, dropout 0.25, flatten,
dense 256, relu, dropout 0.5, dense 10 (softmax with cross-entropy, the batch-mean loss), float32,
batch 128, Adam (lr 1e-3, β 0.9/0.999, ε 1e-8), at `--threads` threads (torch.set_num_threads), on
Fashion-MNIST's 60,000 training images scaled to [0, 1] (pixel/255, as `backprop train --scaling
unit-range`), then the 10,000 test images in blocks of 1,000 under no_grad in eval mode. Its ordinary idiom: nn.Sequential, torch.optim.Adam,
F.cross_entropy, zero_grad(set_to_none=True). Prints one JSON object: the epoch's seconds (data
loading and the test set excluded), the test accuracy, the versions. Without torch it prints a
note instead. The caller measures the process's peak memory.
Usage: cnn_peer_bench.py [--threads N] [--data DIR] [--limit N]
"""
import argparse
import gzip
import json
import time

import numpy as np


def load_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    rank = data[3]
    shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(rank)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * rank).reshape(shape)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    parser.add_argument("--limit", type=int, default=None)
    args = parser.parse_args()
    try:
        import torch
        import torch.nn as nn
        import torch.nn.functional as F
    except ImportError as error:
        print(json.dumps({"note": f"PyTorch is not importable ({error}); pip install torch==2.13.0+cpu"}))
        return
    torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    x = load_idx(f"{args.data}/train-images-idx3-ubyte.gz").astype(np.float32)[:args.limit]
    y = load_idx(f"{args.data}/train-labels-idx1-ubyte.gz").astype(np.int64)[:args.limit]
    tx = load_idx(f"{args.data}/t10k-images-idx3-ubyte.gz").astype(np.float32)
    ty = load_idx(f"{args.data}/t10k-labels-idx1-ubyte.gz").astype(np.int64)
    x, tx = torch.from_numpy(x / 255).unsqueeze(1), torch.from_numpy(tx / 255).unsqueeze(1)
    y, ty = torch.from_numpy(y), torch.from_numpy(ty)

    model = nn.Sequential(
        nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Dropout(0.25),
        nn.Flatten(), nn.Linear(64 * 7 * 7, 256), nn.ReLU(), nn.Dropout(0.5), nn.Linear(256, 10))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-8)
    order = torch.randperm(len(x))
    total, batches = 0.0, 0
    start = time.perf_counter()
    for first in range(0, len(x), 128):
        rows = order[first:first + 128]
        optimizer.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(x[rows]), y[rows])
        loss.backward()
        optimizer.step()
        total += loss.item()
        batches += 1
    seconds = time.perf_counter() - start
    correct = 0
    model.eval()
    with torch.no_grad():
        for first in range(0, len(tx), 1000):
            correct += int((model(tx[first:first + 1000]).argmax(dim=1) == ty[first:first + 1000]).sum())
    print(json.dumps({"torch_version": torch.__version__, "threads": torch.get_num_threads(), "samples": len(x),
                      "epoch_seconds": seconds, "training_loss": total / batches, "test_accuracy": correct / len(tx)}))


if __name__ == "__main__":
    main()
