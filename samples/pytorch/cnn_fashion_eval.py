# PyTorch reference for samples/cnn_fashion_eval.swiftdsl. Run from samples/ after
# pytorch/cnn_fashion.py (with the same testLimit as its argument), whose trained model it reads
# from cnn_fashion.safetensors; prints the test accuracy cnn_fashion.py printed last.
import sys

import torch
import torch.nn as nn
from safetensors.torch import load_file

from fashion_mnist import fashion_mnist


class CNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3, padding=1), nn.BatchNorm2d(64), nn.ReLU(), nn.MaxPool2d(2))
        self.classifier = nn.Sequential(nn.Flatten(), nn.Linear(3136, 128), nn.ReLU(), nn.Linear(128, 10))

    def forward(self, x):
        return self.classifier(self.features(x))


test_limit = int(sys.argv[1]) if len(sys.argv) > 1 else 500
model = CNN()
model.load_state_dict(load_file("cnn_fashion.safetensors"))
model.eval()
test_images, test_labels = fashion_mnist(train=False)
with torch.no_grad():
    predicted = model(((test_images[:test_limit].float() / 255).unsqueeze(1) - 0.286) / 0.353).argmax(dim=1)
correct = (predicted == test_labels[:test_limit]).sum().item()
print("test images", test_limit, "first predictions", predicted[:10])
print(f"test accuracy = {100.0 * correct / test_limit:.2f}%")
