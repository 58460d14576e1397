# PyTorch reference for samples/ch1_05_grad_accumulation.swiftdsl (seed chapter 1, section 5).
import torch

x = torch.tensor([1.0], requires_grad=True)

y = x ** 2
y.backward()
print(f"1st gradient: {x.grad}")

y = x ** 3
y.backward()
print(f"2nd gradient (accumulated): {x.grad}")

x.grad.zero_()
y = x ** 3
y.backward()
print(f"3rd gradient (after reset): {x.grad}")
