# PyTorch reference for samples/ch2_parity_9.swiftdsl.
# Small matrix products print PyTorch's digits: PyTorch's CPU matmul adds the rounded products
# of a small product in plain order (no fused multiply-add), and so does tgc.
import torch
theta = torch.tensor(0.3)
u = torch.stack([torch.stack([torch.cos(theta), -torch.sin(theta)]), torch.stack([torch.sin(theta), torch.cos(theta)])])
print(u.matmul(u.t()))
a = torch.tensor([[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]])
b = torch.tensor([[0.7, 0.8], [0.9, 1.0], [1.1, 1.2]])
print((a.matmul(b)).tolist())
print((b.matmul(a)).tolist())
x = torch.linspace(-1, 1, steps=12).reshape([4, 3])
w = torch.tensor([[0.25], [-0.5], [0.75]])
print(x.matmul(w).tolist())
print(torch.matmul(x.t(), x).tolist())
