# PyTorch reference for samples/ch2_indexing.swiftdsl.
import torch

x = torch.arange(12).reshape(3, 4).float()
print(x[0])
print(x[-1])
print(x[1:3])
print(x[1:])
print(x[:2])
print(x[1:3])
print(x[0, 1:3])
print(x[..., 1])
print(x[-1, -1])
print(x[0:3:2])
print(x[..., 1:4:2])

print((x[1:3, 1:] * 2 + 1).sum())

w = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
a = w[1]
b = w[..., 1:3]
print(a)
print(b)
loss = (a * a).sum() + (b * 3.0).sum()
loss.backward()
print(w.grad)

y = torch.zeros(3, 4)
y[0] = torch.tensor([1.0, 2.0, 3.0, 4.0])
y[..., 1] = 7.0
y[1:3] += 1
y[2, 3] = 9
print(y)

z = x[0].clone()
z[0] = 5
print(z)
print(x[0])

p = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
q = torch.tensor([10.0, 20.0], requires_grad=True)
h = p * 2
h[1:] = q * q
print(h)
h.sum().backward()
print(p.grad)
print(q.grad)

rows = w[torch.tensor([1, -2, 1])]
print(rows)
(rows * rows).sum().backward()
print(w.grad)

acc = torch.zeros(4)
for _ in range(3):
    acc[1:] += acc[:3] + 1
    acc[0] = acc[-1]
if acc.sum() > 10:
    acc[..., 1] = -1
print(acc)
