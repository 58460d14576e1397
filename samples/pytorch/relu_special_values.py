# PyTorch reference for samples/relu_special_values.swiftdsl (its expected output comes from this).
import torch

x = torch.tensor([-0.0, 1.5, -2.0, float("nan"), float("inf"), -float("inf")])
print(torch.relu(x))
print(-torch.relu(-x))
print(torch.exp(x))
print(torch.sign(x), torch.abs(x))
print(x.max(), x.sum())
y = torch.tensor([[-0.0, -3.0], [2.0, 0.0]], requires_grad=True)
z = torch.relu(y * 2)
z.sum().backward()
print(z)
print(y.grad)
