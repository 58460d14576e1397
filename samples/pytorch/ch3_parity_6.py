# PyTorch reference for samples/ch3_parity_6.swiftdsl.
# Gradients that undo a broadcast sum as PyTorch's sum_to_size does (PyTorch's order below
# 32768 elements), so a training loop's losses and gradients print PyTorch's digits at every step.
import torch
X = torch.linspace(-1, 1, steps=37).reshape([37, 1])
y = 2.7 * X - 0.3
w = torch.tensor([0.45], requires_grad=True)
b = torch.tensor([0.12], requires_grad=True)
for step in range(6):
    loss = ((w * X + b - y) ** 2).mean()
    loss.backward()
    print(step, loss.item(), w.grad.item(), b.grad.item())
    with torch.no_grad():
        w -= 0.2 * w.grad
        b -= 0.2 * b.grad
    w.grad = None
    b.grad = None
a = torch.tensor([[0.11, 0.27, -0.35], [0.5, -0.61, 0.72], [0.13, 0.9, -0.4]], requires_grad=True)
c = torch.tensor([0.3, -0.2, 0.77], requires_grad=True)
z = ((a * c + c) * a).sum()
z.backward()
print(c.grad.tolist())
print(a.grad.tolist())
