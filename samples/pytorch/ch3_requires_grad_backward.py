# PyTorch reference for samples/ch3_requires_grad_backward.swiftdsl (seed chapter 3,
# torch.Tensorとrequires_grad, backward()メソッドの使い方).
import torch

x = torch.tensor([1.0, 2.0, 3.0])
print("x:", x.requires_grad, x.is_leaf, x.grad_fn)
y = x * 2
print("y:", y.requires_grad, y.is_leaf, y.grad_fn)

x.requires_grad = True
print("x:", x)
y = x * 2
print("y:", y, y.is_leaf)

w = torch.tensor([[1.0, -1.0], [2.0, 0.5]], requires_grad=True)
v = torch.tensor([3.0, 4.0])
out = w @ v
print("out:", out)

out.backward(torch.tensor([1.0, 0.5]))
print("w.grad:", w.grad)
print("v:", v.requires_grad)

z = (x ** 2).sum()
z.backward(retain_graph=True)
print("x.grad (1):", x.grad)
z.backward()
print("x.grad (2):", x.grad)

s = (x * x).mean()
s.backward()
print("x.grad (3):", x.grad)
print(f"s = {s.item():.4f}")
