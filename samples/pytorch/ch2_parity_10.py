# PyTorch reference for samples/ch2_parity_10.swiftdsl.
# Variance and standard deviation print PyTorch's digits: computed in double and rounded once,
# as PyTorch's CPU kernels compute them.
import torch
x = torch.tensor([0.13, 2.7, -1.25, 0.5, 3.3, -0.77, 1.9])
print(x.var().item(), x.std().item(), x.var(unbiased=False).item())
m = torch.linspace(-2, 3.5, steps=24).reshape([4, 6]) * torch.tensor([0.3, -1.1, 2.2, 0.7, 1.3, -0.4])
print(m.var(dim=1).tolist())
print(m.std(dim=0).tolist())
print(m.var(dim=[0, 1], keepdim=True))
w = torch.tensor([0.3, 1.7, -0.4, 2.2], requires_grad=True)
s = w.std()
s.backward()
print(s, w.grad)
