#!/usr/bin/env python3
"""Generates print_cases.inc: tensors and their exact PyTorch repr, Python repr(float) and
f"{v:.Nf}" results, used by test_runtime.c as ground truth for the C printing code.

Needs torch (CPU) and numpy. Regenerate from the repository root with
    python3 runtime/tests/gen_print_cases.py
which rewrites runtime/tests/print_cases.inc. The output is deterministic for a given torch.
"""
import math
import os
import random
import struct
import sys

import numpy as np
import torch

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "print_cases.inc")

torch.manual_seed(1234)
rng = random.Random(1234)

cases = []  # (label, tensor (detached, contiguous), suffix or None, expected repr)


def add(label, t, grad=None):
    """grad: None, "leaf" (requires_grad=True) or a function building a grad_fn tensor."""
    if grad is None:
        shown = t
        suffix = None
    elif grad == "leaf":
        shown = t.clone().requires_grad_(True)
        suffix = "requires_grad=True"
    else:
        leaf = t.clone().requires_grad_(True)
        shown = grad(leaf)
        suffix = f"grad_fn=<{type(shown.grad_fn).__name__}>"
    expected = repr(shown)
    cases.append((label, shown.detach().contiguous(), suffix, expected))


f = lambda *v: torch.tensor(v, dtype=torch.float32)
nan, inf = float("nan"), float("inf")

# 0-dim
for v in [3.0, 0.5, 1e-5, -0.0, 0.0, nan, -inf, 123456789.0, -2.5, 1.0e10, 0.1]:
    add(f"scalar {v!r}", torch.tensor(v, dtype=torch.float32))
add("scalar int64", torch.tensor(7))
add("scalar int64 negative", torch.tensor(-9223372036854775807 - 1))
add("scalar bool True", torch.tensor(True))
add("scalar bool False", torch.tensor(False))
add("scalar requires_grad", torch.tensor(2.5), "leaf")
add("scalar grad_fn", torch.tensor(2.0), lambda x: x * 3)

# int mode, fixed, scientific
add("int_mode", f(1, 2, 3))
add("int_mode negative", f(-1, 0, 100, -2500))
add("zeros", torch.zeros(4))
add("fixed", f(0.25, 0.4, 0.5))
add("fixed negative", f(-0.25, 1.5, 3.125))
add("sci small", f(1e-5, 1e3))
add("sci big", f(1e9, 1.0))
add("sci ratio", f(0.5, 600.0))
add("sci int_mode", f(1.0, 2000.0))
add("sci tiny", f(1e-10))
add("sci max", f(3.4028234663852886e38, -1.0))
add("subnormal", f(1e-45, 1.0))
# nan / inf and the mode
add("nan inf", f(nan, inf, -inf))
add("nan only", f(nan))
add("nan int", f(1.0, nan, 2.0))
add("inf fixed", f(1.5, inf))
add("nan sci", f(1e-5, nan, 2.0))
add("-inf fixed", f(0.5, -inf))
add("inf int large", f(inf, -inf, 123456.0))
# negative zero
add("neg zero", f(-0.0, 0.0))
add("neg zero fixed", f(-0.0, 1.5))
add("neg zero sci", f(-0.0, 1e-5))
add("neg zero int", f(-0.0, 12.0))
# alignment
add("alignment", f(1.0, -100.0, 1000.5))
add("alignment int", f(1, -100, 1000))
# 2-D and higher
add("2d randn", torch.randn(3, 4))
add("2d arange", torch.arange(12, dtype=torch.float32).reshape(3, 4))
add("2d 1x1", torch.tensor([[5.0]]))
add("2d column", torch.randn(4, 1))
add("3d randn", torch.randn(2, 3, 4))
add("4d randn", torch.randn(2, 2, 2, 3))
add("5d", torch.randn(1, 2, 1, 2, 2))
add("6d", torch.arange(64, dtype=torch.float32).reshape(2, 2, 2, 2, 2, 2))
add("8d ones", torch.ones([2] * 8))
add("8d int", torch.arange(24).reshape(1, 2, 1, 3, 1, 2, 2, 1))
# 1-D wrapping
add("wrap randn 30", torch.randn(30))
add("wrap arange 50", torch.arange(50, dtype=torch.float32))
add("wrap wide", torch.rand(100) * 1000)
add("wrap sci", torch.randn(40) * 1e-6)
add("wrap in 2d", torch.randn(3, 25))
# summarization
add("summarize 1d 1200", torch.randn(1200))
add("summarize 1d 1001", torch.randn(1001))
add("summarize 2d", torch.randn(40, 30))
add("summarize 2d wide", torch.randn(2, 600))
add("summarize 2d tall", torch.randn(600, 2))
add("summarize 3d", torch.randn(10, 11, 12))
add("summarize 4d", torch.randn(7, 3, 8, 9))
add("summarize int64", torch.arange(2000))
add("summarize bool", torch.rand(1100) > 0.5)
outlier = torch.randn(1200)
outlier[600] = 1e12  # hidden by summarization: must not affect the mode
add("summarize hidden outlier", outlier)
add("summarize nan edge", torch.cat([f(nan), torch.randn(1100), f(inf)]))
# empty
add("empty 1d", torch.zeros(0))
add("empty 2d", torch.zeros(0, 3))
add("empty 3d", torch.zeros(2, 0, 3))
add("empty int64", torch.zeros(0, dtype=torch.int64))
add("empty int64 2d", torch.zeros(4, 0, dtype=torch.int64))
add("empty bool", torch.zeros(0, 2, dtype=torch.bool))
add("empty requires_grad", torch.zeros(0, 3), "leaf")
# int64
add("int64 big", torch.tensor([-9223372036854775807 - 1, 9223372036854775807, 0]))
add("int64 mixed", torch.randint(-100000, 100000, (3, 5)))
add("int64 wrap", torch.randint(-10**12, 10**12, (20,)))
add("int64 3d", torch.arange(-12, 12).reshape(2, 3, 4))
# bool
add("bool 1d", torch.tensor([True, False, True]))
add("bool 2d", torch.rand(3, 4) > 0.5)
add("bool wrap", torch.rand(30) > 0.5)
# random magnitudes
for i in range(12):
    rank = rng.randint(1, 4)
    shape = [rng.randint(1, 6) for _ in range(rank)]
    scale = 10.0 ** rng.uniform(-9, 11)
    t = torch.randn(shape) * scale
    if rng.random() < 0.3:
        t = t.round()
    add(f"random magnitude {i}", t)
for i in range(4):
    n = rng.randint(1, 1200)
    add(f"random size {i}", torch.randn(n) * 10.0 ** rng.uniform(-3, 3))
# suffixes
add("requires_grad 1d", torch.randn(4), "leaf")
add("requires_grad 2d", torch.randn(3, 3), "leaf")
add("grad_fn add", torch.randn(5), lambda x: x + 1)
add("grad_fn mul 2d", torch.randn(2, 3), lambda x: x * 2)
add("grad_fn sum", torch.randn(5), lambda x: x.sum())
add("grad_fn summarized", torch.randn(1200), lambda x: x * 2)


def want_newline(t, grad, name):
    s = repr(t.clone().requires_grad_(True) if grad == "leaf" else grad(t.clone().requires_grad_(True)))
    return ",\n       " + name in s


# lengths where the suffix moves to its own line (PyTorch's _add_suffixes rule)
found = 0
for n in range(1, 40):
    t = torch.randn(n)
    if want_newline(t, "leaf", "requires_grad"):
        add(f"requires_grad newline {n}", t, "leaf")
        found += 1
    if found >= 2:
        break
found = 0
for n in range(1, 40):
    t = torch.randn(n)
    g = lambda x: torch.nn.functional.log_softmax(x, dim=0)
    if want_newline(t, g, "grad_fn"):
        add(f"grad_fn newline {n}", t, g)
        found += 1
    if found >= 2:
        break
for n in range(1, 40):
    t = torch.randn(2, n)
    if want_newline(t, "leaf", "requires_grad"):
        add(f"requires_grad newline 2d {n}", t, "leaf")
        break
for n in range(1, 12):
    t = torch.randn(n)
    s = repr(t.clone().requires_grad_(True))
    if "\n" not in s and len(s) > 60:
        add(f"requires_grad same line {n}", t, "leaf")

# float64, int32, uint8: the dtype suffix, values formatted from the double
d = lambda *v: torch.tensor(v, dtype=torch.float64)
add("float64 scalar", torch.tensor(1.5, dtype=torch.float64))
add("float64 int_mode", d(1, 2, 3))
add("float64 fixed", d(0.1, 0.25, -3.0))
add("float64 sci", d(1e-300, 1e300))
add("float64 beyond float32", d(1e40, 3.0))
add("float64 randn 2d", torch.randn(3, 4, dtype=torch.float64))
add("float64 requires_grad", d(0.5, 1.5), "leaf")
add("float64 grad_fn", d(0.5, 1.5), lambda x: x * 2)
add("float64 summarized", torch.randn(1100, dtype=torch.float64))
add("empty float64", torch.zeros(0, dtype=torch.float64))
add("int32", torch.tensor([1, -2, 2147483647, -2147483648], dtype=torch.int32))
add("int32 scalar", torch.tensor(-7, dtype=torch.int32))
add("int32 2d", torch.arange(-6, 6, dtype=torch.int32).reshape(3, 4))
add("uint8", torch.tensor([0, 1, 255, 128], dtype=torch.uint8))
add("uint8 scalar", torch.tensor(200, dtype=torch.uint8))
add("empty uint8", torch.zeros(2, 0, dtype=torch.uint8))

# ---- repr(float) and format(v, ".Nf") ----
repr_values = [7.0, 0.1, 0.30000001192092896, 1e-05, 1e16, 1e15, 123456789012345678.0, 5e-324,
               1.7976931348623157e308, -0.0, 0.0, nan, inf, -inf, 0.0001, 0.00012345, 1 / 3,
               2 / 3, 100.0, 1e22, 1e23, 9007199254740993.0, 2.0 ** -1022, 2.0 ** 60,
               2.0 ** -60, 1.5, -2.5e-7, 123.456, 9.999999999999999e22, 0.5, 1e-4, 9.5e-5,
               float(np.float32(0.1)), float(np.float32(1e-5)), float(np.float32(3.4e38)),
               2.2250738585072014e-308, 4.9406564584124654e-324 * 3]
for e in range(-1074, 1024, 37):
    repr_values.append(2.0 ** e)  # powers of two: lopsided rounding intervals
for _ in range(150):
    repr_values.append(struct.unpack("<d", struct.pack("<Q", rng.getrandbits(64)))[0])
for _ in range(150):
    bits = rng.getrandbits(32)
    repr_values.append(float(np.frombuffer(struct.pack("<I", bits), dtype=np.float32)[0]))
for _ in range(100):
    repr_values.append(rng.uniform(-1000, 1000))

fixed_values = [(0.25, 4), (0.125, 2), (0.375, 2), (2.5, 0), (3.5, 0), (-0.0, 4), (-0.0, 0),
                (nan, 4), (-nan, 4), (inf, 4), (-inf, 2), (1e20, 4), (1e-7, 4), (123.456, 1),
                (-1.5, 0), (0.5, 0), (1.0e300, 2), (2.675, 2), (1 / 3, 10), (-7.0, 3)]
for _ in range(60):
    fixed_values.append((rng.uniform(-1e6, 1e6) * 10.0 ** rng.randint(-8, 0), rng.randint(0, 8)))


def c_string(s):
    out = []
    for part in s.split("\n"):
        out.append(part.replace("\\", "\\\\").replace('"', '\\"'))
    return '"' + '\\n"\n    "'.join(out) + '"'


def dbits(v):
    return struct.unpack("<Q", struct.pack("<d", v))[0]


def i64(v):
    return "(-9223372036854775807LL - 1)" if v == -(2 ** 63) else f"{v}LL"


lines = [
    "/* print_cases.inc: GENERATED by runtime/tests/gen_print_cases.py with PyTorch "
    f"{torch.__version__}, NumPy {np.__version__}, Python {sys.version.split()[0]}.",
    "   Do not edit. Regenerate: python3 runtime/tests/gen_print_cases.py (needs torch, numpy).",
    "   Ground truth for tgc_str_append_tensor, tgc_str_append_float_repr and tgc_str_append_fixed. */",
    "",
]
entries = []
for idx, (label, t, suffix, expected) in enumerate(cases):
    shape = list(t.shape)
    flat = t.reshape(-1)
    if t.dtype == torch.float32:
        dt = "TGC_F32"
        vals = [f"0x{(b & 0xffffffff):08x}u" for b in flat.view(torch.int32).tolist()]
        ctype = "uint32_t"
    elif t.dtype == torch.float64:
        dt = "TGC_F64"
        vals = [f"0x{(b & 0xffffffffffffffff):016x}ULL" for b in flat.view(torch.int64).tolist()]
        ctype = "uint64_t"
    elif t.dtype == torch.int64:
        dt = "TGC_I64"
        vals = [i64(v) for v in flat.tolist()]
        ctype = "int64_t"
    elif t.dtype == torch.int32:
        dt = "TGC_I32"
        vals = [f"{v}" if v != -2**31 else "(-2147483647 - 1)" for v in flat.tolist()]
        ctype = "int32_t"
    elif t.dtype == torch.uint8:
        dt = "TGC_U8"
        vals = [str(v) for v in flat.tolist()]
        ctype = "uint8_t"
    else:
        dt = "TGC_BOOL"
        vals = [str(int(v)) for v in flat.tolist()]
        ctype = "uint8_t"
    data_name = "NULL"
    if vals:
        data_name = f"pc_data{idx}"
        lines.append(f"static const {ctype} {data_name}[] = {{")
        for k in range(0, len(vals), 8):
            lines.append("    " + ", ".join(vals[k:k + 8]) + ",")
        lines.append("};")
    shape_name = "NULL"
    if shape:
        shape_name = f"pc_shape{idx}"
        lines.append(f"static const int64_t {shape_name}[] = {{{', '.join(str(d) for d in shape)}}};")
    sfx = "NULL" if suffix is None else c_string(suffix)
    entries.append(f"    {{{c_string(label)}, {dt}, {data_name}, {len(shape)}, {shape_name}, {sfx},\n"
                   f"    {c_string(expected)}}},")
lines.append("")
lines.append("static const struct print_case PRINT_CASES[] = {")
lines.extend(entries)
lines.append("};")
lines.append("")
lines.append("static const struct repr_case REPR_CASES[] = {")
for v in repr_values:
    lines.append(f"    {{0x{dbits(v):016x}ULL, {c_string(repr(v))}}},")
lines.append("};")
lines.append("")
lines.append("static const struct fixed_case FIXED_CASES[] = {")
for v, p in fixed_values:
    lines.append(f"    {{0x{dbits(v):016x}ULL, {p}, {c_string(format(v, f'.{p}f'))}}},")
lines.append("};")

with open(OUT, "w") as fh:
    fh.write("\n".join(lines) + "\n")
print(f"wrote {OUT}: {len(cases)} tensor cases, {len(repr_values)} repr cases, "
      f"{len(fixed_values)} fixed cases")
