# PyTorch reference for samples/ch1_07_linear_regression.swiftdsl (seed chapter 1, section 7).
# The random numbers differ from tgc's (different generators); the layout is the same.
import torch

torch.manual_seed(42)
X = torch.randn(100, 1)
y_true = 3 * X + 2 + torch.randn(100, 1) * 0.5

w = torch.randn(1, requires_grad=True)
b = torch.randn(1, requires_grad=True)

learning_rate = 0.01

for epoch in range(100):
    y_pred = w * X + b
    loss = ((y_pred - y_true) ** 2).mean()
    loss.backward()
    with torch.no_grad():
        w -= learning_rate * w.grad
        b -= learning_rate * b.grad
    w.grad.zero_()
    b.grad.zero_()
    if (epoch + 1) % 10 == 0:
        print(f"Epoch {epoch+1}: Loss = {loss.item():.4f}, w = {w.item():.4f}, b = {b.item():.4f}")

print(f"\n学習完了！")
print(f"最終的なパラメータ: w = {w.item():.4f}, b = {b.item():.4f}")
print(f"真の値: w = 3.0, b = 2.0")
