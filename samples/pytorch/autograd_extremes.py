# PyTorch reference for samples/autograd_extremes.swiftdsl.
import torch

x = torch.tensor([[1.0, 3.0, 3.0], [2.0, 2.0, 0.0]], requires_grad=True)
rowMax, where = x.max(dim=1)
print(rowMax, where)
rowMax.sum().backward()
print(x.grad)

x.grad.zero_()
columnMin, _ = x.min(dim=0, keepdim=True)
(columnMin * torch.tensor([[1.0, 2.0, 3.0]])).sum().backward()
print(x.grad)

x.grad.zero_()
x.max().backward()
print(x.grad)

y = torch.tensor([[1.0, 3.0, 3.0], [2.0, 2.0, 0.0]], requires_grad=True)
y.min().backward()
print(y.grad)

g, = torch.autograd.grad(x.max(dim=1).values.sum() + x.min(), x)
print(g)
