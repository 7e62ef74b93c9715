#!/usr/bin/env python3
"""Writes the seed corpora in Fuzz/corpus/<target>/: small valid (and a few nearly valid) inputs
for each reader. Model and checkpoint seeds are written by the package's own `backprop train`
(checkpoints record timings, so those seeds differ from run to run). Seeds named was-* that
this script does not write are inputs libFuzzer found that crashed a reader before its fix: keep them.

    python3 Fuzz/make-seeds.py .build/release/backprop Tests/Vectors
"""
import gzip, json, os, struct, subprocess, sys, tempfile

here = os.path.dirname(os.path.abspath(__file__))
tool, vectors = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
corpus = os.path.join(here, "corpus")


def put(target, name, data):
    os.makedirs(os.path.join(corpus, target), exist_ok=True)
    with open(os.path.join(corpus, target, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


def idx(dims, data):
    return bytes([0, 0, 8, len(dims)]) + b"".join(struct.pack(">I", d) for d in dims) + bytes(data)


def gz(data):
    return gzip.compress(data, compresslevel=9, mtime=0)


# IDX: labels (1-D), images (3-D), features (2-D), raw and gzip; two gzip members; a cut-off gzip.
labels = idx([6], [0, 1, 2, 1, 0, 2])
images = idx([6, 2, 3], range(36))
features = idx([4, 5], [7 * i % 256 for i in range(20)])
for name, data in [("labels", labels), ("images", images), ("features", features)]:
    put("idx", name + ".idx", data)
    put("idx", name + ".idx.gz", gz(data))
put("idx", "two-members.idx.gz", gz(images[:20]) + gz(images[20:]))
put("idx", "cut-off.idx.gz", gz(images)[:-6])

# IDX pairs: byte 0 is the labels file's length, then the labels file, then the images file.
for name, (l, i) in {"raw": (labels, images), "gzip": (gz(labels), gz(images)),
                     "mixed": (labels, gz(images)), "features": (idx([4], [0, 1, 1, 0]), features)}.items():
    put("idx-dataset", name, bytes([len(l)]) + l + i)

# CSV: byte 0 holds the options (see Sources/fuzz-csv-*/main.swift), the rest is the file.
def options(header, column, separator, classes=0):  # below 128: one byte in UTF-8
    return chr(header | column << 1 | separator << 3 | classes << 5)

rows = ["0.5,1.25,-3,1", "2e-3,0,4.5,0", "  7 , 8 ,9, 2", '"1.5","2",3,"1"']
put("csv-dataset", "header-last.csv", options(1, 0, 0) + "a,b,c,label\n" + "\n".join(rows) + "\n")
put("csv-dataset", "no-header-first.csv", options(0, 1, 0, 3) + "1,0.5,2\r\n0,1,1\r\n2,3,3\r\n")
put("csv-dataset", "named-label.csv", options(1, 3, 1) + "\ufeffx;label;y\n1;0;2\n3;1;4\n\n5;1;6\n")
put("csv-dataset", "tabs.csv", options(1, 2, 2) + "f1\tf2\tlabel\n0.1\t0.2\t0\n0.3\t\t1\n")
put("csv-dataset", "bad-label.csv", options(0, 0, 0) + "1,2,3.5\n")
put("csv-features", "header.csv", options(1, 0, 0) + "a,b,c\n1,2,3\n4,5,6\n")
put("csv-features", "drop-label.csv", options(1, 3, 0) + 'label,x,y\n0,"1.5",2\n1,3,4e2\n')
put("csv-features", "semicolons.csv", options(0, 2, 1) + "9;1;2\n9;3;4\r\n")
put("csv-features", "spaces.csv", options(0, 0, 3) + "1 2 3\n4 5 6\n")

# Case files: the test vectors (Tests/Vectors).
for name in sorted(os.listdir(vectors)):
    if name.endswith(".json"):
        with open(os.path.join(vectors, name), "rb") as f:
            put("training-case", name, f.read())


# A model of every kind but dense too (the command line cannot train one yet): conv2d, maxpool2d,
# flatten, leaky_relu, dense softmax, 1×4×4 inputs.
put("saved-model", "image-kinds.json", json.dumps({
    "format": "backprop-model", "version": 2, "loss": "cross_entropy", "precision": "float64",
    "layers": [
        {"kind": "conv2d", "input_shape": [1, 4, 4], "kernel": [2, 2], "stride": [1, 1], "padding": [1, 1],
         "weights": [[0.5, -0.25, 0.125, 1.0], [-0.5, 0.75, 0.25, -1.0]], "bias": [0.1, -0.1], "activation": "relu"},
        {"kind": "maxpool2d", "input_shape": [2, 5, 5], "window": [2, 2], "stride": [2, 2]},
        {"kind": "flatten", "input_shape": [2, 2, 2]},
        {"kind": "leaky_relu", "features": 8, "slope": 0.1},
        {"kind": "dense", "weights": [[0.1, -0.2]] * 8, "bias": [0.0, 0.0], "activation": "softmax"},
    ]}, indent=1))

# Decoding time grew with the square of the nesting depth: this took 37 s before the depth limit.
put("training-case", "was-hang-deep-nesting.json",
    '{"layers": [{"weights": ' + "[" * 400 + ",".join(["1"] * 1500) + "]" * 400 + "}]}")

# safetensors: hand-built containers (F64, F32, a scalar, an empty tensor, metadata).
def safetensors(tensors, metadata=None):
    header, data = {}, b""
    for name, (dtype, shape, values) in tensors.items():
        fmt = "<%d%s" % (len(values), "d" if dtype == "F64" else "f")
        raw = struct.pack(fmt, *values)
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [len(data), len(data) + len(raw)]}
        data += raw
    if metadata is not None:
        header["__metadata__"] = metadata
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    return struct.pack("<Q", len(text)) + text + data

put("safetensors", "f64.safetensors", safetensors({"w": ("F64", [2, 3], [0.5, -1, 2, 3.25, 0, 1e-3])}, {"k": "v"}))
put("safetensors", "f32.safetensors", safetensors({"a": ("F32", [3], [1, 2, 3]), "b": ("F64", [], [7])}))
put("safetensors", "empty.safetensors", safetensors({"e": ("F64", [0, 4], [])}, {}))
put("safetensors", "no-tensors.safetensors", safetensors({}))

# Models and a checkpoint, written by the tool itself from a tiny data set.
with tempfile.TemporaryDirectory() as work:
    data = os.path.join(work, "tiny.csv")
    with open(data, "w") as f:
        f.write("x,y,label\n" + "".join("%g,%g,%d\n" % (i % 5 / 4, i % 3 / 2, i % 3) for i in range(24)))
    def train(*args):
        subprocess.run([tool, "train", "--data", data, "--epochs", "2", "--batch-size", "8", *args],
                       check=True, stdout=subprocess.DEVNULL, cwd=work)
    train("--hidden", "3", "--scaling", "standardize", "--save", os.path.join(work, "m.json"))
    train("--hidden", "", "--scaling", "none", "--save", os.path.join(work, "m.safetensors"))
    train("--hidden", "2", "--optimizer", "adam", "--schedule", "plateau", "--checkpoint-every", "1",
          "--checkpoint", os.path.join(work, "adam.ckpt"))
    train("--hidden", "", "--optimizer", "momentum", "--output", "softmax", "--checkpoint-every", "1",
          "--checkpoint", os.path.join(work, "momentum.ckpt"))
    def copy(name, target, as_name=None):
        with open(os.path.join(work, name), "rb") as f:
            put(target, as_name or name, f.read())
    copy("m.json", "saved-model")
    copy("m.safetensors", "saved-model")
    copy("m.safetensors", "safetensors", "model.safetensors")
    copy("adam.ckpt", "checkpoint")
    copy("momentum.ckpt", "checkpoint")
    with open(os.path.join(work, "adam.ckpt"), "rb") as f:
        adam = f.read()


# Checkpoints that crashed a resumed run before the reader checked them (see
# Tests/BackpropTests/CheckpointInputTests.swift), kept as seeds so every fuzz run retries them.
def edit(container, tensors=None, metadata=None, configuration=None):
    n = struct.unpack("<Q", container[:8])[0]
    header, data = json.loads(container[8:8 + n]), container[8 + n:]
    meta = header.pop("__metadata__")
    values = {k: (v["shape"], data[v["data_offsets"][0]:v["data_offsets"][1]]) for k, v in header.items()}
    for k, (shape, floats) in (tensors or {}).items():
        values[k] = (shape, struct.pack("<%dd" % len(floats), *floats))
    meta.update(metadata or {})
    config = json.loads(meta["configuration"])
    config.update(configuration or {})
    meta["configuration"] = json.dumps(config, separators=(",", ":"))
    header, data = {"__metadata__": meta}, b""
    for k in sorted(values):
        shape, raw = values[k]
        header[k] = {"dtype": "F64", "shape": shape, "data_offsets": [len(data), len(data) + len(raw)]}
        data += raw
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    return struct.pack("<Q", len(text)) + text + data

put("checkpoint", "was-heap-overflow-short-slot.ckpt", edit(adam, tensors={"optimizer.m.0": ([1], [0.0])}))
put("checkpoint", "was-huge-alloc-optimizer-arrays.ckpt", edit(adam, metadata={"optimizer_arrays": "1000000000000"}))
put("checkpoint", "was-overflow-optimizer-step.ckpt", edit(adam, metadata={"optimizer_step": str(2**63 - 1)}))
put("checkpoint", "was-huge-alloc-threads.ckpt", edit(adam, configuration={"threads": 10**15}))
put("checkpoint", "was-overflow-batch-size.ckpt", edit(adam, configuration={"batchSize": 2**63 - 1}))


# NumPy: .npy in several dtypes, both orders and versions; .npz stored and deflated, and one cut short.
import io
import numpy as np


def npy(a, version=None):
    f = io.BytesIO()
    if version is None:
        np.save(f, a)
    else:
        np.lib.format.write_array(f, a, version=version)
    return f.getvalue()


def npz(compressed, **arrays):
    f = io.BytesIO()
    (np.savez_compressed if compressed else np.savez)(f, **arrays)
    return f.getvalue()


x = np.arange(12, dtype=np.float64).reshape(4, 3) / 7
y = np.array([0, 2, 1, 2], dtype=np.int64)
for name, a in [("f8", x), ("f4-fortran", np.asfortranarray(x.astype(np.float32))), ("f2", x.astype(np.float16)),
                ("u1-images", np.arange(24, dtype=np.uint8).reshape(4, 2, 3)), ("be-i2", y.astype(">i2")),
                ("bool", x > 0.5), ("labels-i8", y), ("scalar", np.float64(1.5))]:
    put("npy", name + ".npy", npy(a))
put("npy", "version-2.npy", npy(x, version=(2, 0)))
put("npy", "version-3.npy", npy(x, version=(3, 0)))
put("npz", "stored.npz", npz(False, x=x, y=y))
put("npz", "deflated.npz", npz(True, x=x.astype(np.float32), y=y.astype(np.uint8)))
put("npz", "images.npz", npz(True, x=np.arange(24, dtype=np.uint8).reshape(4, 2, 3), y=y))
put("npz", "cut-short.npz", npz(True, x=x, y=y)[:-30])
