# PyTorch reference for samples/ch2_parity_3.swiftdsl (writes its .npy files in the current folder).
import numpy as np
import torch

f32 = torch.tensor([[1.5, -2.25], [0.1, 3.0]])
f64 = torch.tensor([0.1, 1e-20, 12345.678901234], dtype=torch.float64)
i64 = torch.tensor([9007199254740991, -3, 0])
i32 = torch.tensor([2147483647, -7], dtype=torch.int32)
u8 = torch.tensor([0, 200, 255], dtype=torch.uint8)
flags = torch.tensor([True, False, True])
for name, t in [("f32", f32), ("f64", f64), ("i64", i64), ("i32", i32), ("u8", u8), ("bool", flags)]:
    np.save(f"parity_{name}.npy", t.numpy())
f32_back = torch.from_numpy(np.load("parity_f32.npy"))
f64_back = torch.from_numpy(np.load("parity_f64.npy"))
i64_back = torch.from_numpy(np.load("parity_i64.npy"))
i32_back = torch.from_numpy(np.load("parity_i32.npy"))
u8_back = torch.from_numpy(np.load("parity_u8.npy"))
flags_back = torch.from_numpy(np.load("parity_bool.npy"))
print(f32_back, f32_back.dtype, torch.equal(f32_back, f32))
print(f64_back, f64_back.dtype, f64_back.tolist())
print(i64_back, i64_back.dtype, i64_back[0].item())
print(i32_back, i32_back + 1)
print(u8_back, u8_back + 1)
print(flags_back, flags_back.dtype, flags_back.sum())
print(torch.matmul(f32_back, f32_back.T), (f64_back * 2).sum())
