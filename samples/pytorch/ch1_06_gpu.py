# PyTorch reference for samples/ch1_06_gpu.swiftdsl (seed chapter 1, section 6).
# The expected output is the one without a GPU (device cpu).
import torch

device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
print(f"Using device: {device}")

x = torch.randn(3, 3)
x = x.to(device)
print(f"x device: {x.device}")

y = torch.randn(3, 3).to(device)
z = x + y
print(f"z device: {z.device}")

z_cpu = z.to("cpu")
print(f"z_cpu device: {z_cpu.device}")

z_cpu = z.cpu()
