# PyTorch reference for samples/ch1_04_shape_ops.swiftdsl (seed chapter 1, section 4).
# tgc prints a shape as a list ([2, 12]) where PyTorch prints torch.Size([2, 12]): a documented
# difference, so this program prints list(t.shape).
import torch

x = torch.randn(2, 3, 4)
print(f"Original shape: {list(x.shape)}")

y = x.reshape(2, 12)
print(f"Reshaped: {list(y.shape)}")

z = x.view(-1)
print(f"Flattened: {list(z.shape)}")

a = torch.tensor([1, 2, 3])
b = a.unsqueeze(0)
print(f"Original: {list(a.shape)}, After unsqueeze(0): {list(b.shape)}")

c = torch.randn(1, 3, 1, 4)
d = c.squeeze()
print(f"Before squeeze: {list(c.shape)}, After squeeze: {list(d.shape)}")
