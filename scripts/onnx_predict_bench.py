#!/usr/bin/env python3
"""ONNX Runtime beside `backprop`'s prediction in `make bench`: one InferenceSession (CPU provider)
per exported model, timed on the inputs and threads the Swift side uses.

Each job names an .onnx file (`backprop export --format onnx`), its element type, the batch, the
threads (intra-op; inter-op 1, sequential execution) and a raw .npy of inputs with at least `batch`
rows. A job's time is the median of repeated `session.run` calls on the first `batch` rows after a
warm-up, each sample batched to last at least 20 ms, as the Swift side times its block.
Usage: onnx_predict_bench.py JOBS.json  (a list of {"model", "dtype", "batch", "threads", "inputs"});
prints one JSON object on its last line.
"""
import json
import sys
import time

import numpy as np


def median_seconds(call, samples=21, minimum=0.02, budget=2.0):
    for _ in range(3):
        call()
    repeats = 1
    while True:
        start = time.perf_counter()
        for _ in range(repeats):
            call()
        if time.perf_counter() - start >= minimum or repeats >= 1 << 20:
            break
        repeats *= 2
    times = []
    deadline = time.perf_counter() + budget
    while len(times) < samples and (len(times) < 3 or time.perf_counter() < deadline):
        start = time.perf_counter()
        for _ in range(repeats):
            call()
        times.append((time.perf_counter() - start) / repeats)
    return float(np.median(times))


def main():
    import onnxruntime as ort

    jobs = json.load(open(sys.argv[1]))
    results = []
    for job in jobs:
        options = ort.SessionOptions()
        options.intra_op_num_threads = job["threads"]
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        session = ort.InferenceSession(job["model"], options, providers=["CPUExecutionProvider"])
        name = session.get_inputs()[0].name
        x = np.ascontiguousarray(np.load(job["inputs"])[:job["batch"]].astype(job["dtype"]))
        seconds = median_seconds(lambda: session.run(None, {name: x}))
        results.append(dict(job, seconds=seconds))
        print(f"onnx_predict_bench: {job['model']} {job['dtype']} batch {job['batch']}: {seconds:.3g} s", file=sys.stderr)
    print(json.dumps({"onnxruntimeVersion": ort.__version__, "results": results}))


if __name__ == "__main__":
    main()
