# PyTorch reference for samples/ch1_02_colab_check.swiftdsl (seed chapter 1, section 2, Colab).
import torch
# print(torch.__version__) is left out, as in the tgc sample.
print("CUDA available:", torch.cuda.is_available())
