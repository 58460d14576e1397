# PyTorch reference for samples/ch2_devices.swiftdsl (run on a machine without a GPU; tgc
# prints tensors moved to the CPU as PyTorch prints them, so `.numpy()` is shown as a tensor
# would be: tgc has no NumPy arrays, and the twin converts back to print the same text).
import torch

device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
print("device:", device)

a = torch.zeros([2, 3], device=device)
b = torch.ones([2, 3], dtype=torch.float32, device=device)
c = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], device=device, requires_grad=True)
print("a:", a.device, "b:", b.device, "c:", c.device, "is_cuda:", c.is_cuda)

x = torch.randn([3, 3]).to(device)
print("x:", x.device)
back = x.cpu()
print("back on the CPU:", back.device, back.shape)

y = (c * 2 + b).sum(dim=1)
print("y:", y, y.device)
y.sum().backward()
print("c.grad:", c.grad, c.grad.device)

ints = torch.arange(0, 6, device=device).reshape([2, 3])
floats = ints.to(torch.float32).to(device)
print(floats, floats.dtype, floats.device)

host = (floats * 0.5).cpu().numpy()
print(torch.from_numpy(host))
