"""PyTorch peers of chapter 5's project (bench/project.py, docs/BENCHMARKS.md), one JSON object
per line on stdout:

    python project_torch.py train --limit N --test-limit M --epochs E --threads T
        samples/cnn_fashion.swiftdsl written as PyTorch users write it: Fashion-MNIST read from
        Debian's gzip'd IDX files, a TensorDataset and torch.utils.data.DataLoader(batch_size=64,
        shuffle=True), random flips and crops of each batch, Adam, CosineAnnealingLR, evaluation
        in batches of 250; timed from reading the files to the last accuracy (Python's start-up
        and `import torch` excluded), with the time spent in the training loops apart.
    python project_torch.py latency --checkpoint cnn_fashion.safetensors --threads T --target-s S
        The deployed classifier (normalize, the CNN in eval mode, argmax) on 1 and 64 images:
        PyTorch eager under inference_mode, and ONNX Runtime running the same module exported
        with torch.onnx.export (when onnxruntime and onnx are installed).
"""
import argparse
import json
import os
import sys
import tempfile
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from safetensors.torch import load_file

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "samples", "pytorch"))
from fashion_mnist import CNN, fashion_mnist, prepare  # noqa: E402  (the samples' reader and model)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import bench, emit, info  # noqa: E402

MEAN, STD = 0.286, 0.353


def augment(x, size=28, padding=2):
    """randomHorizontalFlip(p: 0.5), then randomCrop(size: 28, padding: 2), per sample, vectorized."""
    flip = torch.rand(len(x)) < 0.5
    x = torch.where(flip[:, None, None, None], x.flip(-1), x)
    padded = F.pad(x, (padding,) * 4)
    choices = padded.shape[-1] - size + 1
    rows = torch.randint(0, choices, (len(x), 1)) + torch.arange(size)
    cols = torch.randint(0, choices, (len(x), 1)) + torch.arange(size)
    n = torch.arange(len(x))[:, None, None]
    return padded[:, 0][n, rows[:, :, None], cols[:, None, :]].unsqueeze(1)


def train(args):
    t0 = time.perf_counter()
    (train_images, train_labels), (test_images, test_labels) = fashion_mnist(True), fashion_mnist(False)

    train_set = torch.utils.data.TensorDataset(prepare(train_images[:args.limit]), train_labels[:args.limit])
    test_set = torch.utils.data.TensorDataset(prepare(test_images[:args.test_limit]), test_labels[:args.test_limit])
    torch.manual_seed(0)
    model = CNN()
    opt = torch.optim.Adam(model.parameters(), lr=0.001)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=args.epochs)
    criterion = nn.CrossEntropyLoss()
    loader = torch.utils.data.DataLoader(train_set, batch_size=64, shuffle=True)
    test_loader = torch.utils.data.DataLoader(test_set, batch_size=250)
    train_seconds = 0.0
    for _ in range(args.epochs):
        model.train()
        total = 0.0
        loop_start = time.perf_counter()
        for xb, yb in loader:
            opt.zero_grad()
            loss = criterion(model(augment(xb)), yb)
            loss.backward()
            opt.step()
            total += loss.item() * yb.shape[0]
        train_seconds += time.perf_counter() - loop_start
        scheduler.step()
        model.eval()
        correct = 0
        with torch.no_grad():
            for xb, yb in test_loader:
                correct += (model(xb).argmax(dim=1) == yb).sum().item()
    seconds = time.perf_counter() - t0
    emit({"workload": "cnn_fashion", "seconds": seconds, "train_seconds": train_seconds,
          "accuracy": 100.0 * correct / args.test_limit})


class Classifier(nn.Module):
    """cnn_fashion_eval's exported `classify`: images in [0, 1] to classes."""

    def __init__(self, checkpoint):
        super().__init__()
        self.model = CNN()
        self.model.load_state_dict(load_file(checkpoint))
        self.model.eval()

    def forward(self, images):
        return self.model((images - MEAN) / STD).argmax(dim=1)


def latency(args):
    classifier = Classifier(args.checkpoint).eval()
    inputs = {batch: torch.rand(batch, 1, 28, 28) for batch in (1, 64)}
    for batch, x in inputs.items():
        def eager(x=x):
            with torch.inference_mode():
                return classifier(x)
        bench(f"classify_{batch}", eager, args.target_s, max_runs=20000)
    try:
        import onnxruntime
    except ImportError:
        info("onnxruntime is not installed: no ONNX Runtime figures")
        return
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = args.threads
    options.inter_op_num_threads = 1
    with tempfile.TemporaryDirectory() as folder:
        for batch, x in inputs.items():
            path = os.path.join(folder, f"classifier_{batch}.onnx")
            torch.onnx.export(classifier, (x,), path, input_names=["images"], output_names=["classes"], dynamo=False)
            session = onnxruntime.InferenceSession(path, options, providers=["CPUExecutionProvider"])
            feed = {"images": x.numpy()}
            ours = session.run(None, feed)[0]
            if not np.array_equal(ours, classifier(x).detach().numpy()):
                info(f"ONNX Runtime's classes differ from PyTorch's on batch {batch}")
            bench(f"classify_{batch}@onnxruntime", lambda: session.run(None, feed), args.target_s, max_runs=20000)
    info(f"torch {torch.__version__}, onnxruntime {onnxruntime.__version__}, {args.threads} threads")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("mode", choices=["train", "latency"])
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--limit", type=int, default=6000)
    ap.add_argument("--test-limit", type=int, default=2000)
    ap.add_argument("--epochs", type=int, default=2)
    ap.add_argument("--checkpoint", default="cnn_fashion.safetensors")
    ap.add_argument("--target-s", type=float, default=2.0)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    train(args) if args.mode == "train" else latency(args)


if __name__ == "__main__":
    main()
