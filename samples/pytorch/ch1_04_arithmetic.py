# PyTorch reference for samples/ch1_04_arithmetic.swiftdsl (seed chapter 1, section 4).
import torch

x = torch.tensor([1, 2, 3])
y = torch.tensor([4, 5, 6])

print(x + y)
print(x - y)
print(x * y)
print(x / y)

print(torch.add(x, y))
print(torch.mul(x, y))

x.add_(y)
print(x)
