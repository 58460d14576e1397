# PyTorch reference for samples/ch2_broadcasting.swiftdsl.
import torch

column = torch.tensor([[1.0], [2.0], [3.0]])
row = torch.tensor([10.0, 20.0, 30.0, 40.0])
table = column + row
print("column + row:", table.shape)
print(table)

scalar = torch.tensor(0.5)
print("table * scalar:", (table * scalar)[0])
print("2 - row:", 2 - row)

a = torch.arange(0, 8).reshape([2, 1, 4])
b = torch.tensor([[100], [200], [300]])
c = a + b
print("a + b:", c.shape)
print(c)

mask = row > torch.tensor([[15.0], [35.0]])
print("mask:", mask.shape)
print(mask)
print(torch.where(mask, row, 0.0))

print("int + float:", torch.tensor([1, 2, 3]) + torch.tensor([[0.5], [1.5]]))

acc = torch.zeros([2, 3])
acc += torch.tensor([1.0, 2.0, 3.0])
acc *= torch.tensor([[2.0], [3.0]])
print("acc:", acc)

print("expand:", row.expand([2, 4]))

w = torch.tensor([[1.0], [2.0]], requires_grad=True)
v = torch.tensor([1.0, -1.0, 2.0], requires_grad=True)
s = torch.tensor(3.0, requires_grad=True)
out = (w * v + s).pow(2).sum()
out.backward()
print("out:", out)
print("w.grad:", w.grad, w.grad.shape)
print("v.grad:", v.grad, v.grad.shape)
print("s.grad:", s.grad, s.grad.shape)

m = torch.tensor([[1.0, 2.0, 3.0]], requires_grad=True)
mean = (m + torch.tensor([[0.0], [10.0]])).mean()
mean.backward()
print("mean:", mean, "m.grad:", m.grad)
