"""Writes the deployment sample's fixed inputs with PyTorch and NumPy: classifier.safetensors
(a small CNN's weights, random but fixed by the seed, batch-norm statistics included) and
images.npy (16 uint8 8x8 grey images). Run once with /tmp/torchvenv/bin/python; the outputs
are committed, so tests need neither PyTorch nor this script."""
import numpy as np
import torch
from safetensors.torch import save_file
from torch import nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 4, 3, padding=1)
        self.bn = nn.BatchNorm2d(4)
        self.pool = nn.MaxPool2d(2)
        self.fc = nn.Linear(64, 10)

    def forward(self, x):
        return self.fc(self.pool(torch.relu(self.bn(self.conv(x)))).flatten(1))


torch.manual_seed(7)
model = Net()
with torch.no_grad():
    model.bn.running_mean.copy_(torch.randn(4) * 0.1)
    model.bn.running_var.copy_(torch.rand(4) + 0.5)
    model.bn.weight.copy_(torch.rand(4) + 0.5)
    model.bn.bias.copy_(torch.randn(4) * 0.1)
save_file({k: v.contiguous() for k, v in model.state_dict().items()}, "classifier.safetensors")
images = np.random.default_rng(7).integers(0, 256, size=(16, 8, 8), dtype=np.uint8)
np.save("images.npy", images)
model.eval()
with torch.no_grad():
    x = torch.from_numpy(images).float().div(255).reshape(16, 1, 8, 8)
    print(model(x).argmax(dim=1))
