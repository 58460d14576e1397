# PyTorch reference for samples/autograd_leaf_replace.swiftdsl.
import torch

X = torch.arange(0, 6).float().reshape([6, 1])
Y = 2 * X - 1
w = torch.ones([1, 1], requires_grad=True)
b = torch.zeros([1], requires_grad=True)
for epoch in range(0, 20):
    loss = ((torch.matmul(X, w) + b - Y) ** 2).mean()
    loss.backward()
    with torch.no_grad():
        w = w - 0.01 * w.grad
        b = b - 0.01 * b.grad
    w.requires_grad = True
    b.requires_grad = True
    if (epoch + 1) % 5 == 0:
        print(epoch + 1, "loss:", f"{loss.item():.4f}")
print(w, b)
print(w.is_leaf, b.is_leaf, w.requires_grad)

p = torch.tensor([1.0, 2.0], requires_grad=True)
for i in range(0, 3):
    loss = (p ** 2).sum()
    loss.backward()
    print(i, p.grad)
    p = (p - 0.1 * p.grad).detach()
    p.requires_grad = True
print(p, p.is_leaf)

v = torch.tensor([1.0], requires_grad=True)
for i in range(0, 2):
    (v * 5).sum().backward()
    print(v.grad)
    v = torch.tensor([2.0], requires_grad=True)
