# PyTorch reference for samples/ch1_03_tensor_attributes.swiftdsl (seed chapter 1, section 3).
# tgc prints a shape as a list ([3, 4]) where PyTorch prints torch.Size([3, 4]): a documented
# difference, so this program prints list(x.shape) / list(x.size()).
import torch

x = torch.randn(3, 4)

print(f"Shape: {list(x.shape)}")
print(f"Size: {list(x.size())}")
print(f"Data type: {x.dtype}")
print(f"Device: {x.device}")
print(f"Requires grad: {x.requires_grad}")
print(f"Number of dimensions: {x.ndim}")
print(f"Number of elements: {x.numel()}")
