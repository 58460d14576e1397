# PyTorch reference for samples/ch2_dtypes.swiftdsl.
# Run from samples/ (it reads data/dtypes_*.npy and writes dtypes_*.npy).
import numpy as np
import torch

# Creation with dtype=
d = torch.tensor([1.0, 2.5, -3.0], dtype=torch.float64)
i = torch.tensor([1, -2, 3], dtype=torch.int32)
u = torch.tensor([0, 128, 255], dtype=torch.uint8)
print(d, d.dtype)
print(i, i.dtype)
print(u, u.dtype)
print(torch.zeros(2, dtype=torch.float64), torch.ones(2, 2, dtype=torch.int32), torch.full([3], 7, dtype=torch.uint8))
print(torch.arange(4, dtype=torch.float64), torch.arange(3, dtype=torch.int32), torch.linspace(0, 1, steps=3, dtype=torch.float64))
print(torch.tensor(2.5, dtype=torch.float64), torch.tensor(7, dtype=torch.int32), torch.tensor(200, dtype=torch.uint8))

# Conversions
f = torch.tensor([-1.7, 2.9, 300.0, -300.0])
print(f.double(), f.long(), f.int(), f.byte(), f.bool())
print(f.to(torch.float64).dtype, i.float(), i.long(), u.int(), d.float())
print(torch.tensor([3000000000, -3000000000]).int(), torch.tensor([257, -1]).byte())

# Promotion
f32 = torch.tensor([1.0, 2.0, 3.0])
i64 = torch.tensor([1, 2, 3])
print((d + f32).dtype, (i + i64).dtype, (u + i).dtype, (u + torch.tensor([True, False, True])).dtype)
print((torch.tensor(1.5, dtype=torch.float64) + f32).dtype, (i + torch.tensor(2.5, dtype=torch.float64)).dtype, (u + torch.tensor(300)).dtype)
print((i + 5).dtype, (i + 2.5).dtype, (u + 1).dtype, (torch.tensor([True]) + 5).dtype, (torch.tensor(2, dtype=torch.int32) + 5).dtype)
print(u + 300, i * 1000000000, u - 1, -u)
print(i / 2, i % 2, u / 2, d / 2, i == 1, d > 1.0)

# Integer arithmetic wraps
big = torch.tensor([4611686018427387904, -3]) * 2
print(big, big + big, torch.tensor([3037000500]) * 3037000500, torch.tensor([2147483647], dtype=torch.int32) * 2147483647)

# float64 arithmetic
small = torch.tensor([0.1, 0.2], dtype=torch.float64)
print(small.sum().item(), torch.tensor([0.1, 0.2]).sum().item())
print(torch.exp(d), torch.log(torch.abs(d)), torch.sigmoid(d), d ** 2)
print(d.sum(), d.mean(), d.max(), d.argmax())
m = torch.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=torch.float64) / 3
print(torch.matmul(m, m))

# Gradients
w = torch.tensor([0.5, -1.0, 2.0], dtype=torch.float64, requires_grad=True)
loss = (w * w * w).sum()
loss.backward()
print(loss, w.grad)
v = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
mixed = (v * d).sum()
mixed.backward()
print(mixed, v.grad)

# .npy
loaded = [torch.from_numpy(np.load(f"data/dtypes_{name}.npy")) for name in ["f8", "i4", "u1"]]
print(loaded[0], loaded[1], loaded[2])
np.save("dtypes_float64.npy", d.numpy())
np.save("dtypes_int32.npy", i.numpy())
np.save("dtypes_uint8.npy", u.numpy())
narrow = torch.tensor([1.0, 2.0])
narrow += torch.tensor([0.5, 0.25], dtype=torch.float64)
counts = torch.tensor([1, 2], dtype=torch.int32)
counts += torch.tensor([1, 2])
counts[0] += 40
print(narrow, counts)
