#!/usr/bin/env python3
"""Cross-checks the test vectors' expected blocks against PyTorch (torch.nn.functional, float64).

An independent second opinion on scripts/oracle.py for the convolutional layer kinds: every case
is rebuilt as PyTorch tensors (conv2d, max_pool2d, avg_pool2d, flatten, dense as x @ W + b), its
batch-mean loss differentiated by autograd, and outputs, loss and the steps −η·∂L/∂θ compared with
the file's `expected` block. Prints the largest absolute and relative difference per file and over
all, and exits 1 when any number breaks the format's rule |a − e| ≤ 1e-12 + 1e-9·|e|.
Not part of `make`: it needs torch (the CPU wheel, pinned), which the package does not.

    python3 scripts/oracle_torch_check.py [FILE ...]     (default: Tests/Vectors/conv-*.json)
"""
import glob, json, os, sys

import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)


def tensor(value):
    return torch.tensor(value, dtype=torch.float64)


def activate(name, h):
    return {"identity": lambda v: v, "sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": torch.relu,
            "softmax": lambda v: torch.softmax(v, dim=1)}[name](h)


def run(case):
    """(outputs, loss, weight steps, bias steps) of the case, by autograd."""
    x = tensor(case["inputs"])
    batch = x.shape[0]
    params, a = [], x
    for layer in case["layers"]:
        kind = layer.get("kind", "dense")
        w = None if layer.get("weights") is None else tensor(layer["weights"]).requires_grad_()
        b = None if layer.get("bias") is None else tensor(layer["bias"]).requires_grad_()
        params.append((w, b))
        if kind == "dense":
            h = a @ w + (b if b is not None else 0)
        elif kind == "flatten":
            h = a
        else:
            c, height, width = layer["input_shape"]
            image = a.reshape(batch, c, height, width)
            if kind == "conv2d":
                kh, kw = layer["kernel"]
                out = F.conv2d(image, w.reshape(w.shape[0], c, kh, kw), b,
                               stride=tuple(layer["stride"]), padding=tuple(layer["padding"]))
            elif kind == "maxpool2d":
                out = F.max_pool2d(image, tuple(layer["window"]), tuple(layer["stride"]))
            elif kind == "avgpool2d":
                out = F.avg_pool2d(image, tuple(layer["window"]), tuple(layer["stride"]))
            else:
                raise ValueError("unknown layer kind %r" % kind)
            h = out.reshape(batch, -1)
        a = activate(layer.get("activation", "identity"), h)
    t = tensor(case["targets"])
    if case["loss"] == "squared_error":
        loss = (0.5 * ((t - a) ** 2).sum(dim=1)).mean()
    else:
        loss = (-(t * torch.log(a)).sum(dim=1)).mean()
    loss.backward()
    eta = case["learning_rate"]
    step = lambda p: None if p is None else (-eta * p.grad).tolist()
    return a.detach().tolist(), loss.item(), [step(w) for w, _ in params], [step(b) for _, b in params]


def pairs(got, want, field):
    """(field, got number, file number) for every number, None matched with None."""
    if want is None or got is None:
        if (want is None) != (got is None):
            raise ValueError("%s: file has %s, torch %s" % (field, want, got))
        return []
    if isinstance(want, list):
        if not isinstance(got, list) or len(got) != len(want):
            raise ValueError("%s: shapes differ" % field)
        return [p for i, (g, w) in enumerate(zip(got, want)) for p in pairs(g, w, "%s[%d]" % (field, i))]
    return [(field, float(got), float(want))]


def main(argv):
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    paths = argv or sorted(glob.glob(os.path.join(here, "Tests", "Vectors", "conv-*.json")))
    worst_abs, worst_rel, broken = 0.0, 0.0, 0
    for path in paths:
        with open(path) as f:
            case = json.load(f)
        y, loss, w, b = run(case)
        e = case["expected"]
        numbers = pairs(y, e["outputs"], "outputs") + pairs(loss, e["loss"], "loss") + \
            pairs(w, e["weight_steps"], "weight_steps") + pairs(b, e["bias_steps"], "bias_steps")
        file_abs = max(abs(g - w_) for _, g, w_ in numbers)
        file_rel = max(abs(g - w_) / abs(w_) for _, g, w_ in numbers if w_ != 0)
        bad = [(name, g, w_) for name, g, w_ in numbers if not abs(g - w_) <= 1e-12 + 1e-9 * abs(w_)]
        broken += bool(bad)
        worst_abs, worst_rel = max(worst_abs, file_abs), max(worst_rel, file_rel)
        print("%-9s %s: %d numbers, largest |torch − file| %.3g, largest relative %.3g%s"
              % ("DISAGREE" if bad else "AGREE", os.path.basename(path), len(numbers), file_abs, file_rel,
                 "; first: %s file %r torch %r" % (bad[0][0], bad[0][2], bad[0][1]) if bad else ""))
    print("torch %s, float64: %d files, largest |difference| %.3g, largest relative %.3g, %d outside "
          "1e-12 + 1e-9·|e|" % (torch.__version__, len(paths), worst_abs, worst_rel, broken))
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
