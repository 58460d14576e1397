# PyTorch reference for samples/hello.swiftdsl.
import torch

a = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
b = torch.ones(2, 2) * 2
print("a + b:\n", a + b)
print("matmul(a, b):\n", torch.matmul(a, b))
print("sum of a:", a.sum())
x = torch.tensor([2.0], requires_grad=True)
y = x ** 2 + 3 * x + 1
y.backward()
print(f"dy/dx at x = 2: {x.grad}")
