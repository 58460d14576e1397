# PyTorch reference for samples/ch1_04_matrix_ops.swiftdsl (seed chapter 1, section 4).
import torch

A = torch.tensor([[1, 2], [3, 4]])
B = torch.tensor([[5, 6], [7, 8]])

C = A @ B
print(C)

print(A.T)

v1 = torch.tensor([1, 2, 3])
v2 = torch.tensor([4, 5, 6])
dot_product = torch.dot(v1, v2)
print(f"Dot product: {dot_product}")
