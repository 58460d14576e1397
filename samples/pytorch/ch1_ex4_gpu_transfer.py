# PyTorch reference for samples/ch1_ex4_gpu_transfer.swiftdsl (seed chapter 1, exercise 4).
# The random numbers differ from tgc's (different generators); the layout is the same.
import torch
torch.manual_seed(0)

device = torch.device("cuda" if torch.cuda.is_available() else "cpu")

x = torch.rand(3, 3).to(device)
print(f"x device: {x.device}")

squared = (x ** 2).cpu()
print(f"squared device: {squared.device}")
print("x:\n", x.cpu())
print("x ** 2:\n", squared)
