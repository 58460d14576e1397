# PyTorch reference for samples/ch2_matrix_ops.swiftdsl.
import torch

# Chapter 2 (matrix operations): matmul and its rank-checked forms mm, mv, bmm, the dot and
# outer products, transpose and trace; grad_fn names and gradients as PyTorch's.
a = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
b = torch.tensor([[1.0, 0.0], [0.0, 1.0], [2.0, -1.0]], requires_grad=True)
v = torch.tensor([1.0, -1.0, 0.5], requires_grad=True)

# 行列積: mm は 2 次元どうし、mv は行列とベクトル
ab = torch.mm(a, b)
print("mm:", ab)
print("a.mm(b) == matmul:", a.mm(b) == torch.matmul(a, b))
print("mv:", a.mv(v))
print("matmul(a, v):", torch.matmul(a, v))

# バッチ行列積: bmm はバッチの大きさが同じ 3 次元テンソル
x = torch.arange(0, 12).reshape([2, 2, 3]).float()
y = torch.ones([2, 3, 2])
print("bmm:", torch.bmm(x, y).shape)
print(torch.bmm(x, y))

# 内積、外積、転置、トレース
print("dot:", torch.dot(v, v), v.dot(torch.tensor([2.0, 2.0, 2.0])))
print("outer:", torch.outer(v, torch.tensor([1.0, 2.0])))
print("outer ints:", torch.tensor([1, 2, 3]).outer(torch.tensor([10, 20])))
print("a.T:", a.T)
square = torch.mm(a, a.t())
print("square:", square)
print("trace:", square.trace(), torch.trace(torch.tensor([[1, 2], [3, 4]])))

# 勾配
loss = (torch.mm(a, b).sum() + a.mv(v).pow(2).sum() + torch.outer(v, v).trace()) * 0.5
loss.backward()
print("loss:", loss)
print("a.grad:", a.grad)
print("b.grad:", b.grad)
print("v.grad:", v.grad)

batch = torch.tensor([[[1.0, 2.0], [3.0, 4.0]], [[0.5, 0.0], [0.0, 2.0]]], requires_grad=True)
product = torch.bmm(batch, batch)
print(product)
product.sum().backward()
print("batch.grad:", batch.grad)
