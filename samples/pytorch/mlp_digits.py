# PyTorch reference for samples/mlp_digits.swiftdsl. Run from samples/ (it reads
# data/digits_*.npy and writes data/mlp_digits_init.safetensors, the initial weights both read).
# tgc shuffles with its own generator (randperm: the stable argsort of float32 uniform draws of
# the Philox4x32-10 stream, runtime/include/tgc_runtime.h), not PyTorch's; this twin computes
# the same permutations in Python and feeds PyTorch the batches in that order, so everything
# else (forward, cross-entropy, backward, Adam) is PyTorch's own.
import numpy as np
import torch
import torch.nn as nn
from safetensors.torch import load_file, save_file

M0, M1, W0, W1, MASK = 0xD2511F53, 0xCD9E8D57, 0x9E3779B9, 0xBB67AE85, 0xFFFFFFFF


def philox(counter, key):
    c0, c1, c2, c3 = counter
    k0, k1 = key
    for r in range(10):
        if r:
            k0, k1 = (k0 + W0) & MASK, (k1 + W1) & MASK
        p0, p1 = M0 * c0, M1 * c2
        c0, c1, c2, c3 = (p1 >> 32) ^ c1 ^ k0, p1 & MASK, (p0 >> 32) ^ c3 ^ k1, p0 & MASK
    return [c0, c1, c2, c3]


class TgcStream:
    """tgc's random stream after manualSeed(seed): each draw of n starts at a fresh block."""

    def __init__(self, seed):
        self.seed, self.block = seed, 0

    def uniform(self, n):
        words = []
        for b in range(self.block, self.block + (n + 3) // 4):
            words += philox([b & MASK, b >> 32, 0, 0], [self.seed & MASK, self.seed >> 32])
        self.block += (n + 3) // 4
        return np.array([w >> 8 for w in words[:n]], dtype=np.float32) * np.float32(2.0**-24)

    def randperm(self, n):
        return torch.from_numpy(np.argsort(self.uniform(n), kind="stable"))


torch.manual_seed(0)
init = nn.Sequential(nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 10))
save_file({k: v.contiguous() for k, v in init.state_dict().items()}, "data/mlp_digits_init.safetensors")

images = torch.from_numpy(np.load("data/digits_images.npy"))
labels = torch.from_numpy(np.load("data/digits_labels.npy"))
x = images.reshape(1797, 64).float() / 16

model = nn.Sequential(nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 10))
model.load_state_dict(load_file("data/mlp_digits_init.safetensors"))
opt = torch.optim.Adam(model.parameters(), lr=0.01)
criterion = nn.CrossEntropyLoss()
stream = TgcStream(2)  # manualSeed(2)
split = stream.randperm(1797)
train_x, train_y = x[split[0:1500]], labels[split[0:1500]]
test_x, test_y = x[split[1500:1797]], labels[split[1500:1797]]
batches = (1500 + 63) // 64
print("train", len(train_x), "test", len(test_x), "batches", batches)
for epoch in range(8):
    order = stream.randperm(1500)
    total = 0.0
    for i in range(batches):
        rows = order[i * 64:i * 64 + 64]
        xb, yb = train_x[rows], train_y[rows]
        opt.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        opt.step()
        total += loss.item() * yb.shape[0]
    print(f"epoch {epoch + 1}: loss = {total / 1500:.4f}")
with torch.no_grad():
    correct = (model(test_x).argmax(dim=1) == test_y).sum().item()
print(f"test accuracy: {correct}/297 = {100.0 * correct / 297:.2f}%")
