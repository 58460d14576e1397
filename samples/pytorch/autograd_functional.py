# PyTorch reference for samples/autograd_functional.swiftdsl.
import torch

x = torch.tensor([1.0, 2.0], requires_grad=True)
h = x * 2
print(torch.autograd.grad((h * h).sum(), h)[0])
dh, dx = torch.autograd.grad((h * x).sum(), (h, x))
print(dh, dx)

w = torch.tensor([[0.5, -1.0], [2.0, 0.25]], requires_grad=True)
b = torch.tensor([0.1, -0.2], requires_grad=True)
input = torch.tensor([[1.0, 2.0], [3.0, 4.0], [-1.0, 0.5]])
hidden = torch.relu(torch.matmul(input, w) + b)
loss = (hidden * hidden).mean()
dw, db, dhidden = torch.autograd.grad(loss, (w, b, hidden))
print(loss.detach())
print(dw)
print(db)
print(dhidden)
