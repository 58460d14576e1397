# PyTorch reference for samples/ch1_05_autograd_basics.swiftdsl (seed chapter 1, section 5).
import torch

x = torch.tensor([2.0], requires_grad=True)
print(f"x: {x}")
print(f"x.requires_grad: {x.requires_grad}")

y = x ** 2 + 3 * x + 1
print(f"y: {y}")

y.backward()
print(f"x.grad: {x.grad}")
