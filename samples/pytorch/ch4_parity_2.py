# PyTorch reference for samples/ch4_parity_2.swiftdsl.
# Sums, means and losses printed at full precision: each adds in PyTorch's CPU order (sums
# and means of fewer than 32768 elements, and nll_loss's own order), so the digits match.
# log_softmax's exp and log are not PyTorch's bit for bit: those losses print as tensors.
import torch
import torch.nn.functional as F
x = torch.tensor([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.1, 1.3])
print(x.sum().item(), x.mean().item())
m = torch.linspace(-1, 2, steps=120).reshape([4, 5, 6])
print(m.sum(dim=2))
print(m.mean(dim=[0, 2]).tolist())
print(m.sum(dim=0).sum().item(), m.mean().item())
pred = torch.tensor([[0.31, -1.2, 0.77], [2.1, 0.05, -0.33], [0.9, 0.41, 1.7], [-0.6, 0.2, 0.15]])
target = torch.tensor([[0.3, -1.0, 0.7], [2.0, 0.1, -0.3], [1.0, 0.4, 1.5], [-0.5, 0.25, 0.1]])
print(F.mse_loss(pred, target).item(), F.l1_loss(pred, target).item(), F.smooth_l1_loss(pred, target, beta=0.05).item())
print(F.mse_loss(pred, target, reduction='sum').item())
labels = torch.tensor([2, 0, 2, 1])
print(F.cross_entropy(pred, labels), F.cross_entropy(pred, labels, reduction='sum'))
print(F.cross_entropy(pred, labels, weight=torch.tensor([0.2, 0.3, 0.5])).item())
print(F.cross_entropy(pred, torch.tensor([2, -100, 2, 1])).item())
print(F.cross_entropy(pred, labels, label_smoothing=0.1).item())
print(F.nll_loss(F.log_softmax(pred, dim=1), labels))
probs = torch.sigmoid(pred)
print(F.binary_cross_entropy(probs, torch.tensor([[1.0, 0, 1], [1, 0, 0], [1, 1, 1], [0, 0, 1]])).item())
# A training loop whose loss is printed whole at every step.
X = torch.linspace(-1, 1, steps=20).reshape([20, 1])
y = 3.3 * X + 0.7
w = torch.tensor([0.5], requires_grad=True)
b = torch.tensor([0.1], requires_grad=True)
for step in range(5):
    loss = ((w * X + b - y) ** 2).mean()
    loss.backward()
    with torch.no_grad():
        w -= 0.1 * w.grad
        b -= 0.1 * b.grad
    print(step, loss.item(), w.item(), b.item())
    w.grad = None
    b.grad = None
