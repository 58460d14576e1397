# Twin of samples/hyper_regression.swiftdsl: lr and epochs are plain Python numbers here.
import torch

lr = 0.02
epochs = 40

X = torch.tensor([[0.0], [0.5], [1.0], [1.5], [2.0], [2.5], [3.0], [3.5]])
y = 3 * X + 2 + torch.tensor([[0.1], [-0.2], [0.05], [0.0], [-0.1], [0.15], [-0.05], [0.1]])
w = torch.zeros(1, requires_grad=True)
b = torch.zeros(1, requires_grad=True)

for epoch in range(epochs):
    loss = ((w * X + b - y) ** 2).mean()
    loss.backward()
    with torch.no_grad():
        w -= lr * w.grad
        b -= lr * b.grad
    w.grad.zero_()
    b.grad.zero_()
loss = ((w * X + b - y) ** 2).mean()
print(f"lr={lr} epochs={epochs} loss={loss.item():.6f} w={w.item():.4f} b={b.item():.4f}")
