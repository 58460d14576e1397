"""Timing and reporting shared by the peer benchmarks (NumPy, JAX, PyTorch).

Each peer script prints one JSON object per line on stdout, read by bench/run.py:
  {"info": "..."}                                     versions, BLAS kernel, threads
  {"workload": "b1_1024", "min_ms": .., "median_ms": .., "runs": N}
  {"workload": "b8", "us_per_op": .., "ops": N}
  {"workload": "b4@compile", ...}                     a variant of the peer (run.py's column
                                                      "<peer>_compile", e.g. torch.compile)
The workload keys and sizes are the ones of bench/run.py and the .swiftdsl programs.
"""
import argparse
import json
import statistics
import sys
import time

import numpy as np

N16M = 16_777_216
MATMUL_SIZES = (256, 512, 1024)
EAGER_OPS = 200_000


def parse_args(description):
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--threads", type=int, default=0, help="threads (0: the library's default)")
    p.add_argument("--target-s", type=float, default=2.0, help="time budget of one workload")
    p.add_argument("--only", default="", help="comma-separated workload keys (default: all)")
    args = p.parse_args()
    args.only = {k for k in args.only.split(",") if k}
    return args


def wanted(args, key):
    return not args.only or key in args.only


def emit(obj):
    print(json.dumps(obj), flush=True)


def info(text):
    emit({"info": text})


def bench(key, fn, target_s, min_runs=3, max_runs=2000):
    """Warm up (JIT compiles happen here), time one call to pick a run count that fills about
    target_s, then time that many calls; report min and median in milliseconds (under each
    key when `key` is a list)."""
    fn()
    one, spent = float("inf"), 0.0
    for _ in range(5):  # the fastest of a few calls, so that one slow call does not set the count
        t0 = time.perf_counter()
        fn()
        dt = time.perf_counter() - t0
        one, spent = min(one, dt), spent + dt
        if spent > 0.2 * target_s:
            break
    runs = int(max(min_runs, min(max_runs, target_s / max(one, 1e-9))))
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1e3)
    for k in key if isinstance(key, list) else [key]:
        emit({"workload": k, "min_ms": min(times), "median_ms": statistics.median(times), "runs": runs})


def eager_per_op(key, loop, repeats=3):
    """Per-op cost of loop(EAGER_OPS), a Python loop of that many tiny ops, best of
    `repeats`. Python's own loop overhead is included, as the interpreter's is in tgc's."""
    loop(1000)
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        loop(EAGER_OPS)
        best = min(best, time.perf_counter() - t0)
    emit({"workload": key, "us_per_op": best / EAGER_OPS * 1e6, "ops": EAGER_OPS})


def random_f32(rng, shape):
    return rng.standard_normal(shape, dtype=np.float32)


def mlp_shapes():
    """The B4 MLP: parameter shapes in order w1, b1, w2, b2, w3, b3."""
    return [(784, 256), (256,), (256, 128), (128,), (128, 10), (10,)]


def fail(message):
    print(message, file=sys.stderr)
    sys.exit(1)
