#!/usr/bin/env python3
"""The GPU figures of issue 14 beside their peers (`make bench-gpu`, docs/CUDA.md):

    python3 bench/gpu_peers.py --tgc .build/release/tgc --python bench/.venv/bin/python
    python3 bench/gpu_peers.py --tgc .build/debug/tgc --compile-only   # no GPU needed

On one NVIDIA GPU, with PyTorch built for CUDA in --python:
  (a) B2, the fused elementwise chain, built by `tgc compile --target cuda`, in GB/s against
      the device-to-device copy bandwidth (torch's `copy_` of 1 GiB: read + write);
  (b) fp32 matmul 4096²: tgc_cuda_sgemm (runtime/tests/bench_cuda.cu, built by `make bench-gpu`,
      whose whole output goes in the report: copy bandwidth, tgc_cuda_reduce_sum, sgemm at
      1024-4096) against torch.matmul with TF32 off, in TFLOP/s;
  (c) the B4 (MLP) and B6 (CNN) training steps: tgc's `--target cuda` programs (`--bench`)
      against the same steps in PyTorch eager and under torch.compile on the same GPU.
The report is Markdown on stdout, also written to bench/results-gpu.md. Without a GPU (no
torch.cuda, or tgc's CUDA program reports 'no GPU') it says "no GPU" and exits with status 2.
--compile-only builds tgc's CUDA programs with nvcc and stops: the part that runs anywhere.
"""
import argparse
import json
import math
import os
import re
import subprocess
import sys

BENCH = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, BENCH)
import run as cpu_bench  # noqa: E402 - bench/run.py: workloads, FLOP counts, `--bench` parsing

BUILD = os.path.join(BENCH, "build", "gpu")
RUNTIME_BENCH = os.path.join(cpu_bench.ROOT, "runtime", "build", "bench_cuda")
SGEMM_LINE = re.compile(r"tgc_cuda_sgemm (\d+) x \d+ x \d+: [\d.]+ ms, ([\d.]+) TFLOP/s")
# key, program, label, amount per run (bytes or FLOP), unit
TGC_PROGRAMS = [
    ("b2", "b2_elementwise", "B2 relu(a*b+c)*0.5-a, 3×16M", 4 * 4 * cpu_bench.N16M, "GB/s"),
    ("b4", "b4_mlp_step", "B4 MLP train step", cpu_bench.mlp_flop(), "GFLOP/s"),
    ("b6", "b6_cnn_step", "B6 CNN train step (Adam)", cpu_bench.cnn_flop(), "GFLOP/s"),
]
MATMUL_N = 4096
COPY_BYTES = 1 << 30
NO_GPU_STATUS = 2


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--tgc", required=True, help="the tgc executable (a release build for figures)")
    p.add_argument("--python", default=sys.executable, help="a Python with PyTorch built for CUDA")
    p.add_argument("--target-s", type=float, default=2.0, help="time budget of one measurement")
    p.add_argument("--only", default="", help="comma-separated keys: copy, b2, matmul, b4, b6 (default: all)")
    p.add_argument("--compile-only", action="store_true", help="build tgc's CUDA programs with nvcc, run nothing")
    args = p.parse_args(argv)
    args.only = {k for k in args.only.split(",") if k}
    unknown = args.only - {"copy", "b2", "matmul", "b4", "b6"}
    if unknown:
        p.error(f"unknown keys in --only: {', '.join(sorted(unknown))}")
    return args


def wanted(args, key):
    return not args.only or key in args.only


def no_gpu(reason):
    print(f"no GPU: {reason}", file=sys.stderr)
    sys.exit(NO_GPU_STATUS)


def build_tgc_programs(args):
    """`tgc compile --target cuda` of each wanted program; {key: executable}."""
    os.makedirs(BUILD, exist_ok=True)
    built = {}
    for key, program, *_ in TGC_PROGRAMS:
        if wanted(args, key):
            exe = os.path.join(BUILD, program)
            cpu_bench.run([args.tgc, "compile", os.path.join(BENCH, program + ".swiftdsl"), "--target", "cuda", "-o", exe])
            built[key] = exe
    return built


def bench_tgc(exe, target_s):
    """min and median ms of one run of a CUDA program (`--bench`), the count picked from a probe."""
    try:
        probe = cpu_bench.bench_binary(exe, 1, 1)
    except RuntimeError as e:
        if "no GPU" in str(e):
            no_gpu(str(e).strip().splitlines()[-1])
        raise
    runs = max(3, min(10_000, math.ceil(target_s / max(probe["min_ms"] / 1e3, 1e-7))))
    return cpu_bench.bench_binary(exe, runs, 1)


def runtime_bench():
    """The output of runtime/tests/bench_cuda.cu and tgc_cuda_sgemm's TFLOP/s at MATMUL_N."""
    if not os.path.exists(RUNTIME_BENCH):
        raise RuntimeError(f"{RUNTIME_BENCH} is not built: make -C runtime {RUNTIME_BENCH}")
    p = cpu_bench.run([RUNTIME_BENCH], timeout=1800, check=False)
    if "no GPU" in p.stderr:
        no_gpu(p.stderr.strip().splitlines()[-1].removeprefix("tgc: no GPU: "))
    if p.returncode != 0:
        raise RuntimeError(f"{RUNTIME_BENCH} exited {p.returncode}:\n{p.stderr[-2000:]}")
    sizes = {int(m.group(1)): float(m.group(2)) for m in SGEMM_LINE.finditer(p.stdout)}
    return p.stdout, sizes.get(MATMUL_N)


def torch_side(args):
    """Runs the PyTorch measurements in --python (this file with --torch-side); {key: result}."""
    cmd = [args.python, os.path.abspath(__file__), "--torch-side", "--target-s", str(args.target_s),
           "--only", ",".join(sorted(args.only))]
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=3600)
    if p.returncode == NO_GPU_STATUS:
        last = p.stderr.strip().splitlines()[-1] if p.stderr.strip() else "PyTorch sees no CUDA device"
        no_gpu(last.removeprefix("no GPU: "))
    if p.returncode != 0:
        raise RuntimeError(f"the PyTorch side exited {p.returncode}:\n{p.stderr[-2000:]}")
    results, info = {}, []
    for line in p.stdout.splitlines():
        obj = json.loads(line)
        if "info" in obj:
            info.append(obj["info"])
        else:
            results[obj["workload"]] = obj
    return results, info


def torch_measurements(target_s, only):
    """On the GPU (this process has PyTorch): copy bandwidth, matmul with TF32 off, B4 and B6
    eager and compiled; one JSON line each (bench/peers/common.py's format)."""
    try:
        import torch
    except ImportError:
        no_gpu(f"{sys.executable} has no PyTorch")
    if not torch.cuda.is_available():
        no_gpu(f"PyTorch {torch.__version__} sees no CUDA device")
    sys.path.insert(0, os.path.join(BENCH, "peers"))
    import common
    import torch_bench

    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    device = torch.device("cuda")
    prop = torch.cuda.get_device_properties(device)
    common.info(f"torch {torch.__version__}, CUDA {torch.version.cuda}, {prop.name}, {prop.total_memory / 2**30:.0f} GiB, "
                f"TF32 off")
    gen = torch.Generator().manual_seed(1234)
    args = argparse.Namespace(only=only)

    def synchronized(fn):
        def timed():
            result = fn()
            torch.cuda.synchronize()
            return result
        return timed

    def compiled(key, make):
        try:
            common.bench(key + "@compile", synchronized(torch.compile(make())), target_s)
        except Exception as e:  # noqa: BLE001 - a missing toolchain must not stop the rest
            common.info(f"torch.compile of {key} failed: {str(e).strip().splitlines()[-1][:200]}")

    with torch.no_grad():
        if common.wanted(args, "copy") or common.wanted(args, "b2"):
            a = torch.empty(COPY_BYTES // 4, device=device)
            b = torch.empty_like(a)
            common.bench("copy", synchronized(lambda: b.copy_(a)), target_s)
            del a, b
        if common.wanted(args, "matmul"):
            a = torch.randn(MATMUL_N, MATMUL_N, generator=gen).to(device)
            b = torch.randn(MATMUL_N, MATMUL_N, generator=gen).to(device)
            common.bench("matmul", synchronized(lambda: torch.matmul(a, b)), target_s)
            del a, b
    if common.wanted(args, "b4"):
        x = torch.randn(128, 784, generator=gen).to(device)
        y = torch.nn.functional.one_hot(torch.randint(0, 10, (128,), generator=gen), 10).float().to(device)

        def b4():
            params = [(torch.randn(*s, generator=gen) * 0.05).to(device).requires_grad_() for s in common.mlp_shapes()]
            return torch_bench.b4_hand_step(x, y, params)
        common.bench("b4", synchronized(b4()), target_s)
        compiled("b4", b4)
    if common.wanted(args, "b6"):
        x = torch.randn(64, 1, 28, 28, generator=gen).to(device)
        labels = (torch.arange(64) % 10).to(device)

        def b6():
            return torch_bench.b6_step(x, labels, device)
        common.bench("b6", synchronized(b6()), target_s)
        compiled("b6", b6)


def report(tgc, peers, info, runtime_output="", sgemm_tflops=None):
    """The Markdown report: each figure, its reference and the ratio against issue 14's target."""
    lines = ["# GPU benchmarks (make bench-gpu)", ""] + [f"- {text}" for text in info] + [""]
    lines += ["| workload | tgc --target cuda | PyTorch eager | torch.compile | tgc / reference | target |",
              "|---|---|---|---|---|---|"]

    def ms(result):
        return f"{result['min_ms']:.3f} ms" if result else "—"

    copy = peers.get("copy")
    if "b2" in tgc and copy:
        copy_gbs = 2 * COPY_BYTES / (copy["min_ms"] * 1e6)
        b2_gbs = TGC_PROGRAMS[0][3] / (tgc["b2"]["min_ms"] * 1e6)
        lines.append(f"| B2 elementwise, GB/s | {b2_gbs:.0f} | copy {copy_gbs:.0f} | — | {b2_gbs / copy_gbs:.2f} of copy | ≥ 0.8 |")
    if "matmul" in peers:
        tflops = 2 * MATMUL_N ** 3 / (peers["matmul"]["min_ms"] * 1e9)
        ours = f"{sgemm_tflops:.1f}" if sgemm_tflops else "—"
        ratio = f"{sgemm_tflops / tflops:.2f}" if sgemm_tflops else "—"
        lines.append(f"| matmul fp32 {MATMUL_N}², TFLOP/s | {ours} (tgc_cuda_sgemm) | {tflops:.1f} (TF32 off) | — | {ratio} | ≥ 0.5 |")
    for key in ("b4", "b6"):
        if key in tgc:
            eager, compiled = peers.get(key), peers.get(key + "@compile")
            fastest = min((r["min_ms"] for r in (eager, compiled) if r), default=None)
            ratio = f"{fastest / tgc[key]['min_ms']:.2f}× the fastest peer's speed" if fastest else "—"
            label = next(label for k, _, label, *_ in TGC_PROGRAMS if k == key)
            lines.append(f"| {label} | {ms(tgc[key])} | {ms(eager)} | {ms(compiled)} | {ratio} | > 1 (faster than both) |")
    if runtime_output:
        lines += ["", "runtime/tests/bench_cuda.cu:", "", "```", runtime_output.rstrip(), "```"]
    return "\n".join(lines) + "\n"


def main(argv=None):
    if argv is None and "--torch-side" in sys.argv:
        p = argparse.ArgumentParser()
        p.add_argument("--torch-side", action="store_true")
        p.add_argument("--target-s", type=float)
        p.add_argument("--only", default="")
        side = p.parse_args()
        torch_measurements(side.target_s, {k for k in side.only.split(",") if k})
        return 0
    args = parse_args(argv)
    built = build_tgc_programs(args)
    if args.compile_only:
        for key, exe in built.items():
            print(f"{key}: {exe}")
        return 0
    peers, info = torch_side(args)
    runtime_output, sgemm_tflops = runtime_bench() if wanted(args, "matmul") else ("", None)
    tgc = {key: bench_tgc(exe, args.target_s) for key, exe in built.items()}
    text = report(tgc, peers, info, runtime_output, sgemm_tflops)
    print(text, end="")
    with open(os.path.join(BENCH, "results-gpu.md"), "w") as f:
        f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
