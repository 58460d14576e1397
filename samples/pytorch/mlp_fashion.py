# PyTorch reference for samples/mlp_fashion.swiftdsl. Run from samples/ (it reads Debian's
# dataset-fashion-mnist files and writes data/mlp_fashion_init.safetensors, the initial weights
# both read). Pass limit, testLimit and epochs as arguments for other sizes (the tgc program's -D).
# tgc shuffles with its own generator (Philox); the stream is replayed here, as in mlp_digits.py,
# so PyTorch trains on the same batches.
import sys

import torch
import torch.nn as nn
from safetensors.torch import load_file, save_file

from fashion_mnist import fashion_mnist, train_epoch
from tgc_stream import TgcStream

limit, test_limit, epochs = (int(a) for a in (sys.argv[1:] or [2000, 500, 2]))
train_images, train_labels = fashion_mnist(train=True)
test_images, test_labels = fashion_mnist(train=False)


def prepare(images):
    return (images.reshape(-1, 784).float() / 255 - 0.286) / 0.353


x, y = prepare(train_images[:limit]), train_labels[:limit]
test_x, test_y = prepare(test_images[:test_limit]), test_labels[:test_limit]

torch.manual_seed(0)
init = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10))
save_file({k: v.contiguous() for k, v in init.state_dict().items()}, "data/mlp_fashion_init.safetensors")
model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10))
model.load_state_dict(load_file("data/mlp_fashion_init.safetensors"))
opt = torch.optim.Adam(model.parameters(), lr=0.001)
criterion = nn.CrossEntropyLoss()
stream = TgcStream(0)  # manualSeed(0)
batches = (limit + 63) // 64
print("train", limit, "test", test_limit, "batches", batches)
for epoch in range(epochs):
    total = train_epoch(model, opt, criterion, x, y, stream)
    model.eval()
    with torch.no_grad():
        correct = (model(test_x).argmax(dim=1) == test_y).sum().item()
    print(f"epoch {epoch + 1}: loss = {total / limit:.4f}, test accuracy = {100.0 * correct / test_limit:.2f}%")
