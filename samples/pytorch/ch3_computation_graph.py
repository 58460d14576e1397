# PyTorch reference for samples/ch3_computation_graph.swiftdsl (seed chapter 3, 計算グラフと勾配計算).
import torch

a = torch.tensor([2.0, 3.0], requires_grad=True)
b = torch.tensor([4.0, 1.0], requires_grad=True)

c = a * b
d = c + a
e = d.exp()
loss = e.sum()

print("a:", a.is_leaf, a.requires_grad, a.grad_fn)
print("c:", c.is_leaf, c.requires_grad, c.grad_fn.name())
print("d:", d.grad_fn.name(), "e:", e.grad_fn.name(), "loss:", loss.grad_fn.name())

c.retain_grad()
d.retain_grad()
print("retains:", c.retains_grad, d.retains_grad, a.retains_grad)

loss.backward()

print(f"loss = {loss}")
print("dloss/dd:", d.grad)
print("dloss/dc:", c.grad)
print("dloss/da:", a.grad)
print("dloss/db:", b.grad)
print("e.grad:", e.grad)
