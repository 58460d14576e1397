# PyTorch reference for samples/autograd_create_graph_regions.swiftdsl.
import torch

w = torch.tensor([0.5, -1.0, 2.0], requires_grad=True)

acc = w
for i in range(3):
    acc = torch.sin(acc) * w
g = torch.autograd.grad(acc.sum(), w, create_graph=True)[0]
print(g)
print(torch.autograd.grad(g.sum(), w, retain_graph=True)[0])

t = w * 1
for i in range(2):
    t = torch.tanh(t)
print(torch.autograd.grad(t.sum(), w, create_graph=True)[0])

y = w * 1
if w.sum() > 0:
    y = torch.tanh(w)
else:
    y = w * w
gy = torch.autograd.grad(y.sum(), w, create_graph=True)[0]
print(gy, gy.is_leaf, gy.requires_grad)

z = w * 1
if w.sum() < 0:
    z = w * 3
else:
    z = torch.exp(w)
gz = torch.autograd.grad(z.sum(), w, create_graph=True)[0]
print(gz, gz.is_leaf, gz.requires_grad)

u = w * 1
if w.sum() < 0:
    u = torch.exp(w)
else:
    u = w * 3
gu = torch.autograd.grad(u.sum(), w, create_graph=True)[0]
print(gu, gu.is_leaf, gu.requires_grad)
