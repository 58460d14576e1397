# PyTorch reference for samples/cnn_fashion_eval.swiftdsl. Run from samples/ after
# pytorch/cnn_fashion.py (with the same testLimit as its argument), whose trained model it reads
# from cnn_fashion.safetensors; prints the test accuracy cnn_fashion.py printed last.
import sys

import torch
from safetensors.torch import load_file

from fashion_mnist import CNN, fashion_mnist, prepare


test_limit = int(sys.argv[1]) if len(sys.argv) > 1 else 500
model = CNN()
model.load_state_dict(load_file("cnn_fashion.safetensors"))
model.eval()
test_images, test_labels = fashion_mnist(train=False)
with torch.no_grad():
    predicted = model(prepare(test_images[:test_limit])).argmax(dim=1)
correct = (predicted == test_labels[:test_limit]).sum().item()
print("test images", test_limit, "first predictions", predicted[:10])
print(f"test accuracy = {100.0 * correct / test_limit:.2f}%")
