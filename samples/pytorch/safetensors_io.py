# PyTorch reference for samples/safetensors_io.swiftdsl.
# Run from samples/ (it reads data/linear.safetensors and writes linear_out.safetensors).
import torch
from safetensors.torch import load_file, save_file

state = load_file("data/linear.safetensors")
print("keys:", state.keys(), "count:", len(state))
weight = state["fc.weight"]
bias = state["fc.bias"]
print("fc.weight:", weight.shape, weight.dtype)
print(weight)
print("fc.bias:", bias)

x = torch.tensor([[1.0, 2.0, 3.0], [0.5, -1.0, 2.0]])
y = torch.matmul(x, weight.t()) + bias
print("y:", y)
print("steps:", state["steps"], "mask:", state["mask"])

out = {"y": y, "fc.weight": weight * 0.5, "count": state["steps"] + 1}
print(out)
save_file(out, "linear_out.safetensors")
print({"a": 1, "b": "two"}, {})
