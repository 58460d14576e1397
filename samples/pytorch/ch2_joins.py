# PyTorch reference for samples/ch2_joins.swiftdsl.
import torch

a = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
b = torch.tensor([[7.0, 8.0, 9.0]], requires_grad=True)
c = torch.cat([a, b], dim=0)
print("cat dim 0:", c)
d = torch.cat([a, a * 2.0], dim=-1)
print("cat dim -1:", d.shape)
print(d)
print("cat promotes:", torch.cat([torch.tensor([1, 2]), torch.tensor([0.5])]))
print("cat ints:", torch.cat([torch.tensor([1, 2]), torch.tensor([3]), torch.tensor([4, 5, 6])], dim=0))

s = torch.stack([a, a + 10.0], dim=0)
print("stack dim 0:", s.shape)
print(s)
s1 = torch.stack([a, b.expand([2, 3])], dim=1)
print("stack dim 1:", s1)
print("stack dim -1:", torch.stack([torch.tensor([1, 2]), torch.tensor([3, 4])], dim=-1))

x = torch.tensor([[1.0, 2.0, 3.0, 4.0, 5.0], [6.0, 7.0, 8.0, 9.0, 10.0], [11.0, 12.0, 13.0, 14.0, 15.0]], requires_grad=True)
p, q, r = x.split(2, dim=1)
print("split:", p, q, r)
top, rest = x.split([1, 2], dim=0)
print("split sizes:", top.shape, rest.shape, top)
u, v = x.chunk(2, dim=0)
print("chunk:", u, v)
w1, w2, w3 = x.chunk(4, dim=1)
print("chunk 4 of 5:", w1.shape, w2.shape, w3.shape)
r0, r1, r2 = x.unbind(dim=0)
print("unbind:", r0, r1, r2)
k0, k1 = a.unbind(dim=-2)
print("unbind -2:", k0, k1)

cols = x.unbind(dim=1)
print("unbind count:", len(cols), "last:", cols[-1], "chunk [1]:", x.chunk(3, dim=0)[1])
total = cols[1] + cols[2] * 2.0 + cols[3] * 3.0 + cols[4] * 4.0
print("weighted columns:", total)

loss = (c * c).sum() + (s * 3.0).sum() + (p * 2.0).sum() + (v * v).sum() + r1.sum() + (w3 * 5.0).sum() + total.sum()
loss.backward()
print("a.grad:", a.grad)
print("b.grad:", b.grad)
print("x.grad:", x.grad)
