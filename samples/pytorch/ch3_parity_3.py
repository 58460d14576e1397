# PyTorch reference for samples/ch3_parity_3.swiftdsl.
import torch

x = torch.tensor([1.0, -2.0, 3.0], requires_grad=True)
e = torch.zeros(3)
for i in range(3):
    if x[i] < 0:
        e = e + x * x
print(e.detach(), e.requires_grad)
e.sum().backward()
print(x.grad)

total = torch.tensor(0.0)
for i in range(4):
    term = x[i % 3] * float(i + 1)
    if term > 0:
        total = total + term
print(total.detach(), total.requires_grad)
x.grad = None
total.backward()
print(x.grad)
