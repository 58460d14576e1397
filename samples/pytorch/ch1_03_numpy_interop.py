# PyTorch reference for samples/ch1_03_numpy_interop.swiftdsl (seed chapter 1, section 3).
# Run from samples/ (it reads data/numpy_array.npy and writes numpy_from_tensor.npy).
import numpy as np
import torch

numpy_array = np.load("data/numpy_array.npy")  # np.array([1, 2, 3, 4, 5])
tensor_from_numpy = torch.from_numpy(numpy_array)
print(f"From NumPy: {tensor_from_numpy}")

tensor = torch.tensor([10, 20, 30])
numpy_from_tensor = tensor.numpy()
np.save("numpy_from_tensor.npy", numpy_from_tensor)
# The seed prints the NumPy array ([10 20 30]); tgc prints the tensor instead.
print(f"To NumPy: {tensor}")

# Left out, as in the tgc sample: numpy_array[0] = 100 changing the tensor (shared memory).
