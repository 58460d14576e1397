#!/usr/bin/env python3
"""tgc's benchmark driver (docs/BENCHMARKS.md). Standard library only.

    python3 bench/run.py --tgc .build-bench/release/tgc          # tgc workloads + triad
    python3 bench/run.py --tgc ... --peers numpy,jax,torch \\
        --peer-python bench/.venv/bin/python                      # + peers, ratios, targets

Compiles every bench/*.swiftdsl program with the given (release) tgc, runs each with
`--bench N --threads T` (N picked so a workload takes about --target-s seconds), times
`tgc run --eager` for B8 and `tgc compile` for B4, measures a STREAM-style triad as the
bandwidth limit of the same run, optionally runs the peer scripts in bench/peers/, then
prints one Markdown report and writes it to bench/results.md.
"""
import argparse
import datetime
import json
import math
import os
import platform
import re
import random
import shutil
import statistics
import struct
import subprocess
import sys
import time

BENCH = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(BENCH)
BUILD = os.path.join(BENCH, "build")

N16M = 16_777_216
MB = 1e6  # GB/s and MB are decimal (1e9 bytes per second), as STREAM reports them


def mlp_flop():
    """Matmul FLOP of one B4 step: forward x·w1, h1·w2, h2·w3; backward the weight gradient of
    every layer and the input gradient of layers 2 and 3 (none is needed for x)."""
    f1, f2, f3 = 784 * 256, 256 * 128, 128 * 10
    return 2 * 128 * (2 * f1 + 3 * f2 + 3 * f3)


def cnn_flop():
    """Convolution and matmul FLOP of one B6 step: forward conv1 (1→32, 28²), conv2 (32→64,
    14²), fc1 (3136→128), fc2 (128→10); backward the weight gradient of every layer and the
    input gradient of all but conv1 (none is needed for x)."""
    conv1, conv2 = 784 * 32 * 9, 196 * 64 * 288
    fc1, fc2 = 3136 * 128, 128 * 10
    return 2 * 64 * (2 * conv1 + 3 * conv2 + 3 * fc1 + 3 * fc2)


# key, program, label, size, derived unit, amount (FLOP or bytes) per run
WORKLOADS = [
    ("b1_256", "b1_matmul_256", "B1 matmul", "256²", "GFLOP/s", 2 * 256 ** 3),
    ("b1_512", "b1_matmul_512", "B1 matmul", "512²", "GFLOP/s", 2 * 512 ** 3),
    ("b1_1024", "b1_matmul_1024", "B1 matmul", "1024²", "GFLOP/s", 2 * 1024 ** 3),
    ("b2", "b2_elementwise", "B2 relu(a*b+c)*0.5-a", "3×16M", "GB/s", 4 * 4 * N16M),
    ("b3_sum", "b3_sum", "B3 sum", "16M", "GB/s", 4 * N16M),
    ("b3_softmax", "b3_softmax", "B3 row softmax", "4096×1024", "GB/s", 2 * 4 * 4096 * 1024),
    ("b9_slice_diff", "b9_slice_diff", "B9 abs(x[:, 1:] - x[:, :-1]).sum()", "4096²", "GB/s", 4 * 4096 * 4096),
    ("b9_cat", "b9_cat", "B9 cat([a, b], 1) * 2", "2×4096×2048", "GB/s", 2 * 4 * 4096 * 4096),
    ("b4", "b4_mlp_step", "B4 MLP train step", "784-256-128-10, b128", "GFLOP/s", mlp_flop()),
    ("b4_module_sgd", "b4_mlp_module_sgd", "B4 with Linear, crossEntropy, SGD", "784-256-128-10, b128", "GFLOP/s", mlp_flop()),
    ("b4_module_adam", "b4_mlp_module_adam", "B4 with Linear, crossEntropy, Adam", "784-256-128-10, b128", "GFLOP/s", mlp_flop()),
    ("b6", "b6_cnn_step", "B6 CNN train step (Adam)", "2 conv + 2 linear, b64 1×28²", "GFLOP/s", cnn_flop()),
    ("b5", "b5_linreg", "B5 linear regression", "100 epochs", None, None),
]
# Workloads whose GB/s is reported as a fraction of the triad of the same run.
BANDWIDTH_KEYS = ("b2", "b3_sum", "b3_softmax", "b9_slice_diff", "b9_cat")
EAGER_PROGRAM = "b8_eager_add"
EAGER_BIG, EAGER_SMALL = 200_000, 1_000
COMPILE_PROGRAM = "b4_mlp_step"
# B6's step, compiled and under `tgc run --eager`: the program's step lines, run in a loop of
# STEP_LOOP + 1 steps and of 1 step (the difference is STEP_LOOP warm steps, as the peers time
# a step of a model built once).
STEP_PROGRAM = "b6_cnn_step"
STEP_LINES = ("opt.zeroGrad()\n", "let loss = crossEntropy(model(x), labels)\n", "loss.backward()\n",
                    "opt.step()\n", "print(loss)\n")
EAGER_STEP_REPEATS = 5
STEP_LOOP = 10
# B6's peak memory: the compiled program and a PyTorch eager process, each running this many steps.
MEMORY_STEPS = 10
MEMORY_PROGRAM = "b6_cnn_step"

# Targets: (key, what tgc is compared with, comparison, ratio, text). The ratio is tgc speed
# over the other's: peer time / tgc time, or tgc GB/s / triad GB/s; "seconds" is tgc's own;
# "tgc:KEY" is another tgc workload of the same run (its time / this one's).
TARGETS = [
    ("b1_1024", "best", ">=", 0.7, "B1 1024²: ≥ 0.7× the best peer's GFLOP/s"),
    ("b2", "triad", ">=", 0.8, "B2: ≥ 0.8× triad bandwidth"),
    ("b2", "jax", ">=", 2.0, "B2: ≥ 2× JAX"),
    ("b3_sum", "jax", ">", 1.0, "B3 sum: faster than JAX"),
    ("b3_softmax", "jax", ">", 1.0, "B3 softmax: faster than JAX"),
    ("b4", "jax", ">", 1.0, "B4: faster than JAX jit"),
    ("b4", "torch", ">=", 3.0, "B4: ≥ 3× faster than PyTorch eager"),
    ("b4_module_sgd", "tgc:b4", ">=", 1 / 1.05, "B4 with Linear/crossEntropy/SGD: within 5% of the hand-written B4"),
    ("b4_module_adam", "tgc:b4_module_sgd", ">=", 1 / 1.15, "B4 with Adam: ≤ 1.15× the SGD step time"),
    ("b6", "torch", ">=", 3.0, "B6: ≥ 3× faster than PyTorch eager"),
    ("b6", "torch_compile", ">=", 2.0, "B6: ≥ 2× faster than torch.compile"),
    ("b6", "peak", ">=", 0.4, "B6: ≥ 40% of the FMA peak"),
    ("b5", "jax", ">", 1.0, "B5: faster than JAX fori_loop"),
    ("b5", "torch", ">=", 50.0, "B5: ≥ 50× faster than PyTorch eager"),
    ("b8", "torch", ">=", 1.0, "B8: eager cost per op ≤ PyTorch's"),
    ("b6_eager", "torch", ">=", 0.5, "B6 eager step (`tgc run --eager`): ≤ 2× PyTorch eager's step time"),
    ("compile", "seconds", "<", 1.0, "compile of B4 < 1 s"),
    ("b6_memory", "torch", "<=", 0.5, "B6 peak resident memory ≤ ½ the PyTorch eager process's"),
]
PEER_NAMES = {"numpy": "NumPy", "jax": "JAX jit", "torch": "PyTorch eager"}
# Variants a peer script reports as "KEY@VARIANT": their own column, "<peer>_<variant>".
VARIANT_NAMES = {"torch_compile": "torch.compile"}
COLUMN_NAMES = {**PEER_NAMES, **VARIANT_NAMES}


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def run(cmd, timeout=900, env=None, check=True):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                       timeout=timeout, env=env)
    if check and p.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited {p.returncode}:\n{p.stderr[-2000:]}")
    return p


def wall(cmd, repeats, timeout=900):
    """Best wall time of `repeats` runs of cmd, in seconds."""
    best = math.inf
    for _ in range(repeats):
        t0 = time.perf_counter()
        run(cmd, timeout=timeout)
        best = min(best, time.perf_counter() - t0)
    return best


# ---------------------------------------------------------------------------------------
# Machine description


def machine():
    model = platform.processor() or "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = ""
    try:
        with open("/proc/meminfo") as f:
            kb = int(f.readline().split()[1])
            mem = f", {kb / 2**20:.0f} GiB memory"
    except (OSError, ValueError, IndexError):
        pass
    flags = ""
    try:
        with open("/proc/cpuinfo") as f:
            text = f.read()
        flags = " AVX-512" if "avx512f" in text else (" AVX2" if "avx2" in text else "")
    except OSError:
        pass
    return f"{model}{flags}, {os.cpu_count()} cores{mem}, Linux {platform.release()}"


def tool_version(cmd):
    try:
        return run(cmd, timeout=60).stdout.strip().splitlines()[0]
    except Exception:  # noqa: BLE001 - a version string is only informative
        return "unknown"


def load_average():
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "unknown"


def git_revision():
    try:
        rev = run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], timeout=30).stdout.strip()
        dirty = run(["git", "-C", ROOT, "status", "--porcelain", "--untracked-files=no"],
                    timeout=30).stdout.strip()
        return rev + (" + uncommitted changes" if dirty else "")
    except Exception:  # noqa: BLE001
        return "unknown"


# ---------------------------------------------------------------------------------------
# Measurements


def triad(threads, runs=10):
    exe = os.path.join(BUILD, "triad")
    run(["gcc", "-O3", "-march=native", "-fopenmp", os.path.join(BENCH, "triad.c"), "-o", exe])
    env = dict(os.environ, OMP_NUM_THREADS=str(threads))
    out = run([exe, str(runs)], env=env).stdout
    m = re.search(r"best_ms=([\d.]+) gbs=([\d.]+)", out)
    return {"min_ms": float(m.group(1)), "gbs": float(m.group(2)), "threads": threads}


def fma_peak(threads, runs=10):
    exe = os.path.join(BUILD, "peak")
    run(["gcc", "-O3", "-march=native", "-ffp-contract=fast", "-fopenmp", os.path.join(BENCH, "peak.c"), "-o", exe])
    env = dict(os.environ, OMP_NUM_THREADS=str(threads))
    out = run([exe, str(runs)], env=env).stdout
    m = re.search(r"lanes=(\d+) best_ms=([\d.]+) gflops=([\d.]+)", out)
    return {"lanes": int(m.group(1)), "gflops": float(m.group(3)), "threads": threads}


BENCH_LINE = re.compile(r"bench: runs=(\d+) min_ms=([\d.eE+-]+) median_ms=([\d.eE+-]+)")


def bench_binary(exe, runs, threads):
    p = run([exe, "--bench", str(runs), "--threads", str(threads)], timeout=1800)
    lines = [l for l in p.stderr.splitlines() if l.strip()]
    m = BENCH_LINE.search(lines[-1]) if lines else None
    if not m:
        raise RuntimeError(f"{exe}: no 'bench:' line as the last line of stderr:\n{p.stderr[-1000:]}")
    return {"runs": int(m.group(1)), "min_ms": float(m.group(2)), "median_ms": float(m.group(3))}


def failure(key, e):
    """A workload's result when it failed: the error's last line (logged whole)."""
    log(f"  tgc {key}: FAILED\n{e}")
    return {"error": str(e).strip().splitlines()[-1][:200] if str(e).strip() else repr(e)}


def tgc_workloads(tgc, threads, target_s, only, rounds=3):
    """Compiles each workload, then times them in `rounds` interleaved rounds (each a third of
    its --bench runs): a noisy moment of these shared machines then hits every workload alike,
    and a ratio of two (B4 with modules ÷ B4) compares runs made side by side. min: the least
    of the rounds' minima; median: the median of their medians."""
    results, compile_s, timed = {}, {}, []
    for key, prog, *_ in WORKLOADS:
        if only and key not in only:
            continue
        src = os.path.join(BENCH, prog + ".swiftdsl")
        exe = os.path.join(BUILD, prog)
        try:
            t0 = time.perf_counter()
            run([tgc, "compile", src, "-o", exe])
            compile_s[key] = time.perf_counter() - t0
            if prog == STEP_PROGRAM:
                results[key] = tgc_compiled_step(tgc, threads, target_s)
                log(f"  tgc {key}: {results[key]}")
            else:
                probe = bench_binary(exe, 1, threads)
                runs = max(3, min(100_000, math.ceil(target_s / max(probe["min_ms"] / 1e3, 1e-7))))
                timed.append((key, exe, max(3, runs // rounds)))
        except Exception as e:  # noqa: BLE001 - one broken workload must not stop the rest
            results[key] = failure(key, e)
    rounds_of = {key: [] for key, _, _ in timed}
    for _ in range(rounds):
        for key, exe, runs in timed:
            if key in results:
                continue
            try:
                rounds_of[key].append(bench_binary(exe, runs, threads))
            except Exception as e:  # noqa: BLE001
                results[key] = failure(key, e)
    for key, measured in rounds_of.items():
        if key in results:
            continue
        results[key] = {"runs": sum(m["runs"] for m in measured), "min_ms": min(m["min_ms"] for m in measured),
                        "median_ms": statistics.median(m["median_ms"] for m in measured)}
        log(f"  tgc {key}: {results[key]}")
    return results, compile_s


def tgc_compile_time(tgc):
    """Best of 3 wall times of compiling B4 to an executable, after one untimed compile that
    fills the runtime cache."""
    src = os.path.join(BENCH, COMPILE_PROGRAM + ".swiftdsl")
    cmd = [tgc, "compile", src, "-o", os.path.join(BUILD, COMPILE_PROGRAM)]
    run(cmd)
    return wall(cmd, 3)


def tgc_eager(tgc):
    """Per-op cost of the interpreter: whole-process time of B8 at 200_000 additions minus
    the same program at 1_000, over the difference in additions; best of 3 each."""
    src = os.path.join(BENCH, EAGER_PROGRAM + ".swiftdsl")
    with open(src) as f:
        text = f.read()
    big = f"0..<{EAGER_BIG:_}"
    if big not in text:
        raise RuntimeError(f"{src}: the loop bound {big} was not found")
    small_src = os.path.join(BUILD, EAGER_PROGRAM + "_small.swiftdsl")
    with open(small_src, "w") as f:
        f.write(text.replace(big, f"0..<{EAGER_SMALL:_}"))
    t_big = wall([tgc, "run", "--eager", src], 3)
    t_small = wall([tgc, "run", "--eager", small_src], 3)
    return {"us_per_op": (t_big - t_small) / (EAGER_BIG - EAGER_SMALL) * 1e6,
            "big_s": t_big, "small_s": t_small, "ops": EAGER_BIG - EAGER_SMALL}


def write_npy_f32(path, shape, values):
    """A float32 .npy file (format 1.0, C order) of `values`, standard library only."""
    header = f"{{'descr': '<f4', 'fortran_order': False, 'shape': {tuple(shape)}, }}"
    header += " " * (63 - (10 + len(header)) % 64) + "\n"
    with open(path, "wb") as f:
        f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode("latin1"))
        f.write(struct.pack(f"<{len(values)}f", *values))


def step_loop_programs():
    """B6's source with its step in a loop of STEP_LOOP + 1 steps and of 1 step: their paths."""
    src = os.path.join(BENCH, STEP_PROGRAM + ".swiftdsl")
    with open(src) as f:
        text = f.read()
    step = "".join(STEP_LINES)
    if step not in text:
        raise RuntimeError(f"{src}: the step lines {step!r} were not found together")
    indented = "".join("    " + line for line in STEP_LINES)
    programs = []
    for steps in (STEP_LOOP + 1, 1):
        path = os.path.join(BUILD, f"{STEP_PROGRAM}_{steps}_steps.swiftdsl")
        with open(path, "w") as f:
            f.write(text.replace(step, f"for _ in 0..<{steps} {{\n{indented}}}\n", 1))
        programs.append(path)
    return programs


def tgc_compiled_step(tgc, threads, target_s, rounds=3):
    """One warm compiled B6 training step, as the peers time theirs (their model built once,
    outside the timed step): `--bench` runs of B6 with its step in a loop of STEP_LOOP + 1
    steps and of 1 step (start-up, the parameters' draws and the checksum are in both), in turn
    `rounds` times; min is (best − best) / STEP_LOOP, median likewise."""
    exes = []
    for path in step_loop_programs():
        exe = os.path.splitext(path)[0]
        run([tgc, "compile", path, "-o", exe])
        exes.append(exe)
    probe = bench_binary(exes[0], 1, threads)
    runs = max(3, math.ceil(target_s / rounds / max(probe["min_ms"] / 1e3, 1e-7)))
    many, one = [], []
    for _ in range(rounds):
        for exe, results in zip(exes, (many, one)):
            results.append(bench_binary(exe, runs, threads))
    best = lambda v, key: min(r[key] for r in v)  # noqa: E731
    return {"runs": runs * rounds, "min_ms": (best(many, "min_ms") - best(one, "min_ms")) / STEP_LOOP,
            "median_ms": (best(many, "median_ms") - best(one, "median_ms")) / STEP_LOOP}


def tgc_eager_step(tgc, threads, repeats=EAGER_STEP_REPEATS):
    """One warm B6 training step under `tgc run --eager --threads T`, as PyTorch's step is timed
    warm: the whole-process time of B6 with its step in a loop of STEP_LOOP + 1 steps
    minus that of the same loop of 1 step (start-up, parsing, the parameters' draws, the first
    step's first touch of every buffer and the checksum are in both), over STEP_LOOP; the
    two run in turn `repeats` times; min is best minus best, median median minus median."""
    programs = step_loop_programs()
    x = os.path.join(BUILD, "b6_x.npy")
    rng = random.Random(1234)
    write_npy_f32(x, (64, 1, 28, 28), [rng.gauss(0, 1) for _ in range(64 * 28 * 28)])
    many, one = [], []
    for _ in range(repeats):
        for prog, times in zip(programs, (many, one)):
            t0 = time.perf_counter()
            run([tgc, "run", "--eager", prog, "--in", f"x={x}", "--threads", str(threads)], timeout=600)
            times.append(time.perf_counter() - t0)
    median = lambda v: sorted(v)[len(v) // 2]  # noqa: E731
    return {"min_ms": (min(many) - min(one)) / STEP_LOOP * 1e3,
            "median_ms": (median(many) - median(one)) / STEP_LOOP * 1e3,
            "runs": repeats, "many_s": min(many), "one_s": min(one)}

def peak_rss_mib(cmd):
    """Maximum resident set size of one run of cmd (the whole process, as `/usr/bin/time -v`
    reports it), in MiB; raises when cmd fails."""
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited {p.returncode}")
    return usage.ru_maxrss / 1024  # Linux reports KiB


def b6_memory(tgc, python, threads):
    """Peak resident memory of B6's compiled program running MEMORY_STEPS steps (`--bench`) and,
    with a PyTorch Python, of a PyTorch eager process running as many (peers/torch_b6_memory.py)."""
    exe = os.path.join(BUILD, MEMORY_PROGRAM)
    run([tgc, "compile", os.path.join(BENCH, MEMORY_PROGRAM + ".swiftdsl"), "-o", exe])
    result = {"tgc_mib": peak_rss_mib([exe, "--bench", str(MEMORY_STEPS), "--threads", str(threads), "--quiet"])}
    if python:
        script = os.path.join(BENCH, "peers", "torch_b6_memory.py")
        result["torch_mib"] = peak_rss_mib([python, script, "--threads", str(threads), "--steps", str(MEMORY_STEPS)])
    return result


def peer_results(peer, python, threads, target_s, only):
    script = os.path.join(BENCH, "peers", f"{peer}_bench.py")
    env = dict(os.environ)
    note = ""
    if peer == "numpy":
        # Set on some of these machines for old OpenBLAS builds; they slow a current numpy.
        removed = [v for v in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE") if env.pop(v, None) is not None]
        if removed:
            note = f"{' and '.join(removed)} unset for this run"
    cmd = [python, script, "--threads", str(threads), "--target-s", str(target_s)]
    if only:
        cmd += ["--only", ",".join(sorted(only))]
    p = run(cmd, timeout=3600, env=env, check=False)
    results, infos = {}, [note] if note else []
    for line in p.stdout.splitlines():
        try:
            obj = json.loads(line)
        except json.JSONDecodeError:
            continue
        if "info" in obj:
            infos.insert(0, obj["info"])
        elif "workload" in obj:
            results[obj["workload"]] = obj
    if p.returncode != 0:
        infos.append(f"exited {p.returncode}: {p.stderr.strip().splitlines()[-1][:200] if p.stderr.strip() else ''}")
        log(p.stderr[-3000:])
    return results, "; ".join(infos)


# ---------------------------------------------------------------------------------------
# Report


def fmt(x, digits=3):
    if x is None:
        return "—"
    if x == 0:
        return "0"
    mag = math.floor(math.log10(abs(x)))
    return f"{x:.{max(0, digits - 1 - mag)}f}"


def derived(key, r):
    """(value, unit) of a result dict, from its min time."""
    if key == "b8":
        return r["us_per_op"], "µs/op"
    for k, _, _, _, unit, amount in WORKLOADS:
        if k == key and unit and "min_ms" in r:
            return amount / (r["min_ms"] * MB), unit
    return None, None


def seconds_of(key, r):
    """The time compared across implementations: min ms, or µs per op for B8."""
    if r is None or "error" in r:
        return None
    return r["us_per_op"] if key == "b8" else r.get("min_ms")


def report(meta, tgc, triad_r, peak_r, compile_b4, eager, eager_step, memory, peers, peer_info):
    out = []
    w = out.append
    w("# tgc benchmark results")
    w("")
    w(f"- date: {meta['date']}")
    w(f"- machine: {meta['machine']}")
    w(f"- threads: {meta['threads']} (`--threads` of the generated programs, OMP_NUM_THREADS of the triad"
      + (", the peers' thread setting" if peers else "") + ")")
    w(f"- tgc: {meta['tgc']} at {meta['git']}; C compiler: {meta['cc']}")
    w(f"- load average before the run (1, 5, 15 min): {meta['load']} — other work on these 2 cores"
      " makes multi-threaded figures noisy; compare against the triad of the same run")
    w(f"- each workload ran about {meta['target_s']} s; times are per run; derived rates use the min")
    w(f"- triad (a[i] = b[i] + s·c[i], 3×16M floats, best of 10): "
      f"{fmt(triad_r['gbs'])} GB/s ({fmt(triad_r['min_ms'])} ms)")
    w(f"- fp32 FMA peak (independent {peak_r['lanes']}-float FMA chains on every thread, best of 10): "
      f"{fmt(peak_r['gflops'])} GFLOP/s")
    w("")
    w("## tgc")
    w("")
    w("| workload | size | runs | min ms | median ms | derived |")
    w("|---|---|---:|---:|---:|---:|")
    for key, _, label, size, unit, _ in WORKLOADS:
        r = tgc.get(key)
        if r is None:
            continue
        if "error" in r:
            w(f"| {label} | {size} | — | error | — | {r['error']} |")
            continue
        val, unit = derived(key, r)
        extra = ""
        if key in BANDWIDTH_KEYS and val:
            extra = f" ({val / triad_r['gbs']:.2f}× triad)"
        elif (key.startswith("b1") or key.startswith("b4") or key == "b6") and val:
            extra = f" ({val / peak_r['gflops'] * 100:.1f}% of peak)"
        d = f"{fmt(val)} {unit}{extra}" if val else "—"
        w(f"| {label} | {size} | {r['runs']} | {fmt(r['min_ms'])} | {fmt(r['median_ms'])} | {d} |")
    if eager is not None:
        if "error" in eager:
            w(f"| B8 eager add, per op | 1 element | — | error | — | {eager['error']} |")
        else:
            w(f"| B8 eager add, per op | 1 element | {eager['ops']} | — | — | "
              f"{fmt(eager['us_per_op'])} µs/op (process {fmt(eager['big_s'])} s − {fmt(eager['small_s'])} s) |")
    if eager_step is not None:
        if "error" in eager_step:
            w(f"| B6 eager step (`tgc run --eager`) | b64 1×28² | — | error | — | {eager_step['error']} |")
        else:
            w(f"| B6 eager step (`tgc run --eager`) | b64 1×28² | {eager_step['runs']} | {fmt(eager_step['min_ms'])} | "
              f"{fmt(eager_step['median_ms'])} | (process of {STEP_LOOP + 1} steps {fmt(eager_step['many_s'])} s − of 1 step {fmt(eager_step['one_s'])} s) / {STEP_LOOP} |")
    if memory is not None:
        if "error" in memory:
            w(f"| B6 peak resident memory | {MEMORY_STEPS} steps | — | error | — | {memory['error']} |")
        else:
            torch_mib = f", PyTorch eager process {fmt(memory['torch_mib'])} MiB" if "torch_mib" in memory else ""
            w(f"| B6 peak resident memory | {MEMORY_STEPS} steps | 1 | — | — | {fmt(memory['tgc_mib'])} MiB{torch_mib} |")
    if compile_b4 is not None:
        w(f"| compile B4 (`tgc compile`) | — | 3 | {fmt(compile_b4 * 1e3)} | — | {fmt(compile_b4)} s wall |")
    w("")

    all_results = {"tgc": dict(tgc)}
    if eager is not None and "error" not in eager:
        all_results["tgc"]["b8"] = eager
    if eager_step is not None and "error" not in eager_step:
        all_results["tgc"]["b6_eager"] = eager_step
    for peer, res in peers.items():
        all_results[peer] = res

    if peers:
        w("## Peers (min ms per run; B8: µs per op)")
        w("")
        for peer in peers:
            w(f"- {COLUMN_NAMES.get(peer, peer)}: {peer_info.get(peer, '')}")
        w("")
        keys = [k for k, *_ in WORKLOADS] + ["b8", "b6_eager"]
        labels = {k: f"{label} {size}" for k, _, label, size, *_ in WORKLOADS}
        labels["b8"] = "B8 eager add, per op"
        labels["b6_eager"] = "B6 eager step (tgc: `run --eager`)"
        w("| workload | tgc | " + " | ".join(COLUMN_NAMES.get(p, p) for p in peers) + " |")
        w("|---|---:|" + "---:|" * len(peers))
        for k in keys:
            row = [fmt(seconds_of(k, all_results["tgc"].get(k)))]
            for p in peers:
                row.append(fmt(seconds_of(k, peers[p].get(k))))
            if all(c == "—" for c in row):
                continue
            w(f"| {labels[k]} | " + " | ".join(row) + " |")
        w("")
        w("## Ratios: tgc speed ÷ peer speed (peer time ÷ tgc time; > 1: tgc is faster)")
        w("")
        w("| workload | " + " | ".join(COLUMN_NAMES.get(p, p) for p in peers) + " |")
        w("|---|" + "---:|" * len(peers))
        for k in keys:
            t = seconds_of(k, all_results["tgc"].get(k))
            row = []
            for p in peers:
                pt = seconds_of(k, peers[p].get(k))
                row.append(f"{fmt(pt / t)}×" if t and pt else "—")
            if all(c == "—" for c in row):
                continue
            w(f"| {labels[k]} | " + " | ".join(row) + " |")
        w("")

    w("## Targets")
    w("")
    w("| target | measured | status |")
    w("|---|---:|---|")
    def verdict(value, op, need):
        ok = {">=": value >= need, ">": value > need, "<": value < need, "<=": value <= need}[op]
        return "met" if ok else "missed"

    for key, peer, op, need, text in TARGETS:
        measured, status = None, "not measured"
        if key == "compile":
            if compile_b4 is not None:
                measured = f"{fmt(compile_b4)} s"
                status = verdict(compile_b4, op, need)
        elif key == "b6_memory":
            if memory is not None and "torch_mib" in memory:
                ratio = memory["tgc_mib"] / memory["torch_mib"]
                measured = f"{fmt(ratio)}× ({fmt(memory['tgc_mib'])} MiB vs {fmt(memory['torch_mib'])} MiB)"
                status = verdict(ratio, op, need)
        else:
            t = seconds_of(key, all_results["tgc"].get(key))
            if peer == "peak":
                val, _ = derived(key, all_results["tgc"][key]) if t else (None, None)
                if val:
                    ratio = val / peak_r["gflops"]
                    measured = f"{fmt(ratio * 100)}% ({fmt(val)} of {fmt(peak_r['gflops'])} GFLOP/s)"
                    status = verdict(ratio, op, need)
            elif peer.startswith("tgc:"):
                other = peer[len("tgc:"):]
                ot = seconds_of(other, all_results["tgc"].get(other))
                if t and ot:
                    measured = f"{fmt(t / ot)}× the time of {other} ({fmt(t)} ms vs {fmt(ot)} ms)"
                    status = verdict(ot / t, op, need)
            elif peer == "triad":
                val, _ = derived(key, all_results["tgc"][key]) if t else (None, None)
                if val:
                    ratio = val / triad_r["gbs"]
                    measured = f"{fmt(ratio)}× ({fmt(val)} of {fmt(triad_r['gbs'])} GB/s)"
                    status = verdict(ratio, op, need)
            else:
                if peer == "best":
                    cands = [(seconds_of(key, r.get(key)), p) for p, r in peers.items()]
                    cands = [(s, p) for s, p in cands if s]
                    pt, pname = min(cands) if cands else (None, None)
                else:
                    pt, pname = seconds_of(key, peers.get(peer, {}).get(key)), peer
                if t and pt:
                    ratio = pt / t
                    measured = f"{fmt(ratio)}× {COLUMN_NAMES.get(pname, pname)}"
                    status = verdict(ratio, op, need)
        w(f"| {text} | {measured or '—'} | {status} |")
    w("")
    return "\n".join(out)


# ---------------------------------------------------------------------------------------


def measured(label, key, only, measure):
    """(result, failed) of measure() when `key` is wanted (always when `only` is empty), else
    (None, False); a failure is logged and becomes an {"error": ...} result."""
    if only and key not in only:
        return None, False
    log(f"{label} ...")
    try:
        result = measure()
        log(f"  {result}")
        return result, False
    except Exception as e:  # noqa: BLE001
        return {"error": str(e).strip().splitlines()[-1][:200]}, True


def torch_python(args):
    """The Python of the PyTorch peers: --torch-python, else --peer-python if it has torch, else python3."""
    if args.torch_python:
        return args.torch_python
    if run([args.peer_python, "-c", "import torch"], check=False).returncode == 0:
        return args.peer_python
    return shutil.which("python3") or "python3"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tgc", default=os.path.join(ROOT, ".build-bench", "release", "tgc"),
                    help="the tgc binary (build it with -c release for fair compile times)")
    ap.add_argument("--threads", type=int, default=os.cpu_count(), help="threads (default: all cores)")
    ap.add_argument("--target-s", type=float, default=2.0, help="seconds per workload (default 2)")
    ap.add_argument("--only", default="", help="comma-separated keys: " +
                    ",".join(k for k, *_ in WORKLOADS) + ",b8,b6_eager,b6_memory,compile,project")
    ap.add_argument("--peers", default="", help="comma-separated: numpy,jax,torch")
    ap.add_argument("--peer-python", default=os.path.join(BENCH, ".venv", "bin", "python"),
                    help="the Python with numpy and jax (default bench/.venv/bin/python)")
    ap.add_argument("--torch-python", default="",
                    help="the Python with torch (default: --peer-python if it has torch, else python3)")
    ap.add_argument("--project-size", default="6000,2000,2",
                    help="limit,testLimit,epochs of the project's cnn_fashion run (default 6000,2000,2; "
                         "the key 'project' of --only runs only it)")
    ap.add_argument("--out", default=os.path.join(BENCH, "results.md"), help="report file")
    args = ap.parse_args()

    only = {k for k in args.only.split(",") if k}
    peers_wanted = [p for p in args.peers.replace(" ", ",").split(",") if p]
    for p in peers_wanted:
        if p not in PEER_NAMES:
            ap.error(f"unknown peer {p!r} (known: {', '.join(PEER_NAMES)})")
    tgc = os.path.abspath(args.tgc)
    if not os.access(tgc, os.X_OK):
        ap.error(f"{tgc} is not an executable: build it with `make bench` or "
                 "`swift build -c release --product tgc --scratch-path .build-bench`")
    os.makedirs(BUILD, exist_ok=True)

    meta = {
        "date": datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
        "machine": machine(),
        "threads": args.threads,
        "tgc": tool_version([tgc, "--version"]),
        "git": git_revision(),
        "cc": tool_version(["gcc", "--version"]),
        "target_s": args.target_s,
        "load": load_average(),
    }
    log(f"tgc benchmarks: {meta['machine']}, {args.threads} threads")
    log("triad ...")
    triad_r = triad(args.threads)
    log(f"  {triad_r}")
    log("fp32 FMA peak ...")
    peak_r = fma_peak(args.threads)
    log(f"  {peak_r}")
    log("tgc workloads ...")
    tgc_r, _ = tgc_workloads(tgc, args.threads, args.target_s, only)
    compile_b4 = None
    failed = any("error" in r for r in tgc_r.values())
    eager, eager_failed = measured("B8 eager", "b8", only, lambda: tgc_eager(tgc))
    eager_step, step_failed = measured("B6 eager step", "b6_eager", only, lambda: tgc_eager_step(tgc, args.threads))
    memory, memory_failed = measured("B6 peak memory", "b6_memory", only, lambda: b6_memory(
        tgc, torch_python(args) if "torch" in peers_wanted else None, args.threads))
    failed = failed or eager_failed or step_failed or memory_failed
    if not only or "compile" in only:
        log("compile B4 ...")
        try:
            compile_b4 = tgc_compile_time(tgc)
            log(f"  {compile_b4:.3f} s")
        except Exception as e:  # noqa: BLE001
            log(str(e))
            failed = True

    peers, peer_info = {}, {}
    for peer in peers_wanted:
        python = torch_python(args) if peer == "torch" else args.peer_python
        log(f"peer {peer} ({python}) ...")
        results, peer_info[peer] = peer_results(peer, python, args.threads, args.target_s, only)
        for k, v in results.items():
            log(f"  {peer} {k}: {v}")
            key, _, variant = k.partition("@")
            column = f"{peer}_{variant}" if variant else peer
            peers.setdefault(column, {})[key] = v
            if variant:
                peer_info.setdefault(column, peer_info[peer])

    text = report(meta, tgc_r, triad_r, peak_r, compile_b4, eager, eager_step, memory, peers, peer_info)
    if not only or "project" in only:
        import project  # noqa: PLC0415 - bench/project.py imports this module's helpers
        limit, test_limit, epochs = (int(v) for v in args.project_size.split(","))
        try:
            project_r = project.measure(tgc, torch_python(args) if "torch" in peers_wanted else None, args.threads,
                                        args.target_s, {"limit": limit, "testLimit": test_limit, "epochs": epochs})
        except Exception as e:  # noqa: BLE001
            log(str(e))
            project_r, failed = {"skipped": f"failed: {str(e).strip().splitlines()[-1][:200]}"}, True
        text += "\n" + "\n".join(project.report(project_r))
    print(text)
    tmp = args.out + ".tmp"
    with open(tmp, "w") as f:
        f.write(text + "\n")
    os.replace(tmp, args.out)
    log(f"written to {os.path.relpath(args.out)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
