# PyTorch reference for samples/autograd_regions.swiftdsl.
import torch

w = torch.tensor([1.0], requires_grad=True)
l = (w * 3).sum()
if l > 1:
    l.backward()
print(w.grad)

u = torch.tensor([2.0], requires_grad=True)
square = (u * u).sum()
if square > 1:
    print(torch.autograd.grad(square, u)[0])

v = torch.tensor([1.0], requires_grad=True)
reg = (v * v).sum()
for i in range(0, 1):
    loss = (v * 3).sum() + reg
    loss.backward()
print(v.grad)

p = torch.tensor([0.5, -0.5], requires_grad=True)
(p * 0).sum().backward()
for i in range(0, 4):
    loss = (p * p * (i + 1)).sum()
    if loss > 1:
        loss.backward()
    with torch.no_grad():
        p -= 0.1 * p.grad
    print(i, p.grad, p)

acc = p * 1
for t in range(0, 2):
    acc = acc + p
print(acc)
print(acc.requires_grad, acc.is_leaf)
q = p * 3
if p.sum() < 1:
    q = q * 2
print(q, q.requires_grad)
q.sum().backward()
print(p.grad)
v2 = torch.tensor([1.0, 2.0], requires_grad=True)
total = torch.tensor(0.0)
for t in range(0, 3):
    total = total + (v2 * v2 * t).sum()
print(total)
total.backward()
print(v2.grad)

z = torch.tensor([1.0, 2.0], requires_grad=True)
zsum = torch.tensor(0.0)
for i in range(0, 3):
    zsum = zsum + (z * z).sum()
if zsum > 1:
    print(torch.autograd.grad(zsum, z)[0])

r = torch.tensor([1.0, 2.0], requires_grad=True)
a = r * 2
if r.sum() > 0:
    a = a.relu()
else:
    a = a.sigmoid()
print(a)
c = r.sum()
if c > 1:
    c = c.exp()
print(c)
m = torch.tensor([0.0, 0.0])
if r.sum() > 0:
    m = r * 2
print(m, m.requires_grad)
print(r * 2 if r.sum() > 0 else r.exp())
print(r * 2 if r.sum() < 0 else r.exp())
