# PyTorch reference for samples/cnn_fashion.swiftdsl. Run from samples/ (it reads Debian's
# dataset-fashion-mnist files and writes data/cnn_fashion_init.safetensors, the initial weights
# both read, and the trained model to cnn_fashion.safetensors, which cnn_fashion_eval.py reads). Pass limit, testLimit and epochs as arguments for other sizes (the tgc program's -D).
# tgc draws its shuffles, flips and crops from its own generator (Philox); the stream is replayed
# here (pytorch/tgc_stream.py) in the program's order, so PyTorch trains on the same batches.
import sys

import numpy as np
import torch
import torch.nn as nn
from safetensors.torch import load_file, save_file

from fashion_mnist import CNN, fashion_mnist, prepare, train_epoch
from tgc_stream import TgcStream


def flip(stream, x, p):
    """randomHorizontalFlip: one float32 draw per sample, flipped along the width when below p."""
    chosen = torch.from_numpy(stream.uniform(len(x)) < np.float32(p))
    return torch.where(chosen[:, None, None, None], x.flip(-1), x)


def crop(stream, x, size, padding):
    """randomCrop: zero padding, then per-sample row and column offsets floor(u · choices)."""
    padded = nn.functional.pad(x, (padding,) * 4)
    choices = padded.shape[-1] - size + 1
    rows, columns = (np.minimum(np.floor(stream.uniform(len(x)) * np.float32(choices)), choices - 1).astype(np.int64)
                     for _ in range(2))
    return torch.stack([padded[i, :, r:r + size, c:c + size] for i, (r, c) in enumerate(zip(rows, columns))])


limit, test_limit, epochs = (int(a) for a in (sys.argv[1:] or [1000, 500, 2]))
train_images, train_labels = fashion_mnist(train=True)
test_images, test_labels = fashion_mnist(train=False)
train_x, train_y = prepare(train_images[:limit]), train_labels[:limit]
test_x, test_y = prepare(test_images[:test_limit]), test_labels[:test_limit]

torch.manual_seed(0)
save_file({k: v.contiguous() for k, v in CNN().state_dict().items()}, "data/cnn_fashion_init.safetensors")
model = CNN()
model.load_state_dict(load_file("data/cnn_fashion_init.safetensors"))
opt = torch.optim.Adam(model.parameters(), lr=0.001)
scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=epochs)
criterion = nn.CrossEntropyLoss()
stream = TgcStream(0)  # manualSeed(0)
batches = (limit + 63) // 64
print(model)
print("train", limit, "test", test_limit, "batches", batches)
for epoch in range(epochs):
    total = train_epoch(model, opt, criterion, train_x, train_y, stream,
                        augment=lambda xb: crop(stream, flip(stream, xb, 0.5), 28, 2))
    scheduler.step()
    model.eval()
    correct = 0
    with torch.no_grad():
        for i in range(0, test_limit, 250):
            correct += (model(test_x[i:i + 250]).argmax(dim=1) == test_y[i:i + 250]).sum().item()
    accuracy = 100.0 * correct / test_limit
    print(f"epoch {epoch + 1}: loss = {total / limit:.4f}, test accuracy = {accuracy:.2f}%")
save_file({k: v.contiguous() for k, v in model.state_dict().items()}, "cnn_fashion.safetensors")
