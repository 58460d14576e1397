# PyTorch reference for samples/data_loading.swiftdsl. Run from samples/ (it reads
# data/digits_idx/*.gz). The IDX files are read with gzip and numpy (torchvision's reader
# gives the same tensors); normalize is torchvision's formula, (x - mean) / std per channel.
import gzip

import numpy as np
import torch
from torch.utils.data import DataLoader, TensorDataset


def load_idx(path):
    data = gzip.open(path).read()
    rank = data[3]
    shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(rank)]
    return torch.from_numpy(np.frombuffer(data[4 + 4 * rank:], dtype=np.uint8).reshape(shape).copy())


images = load_idx("data/digits_idx/train-images-idx3-ubyte.gz")
labels = load_idx("data/digits_idx/train-labels-idx1-ubyte.gz")
print(images.shape, images.dtype, labels.shape, labels.dtype)
print(labels[0:20])
print(images[3])

test_images = load_idx("data/digits_idx/t10k-images-idx3-ubyte.gz")
test_labels = load_idx("data/digits_idx/t10k-labels-idx1-ubyte.gz").long()
print(len(test_images))
print(test_images.shape, test_images.dtype, test_labels.dtype)
print(test_labels[0:10])

ds = TensorDataset(images, labels.long())
print(len(ds))
loader = DataLoader(ds, batch_size=32)
print(len(loader))
for epoch in range(2):
    total = torch.zeros([], dtype=torch.int64)
    for xb, yb in loader:
        print(epoch, xb.shape, yb.shape, yb.sum())
        total = total + yb.sum()
    print("epoch", epoch, "label sum", total)

dropping = DataLoader(ds, batch_size=32, shuffle=False, drop_last=True)
print(len(dropping))
seen = 0
for xb, yb in dropping:
    seen += yb.shape[0]
print(seen)

batch = (images[0:4].float() / 255).unsqueeze(1)
print(batch.shape, batch.dtype)
print(batch[1, 0, 2])
mean = torch.tensor([0.286]).view(-1, 1, 1)
std = torch.tensor([0.353]).view(-1, 1, 1)
normalized = (batch - mean) / std
print(normalized[1, 0, 2])
print(normalized.mean(), normalized.std())

halves = torch.utils.data.random_split(ds, [60, 40])
fractions = torch.utils.data.random_split(ds, [0.45, 0.35, 0.2])
print(len(halves[0]), len(halves[1]), len(fractions[0]), len(fractions[1]), len(fractions[2]))
