"""B6's PyTorch eager process for the memory comparison of bench/run.py: STEPS eager Adam steps
of the CNN of bench/b6_cnn_step.swiftdsl (torch_bench.b6_step) and nothing else, so the process's
maximum resident set size is what a user's eager training script of that model peaks at."""
import argparse

import torch

from torch_bench import b6_step


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--threads", type=int, default=0, help="threads (0: the library's default)")
    ap.add_argument("--steps", type=int, default=10, help="training steps (default 10)")
    args = ap.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    gen = torch.Generator().manual_seed(1234)
    step = b6_step(torch.randn(64, 1, 28, 28, generator=gen), torch.arange(64) % 10)
    for _ in range(args.steps):
        step()


if __name__ == "__main__":
    main()
