# PyTorch reference for samples/printing.swiftdsl.
import torch

x = torch.tensor([1.0, 2.5])
print("a", "b", "c", sep=", ")
print("no newline:", end=" ")
print(x, end="")
print(" <- same line")
for i in range(4):
    if i < 3:
        print(i, end=" ")
    else:
        print(i)
print("blank line follows", end="\n\n")
print(x.sum(), x.shape, sep=" | ", end=" .\n")
print()
print("done", end="")
