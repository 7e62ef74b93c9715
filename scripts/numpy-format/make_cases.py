#!/usr/bin/env python3
"""Generate Tests/NumPyFormatTests/NumPyCases.swift from NumPy itself.

Every case is a float64 array (values stored bit-exactly as UInt64 bit
patterns), its shape, and the text `str(array)` gives with NumPy's default
print options. `fuzz.py` reuses `random_case` for large local fuzz runs.

Usage: python3 make_cases.py [count]   (default 230 random cases + fixed ones)
"""
import math
import os
import struct
import sys

import numpy as np

SEED = 20240531
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "..", "Tests", "NumPyFormatTests", "NumPyCases.swift")


def bits(x):
    return struct.unpack("<Q", struct.pack("<d", float(x)))[0]


def numpy_text(values, shape):
    arr = np.array(values, dtype=np.float64).reshape(shape)
    with np.printoptions():  # defaults, whatever the environment set
        return str(arr)


# ---------------------------------------------------------------- values

def v_logmag(rng, lo=-12, hi=12):
    """Random magnitude 10^[lo, hi) with random sign."""
    x = 10.0 ** rng.uniform(lo, hi)
    return -x if rng.random() < 0.5 else x


def v_bits(rng):
    """Any finite double, subnormals and huge ones included."""
    while True:
        x = struct.unpack("<d", struct.pack("<Q", int(rng.integers(0, 2**64, dtype=np.uint64))))[0]
        if math.isfinite(x):
            return x


def v_tie(rng):
    """Dyadic values whose decimal expansion ends right at a rounding boundary."""
    kind = rng.integers(0, 4)
    if kind == 0:  # 9 fraction digits ending in 5: a tie at 8 positional digits
        return float(rng.integers(1, 2**9)) * 2.0**-9 * (1 if rng.random() < 0.5 else -1)
    if kind == 1:  # small tie like 0.125, 2.5, 0.375
        k = int(rng.integers(1, 200)) * 2 + 1
        return k / 2.0 ** int(rng.integers(1, 12))
    if kind == 2:  # 10-digit integer ending in 5: a tie at 9 significant digits
        return float(int(rng.integers(10**8, 10**9)) * 10 + 5)
    return float(int(rng.integers(1, 10**6)) * 10 + 5) * 2.0**-int(rng.integers(1, 30))


def v_short(rng):
    """Short decimals such as 0.1, 3.14, 2.5e-7."""
    digits = int(rng.integers(1, 10))
    mant = int(rng.integers(1, 10**digits))
    return float(f"{mant}e{int(rng.integers(-14, 14))}") * (1 if rng.random() < 0.5 else -1)


def v_integer(rng):
    return float(rng.integers(-10**int(rng.integers(1, 12)), 10**int(rng.integers(1, 12))))


def v_near(rng):
    """Values near the notation thresholds and rounding carries."""
    base = [1e-4, 1e8, 1e3, 1e-3, 1.0, 10.0, 0.1, 9.999999999, 0.99999999999, 99999999.999999999,
            9.9999999995, 99999999.99999999, 1e16, 1e-5, 0.00099999999999, 9.99999999999e-5,
            999.999999995, 123456.789012345, 1e22, 1e23, 2.0**-1022, 5e-324, 1.7976931348623157e308]
    x = float(base[int(rng.integers(0, len(base)))])
    steps = int(rng.integers(-3, 4))
    for _ in range(abs(steps)):
        x = math.nextafter(x, math.inf if steps > 0 else -math.inf)
    return -x if rng.random() < 0.3 else x


def v_float32(rng):
    return float(np.float32(v_logmag(rng, -6, 6)))


def v_special(rng):
    return [0.0, -0.0, math.nan, math.inf, -math.inf, -math.nan][int(rng.integers(0, 6))]


def v_sameorder(rng, centre, decimals):
    """Values within a narrow band so that positional notation is kept."""
    x = centre * 10.0 ** rng.uniform(-1.4, 1.4)
    if decimals is not None:
        x = round(x, decimals)
    return -x if rng.random() < 0.4 else x


def make_values(rng, n):
    mode = rng.choice(["band", "short", "integer", "tie", "bits", "near", "mixed", "float32", "subnormal"],
                      p=[0.32, 0.14, 0.08, 0.1, 0.08, 0.08, 0.1, 0.06, 0.04])
    if mode == "band":  # positional notation, varied digit counts
        centre = 10.0 ** rng.uniform(-2.5, 6.5)
        decimals = None if rng.random() < 0.4 else int(rng.integers(0, 10))
        gen = lambda: v_sameorder(rng, centre, decimals)
    elif mode == "short":  # few digits, so fewer than 8 fraction digits
        lo = int(rng.integers(-14, 12))
        digits = int(rng.integers(1, 6))
        gen = lambda: (float(f"{int(rng.integers(1, 10**digits))}e{int(rng.integers(lo, lo + 4))}")
                       * (1 if rng.random() < 0.6 else -1))
    elif mode == "integer":
        gen = lambda: v_integer(rng)
    elif mode == "tie":
        gen = lambda: v_tie(rng) if rng.random() < 0.8 else v_short(rng)
    elif mode == "bits":
        gen = lambda: v_bits(rng)
    elif mode == "near":
        gen = lambda: v_near(rng)
    elif mode == "subnormal":  # few significant bits: shortest and exact digits differ
        gen = lambda: (float(int(rng.integers(1, 10**int(rng.integers(1, 6))))) * 5e-324
                       if rng.random() < 0.7 else v_short(rng) * 1e-300)
    elif mode == "float32":
        gen = lambda: v_float32(rng)
    else:
        gens = [v_logmag, v_short, v_float32, v_tie, v_near, v_integer]
        gen = lambda: gens[int(rng.integers(0, len(gens)))](rng)
    out = [float(gen()) for _ in range(n)]
    # Sprinkle zeros, negative zeros, nan and infinities into some arrays.
    if rng.random() < 0.3:
        for _ in range(int(rng.integers(1, 4))):
            out[int(rng.integers(0, n))] = v_special(rng)
    r = rng.random()
    if r < 0.02:
        out = [v_special(rng) for _ in range(n)]
    elif r < 0.06:
        out = [-abs(x) for x in out]
    return out


def random_shape(rng, big_ok=True):
    r = rng.random()
    if r < 0.4:
        return (int(rng.integers(1, 61)),)
    if r < 0.55:
        return (1, int(rng.integers(1, 30)))
    if r < 0.62:
        return (int(rng.integers(1, 12)), 1)
    if r < 0.80:
        return (int(rng.integers(1, 9)), int(rng.integers(1, 12)))
    if r < 0.92:
        return tuple(int(rng.integers(1, 5)) for _ in range(3))
    if r < 0.96:
        return tuple(int(rng.integers(1, 4)) for _ in range(int(rng.integers(4, 6))))
    if big_ok:  # summarised: more than 1000 elements
        options = [(1001,), (1500,), (40, 30), (7, 150), (1, 1200), (1200, 1), (11, 10, 10),
                   (2, 3, 200), (8, 8, 20), (5, 4, 3, 20)]
        return options[int(rng.integers(0, len(options)))]
    return (int(rng.integers(1, 61)),)


def random_case(rng, big_ok=True):
    shape = random_shape(rng, big_ok)
    n = int(np.prod(shape))
    return make_values(rng, n), shape


def fixed_cases():
    """Hand-picked cases that must always be covered."""
    lesson2 = [0.00017700554663735335, -0.0005111785059877155, 3.540110932747067e-05,
               -0.00010223570119754312, -7.080221865494134e-05, 0.00020447140239508623]
    cases = [
        ([0.008040473948045291, 0.005559180911682829], (2,)),
        (lesson2, (3, 2)),
        ([1.0, 0.5], (2,)),
        ([0.125, 0.375, 2.5], (3,)),
        ([0.001953125, -0.005859375], (2,)),
        ([1234567895.0, 1.0], (2,)),
        ([0.0, -0.0], (2,)),
        ([-0.0], (1,)),
        ([math.nan, math.inf, -math.inf], (3,)),
        ([math.nan], (1,)),
        ([1.0, math.nan, 2.5, -math.inf], (2, 2)),
        ([1e300, 1e-300, 0.0], (3,)),
        ([5e-324, 1.5e-323], (2,)),
        ([1e23, 1e22, 9007199254740993.0], (3,)),
        ([1e-4, 99999999.0], (2,)),
        ([1e-4, 0.1], (2,)),
        ([0.00009999], (1,)),
        ([1e8], (1,)),
        ([99999999.99999999], (1,)),
        ([0.0, 1.5e-5], (2,)),
        ([float(i) for i in range(24)], (2, 3, 4)),
        ([i * 0.1 for i in range(60)], (60,)),
        ([(-1) ** i * 10.0 ** (i % 17 - 8) for i in range(45)], (45,)),
        ([i / 7 for i in range(35)], (5, 7)),
        ([i / 3 for i in range(12)], (1, 12)),
        ([i / 3 for i in range(12)], (12, 1)),
        ([math.sin(i) for i in range(1001)], (1001,)),
        # Summarised (more than 1000 elements): 1-D, 2-D and 3-D.
        ([math.cos(i) * 1e-3 for i in range(7 * 13 * 11)], (7, 13, 11)),
        ([(i % 97) * 0.25 - 3.0 if i % 50 else math.nan for i in range(26 * 40)], (26, 40)),
    ]
    return [(v, tuple(s)) for v, s in cases]


# ---------------------------------------------------------------- output

def swift_string_literal(text):
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def swift_case(values, shape, expected):
    hexes = ", ".join(f"0x{bits(v):016x}" for v in values)
    shape_text = ", ".join(str(d) for d in shape)
    return (f"    NumPyCase(shape: [{shape_text}],\n"
            f"              bits: [{hexes}],\n"
            f"              expected: {swift_string_literal(expected)}),\n")


def main():
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 230
    rng = np.random.default_rng(SEED)
    # Summarised arrays are large to store, so only the fixed ones are kept.
    cases = fixed_cases() + [random_case(rng, big_ok=False) for _ in range(count)]
    body = "".join(swift_case(v, s, numpy_text(v, s)) for v, s in cases)
    with open(OUT, "w") as f:
        f.write("// Generated by make_cases.py from NumPy "
                f"{np.__version__}; do not edit by hand.\n"
                "// Each case: a float64 array (bit patterns, C order), its shape, and\n"
                "// str(np.array(values).reshape(shape)) with default print options.\n\n"
                "struct NumPyCase: Sendable {\n"
                "    let shape: [Int]\n"
                "    let bits: [UInt64]\n"
                "    let expected: String\n"
                "    var values: [Double] { bits.map { Double(bitPattern: $0) } }\n"
                "}\n\n"
                "let numPyCases: [NumPyCase] = [\n" + body + "]\n")
    print(f"wrote {len(cases)} cases to {OUT} ({os.path.getsize(OUT)} bytes)")


if __name__ == "__main__":
    main()
