# PyTorch reference for samples/ch1_ex5_optimization.swiftdsl (seed chapter 1, exercise 5).
import torch

x = torch.tensor([0.0], requires_grad=True)
learning_rate = 0.1

for step in range(100):
    f = (x - 5) ** 2
    f.backward()
    with torch.no_grad():
        x -= learning_rate * x.grad
    x.grad.zero_()
    if (step + 1) % 20 == 0:
        print(f"Step {step + 1}: x = {x.item():.4f}, f(x) = {f.item():.6f}")

print(f"Result: x = {x.item():.4f}")
