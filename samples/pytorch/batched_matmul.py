# PyTorch reference for samples/batched_matmul.swiftdsl.
import torch

a = torch.tensor([[[1.0, 2.0, 0.0], [-1.0, 1.0, 2.0]],
                  [[0.5, -2.0, 1.0], [3.0, 0.0, -1.0]]], requires_grad=True)
b = torch.tensor([[[1.0, 0.0], [2.0, -1.0], [0.0, 1.0]],
                  [[-1.0, 1.0], [0.5, 2.0], [1.0, 0.0]]], requires_grad=True)
c = torch.matmul(a, b)
print("batch @ batch:", c.shape)
print(c)

w = torch.tensor([[1.0, -1.0], [0.5, 2.0], [-2.0, 1.0]], requires_grad=True)
y = a.matmul(w)
print("batch @ matrix:", y.shape)
print(y)

s = torch.tensor([[[1.0, 2.0], [0.0, 1.0], [-1.0, 0.0]],
                  [[2.0, 0.0], [1.0, 1.0], [0.0, -1.0]],
                  [[0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]], requires_grad=True)
a4 = a.unsqueeze(1)
z = torch.matmul(a4, s)
print("broadcast batches:", z.shape)
print(z)

m = torch.tensor([[1.0, 0.0, 2.0], [0.0, -1.0, 1.0]], requires_grad=True)
mb = torch.matmul(m, b)
print(mb)
row = torch.tensor([[1.0, 1.0, 1.0]], requires_grad=True)
print(torch.matmul(row, b))

v = torch.tensor([1.0, -1.0, 2.0])
print(torch.matmul(v, b))
print(torch.matmul(a, v))

i = torch.tensor([[[1, 2], [3, 4]], [[0, 1], [1, 0]]])
print(torch.matmul(i, torch.tensor([[2, 0], [1, -1]])))

loss = (c * c).sum() + y.sum() + (z * z).sum() * 0.25 + (mb * mb).sum()
loss.backward()
print("a.grad:", a.grad)
print("b.grad:", b.grad)
print("w.grad:", w.grad)
print("s.grad:", s.grad)
print("m.grad:", m.grad)
