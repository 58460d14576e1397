# PyTorch reference for samples/ch1_02_install_check.swiftdsl (seed chapter 1, section 2).
import torch

# The PyTorch version, CUDA version and GPU name are left out, as in the tgc sample.
print(f"CUDA available: {torch.cuda.is_available()}")

x = torch.tensor([1, 2, 3])
print(f"Sample tensor: {x}")
