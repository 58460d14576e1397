# PyTorch reference for samples/ch1_ex2_numpy.swiftdsl (seed chapter 1, exercise 2).
# Run from samples/ (it reads data/ex2_array.npy and writes ex2_doubled.npy).
# tgc prints shapes as lists, so this prints list(doubled.shape).
import numpy as np
import torch

array = np.load("data/ex2_array.npy")  # np.array([[1, 2], [3, 4], [5, 6]])
t = torch.from_numpy(array)
print("Tensor:\n", t)

doubled = t * 2
print("Doubled:\n", doubled)

result = doubled.numpy()
np.save("ex2_doubled.npy", result)
print(f"Saved: {list(doubled.shape)}, {doubled.dtype}")
