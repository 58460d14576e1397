"""Fashion-MNIST for the PyTorch twins of the Fashion-MNIST samples (mlp_fashion.py,
cnn_fashion.py, cnn_fashion_eval.py): Debian's dataset-fashion-mnist files read as tgc's
FashionMNIST reads them, and the training epoch they run over the batches of a shuffling
DataLoader(batchSize: 64) whose order is drawn from tgc's stream (tgc_stream.py); and
cnn_fashion's model and preprocessing, which bench/peers/project_torch.py times too."""
import gzip

import numpy as np
import torch
import torch.nn as nn

ROOT = "/usr/share/datasets/fashion-mnist/"


def _idx(name, offset):
    with gzip.open(ROOT + name) as f:
        return np.frombuffer(f.read(), dtype=np.uint8, offset=offset)


def fashion_mnist(train):
    """FashionMNIST(train:).tensors: images uint8 [N, 28, 28] and labels int64 [N]."""
    prefix = "train" if train else "t10k"
    images = _idx(f"{prefix}-images-idx3-ubyte.gz", 16).reshape(-1, 28, 28)
    labels = _idx(f"{prefix}-labels-idx1-ubyte.gz", 8).astype(np.int64)
    return torch.from_numpy(images.copy()), torch.from_numpy(labels)


def train_epoch(model, opt, criterion, x, y, stream, augment=lambda xb: xb, batch=64):
    """One training epoch in tgc's shuffled order (each batch augmented before the step);
    returns the summed loss, loss · batch size over the batches."""
    model.train()
    order = stream.randperm(len(x))
    total = 0.0
    for start in range(0, len(x), batch):
        rows = order[start:start + batch]
        xb, yb = augment(x[rows]), y[rows]
        opt.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        opt.step()
        total += loss.item() * yb.shape[0]
    return total


def prepare(images):
    """normalize(toFloat(images).unsqueeze(1), mean: [0.286], std: [0.353])."""
    return ((images.float() / 255).unsqueeze(1) - 0.286) / 0.353


class CNN(nn.Module):
    """cnn_fashion.swiftdsl's CNN."""

    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3, padding=1), nn.BatchNorm2d(64), nn.ReLU(), nn.MaxPool2d(2))
        self.classifier = nn.Sequential(nn.Flatten(), nn.Linear(3136, 128), nn.ReLU(), nn.Linear(128, 10))

    def forward(self, x):
        return self.classifier(self.features(x))
