#!/usr/bin/env python3
"""The test vectors' independent oracle (Tests/Vectors/FORMAT.md).

Recomputes every case's `expected` block in NumPy by two methods that share nothing but the
forward pass: the formulas of the format document (error terms and ΔW = η·(−∂L/∂W)), and central
finite differences of the batch-mean loss. Each file must agree with the formulas within
|a − e| ≤ 1e-12 + 1e-9·|e| and with the finite differences within |a − e| ≤ 1e-7 + 1e-5·|e|.
Exits 1 naming the file, the field and both numbers on the first disagreement of each file.

Layer kinds: dense (the default), conv2d, maxpool2d, avgpool2d, flatten, each written here from
its definition (plain loops over output positions). A max-pool window whose two largest values are
within 1e-3 of each other is a tie (or near one): the loss has no derivative there, so the
parameters of the layers below that pool are checked by the formulas alone (the first maximum in
row-major window order takes the gradient), and the file's description must say "tie".

    python3 scripts/oracle.py [DIR_OR_FILE ...]     (default: Tests/Vectors)
    python3 scripts/oracle.py --print FILE          (prints the oracle's expected block)
    python3 scripts/oracle.py --self-check [DIR]    (every file, with one number of each expected
                                                     field moved by 1e-6 relative, must be refused;
                                                     so must every file with a max-pool tie when the
                                                     oracle routes ties to the last maximum instead)
"""
import glob, json, os, sys

import numpy as np

EXACT = (1e-12, 1e-9)       # absolute, relative: the format's rule
NUMERIC = (1e-7, 1e-5)      # for central differences, h = 1e-6
H = 1e-6
TIE_MARGIN = 1e-3           # a max-pool window whose top two values are closer than this is a tie
FIRST_MAXIMUM = [True]      # the tie rule; --self-check flips it to prove the tie files depend on it


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


# ---- convolution and pooling, from their definitions ------------------------------------------
# A batch of images travels as rows (batch × C·H·W, C, H, W order), as in the case files.

def images(layer, rows):
    """The rows as a batch × C × H × W array, in the layer's input shape."""
    return rows.reshape((rows.shape[0],) + tuple(layer["in"]))


def conv_forward(layer, rows):
    """out[s,f,i,j] = b[f] + Σ_{c,u,v} W[f,c,u,v]·xpad[s, c, i·sh+u, j·sw+v] (cross-correlation)."""
    (kh, kw), (sh, sw), (ph, pw) = layer["kernel"], layer["stride"], layer["padding"]
    x = np.pad(images(layer, rows), ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    f_count, ho, wo = layer["out"]
    kernels = layer["W"].reshape(f_count, layer["in"][0], kh, kw)
    out = np.zeros((rows.shape[0], f_count, ho, wo))
    for i in range(ho):
        for j in range(wo):
            patch = x[:, :, i * sh:i * sh + kh, j * sw:j * sw + kw]          # batch × C × kh × kw
            out[:, :, i, j] = np.einsum("scuv,fcuv->sf", patch, kernels)
    if layer["b"] is not None:
        out += layer["b"][None, :, None, None]
    return out.reshape(rows.shape[0], -1)


def conv_backward(layer, rows, delta):
    """(−∂ℓ/∂W summed over the batch as F × C·kh·kw, −∂ℓ/∂b summed, −∂ℓ/∂input as rows)."""
    (kh, kw), (sh, sw), (ph, pw) = layer["kernel"], layer["stride"], layer["padding"]
    c_count, h, w = layer["in"]
    x = np.pad(images(layer, rows), ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    f_count, ho, wo = layer["out"]
    kernels = layer["W"].reshape(f_count, c_count, kh, kw)
    d = delta.reshape(rows.shape[0], f_count, ho, wo)
    g_kernels, g_x = np.zeros_like(kernels), np.zeros_like(x)
    for i in range(ho):
        for j in range(wo):
            patch = x[:, :, i * sh:i * sh + kh, j * sw:j * sw + kw]
            g_kernels += np.einsum("sf,scuv->fcuv", d[:, :, i, j], patch)
            g_x[:, :, i * sh:i * sh + kh, j * sw:j * sw + kw] += np.einsum("sf,fcuv->scuv", d[:, :, i, j], kernels)
    g_input = g_x[:, :, ph:ph + h, pw:pw + w]
    return g_kernels.reshape(f_count, -1), d.sum(axis=(0, 2, 3)), g_input.reshape(rows.shape[0], -1)


def windows(layer):
    """(i, j, rows slice, columns slice) of every pooling window, row-major."""
    (kh, kw), (sh, sw) = layer["window"], layer["stride"]
    _, ho, wo = layer["out"]
    return [(i, j, slice(i * sh, i * sh + kh), slice(j * sw, j * sw + kw)) for i in range(ho) for j in range(wo)]


def winner(window):
    """Index, in row-major order, of the maximum of a flattened window: the first one, or the
    last one while the self-check flips the tie rule."""
    if FIRST_MAXIMUM[0]:
        return int(np.argmax(window))
    return len(window) - 1 - int(np.argmax(window[::-1]))


def pool_forward(layer, rows):
    x = images(layer, rows)
    out = np.zeros((rows.shape[0],) + tuple(layer["out"]))
    for i, j, r, c in windows(layer):
        block = x[:, :, r, c]
        out[:, :, i, j] = block.max(axis=(2, 3)) if layer["kind"] == "maxpool2d" else block.mean(axis=(2, 3))
    return out.reshape(rows.shape[0], -1)


def pool_backward(layer, rows, delta):
    """−∂ℓ/∂input as rows: a max window's error term goes to its winner, an average window's is
    shared equally by its kh·kw inputs."""
    x = images(layer, rows)
    d = delta.reshape((rows.shape[0],) + tuple(layer["out"]))
    g = np.zeros_like(x)
    kh, kw = layer["window"]
    for i, j, r, c in windows(layer):
        if layer["kind"] == "avgpool2d":
            g[:, :, r, c] += d[:, :, i, j][:, :, None, None] / (kh * kw)
            continue
        for s in range(x.shape[0]):
            for ch in range(x.shape[1]):
                u, v = divmod(winner(x[s, ch, r, c].ravel()), kw)
                g[s, ch, r.start + u, c.start + v] += d[s, ch, i, j]
    return g.reshape(rows.shape[0], -1)


def ties(layers, x):
    """(layer, sample, channel, i, j) of the first window, per max-pool layer, whose two largest
    values are within TIE_MARGIN of each other (none for a layer without such a window)."""
    found, a = [], x
    for l, layer in enumerate(layers):
        if layer["kind"] == "maxpool2d":
            imgs = images(layer, a)
            gap = lambda values: np.inf if values.size < 2 else np.diff(np.sort(values.ravel())[-2:])[0]
            found += [(l, s, ch, i, j) for i, j, r, c in windows(layer)
                      for s in range(imgs.shape[0]) for ch in range(imgs.shape[1])
                      if gap(imgs[s, ch, r, c]) < TIE_MARGIN][:1]
        a = activate(layer["activation"], pre_activation(layer, a))
    return found


def ties_that_matter(case):
    """ties() of the case's forward pass, keeping only those with parameters below them."""
    return [hit for hit in ties(case["layers"], case["x"])
            if any(layer["W"] is not None for layer in case["layers"][:hit[0]])]


# ---- the network ------------------------------------------------------------------------------

def pre_activation(layer, a):
    kind = layer["kind"]
    if kind == "dense":
        h = a @ layer["W"]
        if layer["b"] is not None:
            h = h + layer["b"]
        return h
    if kind == "conv2d":
        return conv_forward(layer, a)
    if kind in ("maxpool2d", "avgpool2d"):
        return pool_forward(layer, a)
    return a                                                                   # flatten


def forward(layers, x):
    """Per layer (H, A); A_0 = x is not included."""
    out, a = [], x
    for layer in layers:
        h = pre_activation(layer, a)
        a = activate(layer["activation"], h)
        out.append((h, a))
    return out


def loss(kind, y, t):
    if kind == "squared_error":
        return float(np.mean(0.5 * np.sum((t - y) ** 2, axis=1)))
    if kind == "cross_entropy":
        return float(np.mean(-np.sum(t * np.log(y), axis=1)))
    raise ValueError("unknown loss %r" % kind)


def backward(layer, below, delta, eta, batch):
    """(weight step, bias step, δ·∂H/∂A_below) of one layer from its error term δ = −∂ℓ/∂H."""
    kind = layer["kind"]
    if kind == "dense":
        b_step = None if layer["b"] is None else eta / batch * delta.sum(axis=0)
        return eta / batch * (below.T @ delta), b_step, delta @ layer["W"].T
    if kind == "conv2d":
        g_w, g_b, g_in = conv_backward(layer, below, delta)
        return eta / batch * g_w, None if layer["b"] is None else eta / batch * g_b, g_in
    if kind in ("maxpool2d", "avgpool2d"):
        return None, None, pool_backward(layer, below, delta)
    return None, None, delta                                                   # flatten


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
        w_steps[l], b_steps[l], g = backward(layers[l], below, delta, eta, batch)
        if l > 0:
            h, a = passes[l - 1]
            delta = g * derivative(layers[l - 1]["activation"], h, a)
    return y, loss(kind, y, t), w_steps, b_steps


def by_differences(case, first=0):
    """weight and bias steps −η ∂L/∂θ by central differences, one parameter at a time, for the
    layers from `first` on (None below it and where a layer has no such parameters)."""
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

    w = [None if layer["W"] is None or l < first else steps(layer["W"]) for l, layer in enumerate(layers)]
    b = [None if layer["b"] is None or l < first else steps(layer["b"]) for l, layer in enumerate(layers)]
    return w, b


# ---- reading a case, with its fields validated ------------------------------------------------

class Invalid(ValueError):
    """A case file field that is missing, malformed or inconsistent; the message names it."""


ACTIVATIONS = ("identity", "sigmoid", "tanh", "relu", "softmax")
FIELDS = {"dense": {"kind", "weights", "bias", "activation"},
          "conv2d": {"kind", "input_shape", "kernel", "stride", "padding", "weights", "bias", "activation"},
          "maxpool2d": {"kind", "input_shape", "window", "stride", "weights", "bias", "activation"},
          "avgpool2d": {"kind", "input_shape", "window", "stride", "weights", "bias", "activation"},
          "flatten": {"kind", "input_shape", "weights", "bias", "activation"}}


def integers(layer, where, field, count, least):
    """The layer's `field` as a tuple of `count` integers, each at least `least`."""
    if field not in layer:
        raise Invalid("%s.%s: missing" % (where, field))
    value = layer[field]
    if not (isinstance(value, list) and len(value) == count
            and all(isinstance(v, int) and not isinstance(v, bool) and v >= least for v in value)):
        raise Invalid("%s.%s: %s is not %d integers each ≥ %d" % (where, field, json.dumps(value), count, least))
    return tuple(value)


def matrix(value, where, rows=None, columns=None):
    """`value` as a float matrix of the given rows and columns (None: any), else Invalid."""
    try:
        m = np.array(value, dtype=float)
    except (TypeError, ValueError):
        m = None
    if m is None or m.ndim != 2 or m.shape[0] == 0 or m.shape[1] == 0:
        raise Invalid("%s: not a matrix of numbers (a non-empty array of equal-length rows)" % where)
    if rows is not None and m.shape[0] != rows:
        raise Invalid("%s: %d rows, must be %d" % (where, m.shape[0], rows))
    if columns is not None and m.shape[1] != columns:
        raise Invalid("%s: %d columns, must be %d" % (where, m.shape[1], columns))
    return m


def vector(value, where, length):
    try:
        v = np.array(value, dtype=float)
    except (TypeError, ValueError):
        v = None
    if v is None or v.ndim != 1 or v.shape[0] != length:
        raise Invalid("%s: must be null or an array of %d numbers" % (where, length))
    return v


def parse_layer(layer, l, width, shape):
    """One layer of the case as the oracle's dict; `width` is the row length it reads and `shape`
    the [C, H, W] of the layer below it if that one is spatial (conv or pool), else None."""
    where = "layers[%d]" % l
    if not isinstance(layer, dict):
        raise Invalid("%s: not an object" % where)
    kind = layer.get("kind", "dense")
    if kind not in FIELDS:
        raise Invalid("%s.kind: %r is not one of %s" % (where, kind, ", ".join(sorted(FIELDS))))
    where = "layers[%d] (%s)" % (l, kind)
    unknown = sorted(set(layer) - FIELDS[kind])
    if unknown:
        raise Invalid("%s: unknown field%s %s" % (where, "s" * (len(unknown) > 1), ", ".join(unknown)))
    activation = layer.get("activation", "identity" if kind in ("maxpool2d", "avgpool2d", "flatten") else None)
    if activation not in ACTIVATIONS:
        raise Invalid("%s.activation: %s is not one of %s" % (where, json.dumps(activation), ", ".join(ACTIVATIONS)))
    if kind == "dense":
        if "weights" not in layer:
            raise Invalid("%s.weights: missing" % where)
        w = matrix(layer["weights"], where + ".weights (fan_in × fan_out)", rows=width)
        b = layer.get("bias")
        return {"kind": kind, "W": w, "b": None if b is None else vector(b, where + ".bias", w.shape[1]),
                "activation": activation, "in": None, "out": None, "width": w.shape[1]}
    c, h, w_ = integers(layer, where, "input_shape", 3, 1)
    if c * h * w_ != width:
        raise Invalid("%s.input_shape: %s holds %d values, but %s rows of %d"
                      % (where, json.dumps([c, h, w_]), c * h * w_, "the layer below gives" if l else "the inputs are",
                         width))
    if shape is not None and tuple(shape) != (c, h, w_):
        raise Invalid("%s.input_shape: %s, but the layer below outputs %s"
                      % (where, json.dumps([c, h, w_]), json.dumps(list(shape))))
    parsed = {"kind": kind, "in": (c, h, w_), "W": None, "b": None, "activation": activation}
    if kind != "conv2d":
        for field in ("weights", "bias"):
            if layer.get(field) is not None:
                raise Invalid("%s.%s: %s has no parameters (absent or null)" % (where, field, kind))
        if activation != "identity":
            raise Invalid("%s.activation: %s's activation is identity (or absent), not %r" % (where, kind, activation))
    if kind == "flatten":
        parsed.update(out=None, width=width)
        return parsed
    if kind == "conv2d":
        if activation == "softmax":
            raise Invalid("%s.activation: softmax is not allowed on conv2d" % where)
        (kh, kw), (sh, sw), (ph, pw) = (integers(layer, where, "kernel", 2, 1), integers(layer, where, "stride", 2, 1),
                                        integers(layer, where, "padding", 2, 0))
        parsed.update(kernel=(kh, kw), stride=(sh, sw), padding=(ph, pw))
        padded, size = (h + 2 * ph, w_ + 2 * pw), "kernel"
    else:
        (kh, kw), (sh, sw) = integers(layer, where, "window", 2, 1), integers(layer, where, "stride", 2, 1)
        parsed.update(window=(kh, kw), stride=(sh, sw))
        padded, size = (h, w_), "window"
    if kh > padded[0] or kw > padded[1]:
        raise Invalid("%s.%s: %s does not fit in the %sinput of %d × %d"
                      % (where, size, json.dumps([kh, kw]), "padded " * (kind == "conv2d"), padded[0], padded[1]))
    filters = c
    if kind == "conv2d":
        if "weights" not in layer:
            raise Invalid("%s.weights: missing" % where)
        parsed["W"] = matrix(layer["weights"], where + ".weights (filters × C·kh·kw)", columns=c * kh * kw)
        filters = parsed["W"].shape[0]
        if layer.get("bias") is not None:
            parsed["b"] = vector(layer["bias"], where + ".bias", filters)
    parsed["out"] = (filters, (padded[0] - kh) // sh + 1, (padded[1] - kw) // sw + 1)
    parsed["width"] = filters * parsed["out"][1] * parsed["out"][2]
    return parsed


def parse(data):
    if not isinstance(data, dict):
        raise Invalid("the file is not a JSON object")
    for field in ("layers", "loss", "learning_rate", "inputs", "targets", "expected"):
        if field not in data:
            raise Invalid("%s: missing" % field)
    if not isinstance(data["layers"], list) or not data["layers"]:
        raise Invalid("layers: must be a non-empty array")
    x = matrix(data["inputs"], "inputs")
    layers, width, shape = [], x.shape[1], None
    for l, layer in enumerate(data["layers"]):
        parsed = parse_layer(layer, l, width, shape)
        layers.append(parsed)
        width, shape = parsed["width"], parsed["out"]
    for l, layer in enumerate(layers[:-1]):
        if layer["activation"] == "softmax":
            raise Invalid("layers[%d].activation: softmax only on the last layer" % l)
    eta = data["learning_rate"]
    if isinstance(eta, bool) or not isinstance(eta, (int, float)) or not eta > 0:
        raise Invalid("learning_rate: %s is not a positive number" % json.dumps(eta))
    if data["loss"] not in ("squared_error", "cross_entropy"):
        raise Invalid("loss: %s is not squared_error or cross_entropy" % json.dumps(data["loss"]))
    return {"layers": layers, "x": x, "t": matrix(data["targets"], "targets", rows=x.shape[0], columns=width),
            "eta": float(eta), "loss": data["loss"]}


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
    """(None, note) when the file agrees with both methods, else (the reason, None); the note
    says which layers were left to the formulas alone because of a max-pool tie, or is None."""
    with open(path) as f:
        data = json.load(f)
    note = None
    try:
        case = parse(data)
        expected = data["expected"]
        y, L, w, b = by_formulas(case)
        compare("expected.outputs", y, expected["outputs"], EXACT, "the formulas")
        compare("expected.loss", L, expected["loss"], EXACT, "the formulas")
        for l in range(len(w)):
            compare("expected.weight_steps[%d]" % l, w[l], expected["weight_steps"][l], EXACT, "the formulas")
            compare("expected.bias_steps[%d]" % l, b[l], expected["bias_steps"][l], EXACT, "the formulas")
        found = ties_that_matter(case)
        first = max(hit[0] for hit in found) + 1 if found else 0
        if found:
            l, s, ch, i, j = found[-1]
            where = "layers[%d] (maxpool2d) sample %d channel %d output (%d, %d)" % (l, s, ch, i, j)
            below = "layer 0" if l == 1 else "layers 0-%d" % (l - 1)
            if "tie" not in str(data.get("description", "")).lower():
                raise Mismatch("%s: the window's two largest values are within %g, so finite differences "
                               "cannot check %s; give it a clear maximum, or say \"tie\" in the description"
                               % (where, TIE_MARGIN, below))
            note = "max-pool tie at %s: %s by the formulas alone" % (where, below)
        nw, nb = by_differences(case, first)
        for l in range(first, len(w)):
            compare("expected.weight_steps[%d]" % l, nw[l], expected["weight_steps"][l], NUMERIC,
                    "finite differences")
            compare("expected.bias_steps[%d]" % l, nb[l], expected["bias_steps"][l], NUMERIC,
                    "finite differences")
        if len(expected["weight_steps"]) != len(w) or len(expected["bias_steps"]) != len(w):
            raise Mismatch("expected: %d layers, but %d weight steps and %d bias steps"
                           % (len(w), len(expected["weight_steps"]), len(expected["bias_steps"])))
        if not any(s is not None and np.any(np.asarray(s) != 0) for s in expected["weight_steps"]):
            raise Mismatch("expected.weight_steps are all zero: the case checks nothing")
    except Invalid as error:
        return str(error), None
    except (Mismatch, KeyError, ValueError, TypeError, IndexError) as error:
        return ("%s: %s" % (type(error).__name__, error) if not isinstance(error, Mismatch) else str(error)), None
    return None, note


def self_check(paths):
    """Each expected field of each file, one number nudged by a relative 1e-6: the oracle must refuse
    it. And each file with a max-pool tie, checked with ties routed to the last maximum: refused too."""
    import copy, tempfile
    missed, nudged, tied, flips_missed = 0, 0, 0, 0
    for path in paths:
        with open(path) as f:
            data = json.load(f)
        steps = data["expected"]
        fields = [("outputs",), ("loss",)] + \
                 [("weight_steps", l) for l in range(len(data["layers"])) if steps["weight_steps"][l] is not None] + \
                 [("bias_steps", l) for l in range(len(data["layers"])) if steps["bias_steps"][l] is not None]
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
                reason, _ = check(f.name)
            finally:
                os.unlink(f.name)
            nudged += 1
            name = "%s expected.%s" % (os.path.basename(path), ".".join(map(str, field)))
            if reason is None:
                missed += 1
                print("MISSED    %s, nudged, passed the oracle" % name, file=sys.stderr)
        case = parse(data)
        if ties_that_matter(case):
            tied += 1
            FIRST_MAXIMUM[0] = False
            try:
                reason, _ = check(path)
            finally:
                FIRST_MAXIMUM[0] = True
            if reason is None:
                flips_missed += 1
                print("MISSED    %s passed the oracle with max-pool ties routed to the last maximum"
                      % os.path.basename(path), file=sys.stderr)
    print("self-check: %d nudged copies, %d passed the oracle (must be 0)" % (nudged, missed))
    if tied:
        print("self-check: %d files with a max-pool tie, %d passed the oracle with ties routed to the last "
              "maximum (must be 0)" % (tied, flips_missed))
    return 1 if missed or flips_missed else 0


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
            data = json.load(f)
        try:
            y, L, w, b = by_formulas(parse(data))
        except ValueError as error:
            print("oracle: %s: %s" % (argv[1], error), file=sys.stderr)
            return 1
        listed = lambda m: None if m is None else m.tolist()
        print(json.dumps({"outputs": y.tolist(), "loss": L, "weight_steps": [listed(m) for m in w],
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
        reason, note = check(path)
        name = os.path.basename(path)
        if reason is None:
            print("AGREE     %s (formulas within %g + %g·|e|, finite differences within %g + %g·|e|%s)"
                  % (name, EXACT[0], EXACT[1], NUMERIC[0], NUMERIC[1], "; " + note if note else ""))
        else:
            failed += 1
            print("MISMATCH  %s: %s" % (name, reason), file=sys.stderr)
    print("%d of %d case files agree with the oracle" % (len(paths) - failed, len(paths)))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
