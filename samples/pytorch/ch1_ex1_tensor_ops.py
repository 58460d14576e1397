# PyTorch reference for samples/ch1_ex1_tensor_ops.swiftdsl (seed chapter 1, exercise 1).
# The random numbers differ from tgc's (different generators); the layout is the same.
# tgc prints shapes as lists, so this prints list(flat.shape).
import torch
torch.manual_seed(0)

x = torch.randn(5, 5)
print("x:\n", x)

print(f"Mean: {x.mean().item():.4f}")
print(f"Std: {x.std().item():.4f}")
print(f"Max: {x.max().item():.4f}")
print(f"Min: {x.min().item():.4f}")

flat = x.flatten()
print(f"Flattened shape: {list(flat.shape)}")
print(f"Same elements: {flat.numel() == x.numel()}")
