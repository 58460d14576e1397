"""B6 on a loaded machine (docs/BENCHMARKS.md, "B6: where the time goes"): rounds that
alternate each compiled B6 binary (`--bench 10`, less a `--bench 1` run: start-up and warm-up)
with 10 PyTorch eager and 10 torch.compile steps of the same model; prints each one's minimum
wall time and its CPU time per step (process CPU time, which leaves out time spent descheduled).
usage: PYTHON_WITH_TORCH bench/cpu_time_b6.py THREADS ROUNDS BINARY...
(build a binary with `tgc compile bench/b6_cnn_step.swiftdsl -o B6`)"""
import os, re, resource, subprocess, sys, time
T, R, bins = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3:]
os.environ["OMP_NUM_THREADS"] = str(T)
import torch
torch.set_num_threads(T)
gen = torch.Generator().manual_seed(0)
x = torch.randn(64, 1, 28, 28, generator=gen)
labels = torch.arange(64) % 10
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "peers"))
from torch_bench import b6_step  # noqa: E402  (the peer benchmark's B6 model and step)
make = lambda: b6_step(x, labels)  # noqa: E731
peers = {"torch eager": make(), "torch.compile": torch.compile(make())}
for f in peers.values():
    for _ in range(3): f()
N = 10
wall = {k: float("inf") for k in list(peers) + bins}
cpu = {k: [] for k in wall}
def child_cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime
for rnd in range(R):
    for b in bins:
        c0 = child_cpu()
        p = subprocess.run([b, "--bench", str(N), "--threads", str(T)], capture_output=True, text=True)
        c1 = child_cpu()
        subprocess.run([b, "--bench", "1", "--threads", str(T)], capture_output=True, text=True)
        c2 = child_cpu()
        wall[b] = min(wall[b], float(re.search(r"min_ms=([\d.]+)", p.stderr).group(1)))
        cpu[b].append(((c1 - c0) - (c2 - c1)) / (N - 1) * 1e3)
    for k, f in peers.items():
        for _ in range(N):
            t0, c0 = time.perf_counter(), time.process_time()
            f()
            wall[k] = min(wall[k], (time.perf_counter() - t0) * 1e3)
            cpu[k].append((time.process_time() - c0) * 1e3)
print(f"threads={T} rounds={R} runs/round={N} load={os.getloadavg()}")
for k in wall:
    c = sorted(cpu[k])
    print(f"{k:28s} min wall {wall[k]:7.2f} ms   CPU/step: min {c[0]:7.2f}  median {c[len(c)//2]:7.2f} ms")
