# PyTorch reference for samples/ch2_creation.swiftdsl.
import torch

print("eye(3):", torch.eye(3))
print("eye(2, 3):", torch.eye(2, 3))
print("eye int64:", torch.eye(3, dtype=torch.int64))

print("linspace(0, 1, steps: 5):", torch.linspace(0, 1, steps=5))
l = torch.linspace(0.1, 0.7, steps=37)
step = (torch.tensor(0.7) - torch.tensor(0.1)) / 36.0
twice = torch.tensor(0.1) + torch.arange(0.0, 37.0) * step
print("linspace 37:", l.dtype, (l == twice).sum(), (l - twice).abs().max())
print("linspace(0, 10, steps: 7):", torch.linspace(0, 10, steps=7))
print("linspace one step:", torch.linspace(2, 5, steps=1), "no steps:", torch.linspace(0, 1, steps=0))
print("linspace int64:", torch.linspace(0, 10, steps=4, dtype=torch.int64))
print("linspace descending:", torch.linspace(1, -2.5, steps=6))

print("arange(0, 1, step: 0.25):", torch.arange(0, 1, step=0.25))
print("arange(2, 10):", torch.arange(2, 10))

x = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
n = torch.tensor([[1, 2], [3, 4]])
print("zerosLike:", torch.zeros_like(x))
print("onesLike int64:", torch.ones_like(n))
print("onesLike dtype:", torch.ones_like(n, dtype=torch.float32))
print("fullLike:", torch.full_like(x, 7))
print("fullLike int64 7.5:", torch.full_like(n, 7.5))
w = torch.full_like(x, 0.5, requires_grad=True)
print("fullLike requiresGrad:", w.requires_grad, w.is_leaf)

torch.manual_seed(0)
u = torch.rand_like(x)
g = torch.randn_like(x)
print("randLike:", u.shape, u.dtype, "randnLike:", g.shape, g.dtype)
print("randLike in [0, 1):", u.min() >= 0, u.max() < 1)
r = torch.randint(0, 10, (3, 4))
print("randint:", r.shape, r.dtype)
print("randint in [0, 10):", r.min() >= 0, r.max() < 10)
s = torch.randint(-5, 5, (100,))
print("randint(-5, 5):", s.min() >= -5, s.max() < 5)
print("randint(3, [2]):", torch.randint(3, (2,)).shape, torch.randint(3, (2,)).dtype)

print("bools:", torch.tensor([True, False, True]))
print("bools as float:", torch.tensor([True, False], dtype=torch.float32))
print("ints as bool:", torch.tensor([[1, 0], [0, 2]], dtype=torch.bool))

e = torch.eye(2, requires_grad=True)
y = (e * torch.tensor([[1.0, 2.0], [3.0, 4.0]])).sum()
y.backward()
print("eye grad:", e.grad)
