# PyTorch reference for samples/autograd_aliases.swiftdsl.
import torch

w = torch.tensor([1.0, 2.0], requires_grad=True)
m = w
if w.sum() > 0:
    m = w * 2
print(m.is_leaf, m)
loss = m.sum()
loss.backward()
print(w.grad)

a = torch.tensor([1.0, 2.0], requires_grad=True)
b = a * 3
if a.sum() > 0:
    b = a
else:
    b = a * 2
print(b.is_leaf, b)
b.sum().backward()
print(a.grad)

c = torch.tensor([1.0, 2.0], requires_grad=True)
d = c * 3
if c.sum() < 0:
    d = c
else:
    d = c * 2
print(d.is_leaf, d)
d.sum().backward()
print(c.grad)

u = torch.tensor([1.0, 2.0], requires_grad=True)
v = u
for i in range(0, 2):
    v = v * 2
print(v.is_leaf, v)
v.sum().backward()
print(u.grad)

p = torch.tensor([1.0, 2.0], requires_grad=True)
q = p * 3
if p.sum() > 0:
    q = p * 2
else:
    q = p
print(q.is_leaf, q)
q.sum().backward()
print(p.grad)

r = torch.tensor([1.0, 2.0], requires_grad=True)
s = r * 3
if r.sum() < 0:
    s = r * 2
else:
    s = r
print(s.is_leaf, s)
s.sum().backward()
print(r.grad)

x = torch.tensor([0.5, -1.0], requires_grad=True)
y = x
for i in range(0, 3):
    if y.sum() < 2:
        y = y * 2 + x
print(y.is_leaf, y)
y.sum().backward()
print(x.grad)

f = torch.tensor([1.0, 2.0], requires_grad=True)
g = f
for i in range(0, 2):
    if f.sum() > 0:
        g = f
(g * f).sum().backward()
print(g.is_leaf, g, f.grad)
j = f * 3
for i in range(0, 2):
    if f.sum() > 0:
        j = f
    else:
        j = f
f.grad.zero_()
(j * f).sum().backward()
print(j.is_leaf, f.grad)

h = torch.zeros([2])
if f.sum() > 0:
    h = f * 2
z = torch.zeros([2])
if f.sum() < 0:
    z = f * 2
print(h.requires_grad, z.requires_grad, h.is_leaf, z.is_leaf)

vec = torch.tensor([1.0, 2.0], requires_grad=True)
vt = vec.t()
print(vt, vt.is_leaf, torch.tensor(3.0, requires_grad=True).t())
(vt * torch.tensor([3.0, 4.0])).sum().backward()
print(vec.grad)
