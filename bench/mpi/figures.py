#!/usr/bin/env python3
"""The figures of docs/DISTRIBUTED.md (`make bench-mpi`): MPI_Allreduce latency and bandwidth on
this machine (allreduce.c under `mpirun -np 2`, fitted to T(n) = alpha + n * beta), samples per
second of the Fashion-MNIST MLP and CNN (samples/mlp_fashion, samples/cnn_fashion) on 1 process
(the plain build) and 2 processes (--distributed mpi), one OpenMP thread each, the share of the
training time spent in MPI_Allreduce and the all-reduce calls per step (the runtime's
TGC_ALLREDUCE_STATS report), and the alpha-beta estimate of step time and scaling efficiency at
8, 64 and 512 processes. Epoch times are the difference between a 3-epoch and a 1-epoch run, so
start-up, data loading and compiling cancel out. Prints Markdown."""
import argparse, os, re, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ENV = dict(os.environ, OMP_NUM_THREADS="1", OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
           TGC_ALLREDUCE_STATS="1")
MPIRUN = ["mpirun", "--oversubscribe", "--bind-to", "none"]


def run(command, cwd):
    start = time.monotonic()
    done = subprocess.run(command, cwd=cwd, env=ENV, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"{' '.join(command)} failed:\n{done.stderr}")
    return time.monotonic() - start, done.stdout, done.stderr


def alpha_beta(work):
    binary = os.path.join(work, "allreduce")
    subprocess.run(["mpicc", "-O2", os.path.join(ROOT, "bench/mpi/allreduce.c"), "-o", binary], check=True)
    _, out, _ = run(MPIRUN + ["-np", "2", binary], work)
    table = [(kind, int(size), float(seconds)) for kind, size, seconds in
             (line.split() for line in out.splitlines() if not line.startswith("#"))]
    reduce = [(n, t) for kind, n, t in table if kind == "allreduce"]
    alpha = sorted(t for n, t in reduce if n <= 256)[len([1 for n, t in reduce if n <= 256]) // 2]
    # The least disturbed transfer rate of the larger messages (the machine is shared).
    beta = min((t - alpha) / n for n, t in reduce if n >= 65536)
    return table, alpha, beta


def measure(sample, limit, ranks, work, bucket_mb=None):
    """(seconds per epoch, all-reduce seconds per epoch, calls per epoch, batches per epoch)."""
    results = {}
    for epochs in (1, 3):
        binary = os.path.join(work, f"{sample}-{ranks}-{epochs}")
        command = [os.path.join(ROOT, ".build/debug/tgc"), "compile", os.path.join(ROOT, "samples", sample + ".swiftdsl"),
                   "-o", binary, "-D", f"limit={limit}", "-D", f"epochs={epochs}"]
        if ranks > 1:
            command += ["--distributed", "mpi", "--ranks", str(ranks)] + (["--bucket-mb", str(bucket_mb)] if bucket_mb else [])
        subprocess.run(command, check=True, cwd=work)
        best = None
        for _ in range(2):
            seconds, out, err = run((MPIRUN + ["-np", str(ranks)] if ranks > 1 else []) + [binary], work)
            stats = re.search(r"all-reduce: \d+ processes, (\d+) calls, ([0-9.]+) s", err)
            calls, reduce_seconds = (int(stats.group(1)), float(stats.group(2))) if stats else (0, 0.0)
            batches = int(re.search(r"batches (\d+)", out).group(1))
            if best is None or seconds < best[0]:
                best = (seconds, reduce_seconds, calls, batches)
        results[epochs] = best
    (t1, r1, c1, b), (t3, r3, c3, _) = results[1], results[3]
    return (t3 - t1) / 2, (r3 - r1) / 2, (c3 - c1) / 2, b


def gradient_bytes(sample):
    out = subprocess.run([os.path.join(ROOT, ".build/debug/tgc"), "ir", os.path.join(ROOT, "samples", sample + ".swiftdsl"),
                          "--distributed", "mpi", "--after", "gradient-all-reduce"], capture_output=True, text=True, check=True).stdout
    sizes = [re.search(r": f32\[(\d+)\]", line) for line in out.splitlines() if " = all_reduce " in line]
    return 4 * int(sizes[0].group(1)) if sizes and sizes[0] else 0


def ring(n, p, alpha, beta):
    """Ring all-reduce of n bytes over p processes: 2(p-1) steps of n/p bytes each."""
    return 2 * (p - 1) * alpha + 2 * (p - 1) / p * n * beta


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mlp-limit", type=int, default=16384)
    parser.add_argument("--cnn-limit", type=int, default=2048)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        table, alpha, beta = alpha_beta(work)
        print("## MPI_Allreduce on this machine (mpirun -np 2, loopback shared memory)\n")
        print("| bytes | all-reduce µs | ping-pong one-way µs |\n|---:|---:|---:|")
        pings = {n: t for kind, n, t in table if kind == "pingpong"}
        for kind, n, t in table:
            if kind == "allreduce":
                print(f"| {n} | {t * 1e6:.2f} | {pings[n] * 1e6:.2f} |")
        print(f"\nFit: alpha = {alpha * 1e6:.2f} µs, beta = {beta * 1e9:.3f} ns/byte ({1 / beta / 1e9:.2f} GB/s)\n")
        print("## Training throughput (one OpenMP thread per process, batches of 64 per process)\n")
        print("| model | processes | samples/s | epoch s | all-reduce share | all-reduce calls/step |\n|---|---:|---:|---:|---:|---:|")
        steps = {}
        for sample, limit in (("mlp_fashion", args.mlp_limit), ("cnn_fashion", args.cnn_limit)):
            for ranks in (1, 2):
                epoch, reduce, calls, batches = measure(sample, limit, ranks, work)
                share = f"{100 * reduce / epoch:.1f}%" if ranks > 1 else "—"
                per_step = f"{calls / batches:.0f}" if ranks > 1 else "—"
                print(f"| {sample} | {ranks} | {limit / epoch:.0f} | {epoch:.2f} | {share} | {per_step} |")
                if ranks == 1:
                    steps[sample] = epoch / batches
        print("\n## Alpha-beta estimate (ring all-reduce, one bucket, no overlap, 64 samples per process per step)\n")
        print("| model | gradient bytes | processes | step compute ms | all-reduce ms | step ms | efficiency |\n|---|---:|---:|---:|---:|---:|---:|")
        for sample in ("mlp_fashion", "cnn_fashion"):
            n = gradient_bytes(sample)
            for p in (8, 64, 512):
                t = ring(n, p, alpha, beta)
                print(f"| {sample} | {n} | {p} | {steps[sample] * 1e3:.2f} | {t * 1e3:.3f} | {(steps[sample] + t) * 1e3:.2f} | {100 * steps[sample] / (steps[sample] + t):.1f}% |")
        for p in (8, 64, 512):
            print(f"\nBucket size at which the latency term is 10% of the transfer at {p} processes: 10·p·alpha/beta = {10 * p * alpha / beta / 2**20:.2f} MiB")


if __name__ == "__main__":
    main()
