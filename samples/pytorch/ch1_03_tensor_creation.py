# PyTorch reference for samples/ch1_03_tensor_creation.swiftdsl (seed chapter 1, section 3).
# The random numbers differ from tgc's (different generators); the layout is the same.
import torch
torch.manual_seed(0)

x = torch.tensor([1, 2, 3, 4, 5])
print(x)

matrix = torch.tensor([[1, 2], [3, 4], [5, 6]])
print(matrix)

float_tensor = torch.tensor([1.0, 2.0, 3.0], dtype=torch.float32)
print(float_tensor)

zeros = torch.zeros(3, 4)
ones = torch.ones(2, 3)
random = torch.rand(2, 2)
randn = torch.randn(2, 2)

print("Zeros:\n", zeros)
print("Ones:\n", ones)
print("Random:\n", random)
print("Randn:\n", randn)
