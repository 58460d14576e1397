# PyTorch reference for samples/ch1_ex3_autograd.swiftdsl (seed chapter 1, exercise 3).
import torch

x = torch.tensor([1.0], requires_grad=True)
y = torch.tensor([2.0], requires_grad=True)
f = x ** 2 + y ** 2 + 2 * x * y
f.backward()
print(f"f: {f}")
print(f"df/dx: {x.grad}")
print(f"df/dy: {y.grad}")

g = x ** 2 + y ** 2 + 2 * x * y
dx, dy = torch.autograd.grad(g, (x, y))
print(f"grad(of:wrt:): df/dx = {dx.item():.4f}, df/dy = {dy.item():.4f}")
