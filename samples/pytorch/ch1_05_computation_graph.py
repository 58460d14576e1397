# PyTorch reference for samples/ch1_05_computation_graph.swiftdsl (seed chapter 1, section 5).
import torch

a = torch.tensor([3.0], requires_grad=True)
b = torch.tensor([4.0], requires_grad=True)

c = a * b
d = c ** 2
e = torch.sin(d)
f = e + c

print(f"f: {f}")

f.backward()

print(f"df/da: {a.grad}")
print(f"df/db: {b.grad}")
