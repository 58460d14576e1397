# PyTorch reference for samples/ch3_grad_accumulation.swiftdsl (seed chapter 3, 勾配の蓄積と初期化).
import torch

w = torch.tensor([0.5, -0.3], requires_grad=True)
b = torch.tensor([0.1], requires_grad=True)
xs = torch.tensor([[1.0, 2.0], [0.5, -1.0], [-1.5, 0.5], [2.0, 1.0]])
ys = torch.tensor([1.0, 0.0, -1.0, 2.0])

pred = xs[0:2] @ w + b
loss1 = ((pred - ys[0:2]) ** 2).mean()
loss1.backward()
print("after batch 1:", w.grad, b.grad)
pred = xs[2:4] @ w + b
loss2 = ((pred - ys[2:4]) ** 2).mean()
loss2.backward()
print("after batch 2 (accumulated):", w.grad, b.grad)

full = ((xs @ w + b - ys) ** 2).mean()
gw, gb = torch.autograd.grad(full, (w, b))
print("full batch (x2):", gw * 2, gb * 2)

w.grad.zero_()
b.grad.zero_()
print("after zero:", w.grad, b.grad)

def half_loss(part, target):
    return ((part @ w + b - target) ** 2).mean() / 2

lr = 0.1
for step in range(3):
    half_loss(xs[0:2], ys[0:2]).backward()
    half_loss(xs[2:4], ys[2:4]).backward()
    with torch.no_grad():
        w -= lr * w.grad
        b -= lr * b.grad
    print(f"step {step}: w = {w}, grad = {w.grad}")
    w.grad.zero_()
    b.grad.zero_()
print(w, b)
