# PyTorch reference for samples/shapes.swiftdsl (its expected output comes from this).
import torch
x = torch.zeros([2, 3])
print(x.shape, x.size(), x.shape[0], len(x.shape))
print(f"Shape: {x.shape}")
y = torch.ones(x.shape)
print(y.reshape(x.shape[1], 2).shape, torch.zeros(x.size()).shape)
print(torch.tensor(x.shape))
s = torch.tensor(3.0)
print(s.shape)
