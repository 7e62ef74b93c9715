#!/usr/bin/env python3
"""The test vectors' independent oracle (Tests/Vectors/FORMAT.md).

Recomputes every case's `expected` block in NumPy by two methods that share nothing but the
forward pass: the formulas of the format document (error terms and ΔW = η·(−∂L/∂W)), and central
finite differences of the batch-mean loss. Each file must agree with the formulas within
|a − e| ≤ 1e-12 + 1e-9·|e| and with the finite differences within |a − e| ≤ 1e-7 + 1e-5·|e|.
Exits 1 naming the file, the field and both numbers on the first disagreement of each file.

    python3 scripts/oracle.py [DIR_OR_FILE ...]     (default: Tests/Vectors)
    python3 scripts/oracle.py --print FILE          (prints the oracle's expected block)
    python3 scripts/oracle.py --self-check [DIR]    (every file, with one number of each expected
                                                     field moved by 1e-6 relative, must be refused)
"""
import glob, json, os, sys

import numpy as np

EXACT = (1e-12, 1e-9)       # absolute, relative: the format's rule
NUMERIC = (1e-7, 1e-5)      # for central differences, h = 1e-6
H = 1e-6


def activate(name, h):
    if name == "identity":
        return h
    if name == "sigmoid":
        return 1.0 / (1.0 + np.exp(-h))
    if name == "tanh":
        return np.tanh(h)
    if name == "relu":
        return np.maximum(h, 0.0)
    if name == "softmax":
        e = np.exp(h - h.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)
    raise ValueError("unknown activation %r" % name)


def derivative(name, h, a):
    if name == "identity":
        return np.ones_like(h)
    if name == "sigmoid":
        return a * (1.0 - a)
    if name == "tanh":
        return 1.0 - a * a
    if name == "relu":
        return (h > 0).astype(float)
    raise ValueError("activation %r has no element-wise derivative here" % name)


def forward(layers, x):
    """Per layer (H, A); A_0 = x is not included."""
    out, a = [], x
    for layer in layers:
        h = a @ layer["W"]
        if layer["b"] is not None:
            h = h + layer["b"]
        a = activate(layer["activation"], h)
        out.append((h, a))
    return out


def loss(kind, y, t):
    if kind == "squared_error":
        return float(np.mean(0.5 * np.sum((t - y) ** 2, axis=1)))
    if kind == "cross_entropy":
        return float(np.mean(-np.sum(t * np.log(y), axis=1)))
    raise ValueError("unknown loss %r" % kind)


def by_formulas(case):
    """outputs, loss, weight steps, bias steps from the format's error terms."""
    layers, x, t, eta, kind = case["layers"], case["x"], case["t"], case["eta"], case["loss"]
    passes = forward(layers, x)
    y = passes[-1][1]
    batch = x.shape[0]
    last = layers[-1]["activation"]
    if kind == "cross_entropy":
        if last != "softmax":
            raise ValueError("cross_entropy needs a softmax output layer")
        delta = t - y
    else:
        if last == "softmax":
            raise ValueError("softmax output needs cross_entropy")
        delta = (t - y) * derivative(last, *passes[-1])
    w_steps, b_steps = [None] * len(layers), [None] * len(layers)
    for l in range(len(layers) - 1, -1, -1):
        below = x if l == 0 else passes[l - 1][1]
        w_steps[l] = eta / batch * (below.T @ delta)
        if layers[l]["b"] is not None:
            b_steps[l] = eta / batch * delta.sum(axis=0)
        if l > 0:
            h, a = passes[l - 1]
            delta = (delta @ layers[l]["W"].T) * derivative(layers[l - 1]["activation"], h, a)
    return y, loss(kind, y, t), w_steps, b_steps


def by_differences(case):
    """weight and bias steps −η ∂L/∂θ by central differences, one parameter at a time."""
    layers, x, t, eta, kind = case["layers"], case["x"], case["t"], case["eta"], case["loss"]

    def L():
        return loss(kind, forward(layers, x)[-1][1], t)

    def steps(param):
        g = np.zeros_like(param)
        for i in np.ndindex(param.shape):
            keep = param[i]
            param[i] = keep + H
            up = L()
            param[i] = keep - H
            down = L()
            param[i] = keep
            g[i] = -eta * (up - down) / (2 * H)
        return g

    w = [steps(layer["W"]) for layer in layers]
    b = [None if layer["b"] is None else steps(layer["b"]) for layer in layers]
    return w, b


def parse(data):
    layers = []
    for layer in data["layers"]:
        b = layer.get("bias")
        layers.append({"W": np.array(layer["weights"], dtype=float),
                       "b": None if b is None else np.array(b, dtype=float),
                       "activation": layer["activation"]})
    return {"layers": layers, "x": np.array(data["inputs"], dtype=float),
            "t": np.array(data["targets"], dtype=float), "eta": float(data["learning_rate"]),
            "loss": data["loss"]}


class Mismatch(Exception):
    pass


def compare(field, got, want, tolerance, method):
    """Raises Mismatch at the first number of `want` (from the file) that `got` does not match."""
    if want is None or got is None:
        if (want is None) != (got is None):
            raise Mismatch("%s: file has %s, %s gives %s" % (field, want is None and "null" or "numbers",
                                                             method, got is None and "null" or "numbers"))
        return
    want_a, got_a = np.asarray(want, dtype=float), np.asarray(got, dtype=float)
    if want_a.shape != got_a.shape:
        raise Mismatch("%s: file has shape %s, %s gives %s" % (field, want_a.shape, method, got_a.shape))
    absolute, relative = tolerance
    for i in np.ndindex(want_a.shape):
        e, a = want_a[i], got_a[i]
        if not (abs(a - e) <= absolute + relative * abs(e)):
            where = field + "".join("[%d]" % k for k in i)
            raise Mismatch("%s: file has %r, %s gives %r (|difference| %.3g > %.3g + %.3g·|e|)"
                           % (where, float(e), method, float(a), abs(a - e), absolute, relative))


def check(path):
    """None when the file agrees with both methods, else the reason."""
    with open(path) as f:
        data = json.load(f)
    try:
        case = parse(data)
        expected = data["expected"]
        y, L, w, b = by_formulas(case)
        compare("expected.outputs", y, expected["outputs"], EXACT, "the formulas")
        compare("expected.loss", L, expected["loss"], EXACT, "the formulas")
        for l in range(len(w)):
            compare("expected.weight_steps[%d]" % l, w[l], expected["weight_steps"][l], EXACT, "the formulas")
            compare("expected.bias_steps[%d]" % l, b[l], expected["bias_steps"][l], EXACT, "the formulas")
        nw, nb = by_differences(case)
        for l in range(len(w)):
            compare("expected.weight_steps[%d]" % l, nw[l], expected["weight_steps"][l], NUMERIC,
                    "finite differences")
            compare("expected.bias_steps[%d]" % l, nb[l], expected["bias_steps"][l], NUMERIC,
                    "finite differences")
        if len(expected["weight_steps"]) != len(w) or len(expected["bias_steps"]) != len(w):
            raise Mismatch("expected: %d layers, but %d weight steps and %d bias steps"
                           % (len(w), len(expected["weight_steps"]), len(expected["bias_steps"])))
        if not any(np.any(np.asarray(s) != 0) for s in expected["weight_steps"]):
            raise Mismatch("expected.weight_steps are all zero: the case checks nothing")
    except (Mismatch, KeyError, ValueError, TypeError, IndexError) as error:
        return "%s: %s" % (type(error).__name__, error) if not isinstance(error, Mismatch) else str(error)
    return None


def self_check(paths):
    """Each expected field of each file, one number nudged by a relative 1e-6: the oracle must refuse it."""
    import copy, tempfile
    missed = 0
    for path in paths:
        with open(path) as f:
            data = json.load(f)
        fields = [("outputs",), ("loss",)] + [("weight_steps", l) for l in range(len(data["layers"]))] + \
                 [("bias_steps", l) for l in range(len(data["layers"])) if data["expected"]["bias_steps"][l] is not None]
        for field in fields:
            bad = copy.deepcopy(data)
            holder, key = bad["expected"], field[0]
            for k in field[1:]:
                holder, key = holder[key], k
            if isinstance(holder[key], (int, float)):
                holder[key] = holder[key] * (1 + 1e-6) + 1e-9
            else:
                row = holder[key]
                while isinstance(row[0], list):
                    row = row[0]
                row[0] = row[0] * (1 + 1e-6) + 1e-9
            with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
                json.dump(bad, f)
            try:
                reason = check(f.name)
            finally:
                os.unlink(f.name)
            name = "%s expected.%s" % (os.path.basename(path), ".".join(map(str, field)))
            if reason is None:
                missed += 1
                print("MISSED    %s, nudged, passed the oracle" % name, file=sys.stderr)
    print("self-check: %d nudged copies, %d passed the oracle (must be 0)" % (
        sum(2 + len(json.load(open(p))["layers"]) + sum(b is not None for b in json.load(open(p))["expected"]["bias_steps"])
            for p in paths), missed))
    return 1 if missed else 0


def files(arguments):
    found = []
    for argument in arguments:
        if os.path.isdir(argument):
            found += sorted(glob.glob(os.path.join(argument, "*.json")))
        else:
            found.append(argument)
    return found


def main(argv):
    if argv[:1] == ["--print"]:
        with open(argv[1]) as f:
            y, L, w, b = by_formulas(parse(json.load(f)))
        listed = lambda m: None if m is None else m.tolist()
        print(json.dumps({"outputs": y.tolist(), "loss": L, "weight_steps": [m.tolist() for m in w],
                          "bias_steps": [listed(m) for m in b]}, indent=2))
        return 0
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    if argv[:1] == ["--self-check"]:
        return self_check(files(argv[1:] or [os.path.join(here, "Tests", "Vectors")]))
    paths = files(argv or [os.path.join(here, "Tests", "Vectors")])
    if not paths:
        print("oracle: no case files found in %s" % " ".join(argv or ["Tests/Vectors"]), file=sys.stderr)
        return 1
    failed = 0
    for path in paths:
        reason = check(path)
        name = os.path.basename(path)
        if reason is None:
            print("AGREE     %s (formulas within %g + %g·|e|, finite differences within %g + %g·|e|)"
                  % (name, EXACT[0], EXACT[1], NUMERIC[0], NUMERIC[1]))
        else:
            failed += 1
            print("MISMATCH  %s: %s" % (name, reason), file=sys.stderr)
    print("%d of %d case files agree with the oracle" % (len(paths) - failed, len(paths)))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
